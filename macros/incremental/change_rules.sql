{#- Change inputs that are more than "rows an input refreshed": named rules a model lists
    in its `change_inputs` as {'rule': '<name>'}. Each is called while the model runs
    (with the model's `this` and refs) and returns a query of the model's `unique_key`. -#}

{#- base_shop__orders_checked: orders whose exchange rate has been published or restated
    since they were checked (their stored rate differs from today's daily rate). -#}
{% macro orders_with_restated_exchange_rates(watermark) %}
    select stored.order_id
    from {{ this }} as stored
    left join {{ ref('base_shop__exchange_rates_daily') }} as daily_exchange_rates
        on
            stored.currency = daily_exchange_rates.currency
            and cast(stored.ordered_at as date) = daily_exchange_rates.rate_day
    where
        stored.currency <> '{{ project_var('reporting_currency') }}'
        and stored.exchange_rate_to_reporting is distinct from
        cast(daily_exchange_rates.rate_to_reporting as decimal(18, 8))
{% endmacro %}


{#- base_shop__order_ids: order ids rechecked upstream that are new or whose acceptance
    changed (so their order lines are rechecked only then). -#}
{% macro orders_whose_acceptance_changed(watermark) %}
    select rechecked.order_id
    from (
        select
            order_id,
            {{ is_any_version_accepted() }} as is_accepted
        from {{ ref('base_shop__orders_checked') }}
        where order_id in (
            {{ keys_refreshed_since(ref('base_shop__orders_checked'), 'order_id', watermark) }}
        )
        group by order_id
    ) as rechecked
    left join {{ this }} as stored
        on rechecked.order_id = stored.order_id
    where stored.is_accepted is distinct from rechecked.is_accepted
{% endmacro %}


{#- base_shop__refunds_checked: refunds are capped per order, so every refund of an order
    is rechecked with it: the refunds of orders with new refund rows, of orders rechecked
    upstream, and of orders with a refund that was in the future. -#}
{% macro refunds_rechecked_with_their_order(watermark) %}
    {% set new_rows_sql = select_raw_rows_loaded_since(
        'refunds', ['refund_id', 'order_id'], raw_reread_cutoff()
    ) %}
    select refund_id from {{ this }}
    where order_id in (
        select {{ clean_id('raw_order_id') }} from ({{ new_rows_sql }}) as new_rows
        union all
        select order_id from {{ this }}
        where
            rejection_reason = 'future_refund'
            or refund_id in (
                select {{ clean_id('raw_refund_id') }} from ({{ new_rows_sql }}) as new_rows
            )
        union all
        {{ keys_refreshed_since(ref('base_shop__orders_checked'), 'order_id', watermark) }}
    )
{% endmacro %}


{#- int_orders: orders the as-of date moved past in either direction (dated between the
    latest order date held and the as-of date), and orders with a refund dated after the
    earlier of the two. -#}
{% macro orders_the_as_of_date_moved_past(watermark) %}
    {% set latest_held = "coalesce(" ~ incremental_state_literal('max(order_date)', 'date')
        ~ ", cast('0001-01-01' as date))" %}
    select orders.order_id
    from {{ ref('stg_shop__orders') }} as orders
    cross join {{ ref('int_reporting_period') }} as reporting_period
    where
        orders.order_date > least({{ latest_held }}, reporting_period.as_of_date)
        and orders.order_date <= greatest({{ latest_held }}, reporting_period.as_of_date)
    union all
    select refunds.order_id
    from {{ ref('stg_shop__refunds') }} as refunds
    cross join {{ ref('int_reporting_period') }} as reporting_period
    where refunds.refund_date > least({{ latest_held }}, reporting_period.as_of_date)
{% endmacro %}


{#- Customer-level models: customers with accepted orders after the as-of date (they must
    lose those orders when the as-of date moves back). -#}
{% macro customers_with_orders_after_the_as_of_date(watermark) %}
    select accepted_orders.customer_id
    from {{ ref('stg_shop__orders') }} as accepted_orders
    cross join {{ ref('int_reporting_period') }} as reporting_period
    where accepted_orders.order_date > reporting_period.as_of_date
{% endmacro %}


{#- int_customers_category_spend: everyone, when the product catalogue changed (each row
    records the catalogue it was computed with). -#}
{% macro customers_priced_with_another_catalogue(watermark) %}
    select customer_id from {{ this }}
    where catalogue_fingerprint is distinct from {{ product_catalogue_fingerprint() }}
{% endmacro %}


{#- A hash of every product's category. -#}
{% macro product_catalogue_fingerprint() %}
    (
        select {{ dbt.hash(dbt.listagg(
            "product_id || '=' || category", "'|'", "order by product_id"
        )) }}
        from {{ ref('stg_shop__products') }}
    )
{% endmacro %}


{#- Whether an order id has an accepted version (aggregate over its checked rows): what
    base_shop__order_ids stores and the acceptance rule above compares. -#}
{% macro is_any_version_accepted() %}
    max(case when rejection_reason is null then 1 else 0 end) = 1
{% endmacro %}


{#- int_segment_spells: customers with a history row the model does not hold as it is
    now: a row it has no spell for, or one closed since (its end differs). The history is
    written forward only, so rows are opened and closed at the as-of date being recorded,
    never before the newest time the model holds: only rows opened or closed at or after
    it are compared (at, since a rerun of the newest date can add rows at that date). A
    deletion marker closes the customer's open rows, so their customer is found too. -#}
{% macro customers_whose_segment_history_changed(watermark) %}
    {% set newest_held = segment_spells_newest_business_time() %}
    select history.customer_id
    from {{ ref('customer_segment_snapshot') }} as history
    left join {{ this }} as spells
        on
            history.dbt_scd_id = spells.dbt_scd_id
            and history.dbt_valid_from = spells.entered_at
    where
        (history.dbt_valid_from >= {{ newest_held }} or history.dbt_valid_to >= {{ newest_held }})
        and not {{ is_history_deletion_marker('history') }}
        and (
            spells.dbt_scd_id is null
            or not coalesce(
                spells.exited_at = history.dbt_valid_to,
                spells.exited_at is null and history.dbt_valid_to is null
            )
        )
{% endmacro %}


{#- rebuilt_when of the rule above: the history is not the one the model was built from
    (reset and replayed, or dropped): it holds fewer rows before the model's newest time,
    or a different number of spells there, than the model does. -#}
{% macro segment_history_was_rebuilt_or_reset() %}
    {% set newest_held = segment_spells_newest_business_time() %}
    select
        coalesce(max(history.dbt_updated_at) < {{ newest_held }}, true)
        or count(case
            when history.dbt_valid_from < {{ newest_held }}
                and not {{ is_history_deletion_marker('history') }} then 1
        end) <> (
            select count(*) from {{ this }} where entered_at < {{ newest_held }}
        )
    from {{ ref('customer_segment_snapshot') }} as history
{% endmacro %}


{#- The latest entry or exit int_segment_spells holds (a subquery of the model's table:
    asked while deciding whether the model is incremental, so not through is_incremental). -#}
{% macro segment_spells_newest_business_time() %}
    (select max(coalesce(exited_at, entered_at)) from {{ this }})
{% endmacro %}

{#- Net Promoter Score: each customer's latest answer on or before the as-of date (a later
    answer replaces an earlier one; two at the same instant: the higher response_id), and
    its category: Promoter 9-10, Passive 7-8, Detractor 0-6. Customers who never answered
    are not here (their segment is No response). -#}

with

responses as (
    select * from {{ ref('stg_shop__nps_responses') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

ranked as (
    select
        responses.customer_id,
        responses.score,
        responses.responded_at,
        row_number() over (
            partition by responses.customer_id
            order by responses.responded_at desc, responses.response_id desc
        ) as answer_rank
    from responses
    cross join reporting_period
    where responses.response_date <= reporting_period.as_of_date
),

final as (
    select
        customer_id,
        score as nps_score,
        responded_at as nps_responded_at,
        cast(case
            when score >= 9 then 'Promoter'
            when score >= 7 then 'Passive'
            else 'Detractor'
        end as {{ dbt.type_string() }}) as nps_category
    from ranked
    where answer_rank = 1
)

select * from final

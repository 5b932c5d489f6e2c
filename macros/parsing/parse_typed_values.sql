{#-
  Parsers for raw text columns. Each returns NULL for a value it cannot parse, so a model
  can tell "missing" (the cleaned text is NULL) from "unparseable" (text present, parse
  NULL) and quarantine the row with the right reason. The engine-specific parts are the
  dispatched "try cast" macros at the bottom; everything else is portable.
-#}

{#- Money with two decimals (half away from zero), NULL when not a number. -#}
{% macro parse_money(expression) %}
    {{ try_cast_text(clean_text(expression), 'decimal(18, 2)') }}
{% endmacro %}


{#- A whole number, NULL when not one. -#}
{% macro parse_integer(expression) %}
    {{ try_cast_text(clean_text(expression), dbt.type_bigint()) }}
{% endmacro %}


{#- An exchange rate: a decimal with enough places for rates like 0.00012345. -#}
{% macro parse_rate(expression) %}
    {{ try_cast_text(clean_text(expression), 'decimal(18, 8)') }}
{% endmacro %}


{#- A date, from an ISO-8601 date or timestamp, NULL when not one. -#}
{% macro parse_date(expression) %}
    cast({{ parse_timestamp_utc(expression) }} as date)
{% endmacro %}


{#- true/false, 1/0, yes/no, y/n, t/f in any case; NULL otherwise. -#}
{% macro parse_boolean(expression) %}
    case
        when lower({{ clean_text(expression) }}) in ('true', 't', '1', 'yes', 'y') then true
        when lower({{ clean_text(expression) }}) in ('false', 'f', '0', 'no', 'n') then false
    end
{% endmacro %}


{#- An ISO-8601 timestamp as a UTC timestamp without time zone. A value with an offset is
    converted; a value without one is taken as UTC. -#}
{% macro parse_timestamp_utc(expression) %}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'customer_segments')(
        clean_text(expression)
    )) }}
{% endmacro %}

{% macro default__parse_timestamp_utc(text) %}
    cast({{ try_cast_text(text, dbt.type_timestamp()) }} as {{ dbt.type_timestamp() }})
{% endmacro %}

{% macro duckdb__parse_timestamp_utc(text) %}
    {#- The session time zone (UTC in profiles.yml) applies to values without an offset. -#}
    (try_cast({{ text }} as timestamptz) at time zone 'UTC')
{% endmacro %}

{% macro postgres__parse_timestamp_utc(text) %}
    (case
        when {{ text }} ~ '^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$'
            then {{ text }}::timestamptz at time zone 'UTC'
    end)
{% endmacro %}


{#- cast(text as type), NULL instead of an error when the text does not fit the type. -#}
{% macro try_cast_text(text, type) %}
    {{ return(adapter.dispatch('try_cast_text', 'customer_segments')(text, type)) }}
{% endmacro %}

{% macro default__try_cast_text(text, type) %}
    try_cast({{ text }} as {{ type }})
{% endmacro %}

{% macro postgres__try_cast_text(text, type) %}
    {#- PostgreSQL has no try_cast: accept plain decimal numbers only. -#}
    (case
        when {{ text }} ~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$'
            then cast({{ text }} as {{ type }})
    end)
{% endmacro %}

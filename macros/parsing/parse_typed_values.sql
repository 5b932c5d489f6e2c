{#-
  Parsers for raw text columns. Each returns NULL for a value it cannot parse, so a model
  can tell "missing" (the cleaned text is NULL) from "unparseable" (text present, parse
  NULL) and quarantine the row with the right reason. The engine-specific parts are the
  dispatched "try cast" macros at the bottom; everything else is portable.
-#}

{#- The text each parser accepts, the same on every engine (POSIX classes only, so the
    patterns mean the same to DuckDB, PostgreSQL and Spark): a plain or scientific decimal
    number; a whole number of at most 18 digits; an ISO-8601 date or timestamp, with
    optional seconds, fraction, and a Z, UTC or numeric offset. What matches is then cast
    by the engine, which still rejects values that do not exist (2024-02-30) or overflow. -#}
{% macro number_text_pattern() %}{{ return('^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}{% endmacro %}
{% macro integer_text_pattern() %}{{ return('^[+-]?[0-9]{1,18}$') }}{% endmacro %}
{% macro timestamp_text_pattern() %}
    {{ return('^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?'
        ~ ' ?(Z|z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)?$') }}
{% endmacro %}


{#- `text` when it matches `pattern` (a whole-string regular expression), else NULL. -#}
{% macro text_matching(text, pattern) %}
    (case when {{ matches_pattern(text, pattern) }} then {{ text }} end)
{% endmacro %}

{#- clean_text(expression) when it matches `pattern`, else NULL. -#}
{% macro clean_text_matching(expression, pattern) %}
    {{ return(adapter.dispatch('clean_text_matching', 'customer_segments')(expression, pattern)) }}
{% endmacro %}

{% macro default__clean_text_matching(expression, pattern) %}
    {{ return(text_matching(clean_text(expression), pattern)) }}
{% endmacro %}

{#- DuckDB skips the match where the column's type decides it: the text of a number type
    matches the number pattern (but for a float's inf and -inf, which the decimal casts
    after it refuse anyway), the text of a whole-number type of at most ten digits the
    integer pattern (a BIGINT may have 19 digits: it is matched). -#}
{% macro duckdb__clean_text_matching(expression, pattern) %}
    {% set type = "typeof(" ~ expression ~ ")" %}
    {% set cleaned = clean_text(expression) %}
    {% set small_integer_types = "'TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT', 'UINTEGER'" %}
    {% if pattern == number_text_pattern() %}
        {% set typed_condition = type ~ " like 'DECIMAL(%' or " ~ type ~ " in (" ~ small_integer_types
            ~ ", 'BIGINT', 'HUGEINT', 'UBIGINT', 'UHUGEINT', 'FLOAT', 'DOUBLE')" %}
    {% elif pattern == integer_text_pattern() %}
        {% set typed_condition = type ~ " in (" ~ small_integer_types ~ ")" %}
    {% else %}
        {{ return(text_matching(cleaned, pattern)) }}
    {% endif %}
    {{ return("(case when " ~ typed_condition ~ " then " ~ cleaned ~ " else "
        ~ text_matching(cleaned, pattern) ~ " end)") }}
{% endmacro %}


{% macro matches_pattern(text, pattern) %}
    {{ return(adapter.dispatch('matches_pattern', 'customer_segments')(text, pattern)) }}
{% endmacro %}

{% macro default__matches_pattern(text, pattern) %}
    regexp_like({{ text }}, {{ sql_string(pattern) }})
{% endmacro %}

{% macro duckdb__matches_pattern(text, pattern) %}
    regexp_full_match({{ text }}, {{ sql_string(pattern) }})
{% endmacro %}

{% macro postgres__matches_pattern(text, pattern) %}
    ({{ text }} ~ {{ sql_string(pattern) }})
{% endmacro %}

{% macro spark__matches_pattern(text, pattern) %}
    ({{ text }} rlike {{ sql_string(pattern) }})
{% endmacro %}


{#- Money with two decimals (half away from zero), NULL when not a number. -#}
{% macro parse_money(expression) %}
    {{ try_cast_text(clean_text_matching(expression, number_text_pattern()), 'decimal(18, 2)') }}
{% endmacro %}


{#- A whole number, NULL when not one ("1.5" is not a quantity of 2). -#}
{% macro parse_integer(expression) %}
    {{ try_cast_text(clean_text_matching(expression, integer_text_pattern()), dbt.type_bigint()) }}
{% endmacro %}


{#- An exchange rate: a decimal with enough places for rates like 0.00012345. -#}
{% macro parse_rate(expression) %}
    {{ try_cast_text(clean_text_matching(expression, number_text_pattern()), 'decimal(18, 8)') }}
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


{#- An ISO-8601 timestamp (timestamp_text_pattern) as a UTC timestamp without time zone. A
    value with an offset is converted; a value without one is taken as UTC. Fractions
    beyond microseconds are cut, not rounded, on every engine. -#}
{% macro parse_timestamp_utc(expression) %}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'customer_segments')(expression)) }}
{% endmacro %}

{% macro default__parse_timestamp_utc(expression) %}
    {%- set text = clean_text_matching(expression, timestamp_text_pattern()) -%}
    cast({{ try_cast_text(text, dbt.type_timestamp()) }} as {{ dbt.type_timestamp() }})
{% endmacro %}

{#- The session time zone (UTC in profiles.yml) applies to text without an offset. A typed
    timestamp or date is taken as it is, within the years the pattern's four digits allow
    (a text round trip would give the same). -#}
{% macro duckdb__parse_timestamp_utc(expression) %}
    {%- set text = clean_text_matching(expression, timestamp_text_pattern()) -%}
    {%- set type = "typeof(" ~ expression ~ ")" -%}
    {%- set representable = " between timestamp '0001-01-01' and timestamp '9999-12-31 23:59:59.999999'" -%}
    (case
        when {{ type }} in ('TIMESTAMP', 'DATE') then (case
            when try_cast({{ expression }} as timestamp) {{ representable }}
                then try_cast({{ expression }} as timestamp)
        end)
        when {{ type }} = 'TIMESTAMP WITH TIME ZONE' then (case
            when (try_cast({{ expression }} as timestamptz) at time zone 'UTC') {{ representable }}
                then try_cast({{ expression }} as timestamptz) at time zone 'UTC'
        end)
        else try_cast({{ text }} as timestamptz) at time zone 'UTC'
    end)
{% endmacro %}

{% macro postgres__parse_timestamp_utc(expression) %}
    {#- PostgreSQL rounds a seventh fractional digit: cut to six first, as DuckDB does. -#}
    {%- set text = clean_text_matching(expression, timestamp_text_pattern()) -%}
    ({{ target.schema }}.try_cast_timestamptz(
        regexp_replace({{ text }}, '([.][0-9]{6})[0-9]+', '\1')
    ) at time zone 'UTC')
{% endmacro %}


{% macro spark__parse_timestamp_utc(expression) %}
    {#- The session time zone (UTC in profiles.yml) applies to values without an offset;
        Spark reads at most six fractional digits. -#}
    {%- set text = clean_text_matching(expression, timestamp_text_pattern()) -%}
    try_cast(regexp_replace({{ text }}, '([.][0-9]{6})[0-9]+', '$1') as timestamp)
{% endmacro %}


{#- cast(text as type), NULL instead of an error when the text does not fit the type. -#}
{% macro try_cast_text(text, type) %}
    {{ return(adapter.dispatch('try_cast_text', 'customer_segments')(text, type)) }}
{% endmacro %}

{% macro default__try_cast_text(text, type) %}
    try_cast({{ text }} as {{ type }})
{% endmacro %}

{% macro postgres__try_cast_text(text, type) %}
    {#- PostgreSQL has no try_cast: functions that catch the cast's error
        (create_engine_functions, on-run-start). -#}
    cast({{ target.schema }}.{{ postgres_try_cast_function(type) }}({{ text }}) as {{ type }})
{% endmacro %}


{#- The name of the PostgreSQL function casting text to `type`. -#}
{% macro postgres_try_cast_function(type) %}
    {{ return('try_cast_' ~ modules.re.sub('[^a-z0-9]+', '_', type | lower) | trim('_')) }}
{% endmacro %}


{#- Engine functions the models call: PostgreSQL's try-casts (a cast that returns NULL
    where the plain cast raises; text without an offset is read as UTC whatever the
    session's time zone; parallel unsafe, since the exception block needs a
    subtransaction, which a parallel query cannot start). Run on-run-start; a no-op
    elsewhere. -#}
{% macro create_engine_functions() %}
    {% if writes_to_warehouse() %}
        {% do adapter.dispatch('create_engine_functions', 'customer_segments')() %}
    {% endif %}
    select 1 as engine_functions_created
{% endmacro %}

{% macro default__create_engine_functions() %}{% endmacro %}

{% macro postgres__create_engine_functions() %}
    {% do run_query("create schema if not exists " ~ target.schema) %}
    {% for type in ['decimal(18, 2)', 'decimal(18, 8)', dbt.type_bigint(), 'timestamptz'] %}
        {% do run_query(
            "create or replace function " ~ target.schema ~ "." ~ postgres_try_cast_function(type)
            ~ "(value text) returns " ~ type ~ " language plpgsql stable parallel unsafe"
            ~ " set timezone = 'UTC' as $$"
            ~ " begin return cast(value as " ~ type ~ ");"
            ~ " exception when others then return null; end $$"
        ) %}
    {% endfor %}
{% endmacro %}

{#-
  Raw text made comparable: every parser and id column starts from clean_text, so
  "missing" means the same thing everywhere (NULL, empty, blank or a null marker).
-#}

{#- Text trimmed of every kind of whitespace (tabs, carriage returns, no-break spaces,
    byte-order marks), NULL when empty or one of var `null_markers` (any case). Ids are
    compared exactly after this: `C008` and `c008` are two customers. -#}
{% macro clean_text(expression, extra_null_markers=[]) %}
    {%- set markers = project_var('null_markers') + extra_null_markers -%}
    {%- set trimmed = trimmed_text(expression) -%}
    {%- if markers -%}
        (case
            when lower({{ trimmed }}) in {{ sql_string_list(markers) }} then null
            else nullif({{ trimmed }}, '')
        end)
    {%- else -%}
        nullif({{ trimmed }}, '')
    {%- endif -%}
{% endmacro %}


{#- An id: clean_text, where var `id_null_markers` (default "0") also mean empty. -#}
{% macro clean_id(expression) %}
    {{ clean_text(expression, project_var('id_null_markers')) }}
{% endmacro %}


{#- The value as text, trimmed (trim_whitespace). On DuckDB a typed value (a Parquet
    number, timestamp, date or boolean) is only cast: its text never has surrounding
    whitespace, and the trim is most of what parsing costs. `typeof` is a constant for
    the column, so DuckDB keeps one branch when it plans the query. -#}
{% macro trimmed_text(expression) %}
    {{ return(adapter.dispatch('trimmed_text', 'customer_segments')(expression)) }}
{% endmacro %}

{% macro default__trimmed_text(expression) %}
    {{ return(trim_whitespace('cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')')) }}
{% endmacro %}

{% macro duckdb__trimmed_text(expression) %}
    {{ return("(case when typeof(" ~ expression ~ ") = 'VARCHAR' then "
        ~ trim_whitespace('cast(' ~ expression ~ ' as varchar)')
        ~ " else cast(" ~ expression ~ " as varchar) end)") }}
{% endmacro %}


{#- Leading and trailing whitespace removed, Unicode spaces included. -#}
{% macro trim_whitespace(expression) %}
    {{ return(adapter.dispatch('trim_whitespace', 'customer_segments')(expression)) }}
{% endmacro %}

{% macro default__trim_whitespace(expression) %}
    regexp_replace({{ expression }}, '^[[:space:]\u00a0\ufeff]+|[[:space:]\u00a0\ufeff]+$', '', 'g')
{% endmacro %}

{% macro duckdb__trim_whitespace(expression) %}
    regexp_replace({{ expression }}, '^[\s\p{Z}\x{FEFF}]+|[\s\p{Z}\x{FEFF}]+$', '', 'g')
{% endmacro %}

{#- Java's regular expressions; a Spark SQL string literal unescapes backslashes once. -#}
{% macro spark__trim_whitespace(expression) %}
    regexp_replace({{ expression }}, '^[\\s\\p{Z}\\x{FEFF}]+|[\\s\\p{Z}\\x{FEFF}]+$', '')
{% endmacro %}

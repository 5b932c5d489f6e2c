{#- The `as_of_date` var as a SQL date literal, or none when the var is empty. Fails with a
    clear message when it is not YYYY-MM-DD. -#}
{% macro as_of_date_literal() %}
    {% set raw_value = var('as_of_date') | string | trim %}
    {% if raw_value in ('', 'None', 'none', 'null') %}
        {{ return(none) }}
    {% endif %}
    {% set parsed = none %}
    {% if modules.re.match('^\\d{4}-\\d{2}-\\d{2}$', raw_value) %}
        {% set parsed = modules.datetime.datetime.strptime(raw_value, '%Y-%m-%d') %}
    {% endif %}
    {% if parsed is none %}
        {{ exceptions.raise_compiler_error(
            "var as_of_date must be a date written YYYY-MM-DD (or empty); got '"
            ~ raw_value ~ "'."
        ) }}
    {% endif %}
    {{ return("cast('" ~ raw_value ~ "' as date)") }}
{% endmacro %}

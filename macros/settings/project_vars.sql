{#-
  Every var of the project, validated and normalised in one place. Models and macros read
  vars through `project_var(name)`, never `var()`: a value that would change a number
  silently (`usd`), break a later query (`nan`) or reach SQL unescaped fails here, at the
  start of the run (`validate_project_vars` is the first on-run-start hook), with one
  message naming the var, what it must be and what it got. Values that reach SQL are
  then numbers, dates, codes matched by a pattern, or strings quoted by `sql_string`.
-#}

{#- name -> (kind, options). Kinds: integer / number (min, max, exclusive_min), boolean,
    date (YYYY-MM-DD; `optional` allows empty), choice, currency (ISO 4217: 3 letters),
    identifier (a schema or table name), path, text_list. -#}
{% macro project_var_specs() %}
    {{ return({
        'raw_data_path': ('path', {}),
        'raw_schema': ('identifier', {}),
        'reporting_currency': ('currency', {}),
        'as_of_date': ('date', {'optional': true}),
        'include_tax_and_shipping': ('boolean', {}),
        'top_customer_fraction': ('number', {'min': 0, 'max': 1, 'exclusive_min': true}),
        'lifecycle_new_days': ('integer', {'min': 1}),
        'lifecycle_min_gaps_for_rhythm': ('integer', {'min': 1}),
        'lifecycle_active_days': ('integer', {'min': 1}),
        'lifecycle_churn_days': ('integer', {'min': 1}),
        'rising_star_max_tenure_days': ('integer', {'min': 1}),
        'rising_star_window_days': ('integer', {'min': 1}),
        'rising_star_fraction': ('number', {'min': 0, 'max': 1, 'exclusive_min': true}),
        'clv_time_unit': ('choice', {'choices': ['week', 'day']}),
        'clv_short_window_days': ('integer', {'min': 1}),
        'clv_long_window_days': ('integer', {'min': 1}),
        'clv_horizon_months': ('integer', {'min': 1, 'max': 600}),
        'clv_monthly_discount_rate': ('number', {'min': 0, 'max': 1}),
        'clv_holdout_days': ('integer', {'min': 0}),
        'clv_on_insufficient_data': ('choice', {'choices': ['warn', 'error', 'skip']}),
        'clv_max_fit_customers': ('integer', {'min': 20}),
        'clv_refit_after_days': ('integer', {'min': 0}),
        'clv_refit_population_change': ('number', {'min': 0}),
        'incremental_lookback_days': ('integer', {'min': 0}),
        'history_stage_changed_keys_only': ('boolean', {}),
        'null_markers': ('text_list', {}),
        'id_null_markers': ('text_list', {}),
        'max_order_amount': ('number', {'min': 0, 'max': 1000000000000, 'exclusive_min': true}),
        'earliest_valid_order_date': ('date', {}),
    }) }}
{% endmacro %}


{#- The validated, normalised value of one var. -#}
{% macro project_var(name) %}
    {% set specs = project_var_specs() %}
    {% if name not in specs %}
        {{ exceptions.raise_compiler_error("project_var: no var named '" ~ name ~ "'.") }}
    {% endif %}
    {% set kind, options = specs[name] %}
    {% set value = var(name) %}
    {% set text = (value if value is not none else '') | string | trim %}
    {% set re = modules.re %}

    {% if kind in ('integer', 'number') %}
        {% set pattern = '^[+-]?[0-9]+$' if kind == 'integer'
            else '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$' %}
        {% set ok = re.match(pattern, text) is not none %}
        {% set number = (text | int) if kind == 'integer' else (text | float) if ok else none %}
        {% if ok and 'min' in options %}
            {% set ok = number > options.min if options.get('exclusive_min') else number >= options.min %}
        {% endif %}
        {% if ok and 'max' in options %}{% set ok = number <= options.max %}{% endif %}
        {% if not ok %}
            {% set bounds = [] %}
            {% if 'min' in options %}
                {% do bounds.append(('above ' if options.get('exclusive_min') else 'at least ') ~ options.min) %}
            {% endif %}
            {% if 'max' in options %}{% do bounds.append('at most ' ~ options.max) %}{% endif %}
            {{ project_var_error(name, ('a whole number' if kind == 'integer' else 'a number')
                ~ (' ' ~ bounds | join(' and ') if bounds else ''), value) }}
        {% endif %}
        {{ return(number) }}

    {% elif kind == 'boolean' %}
        {% if text | lower in ('true', '1', 'yes') %}{{ return(true) }}
        {% elif text | lower in ('false', '0', 'no') %}{{ return(false) }}
        {% endif %}
        {{ project_var_error(name, 'true or false', value) }}

    {% elif kind == 'date' %}
        {% if text in ('', 'None', 'none', 'null') and options.get('optional') %}
            {{ return(none) }}
        {% endif %}
        {% set parsed = none %}
        {% if re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) %}
            {% set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') %}
        {% endif %}
        {% if parsed is none %}
            {{ project_var_error(name, 'a date written YYYY-MM-DD'
                ~ (' (or empty)' if options.get('optional') else ''), value) }}
        {% endif %}
        {{ return(text) }}

    {% elif kind == 'choice' %}
        {% if text | lower in options.choices %}{{ return(text | lower) }}{% endif %}
        {{ project_var_error(name, 'one of ' ~ options.choices | join(', '), value) }}

    {% elif kind == 'currency' %}
        {% if re.match('^[A-Za-z]{3}$', text) %}{{ return(text | upper) }}{% endif %}
        {{ project_var_error(name, 'an ISO 4217 currency code (three letters, e.g. USD)', value) }}

    {% elif kind == 'identifier' %}
        {% if re.match('^[A-Za-z_][A-Za-z0-9_]{0,62}$', text) %}{{ return(text) }}{% endif %}
        {{ project_var_error(name, 'a schema name of letters, digits and underscores', value) }}

    {% elif kind == 'path' %}
        {% if text == '' or '\n' in text or '\x00' in text %}
            {{ project_var_error(name, 'a folder path', value) }}
        {% endif %}
        {{ return(text) }}

    {% elif kind == 'text_list' %}
        {% set items = value if value is iterable and value is not string else none %}
        {% if items is none %}
            {{ project_var_error(name, 'a list of strings, e.g. [NULL, N/A]', value) }}
        {% endif %}
        {% set cleaned = [] %}
        {% for item in items %}
            {% if item is not none and (item | string | trim) != '' %}
                {% do cleaned.append(item | string | trim | lower) %}
            {% endif %}
        {% endfor %}
        {{ return(cleaned | unique | list) }}
    {% endif %}
{% endmacro %}


{% macro project_var_error(name, expected, value) %}
    {{ exceptions.raise_compiler_error(
        "var " ~ name ~ " must be " ~ expected ~ "; got '" ~ value ~ "'."
    ) }}
{% endmacro %}


{#- First on-run-start hook: every var checked before anything is read or written. -#}
{% macro validate_project_vars() %}
    {% if execute %}
        {% for name in project_var_specs() %}
            {% do project_var(name) %}
        {% endfor %}
        {% if project_var('clv_long_window_days') < project_var('clv_short_window_days') %}
            {{ project_var_error('clv_long_window_days', 'at least clv_short_window_days ('
                ~ project_var('clv_short_window_days') ~ ')', var('clv_long_window_days')) }}
        {% endif %}
        {% if project_var('lifecycle_churn_days') < project_var('lifecycle_active_days') %}
            {{ project_var_error('lifecycle_churn_days', 'at least lifecycle_active_days ('
                ~ project_var('lifecycle_active_days') ~ ')', var('lifecycle_churn_days')) }}
        {% endif %}
    {% endif %}
    select 1 as project_vars_validated
{% endmacro %}


{#- A list of strings as a SQL list of quoted literals: ('a', 'b'). -#}
{% macro sql_string_list(values) %}
    {% set quoted = [] %}
    {% for value in values %}{% do quoted.append(sql_string(value)) %}{% endfor %}
    {{ return("(" ~ (quoted | join(", ") if quoted else "null") ~ ")") }}
{% endmacro %}

{#- The percentile macro on inline rows, both methods, against values worked out by hand.
    Returns a row for every call whose result differs from the expectation. -#}
{%- set cases = {
    'one_to_ten': [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    'one_to_thirty': range(1, 31) | list,
    'ties': [10, 20, 30, 30, 30, 40],
    'single_row': [7],
    'with_nulls': ['null', 5, 1],
} -%}
{#- (case, method, fraction, descending, expected) -#}
{%- set checks = [
    ('one_to_ten', 'discrete', 0.10, true, 10),
    ('one_to_ten', 'discrete', 0.25, true, 8),
    ('one_to_ten', 'discrete', 0.5, false, 5),
    ('one_to_ten', 'continuous', 0.5, false, 5.5),
    ('one_to_ten', 'continuous', 0.9, false, 9.1),
    ('one_to_ten', 'continuous', 0.10, true, 9.1),
    ('one_to_thirty', 'discrete', 0.10, true, 28),
    ('one_to_thirty', 'discrete', 0.10, false, 3),
    ('one_to_thirty', 'discrete', 0.0, false, 1),
    ('one_to_thirty', 'discrete', 1.0, true, 1),
    ('ties', 'discrete', 0.5, true, 30),
    ('ties', 'discrete', 0.5, false, 30),
    ('ties', 'discrete', 0.10, true, 40),
    ('ties', 'continuous', 0.5, false, 30),
    ('ties', 'continuous', 0.25, false, 22.5),
    ('single_row', 'discrete', 0.10, true, 7),
    ('single_row', 'discrete', 0.0, false, 7),
    ('single_row', 'continuous', 0.5, false, 7),
    ('with_nulls', 'discrete', 0.5, false, 1),
    ('with_nulls', 'continuous', 0.5, false, 3),
] -%}

with

inline_rows as (
    {% for case_name, values in cases.items() %}
        {% for value in values %}
            select
                '{{ case_name }}' as case_name,
                cast({{ value }} as decimal(18, 2)) as x
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

results as (
    {% for case_name, method, fraction, descending, expected in checks %}
        select
            '{{ case_name }}' as case_name,
            {%- set call_label = method ~ ' ' ~ fraction ~ (' desc' if descending else '') %}
            '{{ call_label }}' as percentile_call,
            cast({{ expected }} as decimal(18, 4)) as expected,
            cast({{ percentile('x', fraction, method, descending) }} as decimal(18, 4))
                as actual
        from inline_rows
        where case_name = '{{ case_name }}'
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select *
    from results
    where actual is null or actual <> expected
)

select * from final

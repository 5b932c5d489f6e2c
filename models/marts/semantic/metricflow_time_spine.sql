{#- MetricFlow's time spine: publishes int_calendar_days. -#}

select date_day
from {{ ref('int_calendar_days') }}

"""What the Segmentation app reads: one read-only query per call, against the publication.

Every function opens the publication, runs one query and closes it, so a build that
publishes is never blocked by the app, and the app reads the new file on its next query.
Nothing here loads a whole mart: each query aggregates or filters in DuckDB and returns
at most a page of rows (the one exception, `segment_members`, is the export a user asks
for by pressing a button).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from customer_segments.ops.database_files import read_only
from customer_segments.ops.export_segment import segment_members_query

# The six metrics of the Segment Comparison Report, as fct_segment_pair_comparison names
# them, with how the app labels them.
COMPARED_METRICS = {
    "average_net_lifetime_spend": "Average net lifetime spend",
    "average_order_value": "Average order value",
    "orders_per_customer": "Orders per customer",
    "median_days_since_last_order": "Median days since last order",
    "repeat_purchase_rate": "Repeat purchase rate",
    "average_tenure_days": "Average tenure (days)",
}
PREVIEW_ROWS = 200
SEARCH_MATCHES = 20
COHORTS_SHOWN = 24
MONTHS_SINCE_SHOWN = 24


def query(database: Path, sql: str, parameters: list[Any] | None = None) -> pd.DataFrame:
    with read_only(database) as connection:
        return connection.execute(sql, parameters or []).df()


@dataclass(frozen=True)
class Freshness:
    as_of_date: dt.date
    published_at: dt.datetime
    reporting_currency: str
    # The first and last as-of dates the segment history saw a change on (None: empty).
    history_start: dt.date | None
    history_end: dt.date | None

    @property
    def has_history(self) -> bool:
        """More than one as-of date recorded: entries and exits mean something."""
        return (self.history_start is not None and self.history_end is not None
                and self.history_start < self.history_end)


def freshness(database: Path) -> Freshness:
    row = query(database, """
        select
            max(published.as_of_date)::date as as_of_date,
            max(published.published_at) as published_at,
            (select max(reporting_currency) from marts.fct_revenue_summary) as reporting_currency,
            (select min(event_date) from marts.fct_segment_events) as history_start,
            (select max(event_date) from marts.fct_segment_events) as history_end
        from publication.published_tables as published
    """).iloc[0]
    return Freshness(
        row.as_of_date, row.published_at.to_pydatetime(), row.reporting_currency,
        *(None if pd.isna(day) else pd.Timestamp(day).date()
          for day in (row.history_start, row.history_end)))


def segment_families(database: Path) -> list[str]:
    return query(database, "select distinct segment_family from marts.fct_segment_comparison "
                           "order by segment_family")["segment_family"].tolist()


def segments(database: Path) -> pd.DataFrame:
    """Every family and segment: members, shares, and the change since the previous
    as-of date (entries and exits recorded on the current one)."""
    return query(database, """
        with today as (
            select max(event_date) as as_of_date from marts.fct_segment_events
        ),

        changes as (
            select
                events.segment_family,
                events.segment_name,
                count(*) filter (where events.event_type = 'entered') as entered,
                count(*) filter (where events.event_type = 'exited') as exited
            from marts.fct_segment_events as events
            inner join today on events.event_date = today.as_of_date
            group by all
        )

        select
            comparison.segment_family,
            comparison.segment_name,
            comparison.customer_count as members,
            comparison.share_of_customers,
            comparison.net_revenue,
            comparison.share_of_revenue,
            coalesce(changes.entered, 0) as entered,
            coalesce(changes.exited, 0) as exited,
            coalesce(changes.entered, 0) - coalesce(changes.exited, 0) as net_change,
            comparison.net_promoter_score
        from marts.fct_segment_comparison as comparison
        left join changes
            on comparison.segment_family = changes.segment_family
            and comparison.segment_name = changes.segment_name
        order by comparison.segment_family, comparison.segment_name
    """)


def segment_member_preview(database: Path, family: str, segment: str) -> pd.DataFrame:
    return query(database, f"{segment_members_query()} limit {PREVIEW_ROWS}", [family, segment])


def segment_members(database: Path, family: str, segment: str) -> pd.DataFrame:
    """The whole member list: the rows `customer-segments export-segment` writes."""
    return query(database, segment_members_query(), [family, segment])


def segment_choices(database: Path) -> list[tuple[str, str]]:
    return list(query(database, "select segment_family, segment_name "
                                "from marts.fct_segment_comparison order by all")
                .itertuples(index=False, name=None))


def pair_comparison(database: Path, segment_a: tuple[str, str],
                    segment_b: tuple[str, str]) -> pd.DataFrame:
    """One row per metric: segment A, segment B, and A's index (B = 100)."""
    row = query(database, """
        select * from marts.fct_segment_pair_comparison
        where segment_a_family = ? and segment_a_name = ?
            and segment_b_family = ? and segment_b_name = ?
    """, [*segment_a, *segment_b])
    if row.empty:
        return pd.DataFrame(columns=["metric", "segment_a", "segment_b", "index"])
    first = row.iloc[0]
    return pd.DataFrame([
        {"metric": "Customers", "segment_a": first.segment_a_customers,
         "segment_b": first.segment_b_customers, "index": None},
        *({"metric": label, "segment_a": first[f"segment_a_{metric}"],
           "segment_b": first[f"segment_b_{metric}"], "index": first[f"{metric}_index"]}
          for metric, label in COMPARED_METRICS.items()),
    ])


def threshold_history(database: Path) -> pd.DataFrame:
    return query(database, "select as_of_date, threshold, member_count, member_net_revenue_share "
                           "from marts.fct_top_customer_threshold order by as_of_date")


def find_customers(database: Path, search: str) -> pd.DataFrame:
    """Customers whose id or email is `search` (any case), else starts with it."""
    text = search.strip().lower()
    return query(database, f"""
        select customer_id, email, net_lifetime_spend, last_order_date
        from marts.dim_customers
        where starts_with(lower(customer_id), ?) or starts_with(lower(email), ?)
        order by (lower(customer_id) = ? or lower(email) = ?) desc, customer_id
        limit {SEARCH_MATCHES}
    """, [text, text, text, text])


def customer(database: Path, customer_id: str) -> dict[str, Any] | None:
    rows = query(database, "select * from marts.dim_customers where customer_id = ?",
                 [customer_id])
    return None if rows.empty else {str(name): value for name, value in rows.iloc[0].items()}


def customer_events(database: Path, customer_id: str) -> pd.DataFrame:
    return query(database, """
        select event_at, event_type, segment_family, segment_name, net_lifetime_spend,
            top_customer_threshold, spell_number
        from marts.fct_segment_events
        where customer_id = ?
        order by event_at, segment_family, event_type desc
    """, [customer_id])


def customer_spells(database: Path, customer_id: str) -> pd.DataFrame:
    return query(database, """
        select segment_family, segment_name, spell_number, entered_at, exited_at,
            is_current, days_in_segment
        from marts.dim_customer_segment_history
        where customer_id = ?
        order by segment_family, entered_at
    """, [customer_id])


def category_index(database: Path, family: str) -> pd.DataFrame:
    """Segment x category: each segment's category share as an index of the company's
    (100 = the company average)."""
    return query(database, """
        select segment_name, category, category_share, category_share_index, category_spend
        from marts.fct_segment_category_spend
        where segment_family = ?
        order by segment_name, category
    """, [family])


def monthly_flows(database: Path, family: str) -> pd.DataFrame:
    return query(database, """
        select month_start, segment_name, entered_count, exited_count, net_change,
            members_at_month_end
        from marts.fct_segment_monthly_flows
        where segment_family = ?
        order by month_start, segment_name
    """, [family])


def cohort_retention(database: Path) -> pd.DataFrame:
    """The most recent cohorts' retention over their first months."""
    return query(database, f"""
        select cohort_month, months_since_first_order, retention_rate, cohort_customers
        from marts.fct_cohort_retention
        where cohort_month in (
            select distinct cohort_month from marts.fct_cohort_retention
            order by cohort_month desc limit {COHORTS_SHOWN}
        )
            and months_since_first_order < {MONTHS_SINCE_SHOWN}
        order by cohort_month, months_since_first_order
    """)


def clv_holdout(database: Path, family: str) -> pd.DataFrame:
    return query(database, """
        select segment_name, customers, expected_transactions, actual_transactions,
            expected_to_actual_ratio, mean_absolute_error, calibration_end_date
        from marts.fct_clv_holdout_validation
        where segment_family = ?
        order by segment_name
    """, [family])


def clv_fits(database: Path) -> pd.DataFrame:
    return query(database, "select fit_purpose, fit_status, fit_status_reason, fit_decision, "
                           "parameters_calibration_end_date from marts.fct_clv_model_parameters "
                           "order by fit_purpose")

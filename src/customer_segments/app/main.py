"""The Segmentation app: what a marketer opens instead of a SQL client.

    make app    # http://127.0.0.1:8501

Reads the publication (CUSTOMER_SEGMENTS_PUBLICATION_PATH, else
publication/customer_segments.duckdb) read-only, one connection per query
(customer_segments.app.data). `?page=<name>` opens a page directly: segments, comparison,
profile, categories, movement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from customer_segments.app import data
from customer_segments.ops.database_files import LockedDatabase, publication_path

DEFAULT_SEGMENT_A = ("top_customers", "Top Customers")
DEFAULT_SEGMENT_B = ("all", "All customers")
BACKFILL_HINT = ("run the backfill to record the months before it: `make backfill "
                 "START=<the first order's date> END=<the as-of date>` (README, "
                 "*Backfilling*)")


def publication_version(database: Path) -> tuple[str, float, int]:
    """Cache key of one publication: a publish replaces the file, so its identity changes."""
    stat = database.stat()
    return str(database), stat.st_mtime, stat.st_size


@st.cache_data(ttl=600, show_spinner=False, max_entries=256)
def cached(name: str, version: tuple[str, float, int], *arguments: Any) -> Any:
    reader: Callable[..., Any] = getattr(data, name)
    return reader(Path(version[0]), *arguments)


def read(name: str, *arguments: Any) -> Any:
    database = publication_path()
    return cached(name, publication_version(database), *arguments)


def money(value: Any, currency: str) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:,.2f} {currency}"


def show_freshness(freshness: data.Freshness) -> None:
    age = dt.datetime.now(dt.UTC).replace(tzinfo=None) - freshness.published_at
    hours = age.total_seconds() / 3600
    st.caption(
        f"As of **{freshness.as_of_date:%Y-%m-%d}** · published "
        f"{freshness.published_at:%Y-%m-%d %H:%M} UTC ({hours:,.0f} h ago) · amounts in "
        f"{freshness.reporting_currency} · segment history "
        + (f"from {freshness.history_start:%Y-%m-%d} to {freshness.history_end:%Y-%m-%d}"
           if freshness.has_history else "of one as-of date"))


def day(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def label(segment: tuple[str, str]) -> str:
    return f"{segment[0]} / {segment[1]}"


def family_picker(key: str) -> str:
    families = read("segment_families")
    return st.selectbox("Segment family", families, key=key,
                        index=families.index("top_customers")
                        if "top_customers" in families else 0)


def segment_picker(title: str, default: tuple[str, str], key: str,
                   container: Any = st) -> tuple[str, str]:
    choices = read("segment_choices")
    return container.selectbox(title, choices, format_func=label, key=key,
                               index=choices.index(default) if default in choices else 0)


def segments_page(freshness: data.Freshness) -> None:
    st.header("Segments")
    if st.button("Refresh", key="refresh", help="Read the publication again"):
        st.cache_data.clear()
    table = read("segments")
    families = ["All families", *read("segment_families")]
    family = st.selectbox("Segment family", families, key="segments_family")
    shown = table if family == "All families" else table[table.segment_family == family]
    if not freshness.has_history:
        st.info("The history holds one as-of date, so every member counts as entered on it; "
                f"changes show from the next build on, or {BACKFILL_HINT}.")
    st.dataframe(
        shown, hide_index=True, key="segments_table", width="stretch",
        column_config={
            "segment_family": "Family", "segment_name": "Segment", "members": "Members",
            "share_of_customers": st.column_config.NumberColumn("Share of customers",
                                                                format="percent"),
            "net_revenue": st.column_config.NumberColumn(
                f"Net revenue ({freshness.reporting_currency})", format="localized"),
            "share_of_revenue": st.column_config.NumberColumn("Share of revenue",
                                                              format="percent"),
            "entered": st.column_config.NumberColumn(
                "Entered", help="Customers who entered on the as-of date"),
            "exited": st.column_config.NumberColumn(
                "Exited", help="Customers who left on the as-of date"),
            "net_change": st.column_config.NumberColumn(
                "Net change", help="Members now minus members on the previous as-of date"),
            "net_promoter_score": st.column_config.NumberColumn(
                "NPS", format="%.0f",
                help="% promoters - % detractors of the members who answered the survey"),
        })

    st.subheader("Members of a segment")
    chosen = segment_picker("Segment", DEFAULT_SEGMENT_A, "members_segment")
    preview = read("segment_member_preview", *chosen)
    st.caption(f"The {len(preview):,} biggest spenders of {label(chosen)} "
               f"(at most {data.PREVIEW_ROWS}); the download has every member.")
    st.dataframe(preview, hide_index=True, key="members_preview", width="stretch")
    if st.button("Prepare the member list (CSV)", key="prepare_download"):
        members = data.segment_members(publication_path(), *chosen)
        st.download_button(
            f"Download {len(members):,} members", members.to_csv(index=False),
            file_name=f"{chosen[0]}__{chosen[1].lower().replace(' ', '_')}.csv",
            mime="text/csv", key="download_members", on_click="ignore")


def comparison_page(freshness: data.Freshness) -> None:
    st.header("Segment Comparison")
    left, right = st.columns(2)
    segment_a = segment_picker("Segment A", DEFAULT_SEGMENT_A, "segment_a", left)
    segment_b = segment_picker("Compared with (B = 100)", DEFAULT_SEGMENT_B, "segment_b", right)
    metrics = read("pair_comparison", segment_a, segment_b)
    if metrics.empty:
        st.info(f"{label(segment_a)} and {label(segment_b)} cannot be compared: one of them "
                "has no customers on this as-of date.")
        return
    metrics["index"] = pd.to_numeric(metrics["index"])
    st.dataframe(metrics, hide_index=True, key="comparison_table", width="stretch",
                 column_config={"metric": "Metric", "segment_a": label(segment_a),
                                "segment_b": label(segment_b),
                                "index": st.column_config.NumberColumn("Index (B = 100)",
                                                                       format="%.1f")})
    indexed = metrics.dropna(subset=["index"])
    st.altair_chart(
        alt.Chart(indexed).mark_bar().encode(
            x=alt.X("index:Q", title=f"Index of {label(segment_a)} (B = 100)"),
            y=alt.Y("metric:N", sort=None, title=None),
            color=alt.condition(alt.datum.index >= 100, alt.value("#2e7d32"),
                                alt.value("#c62828")),
            tooltip=["metric", "segment_a", "segment_b", "index"],
        ) + alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(color="black").encode(x="x:Q"),
        width="stretch")

    st.subheader("Top Customers threshold by as-of date")
    history = read("threshold_history")
    if len(history) <= 1:
        st.info(f"One as-of date so far ({freshness.as_of_date:%Y-%m-%d}); the line starts "
                f"with the next build, or {BACKFILL_HINT}.")
    st.line_chart(history, x="as_of_date", y="threshold")


def profile_page(freshness: data.Freshness) -> None:
    st.header("Customer profile")
    # ?customer=<id> opens a profile directly (a link from a CRM, a campaign list).
    search = st.text_input("Customer id or email", key="customer_search",
                           value=st.query_params.get("customer", ""),
                           placeholder="e.g. C0000001 or someone@example.com")
    if not search.strip():
        st.info("Type a customer id or email (or their beginning).")
        return
    matches = read("find_customers", search)
    if matches.empty:
        st.warning(f"No customer's id or email starts with {search.strip()!r}.")
        return
    emails = dict(zip(matches.customer_id, matches.email, strict=True))
    shown = (f"the first {data.SEARCH_MATCHES} matches" if len(matches) == data.SEARCH_MATCHES
             else f"{len(matches)} match{'es' if len(matches) != 1 else ''}")
    chosen = st.selectbox(f"Customer ({shown})", matches.customer_id.tolist(),
                          key="customer_choice",
                          format_func=lambda customer_id:
                              f"{customer_id} ({emails[customer_id] or 'no email'})")
    profile = read("customer", chosen)
    if profile is None:
        st.warning(f"{chosen} is no longer in the publication (a newer build removed them).")
        return
    currency = freshness.reporting_currency
    first, second, third, fourth = st.columns(4)
    first.metric("Net lifetime spend", money(profile["net_lifetime_spend"], currency))
    second.metric("Completed orders", f"{profile['completed_order_count']:,}")
    third.metric("RFM", f"{profile['rfm_segment']}")
    fourth.metric("Lifecycle", f"{profile['lifecycle_stage']}")
    first, second, third, fourth = st.columns(4)
    first.metric("P(alive)", "—" if pd.isna(profile["probability_alive"])
                 else f"{profile['probability_alive']:.1%}")
    second.metric("Predicted CLV (12 months)", money(profile["predicted_clv"], currency))
    third.metric("Top Customer", "Yes" if profile["is_top_customer"] else "No")
    fourth.metric("Value tier", f"{profile['value_tier']}")
    first, *_ = st.columns(4)
    first.metric("NPS", profile["nps_category"] if pd.isna(profile["nps_score"])
                 else f"{profile['nps_category']} ({profile['nps_score']:.0f})")
    if profile["clv_status"] != "predicted":
        reasons = read("clv_fits").fit_status_reason.dropna()
        st.info(f"No CLV prediction for this customer: {profile['clv_status']}"
                f"{f' ({reasons.iloc[0]})' if not reasons.empty else ''}.")
    st.caption(f"First order {day(profile['first_order_date'])}, last order "
               f"{day(profile['last_order_date'])}, RFM scores R{profile['rfm_recency_score']} "
               f"F{profile['rfm_frequency_score']} M{profile['rfm_monetary_score']}, "
               f"{profile['email'] or 'no email'}, {profile['country'] or 'no country'}.")

    st.subheader("Events")
    events = read("customer_events", chosen)
    if not freshness.has_history:
        st.info("The history holds one as-of date: every segment shows as entered on it. "
                f"To see when this customer became a Top Customer, {BACKFILL_HINT}.")
    st.dataframe(events, hide_index=True, key="customer_events", width="stretch",
                 column_config={"event_at": st.column_config.DatetimeColumn(
                     "As of", format="YYYY-MM-DD")})
    spells = read("customer_spells", chosen)
    if not spells.empty:
        spells = spells.assign(
            until=spells.exited_at.fillna(pd.Timestamp(freshness.as_of_date)),
            segment=spells.segment_family + " / " + spells.segment_name)
        st.altair_chart(
            alt.Chart(spells).mark_bar(size=14).encode(
                x=alt.X("entered_at:T", title="In the segment from"), x2="until:T",
                y=alt.Y("segment:N", title=None),
                color=alt.Color("segment_family:N", legend=None),
                tooltip=["segment", "entered_at", "exited_at", "days_in_segment"]),
            width="stretch")


def index_colour(index: float) -> str:
    """Green above the company average (100), red below."""
    if pd.isna(index) or index == 100:
        return ""
    return f"background-color: {'#c8e6c9' if index > 100 else '#ffcdd2'}"


def categories_page(freshness: data.Freshness) -> None:
    st.header("Category mix")
    family = family_picker("category_family")
    index = read("category_index", family)
    if index.empty:
        st.info("No category spend for this family (no order line has a product category).")
        return
    st.caption("Each segment's share of spend in a category, as an index of the company's "
               "share (100 = the company average): green above, red below.")
    grid = index.pivot(index="segment_name", columns="category", values="category_share_index")
    st.dataframe(
        grid.style.format("{:.0f}", na_rep="—").map(index_colour),
        key="category_grid", width="stretch")
    st.altair_chart(
        alt.Chart(index).mark_rect().encode(
            x=alt.X("category:N", title=None), y=alt.Y("segment_name:N", title=None),
            color=alt.Color("category_share_index:Q", title="Index",
                            scale=alt.Scale(scheme="redyellowgreen", domainMid=100)),
            tooltip=["segment_name", "category", "category_share_index", "category_spend"]),
        width="stretch")


def movement_page(freshness: data.Freshness) -> None:
    st.header("Movement")
    family = family_picker("movement_family")
    flows = read("monthly_flows", family)
    if not freshness.has_history:
        st.info("The history holds one as-of date, so the months show every member entering "
                f"on it; {BACKFILL_HINT}.")
    st.subheader("Members at month end")
    st.altair_chart(
        alt.Chart(flows).mark_line(point=True).encode(
            x=alt.X("yearmonth(month_start):T", title="Month"),
            y=alt.Y("members_at_month_end:Q", title="Members at month end"),
            color=alt.Color("segment_name:N", title="Segment"),
            tooltip=["segment_name", "month_start", "entered_count", "exited_count",
                     "members_at_month_end"]),
        width="stretch")
    st.subheader("Entries and exits per month")
    st.dataframe(flows, hide_index=True, key="monthly_flows", width="stretch",
                 column_config={"month_start": st.column_config.DateColumn("Month",
                                                                           format="YYYY-MM")})

    st.subheader("Cohort retention")
    retention = read("cohort_retention")
    st.altair_chart(
        alt.Chart(retention).mark_rect().encode(
            x=alt.X("months_since_first_order:O", title="Months since first order"),
            y=alt.Y("cohort_month:O", timeUnit="yearmonth", title="Cohort"),
            color=alt.Color("retention_rate:Q", title="Retention",
                            scale=alt.Scale(scheme="greens")),
            tooltip=["cohort_month", "months_since_first_order", "retention_rate",
                     "cohort_customers"]),
        width="stretch")

    st.subheader("CLV holdout accuracy")
    holdout = read("clv_holdout", family)
    fits = read("clv_fits")
    validation = fits[fits.fit_purpose == "holdout_validation"]
    if holdout.empty:
        reason = (validation.fit_status_reason.iloc[0] if not validation.empty
                  and validation.fit_status_reason.notna().any()
                  else "validation is off (clv_holdout_days: 0) or the fit was skipped")
        st.info(f"No holdout validation for this family: {reason}.")
    else:
        st.caption(f"Transactions the model expected after "
                   f"{holdout.calibration_end_date.iloc[0]:%Y-%m-%d} against what happened.")
        st.dataframe(holdout.drop(columns="calibration_end_date"), hide_index=True,
                     key="clv_holdout", width="stretch")


PAGES: dict[str, tuple[str, Callable[[data.Freshness], None]]] = {
    "segments": ("Segments", segments_page),
    "comparison": ("Segment Comparison", comparison_page),
    "profile": ("Customer profile", profile_page),
    "categories": ("Category mix", categories_page),
    "movement": ("Movement", movement_page),
}


def main() -> None:
    st.set_page_config(page_title="Customer segments", layout="wide")
    names = list(PAGES)
    asked = st.query_params.get("page", names[0])
    page = st.sidebar.radio("Page", names, format_func=lambda name: PAGES[name][0],
                            index=names.index(asked) if asked in names else 0, key="page")
    st.query_params["page"] = page
    database = publication_path()
    try:
        freshness = read("freshness")
    except FileNotFoundError:
        st.info(f"No publication at {database}: build it with `make build` (or point "
                "CUSTOMER_SEGMENTS_PUBLICATION_PATH at one).")
        return
    except LockedDatabase as error:
        st.warning(str(error))
        return
    show_freshness(freshness)
    PAGES[page][1](freshness)


# `streamlit run` and AppTest run this file as __main__; importing it (for PAGES) runs
# nothing.
if __name__ == "__main__":
    main()

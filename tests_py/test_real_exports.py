"""End-to-end: what real exports contain. Null markers, stray whitespace, conflicting
versions, implausible amounts and dates, bad optional metadata, CSV dialects and
encodings, and vars that are wrong or hostile: never a silent wrong number, never one
row that stops the build, and a message that names the file, the cause and the fix when
a file cannot be read."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import assert_built, order, write_raw
from test_foundation import BASE_ORDERS, EXPECTED_CUSTOMERS, base_folder, customers, quarantine


def revenue(run) -> dict:
    return run.query_dicts(
        "select net_revenue, customer_net_revenue, guest_net_revenue, guest_completed_order_count "
        "from marts.fct_revenue_summary")[0]


@pytest.mark.parametrize("marker", ["NULL", "null", "N/A", "None", "-", "0", " nil ", "#N/A"])
def test_null_markers_in_customer_id_are_guest_checkouts(tmp_path, build, marker):
    guest = order("g1", marker, "2024-01-21 10:00:00", "70.00")
    run = build(base_folder(tmp_path / "raw", extra_orders=[guest]))
    assert_built(run)
    assert customers(run) == EXPECTED_CUSTOMERS
    assert quarantine(run) == []
    assert revenue(run) == {"net_revenue": Decimal("313.00"),
                            "customer_net_revenue": Decimal("213.00"),
                            "guest_net_revenue": Decimal("100.00"),
                            "guest_completed_order_count": 2}


def test_null_markers_are_configurable(tmp_path, build):
    guest = order("g1", "unknown", "2024-01-21 10:00:00", "70.00")
    zero = order("z1", "0", "2024-01-21 10:00:00", "5.00")
    run = build(base_folder(tmp_path / "raw", extra_orders=[guest, zero]),
                null_markers=["unknown"], id_null_markers=[])
    assert_built(run)
    # "0" is a real customer id now, "unknown" a guest.
    assert run.query("select customer_id, net_lifetime_spend from marts.dim_customers "
                     "where customer_id in ('0', 'unknown')") == [("0", Decimal("5.00"))]
    assert revenue(run)["guest_net_revenue"] == Decimal("100.00")


def test_a_null_marker_in_an_optional_column_means_empty(tmp_path, build):
    o1 = order("o1", "a", "2024-01-10 09:00:00", "100.00", tax="N/A", shipping="NULL",
               updated_at="null")
    run = build(base_folder(tmp_path / "raw", orders=[o1, *BASE_ORDERS[1:]]))
    assert_built(run)
    assert quarantine(run) == []
    assert customers(run) == EXPECTED_CUSTOMERS


def test_ids_are_trimmed_of_every_kind_of_whitespace_and_kept_case_sensitive(tmp_path, build):
    extra = [
        order("t1", "a\t", "2024-01-11", "1.00"),
        order("t2", "\u00a0a\r", "2024-01-11", "2.00"),
        order("t3", "A", "2024-01-11", "4.00"),
    ]
    run = build(base_folder(tmp_path / "raw", extra_orders=extra))
    assert_built(run)
    assert run.query("select customer_id, net_lifetime_spend from marts.dim_customers "
                     "where lower(customer_id) = 'a' order by customer_id") == [
        ("A", Decimal("4.00")), ("a", Decimal("128.00"))]


def test_conflicting_versions_are_quarantined_with_a_reason_of_their_own(tmp_path, build):
    # Same order, same updated_at, same file, different amounts: neither can be trusted.
    conflict = [order("o7", "a", "2024-01-12", "100.00", updated_at="2024-01-12T10:00:00Z"),
                order("o7", "a", "2024-01-12", "99.00", updated_at="2024-01-12T10:00:00Z"),
                order("o8", "b", "2024-01-12", "5.00"),
                order("o8", "b", "2024-01-12", "6.00")]
    run = build(base_folder(tmp_path / "raw", extra_orders=conflict))
    assert_built(run)
    assert quarantine(run) == [("orders", "o7", "conflicting_versions"),
                               ("orders", "o7", "conflicting_versions"),
                               ("orders", "o8", "conflicting_versions"),
                               ("orders", "o8", "conflicting_versions")]
    assert customers(run) == EXPECTED_CUSTOMERS


def test_an_implausible_amount_is_quarantined_and_the_build_goes_on(tmp_path, build):
    huge = [order("h1", "a", "2024-01-12", "9999999999999999.99"),
            order("h2", "a", "2024-01-13", "9999999999999999.99"),
            order("h3", "b", "2024-01-13", "1.00", tax="99999999999.00")]
    run = build(base_folder(tmp_path / "raw", extra_orders=huge), include_tax_and_shipping=True)
    assert_built(run)
    assert quarantine(run) == [("orders", "h1", "implausible_amount"),
                               ("orders", "h2", "implausible_amount"),
                               ("orders", "h3", "implausible_amount")]


def test_the_amount_ceiling_is_a_var(tmp_path, build):
    run = build(base_folder(tmp_path / "raw"), max_order_amount=60)
    assert_built(run)
    # o1's refund goes with it: a refund of a quarantined order is quarantined too.
    assert quarantine(run) == [("orders", "o1", "implausible_amount"),
                               ("orders", "o3", "implausible_amount"),
                               ("refunds", "r1", "refund_for_rejected_order")]


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-05", "1989-12-31"])
def test_implausible_order_dates_are_quarantined(tmp_path, build, day):
    run = build(base_folder(tmp_path / "raw", extra_orders=[order("old", "a", day, "5.00")]))
    assert_built(run)
    assert quarantine(run) == [("orders", "old", "implausible_ordered_at")]
    assert customers(run) == EXPECTED_CUSTOMERS


def test_bad_optional_metadata_keeps_the_row_and_is_reported(tmp_path, build):
    rows = [order("o9", "a", "2024-01-12", "10.00", updated_at="yesterday")]
    folder = base_folder(tmp_path / "raw", extra_orders=rows)
    write_raw(folder, customers=[
        {"customer_id": "a", "email": "a@example.com", "created_at": "last week",
         "country": "us", "is_loyalty_member": "maybe"},
    ])
    run = build(folder)
    assert_built(run)
    assert quarantine(run) == []
    assert run.query("select net_lifetime_spend, is_loyalty_member, created_at is null "
                     "from marts.dim_customers where customer_id = 'a'") == [
        (Decimal("135.00"), False, True)]
    assert run.query("select source_table, source_row_key, column_name, raw_value, warning "
                     "from staging.stg_shop__data_quality_warnings order by all") == [
        ("customers", "a", "created_at", "last week", "unparseable_created_at"),
        ("customers", "a", "is_loyalty_member", "maybe", "unparseable_is_loyalty_member"),
        ("orders", "o9", "updated_at", "yesterday", "unparseable_updated_at"),
    ]


# --- CSV dialects and encodings --------------------------------------------------------

HEADER = "order_id,customer_id,ordered_at,status,currency,amount"


def write_orders_text(folder: Path, text: str | bytes, name: str = "orders.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_are_read(tmp_path, build, delimiter):
    lines = [HEADER, "o1,a,2024-01-10,completed,USD,100.00", "o2,b,2024-01-11,completed,USD,7.50"]
    folder = write_orders_text(tmp_path / "raw", "\n".join(
        line.replace(",", delimiter) for line in lines) + "\n")
    run = build(folder)
    assert_built(run)
    assert run.query("select customer_id, net_lifetime_spend from marts.dim_customers "
                     "order by 1") == [("a", Decimal("100.00")), ("b", Decimal("7.50"))]


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "utf-8-sig"])
def test_other_encodings_are_read(tmp_path, build, encoding):
    text = f"{HEADER}\no1,José,2024-01-10,completed,USD,100.00\n"
    folder = write_orders_text(tmp_path / "raw", text.encode(encoding))
    run = build(folder)
    assert_built(run)
    assert run.query("select customer_id from marts.dim_customers") == [("José",)]


def test_short_and_long_rows_are_quarantined_not_fatal(tmp_path, build):
    text = (f"{HEADER}\no1,a,2024-01-10,completed,USD,100.00\no2,a,2024-01-10,completed\n"
            "o3,a,2024-01-10,completed,USD,1,234.00\n")
    run = build(write_orders_text(tmp_path / "raw", text))
    assert_built(run)
    assert quarantine(run) == [("orders", "o2", "missing_currency"),
                               ("orders", "o3", "too_many_fields")]
    assert run.query("select net_lifetime_spend from marts.dim_customers") == [(Decimal("100.00"),)]


def test_an_empty_file_is_named_with_the_fix(tmp_path, build):
    run = build(write_orders_text(tmp_path / "raw", b""))
    assert not run.success
    assert "orders.csv is empty (0 bytes)" in run.messages
    assert "header row" in run.messages


def test_a_header_only_file_is_an_empty_table(tmp_path, build):
    run = build(write_orders_text(tmp_path / "raw", HEADER + "\n"))
    assert_built(run)
    assert run.query("select count(*) from marts.dim_customers") == [(0,)]


# --- Vars ------------------------------------------------------------------------------

def test_reporting_currency_is_normalised(tmp_path, build):
    run = build(base_folder(tmp_path / "raw"), reporting_currency=" usd ")
    assert_built(run)
    assert customers(run) == EXPECTED_CUSTOMERS
    assert revenue(run)["net_revenue"] == Decimal("243.00")


@pytest.mark.parametrize(("name", "value", "message"), [
    ("top_customer_fraction", "nan",
     "var top_customer_fraction must be a number above 0 and at most 1; got 'nan'."),
    ("top_customer_fraction", 0,
     "var top_customer_fraction must be a number above 0 and at most 1; got '0'."),
    ("reporting_currency", "US Dollar", "var reporting_currency must be an ISO 4217 currency code"),
    ("clv_time_unit", "month", "var clv_time_unit must be one of week, day; got 'month'."),
    ("lifecycle_new_days", "ninety",
     "var lifecycle_new_days must be a whole number at least 1; got 'ninety'."),
    ("include_tax_and_shipping", "sometimes", "var include_tax_and_shipping must be true or false"),
    ("earliest_valid_order_date", "1990",
     "var earliest_valid_order_date must be a date written YYYY-MM-DD"),
    ("null_markers", "NULL", "var null_markers must be a list of strings"),
    ("clv_long_window_days", 30,
     "var clv_long_window_days must be at least clv_short_window_days (90)"),
])
def test_a_wrong_var_fails_at_the_start_with_a_clear_message(tmp_path, build, name, value, message):
    run = build(base_folder(tmp_path / "raw"), **{name: value})
    assert not run.success
    assert message in run.messages
    assert not (tmp_path / "warehouse.duckdb").exists() or run.query(
        "select count(*) from information_schema.tables where table_schema = 'marts'") == [(0,)]


INJECTION = "x'); copy (select 1) to '{canary}' (format csv); select ('"


@pytest.mark.parametrize("name", [
    "reporting_currency", "raw_schema", "as_of_date", "top_customer_fraction",
    "include_tax_and_shipping", "clv_time_unit", "clv_holdout_days", "clv_monthly_discount_rate",
    "lifecycle_new_days", "lifecycle_active_days", "lifecycle_churn_days",
    "lifecycle_min_gaps_for_rhythm", "rising_star_fraction", "rising_star_window_days",
    "rising_star_max_tenure_days", "clv_short_window_days", "clv_long_window_days",
    "clv_horizon_months", "clv_max_fit_customers", "clv_on_insufficient_data",
    "incremental_lookback_days", "max_order_amount", "earliest_valid_order_date",
])
def test_no_var_can_inject_sql(tmp_path, build, name):
    canary = tmp_path / "injected.csv"
    run = build(base_folder(tmp_path / "raw"), **{name: INJECTION.format(canary=canary)})
    assert not run.success
    assert f"var {name} must be" in run.messages
    assert not canary.exists()


def test_null_markers_and_paths_reach_sql_quoted(tmp_path, build):
    canary = tmp_path / "injected.csv"
    hostile = INJECTION.format(canary=canary)
    run = build(base_folder(tmp_path / "raw"), null_markers=[hostile, "NULL"])
    assert_built(run)
    assert not canary.exists()
    folder = base_folder(tmp_path / f"raw{hostile}")
    run = build(folder)
    assert not canary.exists()
    assert_built(run)


def test_raw_record_keeps_the_marker_as_exported(tmp_path, build):
    bad = order("bad", "NULL", "2024-13-01", "5.00")
    run = build(base_folder(tmp_path / "raw", extra_orders=[bad]))
    assert_built(run)
    record = json.loads(run.query("select raw_record from staging.stg_shop__rejected_rows")[0][0])
    assert record["customer_id"] == "NULL"


# --- Property: random mixes of valid and invalid rows ----------------------------------

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NULL_MARKERS = {"null", "none", "n/a", "nil", "nan", "-", "#n/a", "(null)", "undefined", "0"}
ORDER_IDS = ["o1", "o2", "o3", "o4", "o5", " o1\t", "", "NULL"]
CUSTOMER_IDS = ["a", "b", "A", "a\t", "\u00a0b", "NULL", "0", "-", "", "N/A", "c"]
TIMES = ["2024-01-10", "2024-02-29T23:30:00+02:00", "2024-02-30", "", "0001-01-01",
         "2999-01-01", "yesterday", "2024-03-01 10:00:00"]
AMOUNTS = ["10.00", "0", "-1", "abc", "", "9999999999999999.99", "1,5", "12.345", "NULL"]
OPTIONAL_AMOUNTS = ["", "1.00", "x", "-1", "N/A"]

raw_orders = st.lists(st.fixed_dictionaries({
    "order_id": st.sampled_from(ORDER_IDS),
    "customer_id": st.sampled_from(CUSTOMER_IDS),
    "ordered_at": st.sampled_from(TIMES),
    "status": st.sampled_from(["completed", "completed", "pending", " Cancelled", "refunded",
                               "shipped", ""]),
    "currency": st.sampled_from(["USD", "usd", "EUR", "JPY", ""]),
    "amount": st.sampled_from(AMOUNTS),
    "tax": st.sampled_from(OPTIONAL_AMOUNTS),
    "shipping": st.sampled_from(OPTIONAL_AMOUNTS),
    "updated_at": st.sampled_from(["", "2024-01-01T00:00:00Z", "soon", "NULL"]),
}), min_size=1, max_size=25)
raw_refunds = st.lists(st.fixed_dictionaries({
    "refund_id": st.sampled_from(["r1", "r2", "r3", "", "NULL"]),
    "order_id": st.sampled_from([*ORDER_IDS, "nope"]),
    "refunded_at": st.sampled_from(TIMES),
    "amount": st.sampled_from(["1.00", "5.00", "0", "x", "", "100000"]),
}), max_size=8)
raw_rates = st.lists(st.fixed_dictionaries({
    "currency": st.sampled_from(["EUR", "eur", "", "USD"]),
    "rate_date": st.sampled_from(["2024-01-01", "2024-02-15", "not a date", ""]),
    "rate_to_reporting": st.sampled_from(["1.10", "1.2", "0", "-1", "x", ""]),
}), max_size=5)
raw_customers = st.lists(st.fixed_dictionaries({
    "customer_id": st.sampled_from(CUSTOMER_IDS),
    "email": st.sampled_from(["", "x@example.com", "NULL"]),
    "created_at": st.sampled_from(["", "2024-01-01", "last week"]),
    "country": st.sampled_from(["", "us", "NA", "-"]),
    "is_loyalty_member": st.sampled_from(["", "yes", "0", "maybe"]),
}), max_size=6)


@settings(max_examples=6, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw_orders, raw_refunds, raw_rates, raw_customers)
def test_any_mix_of_valid_and_invalid_rows_builds_and_reconciles(
        tmp_path_factory, orders, refunds, rates, customers_rows):
    from conftest import run_dbt

    folder = tmp_path_factory.mktemp("mix")
    tables = {"orders": orders, "refunds": refunds, "exchange_rates": rates,
              "customers": customers_rows}
    write_raw(folder / "raw", **{name: rows for name, rows in tables.items() if rows})
    run = run_dbt(["build", "--exclude-resource-type", "unit_test"],
                  database=folder / "warehouse.duckdb",
                  variables={"raw_data_path": str(folder / "raw"),
                             "clv_on_insufficient_data": "warn"})
    assert_built(run)
    # Every raw row lands exactly once: its clean staging model or the quarantine.
    for name, rows in tables.items():
        landed = run.query(
            f"select (select count(*) from staging.stg_shop__{name}) + (select count(*) from "
            f"staging.stg_shop__rejected_rows where source_table = '{name}')")[0][0]
        assert landed == len(rows), name
    summary = run.query_dicts("select * from marts.fct_revenue_summary")[0]
    assert summary["customer_net_revenue"] + summary["guest_net_revenue"] == summary["net_revenue"]
    spend = run.query("select coalesce(sum(net_lifetime_spend), 0) from marts.dim_customers")[0][0]
    assert spend == summary["customer_net_revenue"]
    ids = [row[0] for row in run.query("select customer_id from marts.dim_customers")]
    assert not [i for i in ids if i.lower() in NULL_MARKERS or i != i.strip() or "\u00a0" in i]

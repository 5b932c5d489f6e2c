"""End-to-end: `dbt build` on small hand-written raw folders, asserting exact output rows.

The base folder has three customers, a guest checkout, a euro order placed just after
midnight in UTC+2 (so its UTC date is the day before), a partial refund, a cancelled and
a fully refunded order. Each bad-input case adds one bad row to it and checks that the
row, and only it, lands in the quarantine with its reason, while every figure stays the
same.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import assert_built, order, run_dbt, write_raw

BASE_ORDERS = [
    order("o1", "a", "2024-01-10 09:00:00", "100.00"),
    order("o2", "a", "2024-02-10T12:00:00Z", "50.00", tax="4.00", shipping="5.00"),
    # 00:30 in UTC+2 is 22:30 UTC the day before: the 14th, at the 12th's rate (Friday).
    order("o3", "b", "2024-01-15T00:30:00+02:00", "80.00", currency="eur"),
    order("o4", None, "2024-01-20 10:00:00", "30.00"),
    order("o5", "c", "2024-03-01 10:00:00", "20.00", status=" Cancelled"),
    order("o6", "c", "2024-03-05 10:00:00", "40.00", status="REFUNDED"),
]
BASE_REFUNDS = [
    {"refund_id": "r1", "order_id": "o1", "refunded_at": "2024-01-20T08:00:00Z", "amount": "25.00"},
    {"refund_id": "r2", "order_id": "o6", "refunded_at": "2024-03-06T08:00:00Z", "amount": "40.00"},
]
BASE_RATES = [
    {"currency": "EUR", "rate_date": "2024-01-12", "rate_to_reporting": "1.10"},
    {"currency": "EUR", "rate_date": "2024-01-15", "rate_to_reporting": "1.20"},
]
BASE_CUSTOMERS = [
    {"customer_id": "a", "email": " A@Example.com ", "created_at": "2024-01-01", "country": "us",
     "is_loyalty_member": "yes"},
    {"customer_id": "d", "email": "d@example.com", "created_at": "2024-02-01", "country": "DE",
     "is_loyalty_member": "0"},
]

CUSTOMER_COLUMNS = (
    "customer_id, has_customer_record, email, is_loyalty_member, first_order_date, "
    "last_order_date, order_count, completed_order_count, gross_spend, refunded_amount, "
    "net_lifetime_spend, average_order_value, days_since_last_order"
)
EXPECTED_CUSTOMERS = [
    ("a", True, "a@example.com", True, pd.Timestamp("2024-01-10").date(),
     pd.Timestamp("2024-02-10").date(), 2, 2, Decimal("150.00"), Decimal("25.00"),
     Decimal("125.00"), Decimal("62.50"), 24),
    ("b", False, None, False, pd.Timestamp("2024-01-14").date(),
     pd.Timestamp("2024-01-14").date(), 1, 1, Decimal("88.00"), Decimal("0.00"),
     Decimal("88.00"), Decimal("88.00"), 51),
    ("c", False, None, False, None, None, 2, 0, Decimal("40.00"), Decimal("40.00"),
     Decimal("0.00"), None, None),
    ("d", True, "d@example.com", False, None, None, 0, 0, Decimal("0.00"), Decimal("0.00"),
     Decimal("0.00"), None, None),
]


def base_folder(folder: Path, extra_orders=(), extra_refunds=(), orders=None) -> Path:
    return write_raw(
        folder,
        orders=list(orders if orders is not None else BASE_ORDERS) + list(extra_orders),
        refunds=BASE_REFUNDS + list(extra_refunds),
        exchange_rates=BASE_RATES,
        customers=BASE_CUSTOMERS,
    )


def customers(run) -> list[tuple]:
    return run.query(f"select {CUSTOMER_COLUMNS} from marts.dim_customers order by customer_id")


def quarantine(run) -> list[tuple]:
    return run.query(
        "select source_table, source_row_key, rejection_reason "
        "from staging.stg_shop__rejected_rows order by all"
    )


def test_clean_input_gives_exact_lifetime_spend(tmp_path, build):
    run = build(base_folder(tmp_path / "raw"))
    assert_built(run)

    assert customers(run) == EXPECTED_CUSTOMERS
    assert quarantine(run) == []
    assert run.query(
        "select order_id, order_date, currency, exchange_rate_to_reporting, gross_amount, "
        "refunded_amount, net_amount, status, is_guest_order from marts.fct_orders "
        "order by order_id"
    ) == [
        ("o1", pd.Timestamp("2024-01-10").date(), "USD", Decimal("1"), Decimal("100.00"),
         Decimal("25.00"), Decimal("75.00"), "completed", False),
        ("o2", pd.Timestamp("2024-02-10").date(), "USD", Decimal("1"), Decimal("50.00"),
         Decimal("0.00"), Decimal("50.00"), "completed", False),
        ("o3", pd.Timestamp("2024-01-14").date(), "EUR", Decimal("1.1"), Decimal("88.00"),
         Decimal("0.00"), Decimal("88.00"), "completed", False),
        ("o4", pd.Timestamp("2024-01-20").date(), "USD", Decimal("1"), Decimal("30.00"),
         Decimal("0.00"), Decimal("30.00"), "completed", True),
        ("o5", pd.Timestamp("2024-03-01").date(), "USD", Decimal("1"), Decimal("0.00"),
         Decimal("0.00"), Decimal("0.00"), "cancelled", False),
        ("o6", pd.Timestamp("2024-03-05").date(), "USD", Decimal("1"), Decimal("40.00"),
         Decimal("40.00"), Decimal("0.00"), "refunded", False),
    ]
    assert run.query_dicts("select * from marts.fct_revenue_summary") == [{
        "as_of_date": pd.Timestamp("2024-03-05").date(),
        "reporting_currency": "USD",
        "customer_count": 4,
        "purchasing_customer_count": 2,
        "completed_order_count": 4,
        "gross_revenue": Decimal("308.00"),
        "refunded_amount": Decimal("65.00"),
        "net_revenue": Decimal("243.00"),
        "customer_net_revenue": Decimal("213.00"),
        "guest_completed_order_count": 1,
        "guest_net_revenue": Decimal("30.00"),
    }]


BAD_ORDER_CASES = [
    ("unparseable_ordered_at", order("bad", "a", "2024-13-01 10:00:00", "5.00")),
    ("unknown_status", order("bad", "a", "2024-01-11", "5.00", status="shipped")),
    ("negative_amount", order("bad", "a", "2024-01-11", "-5.00")),
    ("non_numeric_amount", order("bad", "a", "2024-01-11", "5,00")),
    ("missing_exchange_rate", order("bad", "a", "2024-01-11", "5.00", currency="JPY")),
    # EUR rates start on the 12th: an EUR order on the 11th has no earlier rate.
    ("missing_exchange_rate", order("bad", "b", "2024-01-11", "5.00", currency="EUR")),
    ("future_order", order("bad", "a", "2999-01-01T00:00:00Z", "5.00")),
    ("missing_order_id", order("", "a", "2024-01-11", "5.00")),
]


@pytest.mark.parametrize(
    ("reason", "bad_row"), BAD_ORDER_CASES,
    ids=[case[0] + f"-{i}" for i, case in enumerate(BAD_ORDER_CASES)]
)
def test_bad_order_is_quarantined_and_nothing_else_changes(tmp_path, build, reason, bad_row):
    run = build(base_folder(tmp_path / "raw", extra_orders=[bad_row]))
    assert_built(run)

    key = bad_row["order_id"] or None
    assert quarantine(run) == [("orders", key, reason)]
    raw_record = run.query("select raw_record from staging.stg_shop__rejected_rows")[0][0]
    assert f'"amount":"{bad_row["amount"]}"' in raw_record
    assert customers(run) == EXPECTED_CUSTOMERS


BAD_REFUND_CASES = [
    ("refund_for_unknown_order",
     {"refund_id": "bad", "order_id": "nope", "refunded_at": "2024-02-11", "amount": "1.00"}),
    ("refund_exceeds_remaining",
     {"refund_id": "bad", "order_id": "o1", "refunded_at": "2024-02-11", "amount": "75.01"}),
    ("non_positive_amount",
     {"refund_id": "bad", "order_id": "o2", "refunded_at": "2024-02-11", "amount": "-1.00"}),
    ("unparseable_refunded_at",
     {"refund_id": "bad", "order_id": "o2", "refunded_at": "11/02/2024", "amount": "1.00"}),
    ("refund_for_uncompleted_order",
     {"refund_id": "bad", "order_id": "o5", "refunded_at": "2024-03-02", "amount": "1.00"}),
]


@pytest.mark.parametrize(("reason", "bad_row"), BAD_REFUND_CASES,
                         ids=[c[0] for c in BAD_REFUND_CASES])
def test_bad_refund_is_quarantined_and_nothing_else_changes(tmp_path, build, reason, bad_row):
    run = build(base_folder(tmp_path / "raw", extra_refunds=[bad_row]))
    assert_built(run)

    assert quarantine(run) == [("refunds", "bad", reason)]
    assert customers(run) == EXPECTED_CUSTOMERS


def test_refund_up_to_the_total_paid_is_accepted(tmp_path, build):
    # o2 paid 50 + 4 tax + 5 shipping = 59: a 59.00 refund is fine, and net spend stops at 0.
    refund = {"refund_id": "r3", "order_id": "o2", "refunded_at": "2024-02-11", "amount": "59.00"}
    run = build(base_folder(tmp_path / "raw", extra_refunds=[refund]))
    assert_built(run)

    assert quarantine(run) == []
    assert run.query(
        "select refunded_amount, net_amount from marts.fct_orders where order_id = 'o2'") == [
        (Decimal("50.00"), Decimal("0.00"))
    ]


def test_reingested_duplicates_keep_the_latest_version(tmp_path, build):
    exact_copy = dict(BASE_ORDERS[0])
    cancelled_later = order("o2", "a", "2024-02-10T12:00:00Z", "50.00", status="cancelled",
                            updated_at="2024-02-12T00:00:00Z")
    run = build(base_folder(tmp_path / "raw", extra_orders=[exact_copy, cancelled_later]))
    assert_built(run)

    assert quarantine(run) == [("orders", "o1", "superseded_duplicate"),
                               ("orders", "o2", "superseded_duplicate")]
    a = run.query_dicts("select * from marts.dim_customers where customer_id = 'a'")[0]
    assert (a["completed_order_count"], a["net_lifetime_spend"]) == (1, Decimal("75.00"))


def test_as_of_date_ignores_later_orders_and_refunds(tmp_path, build):
    run = build(base_folder(tmp_path / "raw"), as_of_date="2024-01-15")
    assert_built(run)

    assert run.query(
        "select customer_id, completed_order_count, net_lifetime_spend, days_since_last_order "
        "from marts.dim_customers order by customer_id"
    ) == [
        # r1 (Jan 20) is after the as-of date: o1 counts in full.
        ("a", 1, Decimal("100.00"), 5),
        ("b", 1, Decimal("88.00"), 1),
    ]


def test_as_of_date_must_be_a_date(tmp_path, build):
    run = build(base_folder(tmp_path / "raw"), as_of_date="15/01/2024")
    assert not run.success
    assert "as_of_date must be a date written YYYY-MM-DD" in run.messages


def test_tax_and_shipping_count_when_asked(tmp_path, build):
    run = build(base_folder(tmp_path / "raw"), include_tax_and_shipping=True)
    assert_built(run)

    assert run.query(
        "select net_lifetime_spend from marts.dim_customers where customer_id = 'a'") == [
        (Decimal("134.00"),)
    ]


def test_reporting_currency_var_converts_everything(tmp_path, build):
    folder = write_raw(
        tmp_path / "raw",
        orders=[order("e1", "a", "2024-01-15", "10.00", currency="EUR"),
                order("u1", "a", "2024-01-15", "11.00", currency="USD")],
        exchange_rates=[{"currency": "USD", "rate_date": "2024-01-01", "rate_to_reporting": "0.5"}],
    )
    run = build(folder, reporting_currency="EUR")
    assert_built(run)

    assert run.query("select net_lifetime_spend, reporting_currency from marts.dim_customers") == [
        (Decimal("15.50"), "EUR")
    ]


def test_missing_required_column_names_file_and_column(tmp_path, build):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "orders.csv").write_text(
        "order_id,customer_id,ordered_at,status,currency\no1,a,2024-01-01,completed,USD\n"
    )
    run = build(folder)
    assert not run.success
    assert "orders.csv has no column 'amount'" in run.messages


def test_missing_required_file_is_named(tmp_path, build):
    folder = write_raw(tmp_path / "raw", customers=BASE_CUSTOMERS)
    run = build(folder)
    assert not run.success
    assert "Required raw file" in run.messages and "orders.csv" in run.messages


def test_missing_raw_folder_is_named(tmp_path, build):
    run = build(tmp_path / "does-not-exist")
    assert not run.success
    assert "does-not-exist' does not exist or is empty" in run.messages


def test_only_orders_is_enough(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=[order("o1", "a", "2024-01-10", "12.34")])
    run = build(folder)
    assert_built(run)

    assert run.query("select customer_id, net_lifetime_spend from marts.dim_customers") == [
        ("a", Decimal("12.34"))
    ]


def test_parquet_input_gives_the_same_result(tmp_path, build):
    csv_folder = base_folder(tmp_path / "csv")
    parquet_folder = tmp_path / "parquet"
    parquet_folder.mkdir()
    for csv_file in csv_folder.glob("*.csv"):
        pd.read_csv(csv_file, dtype=str, keep_default_na=False).to_parquet(
            parquet_folder / f"{csv_file.stem}.parquet", index=False
        )
    run = build(parquet_folder)
    assert_built(run)

    assert customers(run) == EXPECTED_CUSTOMERS


# Typed Parquet columns with the values where a text round trip and a typed parse could
# part: binary fractions (2.675), NaN (a null marker as text), infinities, overflow,
# a 19-digit whole number, years before 1000, an infinite timestamp, offsets, decimals
# with more places than cents, booleans and dates.
TYPED_RAW_TABLES = {
    "orders": """
        select * from (values
            (1, 10, timestamptz '2024-01-10 09:00:00+02', 'completed', 'USD', 2.675,
             1.005::decimal(10, 3), 0.5::float, timestamp '2024-01-11 08:00:00'),
            (1, 10, timestamptz '2024-01-10 09:00:00+02', 'completed', 'USD', 3.0,
             null, null, timestamp '2024-01-10 08:00:00'),
            (2, 0, timestamptz '2024-01-12 10:00:00+00', 'completed', 'EUR', 100.0,
             0.0, 5.0, null),
            (3, 11, timestamptz '2024-01-13 10:00:00+00', 'completed', 'USD', 'nan'::double,
             null, null, timestamp 'infinity'),
            (4, 11, timestamptz '2024-01-13 11:00:00+00', 'completed', 'USD', 'inf'::double,
             null, null, null),
            (5, 11, timestamptz '2024-01-13 12:00:00+00', 'completed', 'USD', 1e20,
             null, null, null),
            (6, 12, timestamptz '2024-01-13 13:00:00+00', 'completed', 'USD', -5.0,
             null, null, null),
            (7, 12, timestamptz '0044-03-15 00:00:00+00', 'completed', 'USD', 10.0,
             null, null, null),
            (1234567890123456789, 12, timestamptz '2024-01-14 23:59:59.999999+00', 'pending',
             'USD', 1.5e-07, -1.0, null, null)
        ) as t(order_id, customer_id, ordered_at, status, currency, amount, tax, shipping,
               updated_at)
    """,
    "order_items": """
        select * from (values
            (100, 1, 'P1', 2, 1.2350::decimal(12, 4)),
            (101, 1, 'P1', 1234567890123456789, 1.0::decimal(12, 4)),
            (102, 2, 'P2', 0, 9.9999::decimal(12, 4)),
            (103, 2, 'P2', 3, 9.9999::decimal(12, 4)),
            (103, 2, 'P2', 3, 9.9999::decimal(12, 4))
        ) as t(order_item_id, order_id, product_id, quantity, unit_price)
    """,
    "refunds": """
        select * from (values
            (1::integer, 1, timestamp '2024-01-20 08:00:00', 1.00::decimal(18, 2)),
            (2::integer, 2, timestamp '0999-12-31 23:59:59', 1.00::decimal(18, 2))
        ) as t(refund_id, order_id, refunded_at, amount)
    """,
    "customers": """
        select * from (values
            (10, 'a@example.com', date '2024-01-01', 'US', true),
            (11, 'b@example.com', null, 'DE', false),
            (0, 'c@example.com', date '2024-01-02', 'FR', null)
        ) as t(customer_id, email, created_at, country, is_loyalty_member)
    """,
    "exchange_rates": """
        select * from (values ('EUR', date '2024-01-12', 1.1)) as t(currency, rate_date,
            rate_to_reporting)
    """,
}


def test_typed_parquet_is_staged_exactly_as_its_text(tmp_path):
    """Staging parses typed Parquet columns as they are (no text round trip, no trim): every
    staging table, quarantine and raw record included, equals the build of the same values
    written as text."""
    folders = {kind: tmp_path / kind for kind in ("typed", "text")}
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        for name, sql in TYPED_RAW_TABLES.items():
            relation = connection.sql(sql)
            as_text = ", ".join(f"cast({column} as varchar) as {column}"
                                for column in relation.columns)
            for kind, select in (("typed", "*"), ("text", as_text)):
                folders[kind].mkdir(exist_ok=True)
                connection.execute(f"copy (select {select} from ({sql})) to "
                                   f"'{folders[kind] / name}.parquet' (format parquet)")
    runs = {}
    for kind, folder in folders.items():
        runs[kind] = run_dbt(["run", "--select", "path:models/staging"],
                             database=tmp_path / kind / "warehouse.duckdb",
                             variables={"raw_data_path": str(folder)})
        assert_built(runs[kind])

    assert runs["typed"].query(
        "select data_type from information_schema.columns where table_schema = 'shop_raw'"
        " and table_name = 'orders' and column_name = 'amount'") == [("DOUBLE",)]
    tables = [name for (name,) in runs["typed"].query(
        "select table_name from information_schema.tables where table_schema = 'staging'"
        " order by 1")]
    assert "stg_shop__rejected_rows" in tables
    for table in tables:
        rows = {}
        for kind, run in runs.items():
            columns = [name for (name,) in run.query(
                "select column_name from information_schema.columns where table_schema ="
                f" 'staging' and table_name = '{table}' and column_name not in"
                " ('refreshed_at', '_loaded_at') order by ordinal_position")]
            rows[kind] = sorted(run.query(f"select {', '.join(columns)} from staging.{table}"),
                                key=repr)
        assert rows["typed"] == rows["text"], table

    reasons = {reason for (reason,) in runs["typed"].query(
        "select distinct rejection_reason from staging.stg_shop__rejected_rows")}
    assert reasons >= {
        "superseded_duplicate", "missing_amount", "non_numeric_amount", "negative_amount",
        "implausible_ordered_at", "non_integer_quantity", "non_positive_quantity",
        "negative_tax",
    }, reasons
    assert runs["typed"].query(
        "select amount, tax, shipping from staging.stg_shop__orders where order_id = '1'"
    ) == [(Decimal("2.68"), Decimal("1.01"), Decimal("0.50"))]


def test_a_folder_of_files_per_table_is_read_whole(tmp_path, build):
    folder = base_folder(tmp_path / "raw", orders=BASE_ORDERS[:3])
    (folder / "orders.csv").rename(tmp_path / "first.csv")
    (folder / "orders").mkdir()
    (tmp_path / "first.csv").rename(folder / "orders" / "part-1.csv")
    write_raw(tmp_path / "second", orders=BASE_ORDERS[3:])
    (tmp_path / "second" / "orders.csv").rename(folder / "orders" / "part-2.csv")
    run = build(folder)
    assert_built(run)

    assert customers(run) == EXPECTED_CUSTOMERS


def test_uniqueness_tests_fail_on_each_repeated_key_and_ignore_null_keys(tmp_path, build):
    """The uniqueness tests report exactly the repeated keys: one row
    per repeated value or combination, with how often it occurs; repeated NULL ids are
    the not_null tests' business, not theirs."""
    run = build(base_folder(tmp_path / "raw"))
    assert_built(run)
    with duckdb.connect(str(run.database)) as connection:
        connection.execute(
            "insert into intermediate.int_customer_profiles "
            "select * from intermediate.int_customer_profiles where customer_id = 'a' "
            "union all select * from intermediate.int_customer_profiles where customer_id = 'b' "
            "union all select * from intermediate.int_customer_profiles where customer_id = 'b'")
        connection.execute(
            "insert into intermediate.int_customer_profiles "
            "select * replace (null as customer_id) from intermediate.int_customer_profiles "
            "where customer_id in ('c', 'd')")
        connection.execute(
            "insert into intermediate.int_customer_segment_memberships "
            "select * from intermediate.int_customer_segment_memberships "
            "where customer_id = 'a' and segment_family = 'rfm'")
    tested = run_dbt(["test", "--select", "int_customer_profiles int_customer_segment_memberships",
                      "--exclude-resource-type", "unit_test", "--store-failures"],
                     run.database, {"raw_data_path": str(tmp_path / "raw")})
    assert not tested.success
    assert run.query(
        "select unique_field, n_records from "
        "dbt_test__audit.unique_int_customer_profiles_customer_id order by all"
    ) == [("a", 2), ("b", 3)]
    # dbt shortens the long name of the grain test's failures table with a hash.
    [(grain_failures,)] = run.query(
        "select table_name from information_schema.tables where table_schema = "
        "'dbt_test__audit' and table_name like 'unique_combination_of_columns%'")
    assert run.query(
        "select customer_id, segment_family, occurrences "
        f"from dbt_test__audit.{grain_failures}") == [("a", "rfm", 2)]


def nps(response_id: str, customer_id: str, responded_at: str, score: str,
        comment: str = "") -> dict[str, str]:
    return {"response_id": response_id, "customer_id": customer_id,
            "responded_at": responded_at, "score": score, "comment": comment}


def test_nps_responses_are_checked_and_bad_ones_quarantined(tmp_path, build):
    """Known customers are those with an accepted customer record (d, who never ordered)
    or an accepted order (b, who has no record); the guest's order names no one."""
    folder = base_folder(tmp_path / "raw")
    write_raw(folder, nps_responses=[
        nps("n1", "a", "2024-02-11T09:00:00Z", "10", " Great service "),
        nps("n2", "b", "2024-01-20", " 7 "),
        nps("n3", "d", "2024-02-05 10:00:00+02:00", "0"),
        nps("n4", "a", "2024-02-12", "11"),
        nps("n5", "a", "2024-02-12", "-1"),
        nps("n6", "a", "2024-02-12", "8.5"),
        nps("n7", "a", "2024-02-12", ""),
        nps("n8", "zz", "2024-02-12", "9"),
        nps("n9", "", "2024-02-12", "9"),
        nps("n10", "a", "12/02/2024", "9"),
        nps("n11", "a", "", "9"),
        nps("n12", "a", "2999-01-01", "9"),
        nps("", "a", "2024-02-12", "9"),
    ])
    run = build(folder)
    assert_built(run)
    assert run.query(
        "select response_id, customer_id, responded_at::text, response_date::text, score, "
        "response_comment from staging.stg_shop__nps_responses order by response_id"
    ) == [
        ("n1", "a", "2024-02-11 09:00:00", "2024-02-11", 10, "Great service"),
        ("n2", "b", "2024-01-20 00:00:00", "2024-01-20", 7, None),
        ("n3", "d", "2024-02-05 08:00:00", "2024-02-05", 0, None),
    ]
    assert run.query(
        "select source_row_key, rejection_reason from staging.stg_shop__rejected_rows "
        "where source_table = 'nps_responses' order by all"
    ) == [
        ("n10", "unparseable_responded_at"),
        ("n11", "missing_responded_at"),
        ("n12", "future_response"),
        ("n4", "score_out_of_range"),
        ("n5", "score_out_of_range"),
        ("n6", "non_integer_score"),
        ("n7", "missing_score"),
        ("n8", "nps_response_for_unknown_customer"),
        ("n9", "missing_customer_id"),
        (None, "missing_response_id"),
    ]
    # Everything else is as without the responses.
    assert customers(run) == EXPECTED_CUSTOMERS
    # The nps family: the latest accepted answer (a's rejected 11 does not count).
    assert run.query(
        "select customer_id, nps_score, segment_nps from marts.dim_customers order by 1"
    ) == [("a", 10, "Promoter"), ("b", 7, "Passive"), ("c", None, "No response"),
          ("d", 0, "Detractor")]
    # NPS of each segment and of the company (All customers): % promoters - % detractors
    # of those who answered.
    assert run.query(
        "select segment_family, segment_name, customer_count, nps_respondent_count, "
        "net_promoter_score from marts.fct_segment_comparison "
        "where segment_family in ('nps', 'all', 'top_customers') order by 1, 2"
    ) == [("all", "All customers", 4, 3, 0.0),
          ("nps", "Detractor", 1, 1, -100.0), ("nps", "No response", 1, 0, None),
          ("nps", "Passive", 1, 1, 0.0), ("nps", "Promoter", 1, 1, 100.0),
          ("top_customers", "Other customers", 3, 2, -50.0),
          ("top_customers", "Top Customers", 1, 1, 100.0)]


def test_absent_nps_responses_are_an_empty_table(tmp_path, build):
    run = build(base_folder(tmp_path / "raw"))
    assert_built(run)
    assert run.query("select count(*) from staging.stg_shop__nps_responses") == [(0,)]
    assert run.query("select distinct segment_nps from marts.dim_customers") == [("No response",)]

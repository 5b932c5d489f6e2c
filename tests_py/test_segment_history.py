"""End-to-end: segment history replayed over six month-ends, with customers entering,
leaving and re-entering Top Customers; idempotence, the forward-only rule, time zones
and customers deleted upstream.

Ten customers, so the Top Customers threshold is the single highest spend (rank 1):
  Jan  A 100 is top
  Feb  B buys 60 (110): B top, A out
  Mar  A buys 20 (120): A back in, B out
  Apr  A's March order is refunded (100): B back in, A out
  May  nothing happens
  Jun  C buys 500 (510): C top, B out
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from decimal import Decimal

import pytest

from conftest import DbtRun, assert_built, differences, order, run_dbt, write_raw
from customer_segments.ops.backfill import backfill, period_ends

FILLERS = [f"f{index}" for index in range(1, 8)]
ORDERS = [
    order("a-jan", "A", "2024-01-05", "100.00"),
    order("b-jan", "B", "2024-01-06", "50.00"),
    order("c-jan", "C", "2024-01-07", "10.00"),
    *[order(f"{filler}-jan", filler, "2024-01-08", "10.00") for filler in FILLERS],
    order("b-feb", "B", "2024-02-10", "60.00"),
    order("a-mar", "A", "2024-03-10", "20.00"),
    order("c-jun", "C", "2024-06-10", "500.00"),
]
REFUNDS = [{"refund_id": "r-a-mar", "order_id": "a-mar", "refunded_at": "2024-04-10",
            "amount": "20.00"}]


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def top_customer_events(run) -> list[tuple]:
    return run.query(
        "select customer_id, event_type, event_at, net_lifetime_spend, top_customer_threshold, "
        "spell_number from marts.fct_segment_events where segment_name = 'Top Customers' "
        "order by event_at, event_type desc, customer_id"
    )


def replay(tmp_path, folder):
    database = tmp_path / "warehouse.duckdb"
    messages = []
    ok = backfill(dt.date(2024, 1, 1), dt.date(2024, 6, 30), "month",
                  {"raw_data_path": str(folder), "clv_on_insufficient_data": "warn"},
                  database=database,
                  target_path=tmp_path / "target", log=messages.append)
    assert ok, "\n".join(messages)
    return messages


HISTORY_BUILD = ["build", "--exclude-resource-type", "unit_test"]

EXPECTED_TOP_EVENTS = [
    ("A", "entered", ts("2024-01-31"), Decimal("100.00"), Decimal("100.00"), 1),
    ("A", "exited", ts("2024-02-29"), Decimal("100.00"), Decimal("110.00"), 1),
    ("B", "entered", ts("2024-02-29"), Decimal("110.00"), Decimal("110.00"), 1),
    ("B", "exited", ts("2024-03-31"), Decimal("110.00"), Decimal("120.00"), 1),
    ("A", "entered", ts("2024-03-31"), Decimal("120.00"), Decimal("120.00"), 2),
    ("A", "exited", ts("2024-04-30"), Decimal("100.00"), Decimal("110.00"), 2),
    ("B", "entered", ts("2024-04-30"), Decimal("110.00"), Decimal("110.00"), 2),
    ("B", "exited", ts("2024-06-30"), Decimal("110.00"), Decimal("510.00"), 2),
    ("C", "entered", ts("2024-06-30"), Decimal("510.00"), Decimal("510.00"), 1),
]


def test_period_ends():
    assert period_ends(dt.date(2024, 1, 15), dt.date(2024, 3, 31), "month") == [
        dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]
    assert period_ends(dt.date(2024, 1, 1), dt.date(2024, 1, 14), "week") == [
        dt.date(2024, 1, 7), dt.date(2024, 1, 14)]
    assert len(period_ends(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "day")) == 31
    with pytest.raises(ValueError):
        period_ends(dt.date(2024, 1, 1), dt.date(2024, 1, 31), "year")


def test_replay_over_six_month_ends_records_every_entry_and_exit(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=ORDERS, refunds=REFUNDS)
    replay(tmp_path, folder)
    run = build(folder, as_of_date="2024-06-30")  # reads the same database
    assert_built(run)

    assert top_customer_events(run) == EXPECTED_TOP_EVENTS
    assert run.query(
        "select segment_name, spell_number, entered_at, exited_at, is_current, days_in_segment "
        "from marts.dim_customer_segment_history "
        "where customer_id = 'A' and segment_family = 'top_customers' order by entered_at"
    ) == [
        ("Top Customers", 1, ts("2024-01-31"), ts("2024-02-29"), False, 29),
        ("Other customers", 1, ts("2024-02-29"), ts("2024-03-31"), False, 31),
        ("Top Customers", 2, ts("2024-03-31"), ts("2024-04-30"), False, 30),
        ("Other customers", 2, ts("2024-04-30"), None, True, 61),
    ]
    assert run.query(
        "select month_start, entered_count, exited_count, net_change, members_at_month_end "
        "from marts.fct_segment_monthly_flows where segment_name = 'Top Customers' "
        "order by month_start"
    ) == [
        (dt.date(2024, 1, 1), 1, 0, 1, 1),
        (dt.date(2024, 2, 1), 1, 1, 0, 1),
        (dt.date(2024, 3, 1), 1, 1, 0, 1),
        (dt.date(2024, 4, 1), 1, 1, 0, 1),
        (dt.date(2024, 5, 1), 0, 0, 0, 1),
        (dt.date(2024, 6, 1), 1, 1, 0, 1),
    ]
    # Everyone entered All customers once, on the first month-end, and never left.
    assert run.query(
        "select count(*), min(event_at), max(event_at) from marts.fct_segment_events "
        "where segment_family = 'all'"
    ) == [(10, ts("2024-01-31"), ts("2024-01-31"))]

    # Idempotent: replaying again, and snapshotting the same date again, add nothing.
    snapshot_rows = run.query("select * from history.customer_segment_snapshot order by all")
    messages = replay(tmp_path, folder)
    assert "| 2024-01-31 | skipped: already recorded | 0.0 |" in messages
    again = build(folder, as_of_date="2024-06-30")
    assert_built(again)
    assert again.query(
        "select * from history.customer_segment_snapshot order by all") == snapshot_rows
    assert top_customer_events(again) == EXPECTED_TOP_EVENTS


def test_month_by_month_builds_equal_a_fresh_replay(tmp_path):
    """A build every month end (history, spells and events incremental) leaves exactly
    what one backfill replayed from scratch leaves; rebuilding the newest month end after
    a late order changed it rewrites that date's spells like a full refresh."""
    folder = write_raw(tmp_path / "raw", orders=ORDERS, refunds=REFUNDS)
    variables = {"raw_data_path": str(folder), "clv_on_insufficient_data": "warn"}
    scheduled = tmp_path / "scheduled" / "warehouse.duckdb"
    for month_end in period_ends(dt.date(2024, 1, 1), dt.date(2024, 6, 30), "month"):
        assert_built(run_dbt(HISTORY_BUILD, scheduled, {**variables, "as_of_date": str(month_end)}))
    replayed = tmp_path / "replayed" / "warehouse.duckdb"
    messages: list[str] = []
    assert backfill(dt.date(2024, 1, 1), dt.date(2024, 6, 30), "month", variables,
                    database=replayed, target_path=replayed.parent / "target",
                    log=messages.append), "\n".join(messages)
    found = differences(scheduled, replayed)
    assert not found, "\n".join(found)
    scheduled_run = run_dbt(["ls"], scheduled)
    assert top_customer_events(scheduled_run) == EXPECTED_TOP_EVENTS

    # B's late June order, loaded after June 30 was built: B overtakes C on that date.
    write_raw(folder, orders=[*ORDERS, order("b-jun", "B", "2024-06-30", "500.00")])
    assert_built(run_dbt(HISTORY_BUILD, scheduled, {**variables, "as_of_date": "2024-06-30"}))
    rebuilt = tmp_path / "rebuilt" / "warehouse.duckdb"
    rebuilt.parent.mkdir()
    shutil.copyfile(scheduled, rebuilt)
    assert_built(run_dbt([*HISTORY_BUILD, "--full-refresh", "--select", "int_segment_spells+"],
                         rebuilt, {**variables, "as_of_date": "2024-06-30"}))
    found = differences(scheduled, rebuilt)
    assert not found, "\n".join(found)
    # On June 30: B left and C entered (first build), then C left and B came back.
    june_30 = sorted(event for event in top_customer_events(scheduled_run)
                     if event[2] == ts("2024-06-30"))
    assert june_30 == [
        ("B", "entered", ts("2024-06-30"), Decimal("610.00"), Decimal("610.00"), 3),
        ("B", "exited", ts("2024-06-30"), Decimal("110.00"), Decimal("510.00"), 2),
        ("C", "entered", ts("2024-06-30"), Decimal("510.00"), Decimal("510.00"), 1),
        ("C", "exited", ts("2024-06-30"), Decimal("510.00"), Decimal("610.00"), 1),
    ]

    # History reset and recorded again from an earlier date: the spells start over too.
    assert_built(run_dbt(["run-operation", "reset_segment_history"], scheduled))
    assert_built(run_dbt(HISTORY_BUILD, scheduled, {**variables, "as_of_date": "2024-05-31"}))
    assert scheduled_run.query(
        "select distinct entered_at, exited_at from marts.dim_customer_segment_history"
    ) == [(ts("2024-05-31"), None)]


def test_an_earlier_as_of_date_fails_and_changes_nothing(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=ORDERS, refunds=REFUNDS)
    first = build(folder, as_of_date="2024-04-30")
    assert_built(first)
    snapshot_rows = first.query("select * from history.customer_segment_snapshot order by all")
    customers = first.query("select * from marts.dim_customers order by customer_id")

    run = build(folder, as_of_date="2024-02-29")
    assert not run.success
    assert "assert_as_of_date_is_not_before_recorded_history" in run.messages
    assert run.query(
        "select * from history.customer_segment_snapshot order by all") == snapshot_rows
    assert run.query("select * from marts.dim_customers order by customer_id") == customers


def test_snapshot_after_models_built_for_an_earlier_date_fails_clearly(tmp_path, build, run_dbt_in):
    folder = write_raw(tmp_path / "raw", orders=ORDERS, refunds=REFUNDS)
    assert_built(build(folder, as_of_date="2024-04-30"))
    variables = {"raw_data_path": str(folder), "as_of_date": "2024-02-29",
                 "clv_on_insufficient_data": "warn"}
    assert_built(run_dbt_in(["run"], variables))

    snapshot = run_dbt_in(["snapshot"], variables)
    assert not snapshot.success
    assert ("Segment history is written forward only: this run is as of 2024-02-29, but the "
            "history already holds 2024-04-30") in snapshot.messages


def test_history_timestamps_are_utc_whatever_the_machine_time_zone(tmp_path, build, monkeypatch):
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14
    time.tzset()
    try:
        folder = write_raw(tmp_path / "raw", orders=ORDERS, refunds=REFUNDS)
        run = build(folder, as_of_date="2024-01-31")
        assert_built(run)
        assert run.query(
            "select distinct dbt_valid_from, dbt_updated_at from history.customer_segment_snapshot"
        ) == [(ts("2024-01-31"), ts("2024-01-31"))]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert os.environ.get("TZ") is None


def test_a_customer_deleted_upstream_leaves_every_segment(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=ORDERS, refunds=REFUNDS)
    assert_built(build(folder, as_of_date="2024-01-31"))
    write_raw(folder, orders=[row for row in ORDERS if row["customer_id"] != "A"])
    run = build(folder, as_of_date="2024-02-29")
    assert_built(run)

    assert run.query(
        "select segment_family, segment_name, event_type, event_at from marts.fct_segment_events "
        "where customer_id = 'A' and segment_family in ('all', 'top_customers') "
        "order by segment_family, event_at, event_type"
    ) == [
        ("all", "All customers", "entered", ts("2024-01-31")),
        ("all", "All customers", "exited", ts("2024-02-29")),
        ("top_customers", "Top Customers", "entered", ts("2024-01-31")),
        ("top_customers", "Top Customers", "exited", ts("2024-02-29")),
    ]
    # A leaves every family it was in, on the day it disappears.
    families = run.query("select count(distinct segment_family) from marts.fct_segment_events")
    assert run.query(
        "select count(distinct segment_family), min(event_at), max(event_at) "
        "from marts.fct_segment_events where customer_id = 'A' and event_type = 'exited'"
    ) == [(families[0][0], ts("2024-02-29"), ts("2024-02-29"))]
    # No wall-clock time anywhere in the history.
    assert run.query(
        "select max(greatest(dbt_valid_from, coalesce(dbt_valid_to, dbt_valid_from), "
        "dbt_updated_at)) "
        "from history.customer_segment_snapshot"
    ) == [(ts("2024-02-29"),)]


def test_staging_only_the_changed_keys_records_what_dbts_own_staging_records(tmp_path):
    """The snapshot staged from the keys one lean join finds (the default) holds exactly
    the rows dbt's own staging query over every key holds, month by month through every
    kind of change: segments moving, a new customer, a customer deleted upstream, staying
    deleted, and coming back."""
    folder = tmp_path / "raw"
    without_a = [row for row in ORDERS if row["customer_id"] != "A"]
    newcomer = order("n-mar", "N", "2024-03-15", "900.00")
    months = [
        ("2024-01-31", ORDERS),
        ("2024-02-29", without_a),  # A deleted upstream; B's February order: B top
        ("2024-03-31", [*ORDERS, newcomer]),  # A back, N new and top
        ("2024-04-30", [row for row in [*ORDERS, newcomer] if row["customer_id"] != "f1"]),
        ("2024-05-31", [row for row in [*ORDERS, newcomer] if row["customer_id"] != "f1"]),
    ]
    databases = {scope: tmp_path / scope / "warehouse.duckdb"
                 for scope in ("changed_keys", "every_key")}
    for as_of_date, orders in months:
        write_raw(folder, orders=orders, refunds=REFUNDS)
        for scope, database in databases.items():
            variables = {"raw_data_path": str(folder), "clv_on_insufficient_data": "warn",
                         "as_of_date": as_of_date,
                         "history_stage_changed_keys_only": scope == "changed_keys"}
            assert_built(run_dbt(["build", "--select", "+customer_segment_snapshot",
                                  "--exclude-resource-type", "test", "unit_test"],
                                 database, variables))

    # A deletion record's dbt_scd_id hashes the wall clock of its run; every other
    # column, and every other row's id, is business data.
    history = (
        "select * exclude (dbt_scd_id), "
        "case when dbt_is_deleted = 'True' then null else dbt_scd_id end as dbt_scd_id "
        "from history.customer_segment_snapshot order by all")
    changed_keys, every_key = (DbtRun(True, "", database).query(history)
                               for database in databases.values())
    assert changed_keys == every_key
    kinds = DbtRun(True, "", databases["changed_keys"]).query(
        "select customer_id, dbt_valid_from::date::text, dbt_is_deleted "
        "from history.customer_segment_snapshot where segment_family = 'all' "
        "and customer_id in ('A', 'N', 'f1') order by all")
    assert kinds == [
        ("A", "2024-01-31", "False"), ("A", "2024-02-29", "True"), ("A", "2024-03-31", "False"),
        ("N", "2024-03-31", "False"),
        ("f1", "2024-01-31", "False"), ("f1", "2024-04-30", "True"),
    ]

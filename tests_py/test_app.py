"""The Segmentation app, driven page by page with Streamlit's AppTest on the sample
(history backfilled over its last three month ends, then published), every number
checked against the marts; its empty states on a publication with one as-of date and
too little data for CLV, and with no publication; then the real app on 127.0.0.1 in
headless Chromium, every page loaded and screenshotted with no error on it or in the
browser console."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import assert_built, order, run_dbt, write_raw
from customer_segments.app.main import PAGES
from customer_segments.ops.backfill import backfill
from customer_segments.ops.publish import publish

PROJECT_DIR = Path(__file__).resolve().parents[1]
APP = PROJECT_DIR / "src" / "customer_segments" / "app" / "main.py"
SAMPLE = PROJECT_DIR / "data" / "sample"
SCREENSHOTS = PROJECT_DIR / "target" / "app_screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root Chromium needs --no-sandbox; the others keep it off this machine's closed network.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]


def marts(publication: Path, sql: str, parameters: list | None = None) -> pd.DataFrame:
    with duckdb.connect(str(publication), read_only=True) as connection:
        return connection.execute(sql, parameters or []).df()


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("app")
    publication = root / "publication" / "customer_segments.duckdb"
    messages: list[str] = []
    assert backfill(dt.date(2025, 10, 1), dt.date(2025, 12, 31), "month",
                    {"raw_data_path": str(SAMPLE)}, database=root / "work" / "warehouse.duckdb",
                    target_path=root / "work" / "target", log=messages.append,
                    publish_to=publication), "\n".join(messages)
    return publication


@pytest.fixture(scope="module")
def one_date(tmp_path_factory) -> Path:
    """Four customers, one build: one as-of date, too few customers for the CLV fit."""
    root = tmp_path_factory.mktemp("app_one_date")
    raw = write_raw(root / "raw", orders=[
        order("o1", "a", "2024-01-10", "100.00"), order("o2", "a", "2024-02-10", "50.00"),
        order("o3", "b", "2024-01-15", "80.00"), order("o4", "c", "2024-03-01", "20.00"),
        order("o5", "d", "2024-03-05", "40.00"),
    ])
    work = root / "work" / "warehouse.duckdb"
    work.parent.mkdir()
    assert_built(run_dbt(["build", "--exclude-resource-type", "unit_test"], work,
                         {"raw_data_path": str(raw), "clv_on_insufficient_data": "warn"}))
    publication = root / "publication" / "customer_segments.duckdb"
    publish(work, publication, work.parent / "target")
    return publication


def page(publication: Path, name: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("CUSTOMER_SEGMENTS_PUBLICATION_PATH", str(publication))
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params["page"] = name
    app.run()
    assert not app.exception, app.exception
    return app


def ran(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, app.exception
    return app


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def test_every_page_shows_the_as_of_date_and_freshness(backfilled, monkeypatch):
    published = marts(backfilled, "select max(as_of_date)::date as as_of_date, "
                                  "max(published_at) as published_at "
                                  "from publication.published_tables").iloc[0]
    for name in PAGES:
        caption = texts(page(backfilled, name, monkeypatch).caption)
        assert f"As of **{published.as_of_date:%Y-%m-%d}**" in caption, name
        assert f"published {published.published_at:%Y-%m-%d %H:%M} UTC" in caption, name
        assert "segment history from 2025-10-31 to 2025-12-31" in caption, name


def test_segments_page_lists_every_segment_with_its_change_and_members(backfilled, monkeypatch):
    app = page(backfilled, "segments", monkeypatch)
    table = app.dataframe[0].value
    comparison = marts(backfilled, "select segment_family, segment_name, customer_count, "
                                   "share_of_revenue from marts.fct_segment_comparison "
                                   "order by all")
    assert table[["segment_family", "segment_name"]].values.tolist() \
        == comparison[["segment_family", "segment_name"]].values.tolist()
    assert table.members.tolist() == comparison.customer_count.tolist()
    assert table.share_of_revenue.tolist() == comparison.share_of_revenue.tolist()
    assert set(table[table.segment_family == "nps"].segment_name) == {"No response"}
    changes = marts(backfilled, """
        select segment_name, count(*) filter (where event_type = 'entered') as entered,
            count(*) filter (where event_type = 'exited') as exited
        from marts.fct_segment_events
        where segment_family = 'lifecycle' and event_date = '2025-12-31'
        group by all order by all""")
    assert not changes.empty

    app.selectbox(key="segments_family").set_value("lifecycle")
    lifecycle = ran(app).dataframe[0].value
    assert set(lifecycle.segment_family) == {"lifecycle"}
    changed = lifecycle.merge(changes, on="segment_name", suffixes=("", "_in_marts"))
    assert changed.entered.tolist() == changed.entered_in_marts.tolist()
    assert changed.exited.tolist() == changed.exited_in_marts.tolist()
    assert (lifecycle.net_change == lifecycle.entered - lifecycle.exited).all()
    # Members at the previous as-of date plus the change are the members now.
    previous = marts(backfilled, """
        select segment_name, count(*) as members from marts.dim_customer_segment_history
        where segment_family = 'lifecycle' and entered_at <= '2025-11-30'
            and (exited_at is null or exited_at > '2025-11-30')
        group by all""")
    merged = lifecycle.merge(previous, on="segment_name", how="left", suffixes=("", "_before"))
    assert (merged.members_before.fillna(0) + merged.net_change == merged.members).all()

    # The member list: the export's rows, biggest spenders first.
    members = marts(backfilled, "select customer_id, net_lifetime_spend "
                                "from marts.fct_customer_segments where segment_family = "
                                "'top_customers' and segment_name = 'Top Customers' "
                                "order by net_lifetime_spend desc, customer_id")
    preview = app.dataframe[1].value
    assert preview.customer_id.tolist() == members.customer_id.tolist()[:200]
    app.selectbox(key="members_segment").set_value(("rfm", "Champions"))
    preview = ran(app).dataframe[1].value
    champions = marts(backfilled, "select count(*) as n from marts.fct_customer_segments "
                                  "where segment_family = 'rfm' and segment_name = 'Champions'")
    assert len(preview) == min(200, champions.n.iloc[0])
    app.button(key="prepare_download").click()
    downloads = ran(app).get("download_button")
    assert len(downloads) == 1
    assert f"Download {champions.n.iloc[0]:,} members" in str(downloads[0].proto.label)


def test_comparison_page_compares_any_two_segments(backfilled, monkeypatch):
    app = page(backfilled, "comparison", monkeypatch)
    table = app.dataframe[0].value
    pair = marts(backfilled, """
        select * from marts.fct_segment_pair_comparison
        where segment_a_family = 'top_customers' and segment_a_name = 'Top Customers'
            and segment_b_family = 'all' and segment_b_name = 'All customers'""").iloc[0]
    by_metric = table.set_index("metric")
    assert by_metric.loc["Customers", "segment_a"] == pair.segment_a_customers
    assert by_metric.loc["Average order value", "segment_a"] == pair.segment_a_average_order_value
    assert by_metric.loc["Average order value", "index"] == pair.average_order_value_index
    assert by_metric.loc["Repeat purchase rate", "segment_b"] == pair.segment_b_repeat_purchase_rate
    assert len(app.get("vega_lite_chart")) == 2
    assert not [info for info in app.info if "One as-of date" in info.value]

    app.selectbox(key="segment_b").set_value(("lifecycle", "Active"))
    by_metric = ran(app).dataframe[0].value.set_index("metric")
    versus_active = marts(backfilled, """
        select average_net_lifetime_spend_index from marts.fct_segment_pair_comparison
        where segment_a_name = 'Top Customers' and segment_b_family = 'lifecycle'
            and segment_b_name = 'Active'""").iloc[0, 0]
    assert by_metric.loc["Average net lifetime spend", "index"] == versus_active


def a_customer_who_left_top_customers(publication: Path) -> tuple[str, str]:
    """(customer id, email) of a customer who left Top Customers in the backfilled months."""
    return tuple(marts(publication, """
        select customers.customer_id, customers.email
        from marts.fct_segment_events as events
        inner join marts.dim_customers as customers using (customer_id)
        where events.segment_name = 'Top Customers' and events.event_type = 'exited'
        order by customers.customer_id limit 1""").iloc[0])


def test_profile_page_finds_a_customer_and_shows_their_events(backfilled, monkeypatch):
    customer_id, email = a_customer_who_left_top_customers(backfilled)
    customer = marts(backfilled, "select * from marts.dim_customers where customer_id = ?",
                     [customer_id]).iloc[0]
    app = page(backfilled, "profile", monkeypatch)
    assert "Type a customer id or email" in texts(app.info)
    app.text_input(key="customer_search").input(email.upper())
    ran(app)
    assert app.selectbox(key="customer_choice").value == customer_id
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Net lifetime spend"] == f"{Decimal(str(customer.net_lifetime_spend)):,.2f} USD"
    assert metrics["Completed orders"] == f"{customer.completed_order_count:,}"
    assert metrics["RFM"] == customer.rfm_segment
    assert metrics["Lifecycle"] == customer.lifecycle_stage
    assert metrics["P(alive)"] == f"{customer.probability_alive:.1%}"
    assert metrics["Predicted CLV (12 months)"] == f"{customer.predicted_clv:,.2f} USD"
    assert metrics["Top Customer"] == ("Yes" if customer.is_top_customer else "No")
    assert metrics["NPS"] == "No response"  # the sample has no survey answers
    events = app.dataframe[0].value
    expected = marts(backfilled, "select event_at, event_type, segment_family, segment_name "
                                 "from marts.fct_segment_events where customer_id = ? "
                                 "order by event_at, segment_family, event_type desc",
                     [customer_id])
    assert events[["event_at", "event_type", "segment_family", "segment_name"]].values.tolist() \
        == expected.values.tolist()
    top = events[events.segment_name == "Top Customers"]
    assert "exited" in top.event_type.tolist()

    linked = AppTest.from_file(str(APP), default_timeout=60)
    linked.query_params.update({"page": "profile", "customer": customer_id})
    assert ran(linked).selectbox(key="customer_choice").value == customer_id

    app.text_input(key="customer_search").input("no-such-customer")
    assert "No customer's id or email starts with" in texts(ran(app).warning)


def test_category_page_indexes_each_segment_against_the_company(backfilled, monkeypatch):
    app = page(backfilled, "categories", monkeypatch)
    grid = app.dataframe[0].value
    expected = marts(backfilled, "select segment_name, category, category_share_index "
                                 "from marts.fct_segment_category_spend "
                                 "where segment_family = 'top_customers'")
    for row in expected.itertuples():
        assert grid.loc[row.segment_name, row.category] == row.category_share_index
    app.selectbox(key="category_family").set_value("lifecycle")
    grid = ran(app).dataframe[0].value
    assert set(grid.index) == set(marts(
        backfilled, "select distinct segment_name from marts.fct_segment_category_spend "
                    "where segment_family = 'lifecycle'").segment_name)


def test_movement_page_shows_monthly_flows_retention_and_clv_accuracy(backfilled, monkeypatch):
    app = page(backfilled, "movement", monkeypatch)
    flows = app.dataframe[0].value
    expected = marts(backfilled, "select month_start, segment_name, entered_count, "
                                 "exited_count, members_at_month_end "
                                 "from marts.fct_segment_monthly_flows "
                                 "where segment_family = 'top_customers' order by all")
    assert flows[expected.columns].values.tolist() == expected.values.tolist()
    holdout = app.dataframe[1].value
    expected = marts(backfilled, "select segment_name, actual_transactions "
                                 "from marts.fct_clv_holdout_validation "
                                 "where segment_family = 'top_customers' order by segment_name")
    assert holdout[expected.columns].values.tolist() == expected.values.tolist()
    assert len(app.get("vega_lite_chart")) == 2


def test_one_as_of_date_and_no_clv_fit_explain_themselves(one_date, monkeypatch):
    segments = page(one_date, "segments", monkeypatch)
    assert "run the backfill" in texts(segments.info)
    movement = page(one_date, "movement", monkeypatch)
    assert "run the backfill" in texts(movement.info)
    assert "No holdout validation for this family" in texts(movement.info)
    profile = page(one_date, "profile", monkeypatch)
    profile.text_input(key="customer_search").input("a")
    infos = texts(ran(profile).info)
    assert "No CLV prediction for this customer: insufficient_data" in infos
    assert "run the backfill" in infos
    comparison = page(one_date, "comparison", monkeypatch)
    assert "One as-of date so far" in texts(comparison.info)


def test_no_publication_says_how_to_build_it(tmp_path, monkeypatch):
    app = page(tmp_path / "absent" / "customer_segments.duckdb", "segments", monkeypatch)
    assert "build it with `make build`" in texts(app.info)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_every_page_loads_in_chromium_without_an_error(backfilled, tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is missing: `make browser` installs it"
    customer_id = a_customer_who_left_top_customers(backfilled)[0]
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", str(APP),
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"],
        env={**os.environ, "CUSTOMER_SEGMENTS_PUBLICATION_PATH": str(backfilled)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no app server"
                time.sleep(0.5)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
                env={**os.environ, "HOME": str(tmp_path)})
            for name, (title, _) in PAGES.items():
                tab = browser.new_page(viewport={"width": 1400, "height": 1600})
                console_errors: list[str] = []
                tab.on("console", lambda message, errors=console_errors:
                       errors.append(message.text) if message.type == "error" else None)
                tab.on("pageerror", lambda error, errors=console_errors:
                       errors.append(str(error)))
                query = f"page={name}" + (f"&customer={customer_id}" if name == "profile" else "")
                tab.goto(f"http://127.0.0.1:{port}/?{query}")
                tab.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
                # Done when the script has finished and every chart has drawn.
                tab.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                    timeout=60_000)
                for chart in tab.locator("[data-testid='stVegaLiteChart'] canvas, "
                                         "[data-testid='stVegaLiteChart'] svg").all():
                    chart.wait_for(timeout=30_000)
                tab.wait_for_timeout(1000)
                tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
                assert tab.locator("[data-testid='stException']").count() == 0, name
                assert tab.locator("[data-testid='stAlertContentError']").count() == 0, name
                assert not console_errors, (name, console_errors)
                tab.close()
            browser.close()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output
    assert sorted(path.name for path in SCREENSHOTS.glob("*.png")) \
        == sorted(f"{name}.png" for name in PAGES)

"""End-to-end: the Top Customers rule on hand-written raw folders, exact threshold and
member ids. Each customer places one completed order worth exactly their intended spend.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import assert_built, order, write_raw


def spend_folder(folder, spends: dict[str, str], extra_orders=(), refunds=(), customers=()):
    orders = [
        order(f"o-{customer_id}", customer_id, "2024-05-01 12:00:00", amount)
        for customer_id, amount in spends.items()
    ]
    tables = {"orders": orders + list(extra_orders)}
    if refunds:
        tables["refunds"] = list(refunds)
    if customers:
        tables["customers"] = list(customers)
    return write_raw(folder, **tables)


def top_customers(run) -> tuple[tuple, list[str]]:
    threshold = run.query(
        "select population, threshold_rank, threshold, member_count, members_at_threshold "
        "from marts.fct_top_customer_threshold"
    )
    assert len(threshold) == 1
    members = [row[0] for row in run.query(
        "select customer_id from marts.dim_customers where is_top_customer order by customer_id"
    )]
    return threshold[0], members


def ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{index:03d}" for index in range(1, count + 1)]


def test_100_distinct_spends_give_exactly_10(tmp_path, build):
    spends = {customer: f"{index}.00" for index, customer in enumerate(ids("c", 100), start=1)}
    run = build(spend_folder(tmp_path / "raw", spends))
    assert_built(run)

    threshold, members = top_customers(run)
    assert threshold == (100, 10, Decimal("91.00"), 10, 1)
    assert members == ids("c", 100)[90:]


def test_ties_at_fifty_dollars_give_12_percent(tmp_path, build):
    spends = {f"above{index}": f"{50 + index}.00" for index in range(1, 10)}
    spends.update({f"at{index}": "50.00" for index in range(1, 4)})
    spends.update({f"below{index:02d}": f"{index * 0.5:.2f}" for index in range(1, 89)})
    run = build(spend_folder(tmp_path / "raw", spends))
    assert_built(run)

    threshold, members = top_customers(run)
    assert threshold == (100, 10, Decimal("50.00"), 12, 3)
    assert members == sorted([f"above{index}" for index in range(1, 10)]
                             + [f"at{index}" for index in range(1, 4)])
    share = run.query("select member_share from marts.fct_top_customer_threshold")[0][0]
    assert share == pytest.approx(0.12)


def test_seven_customers_give_the_single_highest_spender(tmp_path, build):
    spends = {f"c{index}": f"{index * 10}.00" for index in range(1, 8)}
    run = build(spend_folder(tmp_path / "raw", spends))
    assert_built(run)

    assert top_customers(run) == ((7, 1, Decimal("70.00"), 1, 1), ["c7"])


def test_seven_customers_tied_at_the_top_are_all_in(tmp_path, build):
    spends = {f"c{index}": "70.00" if index >= 6 else f"{index * 10}.00" for index in range(1, 8)}
    run = build(spend_folder(tmp_path / "raw", spends))
    assert_built(run)

    assert top_customers(run) == ((7, 1, Decimal("70.00"), 2, 2), ["c6", "c7"])


def test_equal_spends_make_everyone_a_top_customer(tmp_path, build):
    spends = {f"c{index}": "25.00" for index in range(1, 21)}
    run = build(spend_folder(tmp_path / "raw", spends))
    assert_built(run)

    threshold, members = top_customers(run)
    assert threshold == (20, 2, Decimal("25.00"), 20, 20)
    assert members == sorted(spends)


def test_zero_spend_customers_are_never_top_and_not_counted(tmp_path, build):
    spends = {f"c{index:02d}": f"{index}.00" for index in range(1, 11)}
    extra_orders = [
        order("o-cancelled", "cancelled-only", "2024-05-01", "500.00", status="cancelled"),
        order("o-refunded", "refunded-only", "2024-05-01", "900.00", status="refunded"),
        order("o-partly", "refunded-back", "2024-05-01", "800.00"),
    ]
    refunds = [{"refund_id": "r1", "order_id": "o-partly", "refunded_at": "2024-05-02",
                "amount": "800.00"}]
    customers = [{"customer_id": "signed-up-only", "created_at": "2024-01-01"}]
    # The refund comes a day after the latest order, which is the default as-of date.
    run = build(spend_folder(tmp_path / "raw", spends, extra_orders, refunds, customers),
                as_of_date="2024-05-31")
    assert_built(run)

    threshold, members = top_customers(run)
    assert threshold[0] == 10
    assert members == ["c10"]
    zero_spenders = run.query(
        "select customer_id, lifetime_spend_rank, is_top_customer from marts.dim_customers "
        "where net_lifetime_spend = 0 order by customer_id"
    )
    assert zero_spenders == [
        ("cancelled-only", None, False),
        ("refunded-back", None, False),
        ("refunded-only", None, False),
        ("signed-up-only", None, False),
    ]


def test_fraction_var_changes_the_segment(tmp_path, build):
    spends = {customer: f"{index}.00" for index, customer in enumerate(ids("c", 100), start=1)}
    run = build(spend_folder(tmp_path / "raw", spends), top_customer_fraction=0.25)
    assert_built(run)

    threshold, _ = top_customers(run)
    assert threshold == (100, 25, Decimal("76.00"), 25, 1)


def test_fraction_var_out_of_range_fails_clearly(tmp_path, build):
    run = build(spend_folder(tmp_path / "raw", {"c1": "1.00"}), top_customer_fraction=1.5)
    assert not run.success
    assert "top_customer_fraction must be a number above 0 and at most 1" in run.messages

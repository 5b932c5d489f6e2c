"""End-to-end: every segment family on a hand-written shop, exact labels.

As of 2024-06-30, with the Top Customers fraction at 0.2 (2 of 10 buyers):
  whale  bought 3 times (last 2024-06-01), 1,500: Top, tier A, Champions, Active
  big    bought twice in early 2023, 800: Top but Churned, so a Top Customer at risk
  fresh  first and only order 2024-05-15, 600: New, and a Rising Star
  c1-c7  one order each in early February 2024, 10 to 70: Active one-time buyers
  ghost  signed up, never bought: Prospect
"""

from __future__ import annotations

import csv
from decimal import Decimal

from conftest import assert_built, order, write_raw
from customer_segments.ops.export_segment import export_segment

ORDERS = [
    order("w1", "whale", "2023-01-15", "500.00"),
    order("w2", "whale", "2023-06-15", "500.00"),
    order("w3", "whale", "2024-06-01", "500.00"),
    order("b1", "big", "2023-02-01", "400.00"),
    order("b2", "big", "2023-03-01", "400.00"),
    order("f1", "fresh", "2024-05-15", "600.00"),
    *[order(f"o{index}", f"c{index}", f"2024-02-0{index}", f"{index * 10}.00")
      for index in range(1, 8)],
]
ORDER_ITEMS = [
    {"order_item_id": "l1", "order_id": "w1", "product_id": "p-books", "quantity": "1",
     "unit_price": "300.00"},
    {"order_item_id": "l2", "order_id": "w1", "product_id": "p-music", "quantity": "2",
     "unit_price": "100.00"},
]
PRODUCTS = [
    {"product_id": "p-books", "product_name": "A book", "category": "Books"},
    {"product_id": "p-music", "product_name": "A record", "category": "Music"},
]
CUSTOMERS = [
    {"customer_id": "whale", "is_loyalty_member": "yes", "created_at": "2023-01-01"},
    {"customer_id": "ghost", "is_loyalty_member": "no", "created_at": "2024-01-01"},
]

EXPECTED = {
    # customer: (top, tier, rfm, lifecycle, rising star, top at risk, cohort quarter, category,
    # loyalty)
    "whale": (True, "A", "Champions", "Active", False, False, "2023-Q1", "books", True),
    "big": (True, "B", "Cannot Lose Them", "Churned", False, True, "2023-Q1", "unknown", False),
    "fresh": (False, "B", "Champions", "New", True, False, "2024-Q2", "unknown", False),
    "c1": (False, "D", "At Risk", "Active", False, False, "2024-Q1", "unknown", False),
    "c2": (False, "D", "At Risk", "Active", False, False, "2024-Q1", "unknown", False),
    "c3": (False, "D", "At Risk", "Active", False, False, "2024-Q1", "unknown", False),
    "c4": (False, "D", "Need Attention", "Active", False, False, "2024-Q1", "unknown", False),
    "c5": (False, "C", "Loyal", "Active", False, False, "2024-Q1", "unknown", False),
    "c6": (False, "C", "Champions", "Active", False, False, "2024-Q1", "unknown", False),
    "c7": (False, "C", "Champions", "Active", False, False, "2024-Q1", "unknown", False),
    "ghost": (False, "D", "No purchases", "Prospect", False, False, None, "unknown", False),
}


def build_shop(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=ORDERS, order_items=ORDER_ITEMS,
                       products=PRODUCTS, customers=CUSTOMERS)
    run = build(folder, as_of_date="2024-06-30", top_customer_fraction=0.2)
    assert_built(run)
    return run


def test_every_family_labels_every_customer_exactly(tmp_path, build):
    run = build_shop(tmp_path, build)

    labels = {
        row[0]: tuple(row[1:]) for row in run.query(
            "select customer_id, is_top_customer, value_tier, rfm_segment, lifecycle_stage, "
            "is_rising_star, is_top_customer_at_risk, acquisition_cohort_quarter, "
            "primary_category, is_loyalty_member from marts.dim_customers"
        )
    }
    assert labels == EXPECTED
    assert run.query(
        "select customer_id, rfm_recency_score, rfm_frequency_score, rfm_monetary_score "
        "from marts.dim_customers where customer_id in ('big', 'c1', 'c7', 'whale') order by 1"
    ) == [("big", 1, 5, 5), ("c1", 1, 4, 1), ("c7", 4, 4, 4), ("whale", 5, 5, 5)]

    # One segment per customer in each of the 12 families, and each family sums to 1.
    assert run.query(
        "select count(distinct segment_family), count(*) from marts.fct_customer_segments"
    ) == [(12, 11 * 12)]
    sums = run.query(
        "select segment_family, round(sum(share_of_customers), 9) "
        "from marts.fct_segment_comparison group by 1 having round(sum(share_of_customers), 9) <> 1"
    )
    assert sums == []
    # Any two segments side by side: Top Customers against Active customers.
    assert run.query(
        "select segment_a_customers, segment_b_customers, average_net_lifetime_spend_index "
        "from marts.fct_segment_pair_comparison where segment_a_name = 'Top Customers' "
        "and segment_b_name = 'Active'"
    ) == [(2, 8, Decimal("516.85"))]  # 100 x (2,300 / 2) / (1,780 / 8)


def test_history_records_every_family(tmp_path, build):
    run = build_shop(tmp_path, build)
    assert run.query(
        "select count(distinct segment_family) from history.customer_segment_snapshot"
    ) == [(12,)]
    assert run.query(
        "select segment_name from marts.fct_segment_events where customer_id = 'big' "
        "and segment_family = 'top_customers_at_risk'"
    ) == [("Top Customers at risk",)]


def test_cohort_retention_and_category_mix(tmp_path, build):
    run = build_shop(tmp_path, build)
    assert run.query(
        "select months_since_first_order, cohort_customers, active_customers, net_revenue, "
        "cumulative_net_revenue_per_customer from marts.fct_cohort_retention "
        "where cohort_month = date '2023-01-01' and months_since_first_order in (0, 1, 2, 5, 17) "
        "order by 1"
    ) == [
        (0, 1, 1, 500, 500), (1, 1, 0, 0, 500), (2, 1, 0, 0, 500), (5, 1, 1, 500, 1000),
        (17, 1, 1, 500, 1500),
    ]
    assert run.query(
        "select category, category_spend, category_share from marts.fct_segment_category_spend "
        "where segment_name = 'Top Customers' order by category"
    ) == [("books", 300, 0.6), ("music", 200, 0.4)]
    # Every segment's buyers of a category are distinct customers.
    assert run.query(
        "select segment_family, segment_name, category, buying_customers "
        "from marts.fct_segment_category_spend order by all"
    ) == run.query(
        "select memberships.segment_family, memberships.segment_name, spend.category, "
        "count(distinct spend.customer_id) "
        "from intermediate.int_customers_category_spend as spend "
        "inner join intermediate.int_customer_segment_memberships as memberships "
        "using (customer_id) group by all order by all")


def test_export_writes_a_segment_member_list(tmp_path, build):
    run = build_shop(tmp_path, build)
    out = tmp_path / "export" / "win_back.csv"
    count = export_segment(run.database, "top_customers_at_risk", "Top Customers at risk", out)
    assert count == 1
    with open(out) as handle:
        rows = list(csv.DictReader(handle))
    assert [row["customer_id"] for row in rows] == ["big"]
    assert rows[0]["net_lifetime_spend"] == "800.0"

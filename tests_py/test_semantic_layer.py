"""The MetricFlow semantic layer (models/semantic/), through the `mf` command line as a user
runs it: `mf validate-configs` passes (warehouse checks included) against the publication,
and two `mf query` results equal the same figures computed with SQL from the marts.

One build of the bundled sample for the module, into a work file, dbt target folder and
publication of its own. The work file is named customer_segments.duckdb like the
publication: DuckDB names a file's catalog after it, and the semantic manifest names every
relation "customer_segments"."marts"."...", so both files must carry that name.

mf reads `<project dir>/target/semantic_manifest.json` whatever dbt's target path (it
ignores DBT_TARGET_PATH), so it runs with DBT_PROJECT_DIR set to a folder of this module's
own holding dbt_project.yml and that one file, and never reads the project's target/.
DBT_TARGET=serving points it at the publication, which the profile opens read-only.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from conftest import assert_built, run_dbt
from customer_segments.ops.dbt_invoke import PROJECT_DIR
from customer_segments.ops.publish import publish

MF = PROJECT_DIR / ".venv" / "bin" / "mf"
SAMPLE = PROJECT_DIR / "data" / "sample"
# Every segment family of int_customer_segment_memberships but `all` (no group-by is all
# customers): each is a dimension of the `customer` entity, named as the family.
FAMILIES = [
    "top_customers", "value_tier", "rfm", "lifecycle", "rising_stars", "top_customers_at_risk",
    "acquisition_cohort_year", "acquisition_cohort_quarter", "primary_category", "loyalty",
    "nps",
]
# Summable customer metrics, so the rows of one query grouped by every family at once add
# up to each family's segments.
ADDITIVE_METRICS = [
    "customers", "purchasing_customers", "repeat_customers", "customer_net_revenue",
    "customer_completed_orders", "net_revenue", "predicted_clv", "clv_predicted_customers",
]
MONEY = {"customer_net_revenue", "net_revenue", "predicted_clv", "top_customers_net_revenue"}


@dataclass
class SemanticLayer:
    work: Path
    publication: Path
    mf_project: Path
    env: dict[str, str]

    def mf(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(MF), *args], cwd=self.mf_project, env=self.env,
                                capture_output=True, text=True, timeout=300, check=False)
        # mf draws spinners with carriage returns: keep each line's final state.
        result.stdout = "\n".join(line.rsplit("\r", 1)[-1] for line in result.stdout.splitlines()
                                  if line.strip())
        return result

    def query(self, *args: str) -> list[dict[str, Any]]:
        """`mf query ... --csv`: one dict per row, NULL as None."""
        output = self.mf_project / "query.csv"
        output.unlink(missing_ok=True)
        result = self.mf("query", *args, "--csv", str(output), "--quiet")
        assert result.returncode == 0 and output.exists(), result.stdout + result.stderr
        with open(output, newline="") as handle:
            return [{name: parsed(name, value) for name, value in row.items()}
                    for row in csv.DictReader(handle)]

    def sql(self, query: str) -> list[dict[str, Any]]:
        """The marts as dbt built them (the work file, read-only)."""
        with duckdb.connect(str(self.work), read_only=True) as connection:
            cursor = connection.execute(query)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def parsed(name: str, value: str) -> Any:
    """A CSV cell: metrics typed (money exact), dimensions kept as text."""
    if value == "" or name.startswith(("customer__", "metric_time")):
        return value or None
    if name in MONEY:
        return Decimal(value)
    if name in ADDITIVE_METRICS:
        return int(value)
    return float(value)


@pytest.fixture(scope="module")
def layer(tmp_path_factory) -> SemanticLayer:
    root = tmp_path_factory.mktemp("semantic_layer")
    work = root / "work" / "customer_segments.duckdb"
    work.parent.mkdir()
    run = run_dbt(["build", "--exclude-resource-type", "unit_test"], database=work,
                  variables={"raw_data_path": str(SAMPLE)})
    assert_built(run)
    target = work.parent / "target"
    publication = root / "publication" / "customer_segments.duckdb"
    publish(work, publication, target)

    mf_project = root / "mf_project"
    (mf_project / "target").mkdir(parents=True)
    (mf_project / "dbt_project.yml").symlink_to(PROJECT_DIR / "dbt_project.yml")
    shutil.copy(target / "semantic_manifest.json", mf_project / "target")
    env = {
        **os.environ,
        "DBT_PROJECT_DIR": str(mf_project),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_TARGET": "serving",
        "CUSTOMER_SEGMENTS_PUBLICATION_PATH": str(publication),
        # Were mf to open the work target, it would fail here: the folder does not exist.
        "CUSTOMER_SEGMENTS_DUCKDB_PATH": str(root / "absent" / "customer_segments.duckdb"),
        "DBT_LOG_PATH": str(root / "mf_logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    env.pop("DBT_TARGET_PATH", None)
    return SemanticLayer(work, publication, mf_project, env)


def test_configs_validate_against_the_publication(layer: SemanticLayer) -> None:
    result = layer.mf("validate-configs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Successfully validated metrics against data warehouse" in result.stdout


def test_every_segment_family_adds_up_to_the_marts(layer: SemanticLayer) -> None:
    """One query grouped by every family (and country): per segment, summed in Python, the
    customer metrics equal dim_customers x fct_customer_segments and the Segment Comparison
    Report; net revenue of the orders, guest checkouts included, equals fct_orders."""
    rows = layer.query("--metrics", ",".join(ADDITIVE_METRICS), "--group-by",
                       ",".join(f"customer__{family}" for family in [*FAMILIES, "country"]))

    expected = layer.sql("""
        select
            segments.segment_family, segments.segment_name,
            count(*) as customers,
            sum(case when customers.completed_order_count >= 1 then 1 else 0 end)
                as purchasing_customers,
            sum(case when customers.completed_order_count >= 2 then 1 else 0 end)
                as repeat_customers,
            sum(customers.net_lifetime_spend) as customer_net_revenue,
            sum(customers.completed_order_count) as customer_completed_orders,
            sum(customers.predicted_clv) as predicted_clv,
            count(customers.predicted_clv) as clv_predicted_customers,
            max(report.customer_count) as report_customers,
            max(report.net_revenue) as report_net_revenue
        from marts.fct_customer_segments as segments
        inner join marts.dim_customers as customers
            on segments.customer_id = customers.customer_id
        inner join marts.fct_segment_comparison as report
            on segments.segment_family = report.segment_family
            and segments.segment_name = report.segment_name
        group by segments.segment_family, segments.segment_name
    """)
    order_revenue = {
        (row["segment_family"], row["segment_name"]): row["net_revenue"]
        for row in layer.sql("""
            select families.segment_family, segments.segment_name,
                sum(orders.net_amount) as net_revenue
            from marts.fct_orders as orders
            cross join (select distinct segment_family from marts.fct_customer_segments)
                as families
            left join marts.fct_customer_segments as segments
                on orders.customer_id = segments.customer_id
                and families.segment_family = segments.segment_family
            group by families.segment_family, segments.segment_name
        """)
    }
    by_country = {row["country"]: row for row in layer.sql("""
        select country, count(*) as customers, sum(net_lifetime_spend) as customer_net_revenue
        from marts.dim_customers group by country
    """)}

    def totals(dimension: str) -> dict[Any, dict[str, Any]]:
        sums: dict[Any, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            for metric in ADDITIVE_METRICS:
                sums[row[f"customer__{dimension}"]][metric] += row[metric] or 0
        return sums

    checked = 0
    for family in FAMILIES:
        mf = totals(family)
        segments = [row for row in expected if row["segment_family"] == family]
        # Every segment of the report, and nothing else but guest checkouts (no customer).
        assert set(mf) == {row["segment_name"] for row in segments} | {None}, family
        for row in segments:
            got = mf[row["segment_name"]]
            label = f"{family}: {row['segment_name']}"
            for metric in ADDITIVE_METRICS:
                if metric == "net_revenue":
                    assert got[metric] == order_revenue[(family, row["segment_name"])], label
                else:
                    assert got[metric] == (row[metric] or 0), f"{label}: {metric}"
            assert (got["customers"], got["customer_net_revenue"]) == (
                row["report_customers"], row["report_net_revenue"]), label
            checked += 1
        assert mf[None]["net_revenue"] == order_revenue[(family, None)], family
        assert mf[None]["customers"] == 0, family
    assert checked == len(expected) - 1  # all but the `all` family's one row

    countries = totals("country")
    for country, row in by_country.items():
        assert countries[country]["customers"] == row["customers"], country
        assert countries[country]["customer_net_revenue"] == row["customer_net_revenue"], country

    summary = layer.sql("select * from marts.fct_revenue_summary")[0]
    assert sum(row["net_revenue"] or 0 for row in rows) == summary["net_revenue"]
    assert sum(row["customers"] or 0 for row in rows) == summary["customer_count"]


def test_top_customers_share_and_ratios_by_as_of_date(layer: SemanticLayer) -> None:
    """The ratio metrics per as-of date (metric_time): the Top Customers' share of revenue
    as fct_top_customer_threshold has it, and the All customers row of the report."""
    rows = layer.query(
        "--metrics", "top_customers_share_of_revenue,top_customers_net_revenue,"
                     "customer_net_revenue,average_order_value,orders_per_customer,"
                     "repeat_purchase_rate,average_net_lifetime_spend,average_predicted_clv",
        "--group-by", "metric_time__day")
    threshold = layer.sql("""
        select cast(as_of_date as varchar) as as_of_date, member_net_revenue,
            member_net_revenue_share
        from marts.fct_top_customer_threshold
    """)
    everyone = layer.sql("""
        select report.*, customers.*
        from marts.fct_segment_comparison as report
        cross join (
            select sum(net_lifetime_spend) as exact_net_revenue,
                sum(completed_order_count) as completed_orders,
                sum(predicted_clv) as predicted_clv, count(predicted_clv) as predicted
            from marts.dim_customers
        ) as customers
        where report.segment_family = 'all'
    """)[0]

    assert [row["metric_time__day"][:10] for row in rows] == [
        row["as_of_date"] for row in threshold]
    got, top = rows[0], threshold[0]
    assert got["top_customers_net_revenue"] == top["member_net_revenue"]
    assert got["customer_net_revenue"] == everyone["net_revenue"]
    assert got["top_customers_share_of_revenue"] == pytest.approx(
        top["member_net_revenue_share"], rel=1e-12)
    assert got["top_customers_share_of_revenue"] == pytest.approx(
        float(top["member_net_revenue"]) / float(everyone["net_revenue"]), rel=1e-12)
    assert got["average_order_value"] == pytest.approx(
        float(everyone["exact_net_revenue"]) / everyone["completed_orders"], rel=1e-12)
    # The report rounds half away from zero, to the cent.
    cents = Decimal(str(got["average_order_value"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert cents == everyone["average_order_value"]
    for metric in ("orders_per_customer", "repeat_purchase_rate"):
        assert got[metric] == pytest.approx(everyone[metric], rel=1e-12), metric
    assert got["average_net_lifetime_spend"] == pytest.approx(
        float(everyone["exact_net_revenue"]) / everyone["customer_count"], rel=1e-12)
    assert got["average_predicted_clv"] == pytest.approx(
        float(everyone["predicted_clv"]) / everyone["predicted"], rel=1e-12)

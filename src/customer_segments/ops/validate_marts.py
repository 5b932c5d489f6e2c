"""Great Expectations checks on the published marts, run after a build (`make validate`).

Great Expectations' SQL datasource does not work on DuckDB, so each mart is read through a
read-only DuckDB connection into pandas and validated as a dataframe asset. The Data Docs
HTML is written under `target/data_docs/` (open `index.html`).

    customer-segments validate [--database publication/customer_segments.duckdb]

Reads the publication by default (the work file, or any built file, with --database).
Exits 1 when any expectation fails, 2 when the database has not been built or is locked.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from customer_segments.ops.database_files import LockedDatabase, publication_path, read_only

SHARE_TOLERANCE = 1e-9


@dataclass
class MartCheck:
    """A dataframe to validate and the expectations it must meet."""

    name: str
    frame: pd.DataFrame
    expectations: list = field(default_factory=list)


def read_marts(database: Path) -> dict[str, pd.DataFrame]:
    """The marts as dataframes (DuckDB hands decimals over as float64)."""
    with read_only(database) as connection:
        return {
            name: connection.execute(f"select * from marts.{name}").df()
            for name in (
                "dim_customers",
                "fct_orders",
                "fct_top_customer_threshold",
                "fct_segment_comparison",
            )
        }


def build_checks(marts: dict[str, pd.DataFrame]) -> list[MartCheck]:
    import great_expectations as gx

    expect = gx.expectations
    customers = marts["dim_customers"].copy()
    orders = marts["fct_orders"].copy()
    comparison = marts["fct_segment_comparison"].copy()
    threshold = marts["fct_top_customer_threshold"].copy()

    latest = threshold["as_of_date"].max()
    member_spends = set(customers.loc[customers["is_top_customer"], "net_lifetime_spend"])
    threshold["threshold_is_a_member_spend"] = threshold.apply(
        lambda row: row["as_of_date"] != latest or row["threshold"] in member_spends, axis=1
    )
    share_sums = (
        comparison.groupby("segment_family")[["share_of_customers", "share_of_revenue"]]
        .sum()
        .reset_index()
    )

    return [
        MartCheck("dim_customers", customers, [
            expect.ExpectColumnValuesToBeUnique(column="customer_id"),
            expect.ExpectColumnValuesToNotBeNull(column="customer_id"),
            expect.ExpectColumnValuesToNotBeNull(column="net_lifetime_spend"),
            expect.ExpectColumnValuesToBeBetween(column="net_lifetime_spend", min_value=0),
            expect.ExpectColumnValuesToBeBetween(column="gross_spend", min_value=0),
            expect.ExpectColumnValuesToBeBetween(
                column="lifetime_spend_percentile", min_value=0, max_value=1
            ),
            expect.ExpectColumnValuesToBeBetween(column="lifetime_spend_rank", min_value=1),
            expect.ExpectColumnValuesToBeInSet(column="is_top_customer", value_set=[True, False]),
            expect.ExpectColumnValuesToBeBetween(column="days_since_last_order", min_value=0),
            expect.ExpectColumnValuesToBeBetween(column="probability_alive", min_value=0,
                                                 max_value=1),
            expect.ExpectColumnValuesToBeBetween(column="predicted_clv", min_value=0),
            expect.ExpectColumnValuesToBeBetween(column="predicted_value_decile", min_value=1,
                                                 max_value=10),
        ]),
        MartCheck("fct_orders", orders, [
            expect.ExpectColumnValuesToBeUnique(column="order_id"),
            expect.ExpectColumnValuesToBeInSet(
                column="status", value_set=["completed", "pending", "cancelled", "refunded"]
            ),
            expect.ExpectColumnValuesToBeBetween(column="gross_amount", min_value=0),
            expect.ExpectColumnValuesToBeBetween(column="net_amount", min_value=0),
            expect.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="gross_amount", column_B="refunded_amount", or_equal=True
            ),
        ]),
        MartCheck("fct_top_customer_threshold", threshold, [
            expect.ExpectColumnValuesToBeUnique(column="as_of_date"),
            expect.ExpectColumnValuesToBeBetween(column="threshold", min_value=0, strict_min=True),
            expect.ExpectColumnValuesToBeBetween(column="members_at_threshold", min_value=1),
            expect.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="member_share", column_B="top_customer_fraction", or_equal=True
            ),
            expect.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="member_count", column_B="threshold_rank", or_equal=True
            ),
            expect.ExpectColumnValuesToBeBetween(
                column="member_net_revenue_share", min_value=0, max_value=1
            ),
            expect.ExpectColumnValuesToBeInSet(column="threshold_is_a_member_spend",
                                               value_set=[True]),
        ]),
        MartCheck("fct_segment_comparison", comparison, [
            expect.ExpectCompoundColumnsToBeUnique(column_list=["segment_family", "segment_name"]),
            expect.ExpectColumnValuesToBeBetween(column="share_of_customers", min_value=0,
                                                 max_value=1),
            expect.ExpectColumnValuesToBeBetween(column="share_of_revenue", min_value=0,
                                                 max_value=1),
            expect.ExpectColumnValuesToBeBetween(column="customer_count", min_value=0),
            # NULL (nobody answered) is not checked.
            expect.ExpectColumnValuesToBeBetween(column="net_promoter_score", min_value=-100,
                                                 max_value=100),
        ]),
        MartCheck("fct_segment_comparison__family_totals", share_sums, [
            expect.ExpectColumnValuesToBeBetween(
                column=column, min_value=1 - SHARE_TOLERANCE, max_value=1 + SHARE_TOLERANCE
            )
            for column in ("share_of_customers", "share_of_revenue")
        ]),
    ]


def validate(database: Path, docs_dir: Path) -> list[tuple[str, str, bool]]:
    """Run every check; return (mart, expectation, success) rows. Writes the Data Docs."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name="marts",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir.resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    datasource = context.data_sources.add_pandas(name="marts")
    outcomes = []
    for check in build_checks(read_marts(database)):
        asset = datasource.add_dataframe_asset(name=check.name)
        batch_definition = asset.add_batch_definition_whole_dataframe(name=f"{check.name}_all")
        suite = context.suites.add(gx.ExpectationSuite(name=check.name))
        for expectation in check.expectations:
            suite.add_expectation(expectation)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=check.name, data=batch_definition, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{check.name}_checkpoint",
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["marts"])],
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": check.frame})
        for run_result in result.run_results.values():
            for expectation_result in run_result.results:
                config = expectation_result.expectation_config
                assert config is not None, "a result of one of the suite's expectations"
                column = config.kwargs.get("column") or config.kwargs.get("column_list") or (
                    f"{config.kwargs.get('column_A')} >= {config.kwargs.get('column_B')}"
                )
                outcomes.append((check.name, f"{config.type}({column})",
                                 bool(expectation_result.success)))
    return outcomes


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=None,
                        help="default: the publication (CUSTOMER_SEGMENTS_PUBLICATION_PATH, "
                             "else publication/customer_segments.duckdb)")
    parser.add_argument("--docs-dir", type=Path, default=Path("target/data_docs"))
    args = parser.parse_args(argv)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    try:
        outcomes = validate(args.database or publication_path(), args.docs_dir)
    except (FileNotFoundError, LockedDatabase) as error:
        print(f"validate: {error}", file=sys.stderr)
        return 2
    print("| mart | expectation | result |\n|---|---|---|")
    for mart, expectation, success in outcomes:
        print(f"| {mart} | {expectation} | {'pass' if success else 'FAIL'} |")
    failed = sum(not success for _, _, success in outcomes)
    print(f"\n{len(outcomes) - failed} passed, {failed} failed")
    print(f"Data Docs: {(args.docs_dir / 'index.html').resolve()}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

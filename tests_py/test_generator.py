"""The data generator: deterministic, the bundled sample is what it writes, and its
chunked typed Parquet builds cleanly."""

from __future__ import annotations

import duckdb
import pandas as pd

from conftest import assert_built
from customer_segments.dev.generate_sample import (
    SampleSpec,
    generate,
    write_csv,
    write_typed_parquet,
)
from customer_segments.ops.dbt_invoke import PROJECT_DIR


def test_same_seed_same_data():
    first, second = generate(SampleSpec(orders=500)), generate(SampleSpec(orders=500))
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name])


def test_bundled_sample_is_what_the_generator_writes(tmp_path):
    write_csv(generate(SampleSpec()), tmp_path)
    for bundled in (PROJECT_DIR / "data" / "sample").glob("*.csv"):
        assert (tmp_path / bundled.name).read_bytes() == bundled.read_bytes(), bundled.name


def test_chunked_typed_parquet_builds_cleanly(tmp_path, build):
    folder = tmp_path / "raw"
    write_typed_parquet(SampleSpec(orders=3000), folder, chunk_orders=1000, log=lambda _: None)
    assert sorted(p.name for p in (folder / "orders").iterdir()) == [
        "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    with duckdb.connect() as connection:
        raw_customers = connection.execute(
            f"select count(distinct customer_id) from read_parquet('{folder}/orders/*.parquet')"
        ).fetchall()[0][0]

    run = build(folder)
    assert_built(run)
    assert run.query("select count(*) from staging.stg_shop__rejected_rows") == [(0,)]
    assert run.query("select count(*) from staging.stg_shop__orders") == [(3000,)]
    # Customers of different chunks never collide.
    buyers = run.query(
        "select count(*) from marts.dim_customers where completed_order_count > 0")[0][0]
    assert buyers <= raw_customers
    assert run.query("select count(distinct customer_id) from marts.fct_orders "
                     "where not is_guest_order") == [(raw_customers,)]

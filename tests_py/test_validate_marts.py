"""The Great Expectations suite passes on a good build and catches broken marts."""

from __future__ import annotations

import shutil

import duckdb

from conftest import assert_built, order, write_raw
from customer_segments.ops import validate_marts


def test_suite_passes_then_catches_a_broken_threshold(tmp_path, build, capsys):
    folder = write_raw(tmp_path / "raw", orders=[
        order(f"o{index}", f"c{index}", "2024-05-01", f"{index}.00") for index in range(1, 21)
    ])
    run = build(folder)
    assert_built(run)
    docs = tmp_path / "docs"

    assert validate_marts.main(["--database", str(run.database), "--docs-dir", str(docs)]) == 0
    assert (docs / "index.html").exists()
    assert "0 failed" in capsys.readouterr().out

    broken = tmp_path / "broken.duckdb"
    shutil.copy(run.database, broken)
    with duckdb.connect(str(broken)) as connection:
        # A threshold no member has, and a member share below the fraction.
        connection.execute("update marts.fct_top_customer_threshold "
                           "set threshold = threshold + 0.01, member_share = 0.05")
    assert validate_marts.main(["--database", str(broken), "--docs-dir", str(docs)]) == 1
    out = capsys.readouterr().out
    assert ("| fct_top_customer_threshold "
            "| expect_column_values_to_be_in_set(threshold_is_a_member_spend) | FAIL |") in out
    assert "member_share >= top_customer_fraction) | FAIL |" in out


def test_missing_database_is_a_clear_error(tmp_path, capsys):
    assert validate_marts.main(["--database", str(tmp_path / "nope.duckdb")]) == 2
    assert "run `make build` first" in capsys.readouterr().err

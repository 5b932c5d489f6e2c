"""The project-rules check fires on each rule and passes a clean manifest (no dbt run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from customer_segments.dev import check_project

PROJECT = "customer_segments"
FOLDERS = {"staging": "models/staging/shop", "intermediate": "models/intermediate",
           "mart": "models/marts/customers"}


def node(resource_type: str, name: str, path: str, *parents: str, **fields: Any) -> dict[str, Any]:
    return {
        "unique_id": f"{resource_type}.{PROJECT}.{name}", "resource_type": resource_type,
        "name": name, "package_name": PROJECT, "original_file_path": path,
        "description": f"The {name}.", "depends_on": {"nodes": list(parents), "macros": []},
        "columns": {}, "constraints": [], **fields,
    }


def model(layer: str, name: str, *parents: str, **fields: Any) -> dict[str, Any]:
    return node("model", name, f"{FOLDERS[layer]}/{name}.sql", *parents, **fields)


def grain_test(test_name: str, model_name: str) -> dict[str, Any]:
    tested = f"model.{PROJECT}.{model_name}"
    return node("test", f"{test_name}_{model_name}", "models/schema.yml", tested,
                test_metadata={"name": test_name, "kwargs": {}}, attached_node=tested)


def macro(name: str, signature: str, *arguments: str, package: str = PROJECT) -> dict[str, Any]:
    return {
        "unique_id": f"macro.{package}.{name}", "name": name, "package_name": package,
        "original_file_path": f"macros/{name}.sql", "description": f"What {name} returns.",
        "macro_sql": f"{{% {signature} %}}select 1{{% endmacro %}}",
        "arguments": [{"name": argument, "type": "string", "description": f"The {argument}."}
                      for argument in arguments],
    }


def clean_manifest() -> dict[str, Any]:
    source = {
        "unique_id": f"source.{PROJECT}.shop.orders", "resource_type": "source", "name": "orders",
        "source_name": "shop", "package_name": PROJECT, "description": "Raw orders.",
    }
    primary_key = [{"type": "primary_key", "columns": ["order_id"]}]
    nodes = [
        node("seed", "currencies", "seeds/currencies.csv"),
        model("staging", "stg_orders", source["unique_id"], f"seed.{PROJECT}.currencies"),
        model("intermediate", "int_customers", f"model.{PROJECT}.stg_orders"),
        node("snapshot", "history", "snapshots/history.yml", f"model.{PROJECT}.int_customers"),
        model("intermediate", "int_spells", f"snapshot.{PROJECT}.history"),
        model("mart", "dim_customers", f"model.{PROJECT}.int_customers", constraints=primary_key),
        model("mart", "fct_orders", f"model.{PROJECT}.int_customers",
              f"seed.{PROJECT}.currencies", f"snapshot.{PROJECT}.history",
              columns={"order_id": {"name": "order_id", "constraints": [{"type": "primary_key"}]}}),
        grain_test("unique", "stg_orders"),
        grain_test("unique_combination_of_columns", "int_customers"),
        grain_test("unique", "int_spells"),
        # Other packages' nodes and macros are not the project's to document.
        {**model("staging", "package_model", description=""), "package_name": "dbt_utils"},
    ]
    macros = [
        macro("percentile", "macro percentile(column, fraction=0.5, method='a, b')",
              "column", "fraction", "method"),
        macro("test_unique_combination_of_columns",
              "test unique_combination_of_columns(model, columns)", "model", "columns"),
        {**macro("dbt_helper", "macro dbt_helper(x)", package="dbt"), "description": ""},
    ]
    return {
        "nodes": {item["unique_id"]: item for item in nodes},
        "sources": {source["unique_id"]: source},
        "macros": {item["unique_id"]: item for item in macros},
    }


def run_check(manifest: dict[str, Any], tmp_path: Path,
              capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    exit_code = check_project.main(["--manifest", str(path)])
    return exit_code, capsys.readouterr().out.splitlines()


def test_clean_manifest_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(clean_manifest(), tmp_path, capsys) == (
        0, ["0 violations of the project rules."])


@pytest.mark.parametrize(("child", "parent", "message"), [
    ("int_customers", f"model.{PROJECT}.fct_orders",
     "intermediate model int_customers depends on mart fct_orders"),
    ("int_customers", f"source.{PROJECT}.shop.orders",
     "intermediate model int_customers depends on source shop.orders"),
    ("stg_orders", f"model.{PROJECT}.int_customers",
     "staging model stg_orders depends on intermediate model int_customers"),
    ("stg_orders", f"snapshot.{PROJECT}.history",
     "staging model stg_orders depends on snapshot history"),
    ("fct_orders", f"model.{PROJECT}.stg_orders",
     "mart fct_orders depends on staging model stg_orders"),
    ("fct_orders", f"source.{PROJECT}.shop.orders",
     "mart fct_orders depends on source shop.orders"),
    ("history", f"model.{PROJECT}.dim_customers", "snapshot history depends on mart dim_customers"),
    ("fct_orders", f"model.{PROJECT}.dim_customers",
     "mart fct_orders depends on mart dim_customers"),
])
def test_layer_order(child: str, parent: str, message: str, tmp_path: Path,
                     capsys: pytest.CaptureFixture[str]) -> None:
    manifest = clean_manifest()
    child_node = next(item for item in manifest["nodes"].values() if item["name"] == child)
    child_node["depends_on"]["nodes"].append(parent)
    assert run_check(manifest, tmp_path, capsys) == (
        1, [message, "1 violation of the project rules."])


@pytest.mark.parametrize(("section", "unique_id", "message"), [
    ("nodes", f"model.{PROJECT}.int_customers",
     "intermediate model int_customers has no description"),
    ("nodes", f"seed.{PROJECT}.currencies", "seed currencies has no description"),
    ("nodes", f"snapshot.{PROJECT}.history", "snapshot history has no description"),
    ("sources", f"source.{PROJECT}.shop.orders", "source shop.orders has no description"),
    ("macros", f"macro.{PROJECT}.percentile", "macro percentile has no description"),
    ("macros", f"macro.{PROJECT}.test_unique_combination_of_columns",
     "macro test_unique_combination_of_columns has no description"),
])
def test_missing_description(section: str, unique_id: str, message: str, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    manifest = clean_manifest()
    manifest[section][unique_id]["description"] = "  "
    assert run_check(manifest, tmp_path, capsys) == (
        1, [message, "1 violation of the project rules."])


def test_undocumented_macro_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = clean_manifest()
    percentile = manifest["macros"][f"macro.{PROJECT}.percentile"]
    percentile["arguments"] = [*percentile["arguments"][:1],
                               {"name": "fraction", "description": ""}]
    assert run_check(manifest, tmp_path, capsys) == (1, [
        "macro percentile: argument fraction has no description",
        "macro percentile: argument method has no description",
        "2 violations of the project rules.",
    ])


def test_model_without_grain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = clean_manifest()
    manifest["nodes"][f"model.{PROJECT}.fct_orders"]["columns"]["order_id"]["constraints"] = []
    not_null = grain_test("not_null", "fct_orders")
    manifest["nodes"][not_null["unique_id"]] = {**not_null, "test_metadata": {"name": "not_null"}}
    exit_code, lines = run_check(manifest, tmp_path, capsys)
    assert exit_code == 1
    assert lines[0].startswith("mart fct_orders has no grain test")
    assert lines[1:] == ["1 violation of the project rules."]


def test_model_saying_why_it_has_no_key(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    manifest = clean_manifest()
    fct_orders = manifest["nodes"][f"model.{PROJECT}.fct_orders"]
    fct_orders["columns"]["order_id"]["constraints"] = []
    fct_orders["config"] = {"meta": {"grain_without_key": "One row per raw row."}}
    assert run_check(manifest, tmp_path, capsys) == (0, ["0 violations of the project rules."])


def test_signature_arguments() -> None:
    assert check_project.macro_arguments(
        "{%- macro clean_text(expression, extra_null_markers=[], prefix='a, b') -%}x{% endmacro %}"
    ) == ["expression", "extra_null_markers", "prefix"]
    assert check_project.macro_arguments(
        "{% test expression_is_true(model, expression, column_name=none) %}x{% endtest %}"
    ) == ["model", "expression", "column_name"]
    assert check_project.macro_arguments("{% macro type_double() %}x{% endmacro %}") == []


def test_missing_manifest(tmp_path: Path) -> None:
    assert check_project.main(["--manifest", str(tmp_path / "absent.json")]) == 2


WELL_FORMED_INPUTS = [
    {"refreshed_in": "stg_orders"},
    {"refreshed_in": "int_spells", "key": "order_id", "through": "stg_orders"},
    {"rule": "percentile", "rebuilt_with": ["stg_orders"]},
    {"held_where": "rejection_reason is not null"},
]


def with_changed_keys(inputs: list[Any], unique_key: Any = "customer_id") -> dict[str, Any]:
    """The clean manifest with int_customers on the changed_keys strategy."""
    manifest = clean_manifest()
    int_customers = manifest["nodes"][f"model.{PROJECT}.int_customers"]
    int_customers["depends_on"]["nodes"] += [f"model.{PROJECT}.int_spells"]
    int_customers["config"] = {"incremental_strategy": "changed_keys", "unique_key": unique_key,
                               "change_inputs": inputs}
    return manifest


def test_well_formed_change_inputs_pass(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_check(with_changed_keys(WELL_FORMED_INPUTS), tmp_path, capsys) == (
        0, ["0 violations of the project rules."])


@pytest.mark.parametrize(("inputs", "unique_key", "message"), [
    ([{"refreshed_in": "fct_orders"}], "customer_id",
     "names model 'fct_orders' but does not depend on it"),
    ([{"rule": "percentile", "rebuilt_with": ["dim_customers"]}], "customer_id",
     "names model 'dim_customers' but does not depend on it"),
    ([{"rule": "percentile", "rebuilt_with": "stg_orders"}], "customer_id",
     "`rebuilt_with` must be a list"),
    ([{"rule": "no_such_rule"}], "customer_id", "names rule 'no_such_rule', which is no macro"),
    ([{"raw_table": "refunds"}], "customer_id", "does not read source shop.refunds"),
    ([{"refreshed_in": "stg_orders", "through": "int_spells"}], "customer_id",
     "`through` needs `key`"),
    ([{"refreshed_in": "stg_orders", "where": "x"}], "customer_id", "unknown key 'where'"),
    ([{"refreshed_in": "stg_orders", "rule": "percentile"}], "customer_id", "exactly one of"),
    ([], "customer_id", "change_inputs must be a non-empty list"),
    ([{"refreshed_in": "stg_orders"}], ["customer_id", "day"], "unique_key must be one column"),
])
def test_malformed_change_inputs(inputs: list[Any], unique_key: Any, message: str,
                                 tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exit_code, lines = run_check(with_changed_keys(inputs, unique_key), tmp_path, capsys)
    assert exit_code == 1
    assert len(lines) == 2 and lines[0].startswith("intermediate model int_customers: ")
    assert message in lines[0]


def with_sql(manifest: dict[str, Any], name: str, raw_code: str) -> dict[str, Any]:
    manifest["nodes"][f"model.{PROJECT}.{name}"].update(language="sql", raw_code=raw_code)
    return manifest


def test_duckdb_only_sql_in_a_model_is_named_with_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = with_sql(clean_manifest(), "int_customers",
                        "select\n    amount::int as amount,\n    list(customer_id)\n"
                        "from orders\ngroup by all\nqualify row_number() over () = 1")
    exit_code, lines = run_check(manifest, tmp_path, capsys)
    path = "models/intermediate/int_customers.sql"
    assert exit_code == 1
    assert lines == [
        f"{path}:2: '::' is DuckDB-only SQL: use cast(x as type)",
        f"{path}:3: 'list(' is DuckDB-only SQL: use a portable aggregate or a dispatched "
        "macro (percentile)",
        f"{path}:5: 'group by all' is DuckDB-only SQL: use the grouped columns",
        f"{path}:6: 'qualify' is DuckDB-only SQL: use a window in a subquery",
        "4 violations of the project rules.",
    ]


def test_jinja_comments_and_strings_are_not_model_sql(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = with_sql(clean_manifest(), "int_customers",
                        "{#- a comment: x::int -#}\n{% set cast = 'x::int' %}\n"
                        "select {{ try_cast_text('x', 'bigint') }} as amount, -- not x::int\n"
                        "    'a::b // c' as text, /* list(x) */ 1 as one\nfrom orders")
    assert run_check(manifest, tmp_path, capsys) == (0, ["0 violations of the project rules."])

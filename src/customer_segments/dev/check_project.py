"""Project rules dbt itself does not enforce, checked over the manifest `dbt parse` writes.

- Layers: staging reads sources, seeds and staging; intermediate reads staging,
  intermediate, seeds and snapshots; marts read intermediate, seeds and snapshots (never
  staging, nor another mart: each publishes an intermediate model); the snapshot reads
  intermediate only.
- Descriptions: every model, seed, snapshot, source table and macro of the project, and
  every macro argument, has one.
- Changed keys: a model using the changed_keys incremental strategy has a string
  `unique_key` and well-formed `change_inputs`, and depends on every model, raw table
  and rule they name (a ref made only at run time would fail on the first incremental
  run, not at parse).
- Portable SQL: a model's own SQL (outside Jinja) uses no function or syntax only DuckDB
  knows (`::` casts, try_cast, regexp_full_match, struct_pack, list functions, strftime,
  date_diff, QUALIFY, GROUP BY ALL, ...): engine-specific SQL lives in dispatched macros.
- Grain: every model has a `unique` or `unique_combination_of_columns` (or dbt_constraints
  `primary_key`) test, or a model or column `primary_key` constraint, or says in
  `meta: {grain_without_key: ...}` why its rows have no key.

    python -m customer_segments.dev.check_project --manifest target/manifest.json

Prints one line per violation, then their count; exits 1 when there is any, 2 without a manifest.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path
from typing import Any

PROJECT = "customer_segments"
MODEL_LAYERS = {
    "models/staging/": "staging",
    "models/intermediate/": "intermediate",
    "models/marts/": "mart",
}
ALLOWED_PARENTS = {
    "staging": {"source", "seed", "staging"},
    "intermediate": {"staging", "intermediate", "seed", "snapshot"},
    "mart": {"intermediate", "seed", "snapshot"},
    "snapshot": {"intermediate"},
}
LABELS = {"staging": "staging model", "intermediate": "intermediate model"}
GRAIN_TESTS = ("unique", "unique_combination_of_columns", "primary_key")
SIGNATURE = re.compile(r"{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%}", re.DOTALL)

Node = dict[str, Any]

# DuckDB's own spellings, each with what to write instead. Checked in a model's SQL with
# its Jinja, comments and string literals removed.
DUCKDB_ONLY = {
    r"::": "cast(x as type)",
    r"\btry_cast\s*\(": "a dispatched macro (try_cast_text)",
    r"\bregexp_(full_match|matches|extract_all)\s*\(": "matches_pattern()",
    r"\bstruct_pack\s*\(": "a dispatched macro (json_object_of)",
    r"\b(list|array)_\w+\s*\(": "a dispatched macro",
    r"\bstr[fp]time\s*\(": "dbt's cross-database date macros",
    r"\bdate_(diff|add|sub|part)\s*\(": "dbt.datediff / dbt.dateadd / extract",
    r"\b(epoch|epoch_ms|make_date|make_timestamp|last_day)\s*\(": "a dispatched macro",
    r"\b(arg_max|arg_min|argmax|argmin|list|string_agg|quantile\w*|median|mode)\s*\(":
        "a portable aggregate or a dispatched macro (percentile)",
    r"\bgroup\s+by\s+all\b": "the grouped columns",
    r"\bqualify\b": "a window in a subquery",
    r"\bexclude\s*\(": "the columns by name",
    r"\b(read_csv|read_csv_auto|read_parquet|read_blob|glob)\s*\(": "a source",
    r"\bilike\b": "lower(x) like",
    r"//": "integer_divide()",
}
_JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.DOTALL)
_SQL_NOISE = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)


def layer(node: Node) -> str:
    """staging, intermediate or mart for a model (by folder), else the resource type."""
    if node["resource_type"] == "model":
        path = node["original_file_path"]
        folders = (name for folder, name in MODEL_LAYERS.items() if path.startswith(folder))
        return next(folders, "model")
    return str(node["resource_type"])


def describe(node: Node) -> str:
    source = f"{node['source_name']}." if node["resource_type"] == "source" else ""
    return f"{LABELS.get(layer(node), layer(node))} {source}{node['name']}"


def layer_violations(manifest: dict[str, Any]) -> list[str]:
    graph = {**manifest["nodes"], **manifest["sources"]}
    violations = []
    for node in manifest["nodes"].values():
        allowed = ALLOWED_PARENTS.get(layer(node))
        if allowed is None or node["package_name"] != PROJECT:
            continue
        for parent_id in node["depends_on"]["nodes"]:
            parent = graph.get(parent_id)
            if parent is not None and layer(parent) not in allowed:
                violations.append(f"{describe(node)} depends on {describe(parent)}")
    return sorted(violations)


def macro_arguments(macro_sql: str) -> list[str]:
    """The argument names of a macro's (or generic test's) signature."""
    match = SIGNATURE.search(macro_sql)
    if match is None:
        return []
    try:
        function = ast.parse(f"def signature({match.group(1)}): pass").body[0]
    except SyntaxError:
        return [part.split("=")[0].strip() for part in match.group(1).split(",") if part.strip()]
    if not isinstance(function, ast.FunctionDef):
        return []
    return [argument.arg for argument in function.args.args]


def description_violations(manifest: dict[str, Any]) -> list[str]:
    documented_types = {"model", "seed", "snapshot", "source"}
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    violations = [
        f"{describe(node)} has no description"
        for node in nodes
        if node["resource_type"] in documented_types
        and node["package_name"] == PROJECT
        and not (node.get("description") or "").strip()
    ]
    for macro in manifest["macros"].values():
        if macro["package_name"] != PROJECT:
            continue
        if not (macro.get("description") or "").strip():
            violations.append(f"macro {macro['name']} has no description")
        arguments = macro.get("arguments") or []
        documented = {arg["name"] for arg in arguments if (arg.get("description") or "").strip()}
        violations.extend(
            f"macro {macro['name']}: argument {name} has no description"
            for name in macro_arguments(macro["macro_sql"])
            if name not in documented
        )
    return sorted(violations)


def grain_violations(manifest: dict[str, Any]) -> list[str]:
    nodes = manifest["nodes"].values()
    with_grain = {
        test.get("attached_node") or next(iter(test["depends_on"]["nodes"]), None)
        for test in nodes
        if test["resource_type"] == "test"
        and (test.get("test_metadata") or {}).get("name") in GRAIN_TESTS
    }
    violations = []
    for model in nodes:
        if model["resource_type"] != "model" or model["package_name"] != PROJECT:
            continue
        constraints = [*model.get("constraints", [])]
        for column in model.get("columns", {}).values():
            constraints.extend(column.get("constraints", []))
        has_primary_key = any(constraint.get("type") == "primary_key" for constraint in constraints)
        keyless = (model.get("config", {}).get("meta") or model.get("meta") or {}).get(
            "grain_without_key"
        )
        if model["unique_id"] not in with_grain and not has_primary_key and not keyless:
            violations.append(f"{describe(model)} has no grain test ({' / '.join(GRAIN_TESTS)})")
    return sorted(violations)


CHANGE_INPUT_KEYS = {
    "raw_table": set(),
    "refreshed_in": {"key", "via", "through"},
    "held_where": set(),
    "rule": {"rebuilt_with", "rebuilt_when"},
}


def change_input_problems(entry: Any, depends_on: set[str], macros: set[str]) -> list[str]:
    """What is wrong with one change_inputs entry, in words."""
    kinds = [kind for kind in CHANGE_INPUT_KEYS if isinstance(entry, dict) and kind in entry]
    if len(kinds) != 1:
        return [f"entry {entry!r} needs exactly one of {', '.join(CHANGE_INPUT_KEYS)}"]
    kind = kinds[0]
    problems = [f"entry {entry!r}: unknown key {extra!r}"
                for extra in sorted(set(entry) - {kind} - CHANGE_INPUT_KEYS[kind])]
    if "through" in entry and ("key" not in entry or "via" in entry):
        problems.append(f"entry {entry!r}: `through` needs `key` and excludes `via`")
    models = [entry[name] for name in ("refreshed_in", "through") if name in entry]
    rebuilt_with = entry.get("rebuilt_with", [])
    if not isinstance(rebuilt_with, list):
        problems.append(f"entry {entry!r}: `rebuilt_with` must be a list of model names")
    else:
        models += rebuilt_with
    problems += [f"names model {name!r} but does not depend on it (add a ref or depends_on)"
                 for name in models if f"model.{PROJECT}.{name}" not in depends_on]
    if kind == "raw_table" and f"source.{PROJECT}.shop.{entry[kind]}" not in depends_on:
        problems.append(
            f"names raw table {entry[kind]!r} but does not read source shop.{entry[kind]}"
        )
    if kind == "rule" and entry[kind] not in macros:
        problems.append(f"names rule {entry[kind]!r}, which is no macro of the project")
    if "rebuilt_when" in entry and entry["rebuilt_when"] not in macros:
        problems.append(f"`rebuilt_when` names {entry['rebuilt_when']!r}, which is no macro of "
                        "the project")
    return problems


def changed_keys_violations(manifest: dict[str, Any]) -> list[str]:
    macros = {macro["name"] for macro in manifest["macros"].values()
              if macro["package_name"] == PROJECT}
    violations = []
    for model in manifest["nodes"].values():
        config = model.get("config") or {}
        strategy = config.get("incremental_strategy")
        if model["resource_type"] != "model" or strategy != "changed_keys":
            continue
        problems = ([] if isinstance(config.get("unique_key"), str)
                    else ["unique_key must be one column"])
        entries = config.get("change_inputs")
        if not isinstance(entries, list) or not entries:
            problems.append("change_inputs must be a non-empty list")
        else:
            depends_on = set(model["depends_on"]["nodes"])
            for entry in entries:
                problems += change_input_problems(entry, depends_on, macros)
        violations += [f"{describe(model)}: {problem}" for problem in problems]
    return sorted(violations)


def sql_outside_jinja(raw_code: str) -> str:
    """A model's SQL with Jinja, comments and string literals blanked (newlines kept, so
    line numbers still point at the file)."""
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return _SQL_NOISE.sub(blank, _JINJA.sub(blank, raw_code))


def portability_violations(manifest: dict[str, Any]) -> list[str]:
    violations = []
    for model in manifest["nodes"].values():
        if model["resource_type"] != "model" or model.get("language") != "sql":
            continue
        sql = sql_outside_jinja(model.get("raw_code", ""))
        for pattern, instead in DUCKDB_ONLY.items():
            for match in re.finditer(pattern, sql, re.IGNORECASE):
                line = sql.count("\n", 0, match.start()) + 1
                violations.append(
                    f"{model['original_file_path']}:{line}: {match.group(0).strip()!r} is "
                    f"DuckDB-only SQL: use {instead}")
    return sorted(violations)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the project rules over a dbt manifest.")
    parser.add_argument("--manifest", type=Path, default=Path("target/manifest.json"))
    args = parser.parse_args(argv)
    if not args.manifest.is_file():
        print(f"{args.manifest} not found: run `dbt parse` first.")
        return 2
    manifest = json.loads(args.manifest.read_text())
    violations = layer_violations(manifest) + description_violations(manifest)
    violations += changed_keys_violations(manifest) + grain_violations(manifest)
    violations += portability_violations(manifest)
    for violation in violations:
        print(violation)
    print(f"{len(violations)} violation{'' if len(violations) == 1 else 's'} of the project rules.")
    return 1 if violations else 0


if __name__ == "__main__":
    raise SystemExit(main())

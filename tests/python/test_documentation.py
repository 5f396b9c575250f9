"""Every public table and column is described, the described columns are the built ones, every
macro is documented with its arguments, and the documentation refers only to files of this
repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import DBT, ROOT, Build

PUBLIC_SCHEMAS = {"marts", "audit"}
# A dispatched macro is documented; its per-engine bodies are only listed.
ENGINE_BODY = re.compile(r"(duckdb|spark|default)__")
SIGNATURE = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\s*\(([^)]*)\)")
# The only configuration path allowed to match nothing: the evaluator's own seed, disabled in
# dbt_project.yml, exists only where the evaluator package is installed.
EVALUATOR_PATH = "seeds.dbt_project_evaluator.dbt_project_evaluator_exceptions"


@dataclass
class Parse:
    output: str
    manifest: dict = field(repr=False)


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> Parse:
    """`dbt parse` with every warning shown (dbt_project.yml silences unused config paths)."""
    work = tmp_path_factory.mktemp("parse")
    env = {
        **os.environ,
        "WORKBENCH_DB_PATH": str(work / "warehouse.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [
            str(DBT),
            "parse",
            "--no-partial-parse",
            "--warn-error-options",
            '{"silence": []}',
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return Parse(result.stdout, json.loads((work / "target" / "manifest.json").read_text()))


def test_every_public_model_and_column_is_documented(sample_build: Build) -> None:
    target, logs = (sample_build.db_path.parent / name for name in ("target", "docs_logs"))
    env = {**os.environ, "WORKBENCH_DB_PATH": str(sample_build.db_path)}
    result = subprocess.run(
        [str(DBT), "docs", "generate", "--target-path", str(target), "--log-path", str(logs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())

    public = {
        node["unique_id"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] in PUBLIC_SCHEMAS
    }
    assert {n["name"] for n in public.values()} >= {
        "quarantined_events",
        "load_reconciliation",
        "property_issues",
    }
    problems = []
    for unique_id, node in public.items():
        if not node["description"].strip():
            problems.append(f"{node['name']}: no description")
        built = set(catalog["nodes"][unique_id]["columns"])
        documented = {name for name, col in node["columns"].items() if col["description"].strip()}
        problems += [f"{node['name']}.{c}: no description" for c in sorted(built - documented)]
        problems += [
            f"{node['name']}.{c}: documented, not built"
            for c in sorted(set(node["columns"]) - built)
        ]
    assert problems == []


def test_the_repository_refers_only_to_itself() -> None:
    """A clone has no sibling folders and no issue tracker: nothing may point at either."""
    pattern = r"\.\./shared|shared/(seed|spec)|[Ii]ssue [0-9]|[Cc]ontract section"
    found = subprocess.run(
        ["git", "grep", "-n", "-E", pattern, "--", ".", ":!tests/python/test_documentation.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert not found, found


def test_every_markdown_link_resolves_inside_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench/README.md"]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+://|mailto:|#", target):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists() or (ROOT not in path.parents and path != ROOT):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken


def _signature(macro_sql: str) -> list[str]:
    match = SIGNATURE.match(macro_sql.strip())
    assert match, macro_sql[:200]
    return [arg.split("=")[0].strip() for arg in match.group(1).split(",") if arg.strip()]


def test_every_macro_is_documented_with_its_arguments(parsed: Parse) -> None:
    """Each macro of macros/ and each generic test has a YAML description and documents every
    argument of its signature (name, type, description), in order; engine bodies are exempt."""
    macros = [
        m
        for m in parsed.manifest["macros"].values()
        if m["package_name"] == "workbench"
        and m["original_file_path"].startswith(("macros/", "tests/generic/"))
    ]
    assert len(macros) > 100
    problems = []
    for macro in macros:
        where = f"{macro['original_file_path']}: {macro['name']}"
        if ENGINE_BODY.match(macro["name"]):
            continue
        if not macro["description"].strip():
            problems.append(f"{where}: no YAML description")
        signature = _signature(macro["macro_sql"])
        if macro["name"].startswith("test_"):
            signature = [arg for arg in signature if arg not in ("model", "column_name")]
        documented = [arg["name"] for arg in macro["arguments"]]
        if documented != signature:
            problems.append(f"{where}: arguments {documented} documented, {signature} in the SQL")
        problems += [
            f"{where}: argument {arg['name']} has no type or description"
            for arg in macro["arguments"]
            if not (arg.get("type") and arg["description"].strip())
        ]
    assert problems == []


def test_yaml_names_only_what_exists(parsed: Parse) -> None:
    """A YAML entry for a macro that is gone, or a configuration path that matches nothing, is
    a warning dbt prints once and no build fails on: here it fails."""
    warnings = [
        re.sub(r"\x1b\[[0-9;]*m", "", line).split("]: ", 1)[-1]
        for line in parsed.output.splitlines()
        if "WARNING" in line
    ]
    unused_paths = "Configuration paths exist in your dbt_project.yml file which do not apply"
    assert len(warnings) == 1 and warnings[0].startswith(unused_paths), warnings
    assert re.findall(r"^- (\S+)$", parsed.output, flags=re.MULTILINE) == [EVALUATOR_PATH]


YAML_KINDS = {"models", "sources", "seeds", "macros", "semantic", "exposures"}


def test_yaml_files_follow_one_naming_scheme() -> None:
    """One YAML file per folder and kind, `_<folder>__<kind>.yml`; shared docs blocks in
    `_<folder>__docs.md` (docs/contributing.md, 'YAML layout')."""
    files = subprocess.run(
        ["git", "ls-files", "models", "seeds", "macros", "engines", "tests/generic"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    described = [Path(f) for f in files if f.endswith((".yml", ".yaml", ".md"))]
    assert len(described) > 20
    wrong = []
    for path in described:
        kinds = YAML_KINDS if path.suffix == ".yml" else {"docs"}
        match = re.fullmatch(r"_(\w+?)__(\w+)\.(yml|md)", path.name)
        if not (match and match.group(1) == path.parent.name and match.group(2) in kinds):
            wrong.append(str(path))
    assert wrong == []


def test_unit_tests_are_named_for_their_model(parsed: Parse) -> None:
    unit_tests = parsed.manifest["unit_tests"].values()
    assert len(unit_tests) > 30
    wrong = [
        f"{test['original_file_path']}: {test['name']}"
        for test in unit_tests
        if not test["name"].startswith(f"test_{test['model']}_")
    ]
    assert wrong == []

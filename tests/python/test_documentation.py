"""Every public table and column is described, the described columns are the built ones, and
the documentation refers only to files of this repository."""

from __future__ import annotations

import json
import os
import re
import subprocess

from conftest import DBT, ROOT, Build

PUBLIC_SCHEMAS = {"marts", "audit"}


def test_every_public_model_and_column_is_documented(sample_build: Build) -> None:
    target = sample_build.db_path.parent / "target"
    env = {**os.environ, "WORKBENCH_DB_PATH": str(sample_build.db_path)}
    result = subprocess.run(
        [str(DBT), "docs", "generate", "--target-path", str(target)],
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

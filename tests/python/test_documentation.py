"""Every public table and column is described, and the described columns are the built ones."""

from __future__ import annotations

import json
import os
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

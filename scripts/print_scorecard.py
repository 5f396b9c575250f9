"""Print the latest complete ISO week's persona KPIs from marts.kpi_scorecard as a terminal table.

The latest complete week is the latest week (Monday to Sunday, UTC) that the scorecard marks
`is_complete_period` (the data covers all of it; docs/kpis.md), the same week as the KPI report's
cards. A later, partial week is named, not shown; a value on a small sample (`is_small_sample`)
is marked.

The warehouse is opened read-only: WORKBENCH_DB_PATH, default warehouse/workbench.duckdb.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

DEFAULT_DB_PATH = "warehouse/workbench.duckdb"

# The order of docs/specification.md, 'KPI definitions'; a KPI added to seed kpi_targets later is
# listed after these.
KPI_ORDER = (
    "template_suggestion_rate",
    "time_to_create_workflow",
    "workbench_adoption",
    "template_usage_rate",
)

# Every KPI of seed kpi_targets, even when the chosen week has no rows for one.
QUERY = """
with

weeks as (
    select
        max(case when is_complete_period then period_start end) as week_start,
        max(period_start) as latest_week_start
    from marts.kpi_scorecard
    where period_grain = 'week'
),

latest_day as (
    select max(period_start) as last_day
    from marts.kpi_scorecard
    where period_grain = 'day'
)

select
    weeks.week_start,
    weeks.latest_week_start,
    latest_day.last_day,
    targets.kpi_name,
    targets.persona,
    scorecard.numerator,
    scorecard.denominator,
    scorecard.value,
    targets.target_value,
    targets.comparison,
    scorecard.meets_target,
    scorecard.sample_size,
    scorecard.is_small_sample
from seeds.kpi_targets as targets
cross join weeks
cross join latest_day
left join marts.kpi_scorecard as scorecard
    on scorecard.kpi_name = targets.kpi_name
    and scorecard.period_grain = 'week'
    and scorecard.period_start = weeks.week_start
order by targets.kpi_name
"""

HEADERS = ("KPI", "Persona", "Value", "Target", "Met", "Sample", "Detail")


@dataclass(frozen=True)
class KpiRow:
    week_start: date | None
    latest_week_start: date | None
    last_day: date | None
    kpi_name: str
    persona: str
    numerator: float | None
    denominator: float | None
    value: float | None
    target_value: float
    comparison: str
    meets_target: bool | None
    sample_size: int | None
    is_small_sample: bool | None


def percent(number: float, signed: bool = False) -> str:
    return f"{number:+.1%}" if signed else f"{number:.1%}"


def cells(row: KpiRow) -> tuple[str, ...]:
    """One table line; time_to_create_workflow is a change against the baseline, hence signed."""
    signed = row.kpi_name == "time_to_create_workflow"
    target = f"{row.comparison} {percent(row.target_value, signed)}"
    if row.sample_size is None:
        return (row.kpi_name, row.persona, "no data", target, "-", "0", "")
    if row.value is None:
        # workbench_adoption when workflow_creations_glob is '' (docs/specification.md).
        value, met, detail = "n/a", "-", "other channels not configured"
    else:
        value = percent(row.value, signed) + (" *" if row.is_small_sample else "")
        met = "yes" if row.meets_target else "no"
        if signed:
            detail = f"median {row.numerator:,.0f}s vs {row.denominator:,.0f}s baseline"
        else:
            detail = f"{row.numerator:,.0f} / {row.denominator:,.0f}"
    return (row.kpi_name, row.persona, value, target, met, f"{row.sample_size:,}", detail)


def render(lines: list[tuple[str, ...]]) -> str:
    """Text columns left-aligned, number-like columns (Value..Sample) right-aligned."""
    widths = [max(len(line[i]) for line in [HEADERS, *lines]) for i in range(len(HEADERS))]
    right = {2, 3, 5}

    def fmt(line: tuple[str, ...]) -> str:
        parts = [
            text.rjust(width) if i in right else text.ljust(width)
            for i, (text, width) in enumerate(zip(line, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([fmt(HEADERS), rule, *(fmt(line) for line in lines)])


def fetch(db_path: Path) -> list[KpiRow]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = [KpiRow(*record) for record in con.execute(QUERY).fetchall()]
    return sorted(rows, key=sort_key)


def sort_key(row: KpiRow) -> tuple[int, str]:
    known = row.kpi_name in KPI_ORDER
    return (KPI_ORDER.index(row.kpi_name) if known else len(KPI_ORDER), row.kpi_name)


def main() -> int:
    db_path = Path(os.environ.get("WORKBENCH_DB_PATH", DEFAULT_DB_PATH))
    if not db_path.exists():
        print(f"error: no warehouse at {db_path}; build it first (make run).", file=sys.stderr)
        return 1
    try:
        rows = fetch(db_path)
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        # Binder: a scorecard built by an earlier version, without is_complete_period.
        print(
            f"error: {db_path} has no KPI scorecard, or one of an earlier version ({exc}); "
            "run dbt build.",
            file=sys.stderr,
        )
        return 1

    first = rows[0] if rows else None
    if first is None or first.week_start is None:
        last_day = first.last_day if first else None
        print(f"No complete ISO week in marts.kpi_scorecard yet (data ends {last_day}).")
        return 0

    week_end = date.fromordinal(first.week_start.toordinal() + 6)
    print(
        f"KPI scorecard, ISO week {first.week_start:%G-W%V} "
        f"({first.week_start} to {week_end}, UTC; data through {first.last_day})"
    )
    print(render([cells(row) for row in rows]))
    if any(row.is_small_sample for row in rows):
        print("* small sample (below the var kpi_min_sample_size): too few to judge on its own")
    latest = first.latest_week_start
    if latest is not None and latest != first.week_start:
        print(
            f"ISO week {latest:%G-W%V} is partial (data through {first.last_day}): not shown; "
            "it is in marts.kpi_scorecard with is_complete_period = false."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

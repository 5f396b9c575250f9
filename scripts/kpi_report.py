#!/usr/bin/env python3
"""Write the KPI report: one self-contained HTML file with a chart per persona KPI and the funnel.

Reads the built warehouse read-only (the serving file when it exists, else the dbt build file) and
draws what the marts already computed: each KPI's value by day and by ISO week against its target,
with sample sizes, and the draft funnel. Plotly's JavaScript is embedded once in the page, so the
file opens anywhere without network access. Nothing here recomputes a KPI.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

DEFAULT_OUTPUT = Path("reports/kpi_report.html")
GRAINS = ("day", "week")
# Display order and wording; a KPI the scorecard adds later is still drawn, after these.
KPI_LABELS = {
    "template_suggestion_rate": (
        "Template suggestion rate",
        "Share of chat turns that got at least one template suggestion.",
    ),
    "time_to_create_workflow": (
        "Time to create a workflow",
        "Median time from draft created to first accepted, relative to the manual baseline "
        "(-50% = twice as fast as building by hand).",
    ),
    "workbench_adoption": (
        "Workbench adoption",
        "Accepted drafts among all new workflows (accepted drafts + other-channel creations).",
    ),
    "template_usage_rate": (
        "Template usage rate",
        "Share of accepted drafts that use a template.",
    ),
}
COLOURS = {"value": "#1f4e79", "target": "#555555", "sample": "#c9d3de"}
MARKER_COLOURS = {True: "#2e7d32", False: "#c62828", None: "#9e9e9e"}
CHART_HEIGHT = 380
WEEK_MS = 7 * 24 * 3600 * 1000

SCORECARD_SQL = """
    select kpi_name, persona, period_grain, period_start, numerator, denominator, value,
        target_value, comparison, meets_target, sample_size
    from marts.kpi_scorecard
    where period_grain in ('day', 'week')
    order by kpi_name, period_grain, period_start
"""
# Each stage is counted on its own date (a volume funnel): chat turns are not linked to drafts by
# id, so following one cohort through every step is not possible from the marts.
FUNNEL_SQL = """
    with steps as (
        select 1 as step, 'Chat turns' as stage, sent_at as happened_at
        from marts.fct_chat_turns
        union all
        select 2, 'Drafts created', created_at from marts.fct_drafts
        union all
        select 3, 'Drafts accepted', first_accepted_at from marts.fct_drafts where is_accepted
        union all
        select 4, 'Runs completed', completed_at
        from marts.fct_workflow_runs
        where status = 'completed'
    )
    select step, stage, cast(date_trunc('week', happened_at) as date) as week_start, count(*)
    from steps
    where happened_at is not null
    group by all
    order by step, week_start
"""


@dataclass(frozen=True)
class ScorecardRow:
    kpi_name: str
    persona: str
    period_grain: str
    period_start: date
    numerator: float | None
    denominator: float | None
    value: float | None
    target_value: float | None
    comparison: str
    meets_target: bool | None
    sample_size: int | None


@dataclass(frozen=True)
class FunnelCount:
    step: int
    stage: str
    week_start: date
    count: int


@dataclass(frozen=True)
class ReportData:
    source: Path
    scorecard: list[ScorecardRow]
    funnel: list[FunnelCount]


def default_db_path() -> Path:
    """The serving file when it exists (what BI tools read), else the dbt build file."""
    serving = Path(os.environ.get("WORKBENCH_SERVING_PATH") or "warehouse/serving.duckdb")
    if serving.is_file():
        return serving
    return Path(os.environ.get("WORKBENCH_DB_PATH") or "warehouse/workbench.duckdb")


def load(db_path: Path) -> ReportData:
    if not db_path.is_file():
        raise SystemExit(f"kpi_report: warehouse file {db_path} not found; run `make run` first")
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            scorecard = [ScorecardRow(*row) for row in con.execute(SCORECARD_SQL).fetchall()]
            funnel = [FunnelCount(*row) for row in con.execute(FUNNEL_SQL).fetchall()]
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        raise SystemExit(
            f"kpi_report: {db_path} lacks a mart or column the report reads ({exc}); "
            "run `make run` first"
        ) from exc
    return ReportData(db_path, scorecard, funnel)


def kpi_names(rows: Sequence[ScorecardRow]) -> list[str]:
    present = {row.kpi_name for row in rows}
    known = [name for name in KPI_LABELS if name in present]
    return known + sorted(present - set(known))


def _pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.6g}"


def _hover(row: ScorecardRow) -> str:
    verdict = {True: "meets target", False: "misses target", None: "no value"}[row.meets_target]
    return (
        f"{row.period_grain} of {row.period_start:%Y-%m-%d}<br>value {_pct(row.value)} "
        f"({verdict}; target {row.comparison} {_pct(row.target_value, 0)})<br>"
        f"numerator {_num(row.numerator)}, denominator {_num(row.denominator)}<br>"
        f"sample size {row.sample_size}"
    )


def week_ticks(weeks: Sequence[date]) -> dict:
    """Ticks on ISO week starts (Mondays; Plotly's own weekly ticks fall on Sundays), at most
    about a dozen of them."""
    step = max(1, -(-len(set(weeks)) // 12))
    return {"tickmode": "linear", "tick0": "2024-01-01", "dtick": step * WEEK_MS}


def kpi_figure(kpi_name: str, rows: Sequence[ScorecardRow]) -> go.Figure:
    """Day and week side by side: value line coloured by target met, target dashed, n as bars."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.65, 0.35],
        subplot_titles=("By day", "By ISO week"),
        specs=[[{"secondary_y": True}, {"secondary_y": True}]],
        horizontal_spacing=0.09,
    )
    for col, grain in enumerate(GRAINS, start=1):
        points = [row for row in rows if row.kpi_name == kpi_name and row.period_grain == grain]
        x = [row.period_start for row in points]
        first = col == 1
        fig.add_trace(
            go.Bar(
                x=x,
                y=[row.sample_size for row in points],
                name="sample size",
                marker_color=COLOURS["sample"],
                legendgroup="sample",
                showlegend=first,
                hoverinfo="skip",
            ),
            row=1,
            col=col,
            secondary_y=False,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[row.target_value for row in points],
                name="target",
                mode="lines",
                line={"color": COLOURS["target"], "dash": "dash", "width": 1.5},
                legendgroup="target",
                showlegend=first,
                hoverinfo="skip",
            ),
            row=1,
            col=col,
            secondary_y=True,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=[row.value for row in points],
                name="value",
                mode="lines+markers",
                line={"color": COLOURS["value"], "width": 2},
                marker={
                    "size": 7,
                    "color": [MARKER_COLOURS[row.meets_target] for row in points],
                },
                legendgroup="value",
                showlegend=first,
                text=[_hover(row) for row in points],
                hovertemplate="%{text}<extra></extra>",
            ),
            row=1,
            col=col,
            secondary_y=True,
        )
        # Plotly draws an overlaying axis above its base axis: the sample-size bars sit on the
        # base axis (shown on the right) so the value and target lines stay visible on top.
        fig.update_yaxes(
            title_text="sample size" if col == 2 else None,
            side="right",
            showgrid=False,
            rangemode="tozero",
            row=1,
            col=col,
            secondary_y=False,
        )
        # An overlaying axis syncs its ticks to the base axis unless told otherwise.
        fig.update_yaxes(
            tickformat=".1~%",
            tickmode="auto",
            side="left",
            showgrid=True,
            row=1,
            col=col,
            secondary_y=True,
        )
        if grain == "week":
            fig.update_xaxes(week_ticks(x), tickformat="%b %-d", row=1, col=col)
    fig.update_layout(
        template="plotly_white",
        height=CHART_HEIGHT,
        margin={"l": 50, "r": 50, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        bargap=0.3,
    )
    return fig


def funnel_totals(counts: Sequence[FunnelCount]) -> list[tuple[str, int]]:
    totals: dict[tuple[int, str], int] = {}
    for item in counts:
        totals[(item.step, item.stage)] = totals.get((item.step, item.stage), 0) + item.count
    return [(stage, total) for (_, stage), total in sorted(totals.items())]


def funnel_figure(counts: Sequence[FunnelCount]) -> go.Figure:
    totals = funnel_totals(counts)
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.45, 0.55],
        subplot_titles=("Whole period", "By ISO week"),
        horizontal_spacing=0.12,
    )
    fig.add_trace(
        go.Funnel(
            y=[stage for stage, _ in totals],
            x=[total for _, total in totals],
            textinfo="value+percent previous",
            marker={"color": COLOURS["value"]},
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    for stage, _ in totals:
        weekly = [item for item in counts if item.stage == stage]
        fig.add_trace(
            go.Scatter(
                x=[item.week_start for item in weekly],
                y=[item.count for item in weekly],
                name=stage,
                mode="lines+markers",
            ),
            row=1,
            col=2,
        )
    fig.update_yaxes(rangemode="tozero", title_text="count", row=1, col=2)
    weeks = [item.week_start for item in counts]
    fig.update_xaxes(week_ticks(weeks), tickformat="%b %-d", row=1, col=2)
    fig.update_layout(
        template="plotly_white",
        height=CHART_HEIGHT,
        margin={"l": 50, "r": 30, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def _card(kpi_name: str, rows: Sequence[ScorecardRow]) -> str:
    title = KPI_LABELS.get(kpi_name, (kpi_name, ""))[0]
    weeks = [row for row in rows if row.kpi_name == kpi_name and row.period_grain == "week"]
    if not weeks:
        return ""
    last = weeks[-1]
    status = {True: "meets", False: "misses", None: "no value"}[last.meets_target]
    return (
        f'<div class="card {status.replace(" ", "-")}"><div class="persona">'
        f'{html.escape(last.persona)}</div><div class="title">{html.escape(title)}</div>'
        f'<div class="value">{_pct(last.value)}</div><div class="detail">week of '
        f"{last.period_start:%Y-%m-%d}: {status} target {html.escape(last.comparison)} "
        f"{_pct(last.target_value, 0)}, n = {last.sample_size}</div></div>"
    )


def _chart(fig: go.Figure, div_id: str) -> str:
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        default_height=f"{CHART_HEIGHT}px",
        config={"displaylogo": False, "responsive": True},
    )


STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1320px; color: #222; }
h1 { margin-bottom: 4px; } h2 { margin: 32px 0 2px; } .sub { color: #555; margin: 0 0 8px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { flex: 1 1 240px; border-radius: 8px; padding: 12px 16px; background: #f5f5f5;
        border-left: 6px solid #9e9e9e; }
.card.meets { border-left-color: #2e7d32; } .card.misses { border-left-color: #c62828; }
.persona { font-size: 12px; text-transform: uppercase; color: #666; }
.title { font-weight: 600; } .value { font-size: 28px; margin: 4px 0; }
.detail { font-size: 13px; color: #555; }
"""


def render(data: ReportData) -> str:
    names = kpi_names(data.scorecard)
    cards = "".join(_card(name, data.scorecard) for name in names)
    sections = []
    for name in names:
        title, description = KPI_LABELS.get(name, (name, ""))
        persona = next(row.persona for row in data.scorecard if row.kpi_name == name)
        sections.append(
            f'<section class="kpi" data-kpi="{html.escape(name)}"><h2>{html.escape(title)} '
            f"<small>({html.escape(persona)})</small></h2>"
            f'<p class="sub">{html.escape(description)}</p>'
            f"{_chart(kpi_figure(name, data.scorecard), f'chart-{name}')}</section>"
        )
    periods = [row.period_start for row in data.scorecard if row.period_grain == "day"]
    span = f"{min(periods):%Y-%m-%d} to {max(periods):%Y-%m-%d}" if periods else "no periods"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbench KPI report</title>
<style>{STYLE}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<h1>Workbench KPI report</h1>
<p class="sub">Days {span} (UTC) from {html.escape(data.source.name)}. Dots are green when the
period meets its target, red when it misses; the dashed line is the target; grey bars are the
sample size (right axis). Latest ISO week (possibly partial):</p>
<div class="cards">{cards}</div>
{"".join(sections)}
<section class="funnel"><h2>Draft funnel</h2>
<p class="sub">Chat turns, drafts created, drafts accepted and workflow runs completed (status
completed), each counted on the date it happened.</p>
{_chart(funnel_figure(data.funnel), "chart-funnel")}</section>
</body></html>
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="DuckDB file (default: serving, else build file)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="HTML file to write")
    args = parser.parse_args(argv)
    data = load(args.db or default_db_path())
    if not data.scorecard:
        raise SystemExit(f"kpi_report: marts.kpi_scorecard in {data.source} has no rows")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(data), encoding="utf-8")
    size_mb = args.output.stat().st_size / 1e6
    print(f"KPI report written: {args.output} ({size_mb:.1f} MB, from {data.source})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

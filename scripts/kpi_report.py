#!/usr/bin/env python3
"""Write the KPI report: one self-contained HTML file with a chart per persona KPI and the funnel.

Reads the built warehouse read-only (the serving file when it exists, else the dbt build file) and
draws what the marts already computed: each KPI's value by day and by ISO week against its target,
with sample sizes, and the draft funnel. The charts are static SVG written here (no JavaScript, no
plotting library), so the file is small and opens in any browser without network access; hovering
a point shows its numbers (SVG titles). Nothing here recomputes a KPI.

The headline cards show the latest complete ISO week (`is_complete_period`), as
scripts/print_scorecard.py does; the current, partial week is shown beside them, labelled partial.
Small samples (`is_small_sample`) are greyed out. Rate axes always run from 0% to 100%.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
from report_page import parse_args, read_marts, write_page

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
COLOURS = {"value": "#1f4e79", "target": "#555555", "sample": "#c9d3de", "small": "#d6d6d6"}
MARKER_COLOURS = {True: "#2e7d32", False: "#c62828", None: "#9e9e9e"}
# One colour per funnel stage in the weekly lines.
STAGE_COLOURS = ("#1f4e79", "#6a8caf", "#2e7d32", "#e08214")
# The time KPI is a change against the baseline: its axis runs from -100% (instant) up to 0% (as
# slow as by hand) or higher, in these steps.
CHANGE_AXIS_STEP = 0.25

SCORECARD_SQL = """
    select kpi_name, persona, period_grain, period_start, numerator, denominator, value,
        target_value, comparison, meets_target, sample_size, period_end, is_complete_period,
        is_small_sample
    from marts.kpi_scorecard
    where period_grain in ('day', 'week')
    order by kpi_name, period_grain, period_start
"""
# marts.kpi_funnel counts each stage on its own date (a volume funnel, see docs/kpis.md); the
# report draws its weekly rows and adds them up for the whole period (counts are additive).
FUNNEL_SQL = """
    select step_number, stage, period_start, member_count
    from marts.kpi_funnel
    where period_grain = 'week'
    order by step_number, period_start
"""
# Display wording of the mart's stages; a stage the mart adds later is drawn under its own name.
STAGE_LABELS = {
    "chat_turns": "Chat turns",
    "drafts_created": "Drafts created",
    "drafts_accepted": "Drafts accepted",
    "runs_completed": "Runs completed",
}


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
    period_end: date
    is_complete_period: bool
    is_small_sample: bool


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


def load(db_path: Path) -> ReportData:
    def read(con: duckdb.DuckDBPyConnection) -> ReportData:
        scorecard = [ScorecardRow(*row) for row in con.execute(SCORECARD_SQL).fetchall()]
        funnel = [
            FunnelCount(step, STAGE_LABELS.get(stage, stage), week_start, count)
            for step, stage, week_start, count in con.execute(FUNNEL_SQL).fetchall()
        ]
        return ReportData(db_path, scorecard, funnel)

    return read_marts("kpi_report", db_path, read)


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
    notes = [
        *([] if row.is_complete_period else ["partial period: the data does not cover all of it"]),
        *(["small sample: too few to judge"] if row.is_small_sample else []),
    ]
    return "\n".join(
        [
            f"{row.period_grain} of {row.period_start:%Y-%m-%d}: value {_pct(row.value)}",
            f"{verdict}; target {row.comparison} {_pct(row.target_value, 0)}",
            f"numerator {_num(row.numerator)}, denominator {_num(row.denominator)}",
            f"sample size {row.sample_size}",
            *notes,
        ]
    )


# ---------------------------------------------------------------------------------------------
# What a chart shows, computed first (the tests read these), then drawn as SVG.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    x: date
    value: float | None
    sample_size: int
    colour: str  # by target met; grey for a small sample or no value
    is_small_sample: bool
    is_partial: bool
    hover: str


@dataclass(frozen=True)
class Panel:
    title: str
    grain: str
    points: list[Point]
    target: float | None
    y_range: tuple[float, float]
    y_label: str


def is_change_kpi(kpi_name: str) -> bool:
    """time_to_create_workflow is a change against the baseline (-0.5 = twice as fast), not a
    share, so its axis is not 0-100%."""
    return kpi_name == "time_to_create_workflow"


def y_range(kpi_name: str, values: Sequence[float]) -> tuple[float, float]:
    """Honest axes: a share always on 0-100%; the change KPI from -100% to at least 0%."""
    if not is_change_kpi(kpi_name):
        return (0.0, 1.0)
    top = max([0.0, *values])
    steps = -(-top // CHANGE_AXIS_STEP)  # ceiling
    return (-1.0, steps * CHANGE_AXIS_STEP)


def kpi_panel(kpi_name: str, rows: Sequence[ScorecardRow], grain: str) -> Panel:
    chosen = [row for row in rows if row.kpi_name == kpi_name and row.period_grain == grain]
    points = [
        Point(
            x=row.period_start,
            value=row.value,
            sample_size=row.sample_size or 0,
            colour=(
                COLOURS["small"]
                if row.is_small_sample and row.value is not None
                else MARKER_COLOURS[row.meets_target]
            ),
            is_small_sample=row.is_small_sample,
            is_partial=not row.is_complete_period,
            hover=_hover(row),
        )
        for row in chosen
    ]
    targets = {row.target_value for row in chosen if row.target_value is not None}
    values = [point.value for point in points if point.value is not None]
    return Panel(
        title="By day" if grain == "day" else "By ISO week",
        grain=grain,
        points=points,
        target=targets.pop() if len(targets) == 1 else None,
        y_range=y_range(kpi_name, [*values, *targets]),
        y_label="change vs manual baseline" if is_change_kpi(kpi_name) else "share of population",
    )


def kpi_panels(kpi_name: str, rows: Sequence[ScorecardRow]) -> list[Panel]:
    return [kpi_panel(kpi_name, rows, grain) for grain in GRAINS]


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _f(number: float) -> str:
    return f"{number:.1f}"


@dataclass(frozen=True)
class Frame:
    """Pixel geometry of one panel: the value plot above, the sample-size strip below it."""

    width: int
    left: int = 56
    right: int = 12
    top: int = 28
    plot_height: int = 180
    gap: int = 14
    strip_height: int = 44
    bottom: int = 24

    @property
    def height(self) -> int:
        return self.top + self.plot_height + self.gap + self.strip_height + self.bottom

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def strip_top(self) -> int:
        return self.top + self.plot_height + self.gap


def _x_scale(days: Sequence[date], frame: Frame, step_days: int):
    """Dates to pixels on a time axis (gaps between periods stay visible), with room for half a
    period at each end."""
    first, last = min(days).toordinal(), max(days).toordinal()
    span = (last - first) + step_days
    unit = frame.plot_width / span

    def x(day: date) -> float:
        return frame.left + (day.toordinal() - first + step_days / 2) * unit

    return x, unit * step_days


def _date_labels(days: Sequence[date], x, baseline: float) -> list[str]:
    """At most about eight date labels under the axis."""
    step = max(1, -(-len(days) // 8))
    return [
        f'<text x="{_f(x(day))}" y="{baseline}" text-anchor="middle" class="tick">'
        f"{day:%b} {day.day}</text>"
        for day in days[::step]
    ]


def panel_svg(panel: Panel, width: int) -> str:
    frame = Frame(width)
    low, high = panel.y_range

    def y(value: float) -> float:
        return frame.top + (high - value) / (high - low) * frame.plot_height

    parts = [
        f'<svg class="panel" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{frame.height}" viewBox="0 0 {width} {frame.height}" role="img" '
        f'aria-label="{_attr(panel.title)}">',
        f'<text x="{frame.left}" y="16" class="panel-title">{html.escape(panel.title)}</text>',
        f'<text x="{width - frame.right}" y="16" text-anchor="end" class="tick">'
        f"{html.escape(panel.y_label)}</text>",
    ]
    # Gridlines and labels every 25 points on the value axis.
    ticks = round((high - low) / 0.25)
    for i in range(ticks + 1):
        value = low + i * 0.25
        parts.append(
            f'<line x1="{frame.left}" x2="{width - frame.right}" y1="{_f(y(value))}" '
            f'y2="{_f(y(value))}" class="{"zero" if abs(value) < 1e-9 else "grid"}"/>'
            f'<text x="{frame.left - 6}" y="{_f(y(value) + 4)}" text-anchor="end" '
            f'class="tick">{value:.0%}</text>'
        )
    if not panel.points:
        parts.append("</svg>")
        return "".join(parts)
    days = [point.x for point in panel.points]
    x, period_px = _x_scale(days, frame, 7 if panel.grain == "week" else 1)
    if panel.target is not None:
        parts.append(
            f'<line x1="{frame.left}" x2="{width - frame.right}" y1="{_f(y(panel.target))}" '
            f'y2="{_f(y(panel.target))}" class="target"><title>target '
            f"{_pct(panel.target, 0)}</title></line>"
        )
    # Sample sizes as bars in their own strip: an axis of their own, never over the values.
    most = max(point.sample_size for point in panel.points) or 1
    bar = max(1.0, min(period_px * 0.7, 24.0))
    strip_bottom = frame.strip_top + frame.strip_height
    parts.append(
        f'<text x="{frame.left - 6}" y="{frame.strip_top + 9}" text-anchor="end" '
        f'class="tick">n {most:,}</text>'
    )
    for point in panel.points:
        height = point.sample_size / most * frame.strip_height
        parts.append(
            f'<rect class="sample" x="{_f(x(point.x) - bar / 2)}" y="{_f(strip_bottom - height)}" '
            f'width="{_f(bar)}" height="{_f(height)}" fill="{COLOURS["sample"]}">'
            f"<title>{html.escape(point.hover)}</title></rect>"
        )
    # The value line joins the periods that can be read: small samples and gaps break it.
    segments: list[list[Point]] = [[]]
    for point in panel.points:
        if point.value is None or point.is_small_sample:
            segments.append([])
        else:
            segments[-1].append(point)
    for segment in segments:
        if len(segment) > 1:
            coords = " ".join(f"{_f(x(p.x))},{_f(y(p.value))}" for p in segment)
            parts.append(
                f'<polyline class="series" points="{coords}" fill="none" '
                f'stroke="{COLOURS["value"]}" stroke-width="2"/>'
            )
    for point in panel.points:
        if point.value is None:
            continue
        classes = " ".join(
            [
                "point",
                *(["small"] if point.is_small_sample else []),
                *(["partial"] if point.is_partial else []),
            ]
        )
        # A partial period is drawn hollow: its value may still move.
        fill = "#ffffff" if point.is_partial else point.colour
        parts.append(
            f'<circle class="{classes}" cx="{_f(x(point.x))}" cy="{_f(y(point.value))}" r="4.5" '
            f'fill="{fill}" stroke="{point.colour}" stroke-width="2">'
            f"<title>{html.escape(point.hover)}</title></circle>"
        )
    parts += _date_labels(days, x, frame.strip_top + frame.strip_height + 16)
    parts.append("</svg>")
    return "".join(parts)


def kpi_chart(kpi_name: str, rows: Sequence[ScorecardRow]) -> str:
    day, week = kpi_panels(kpi_name, rows)
    return (
        f'<div class="chart" id="chart-{_attr(kpi_name)}">'
        f"{panel_svg(day, 820)}{panel_svg(week, 440)}</div>"
    )


def funnel_totals(counts: Sequence[FunnelCount]) -> list[tuple[str, int]]:
    totals: dict[tuple[int, str], int] = {}
    for item in counts:
        totals[(item.step, item.stage)] = totals.get((item.step, item.stage), 0) + item.count
    return [(stage, total) for (_, stage), total in sorted(totals.items())]


def funnel_chart(counts: Sequence[FunnelCount]) -> str:
    """Whole-period totals as bars (with the share of the step before), and each stage by week."""
    totals = funnel_totals(counts)
    width, row_height, label_width = 520, 40, 150
    height = 30 + row_height * max(1, len(totals))
    most = max([total for _, total in totals] or [1]) or 1
    bars = [
        f'<svg class="panel" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Whole period">'
        '<text x="0" y="16" class="panel-title">Whole period</text>'
    ]
    previous = None
    for i, (stage, total) in enumerate(totals):
        top = 28 + i * row_height
        length = total / most * (width - label_width - 140)
        share = f" ({total / previous:.0%} of previous)" if previous else ""
        bars.append(
            f'<text x="{label_width - 8}" y="{top + 19}" text-anchor="end">'
            f"{html.escape(stage)}</text>"
            f'<rect class="series" x="{label_width}" y="{top + 4}" width="{_f(max(length, 1.0))}" '
            f'height="{row_height - 12}" fill="{COLOURS["value"]}"><title>{html.escape(stage)}: '
            f"{total:,}</title></rect>"
            f'<text x="{_f(label_width + length + 6)}" y="{top + 19}">{total:,}{share}</text>'
        )
        previous = total
    bars.append("</svg>")

    frame = Frame(560, plot_height=200, strip_height=0, gap=0, bottom=44)
    weeks = sorted({item.week_start for item in counts})
    lines = [
        f'<svg class="panel" xmlns="http://www.w3.org/2000/svg" width="{frame.width}" '
        f'height="{frame.height}" viewBox="0 0 {frame.width} {frame.height}" role="img" '
        'aria-label="By ISO week"><text x="56" y="16" class="panel-title">By ISO week</text>'
    ]
    if weeks:
        x, _ = _x_scale(weeks, frame, 7)
        top_count = max(item.count for item in counts) or 1

        def y(count: float) -> float:
            return frame.top + (1 - count / top_count) * frame.plot_height

        for fraction in (0, 0.5, 1):
            lines.append(
                f'<line x1="{frame.left}" x2="{frame.width - frame.right}" '
                f'y1="{_f(y(fraction * top_count))}" y2="{_f(y(fraction * top_count))}" '
                f'class="grid"/><text x="{frame.left - 6}" y="{_f(y(fraction * top_count) + 4)}" '
                f'text-anchor="end" class="tick">{fraction * top_count:,.0f}</text>'
            )
        for i, (stage, _) in enumerate(totals):
            colour = STAGE_COLOURS[i % len(STAGE_COLOURS)]
            weekly = [item for item in counts if item.stage == stage]
            coords = " ".join(f"{_f(x(item.week_start))},{_f(y(item.count))}" for item in weekly)
            lines.append(
                f'<polyline class="series" points="{coords}" fill="none" stroke="{colour}" '
                f'stroke-width="2"><title>{html.escape(stage)}</title></polyline>'
            )
            lines += [
                f'<circle class="point" cx="{_f(x(item.week_start))}" cy="{_f(y(item.count))}" '
                f'r="3.5" fill="{colour}"><title>{html.escape(stage)}, week of '
                f"{item.week_start:%Y-%m-%d}: {item.count:,}</title></circle>"
                for item in weekly
            ]
            lines.append(
                f'<text x="{frame.left + 8 + 130 * i}" y="{frame.height - 2}" fill="{colour}" '
                f'class="legend">&#9632; {html.escape(stage)}</text>'
            )
        lines += _date_labels(weeks, x, frame.top + frame.plot_height + 14)
    lines.append("</svg>")
    return f'<div class="chart" id="chart-funnel">{"".join(bars)}{"".join(lines)}</div>'


# ---------------------------------------------------------------------------------------------
# The headline cards: the latest complete ISO week, and the partial week after it as such.
# ---------------------------------------------------------------------------------------------
def headline_weeks(rows: Sequence[ScorecardRow]) -> tuple[date | None, date | None]:
    """(latest complete week, the partial week after it or None): the same week
    print_scorecard.py prints, chosen by the scorecard's is_complete_period."""
    weeks = [row for row in rows if row.period_grain == "week"]
    complete = max((row.period_start for row in weeks if row.is_complete_period), default=None)
    latest = max((row.period_start for row in weeks), default=None)
    # Weeks end in order, so a week after the latest complete one is partial.
    return complete, latest if latest != complete else None


def _card(kpi_name: str, rows: Sequence[ScorecardRow], week: date, partial: bool) -> str:
    title = KPI_LABELS.get(kpi_name, (kpi_name, ""))[0]
    match = [
        row
        for row in rows
        if row.kpi_name == kpi_name and row.period_grain == "week" and row.period_start == week
    ]
    persona = next((row.persona for row in rows if row.kpi_name == kpi_name), "")
    label = "partial week" if partial else "week"
    if not match:
        return (
            f'<div class="card no-data{" partial" if partial else ""}"><div class="persona">'
            f'{html.escape(persona)}</div><div class="title">{html.escape(title)}</div>'
            f'<div class="value">no data</div><div class="detail">{label} of {week:%Y-%m-%d}: '
            "no population in this week</div></div>"
        )
    (row,) = match
    status = {True: "meets", False: "misses", None: "no value"}[row.meets_target]
    classes = ["card", status.replace(" ", "-")]
    notes = []
    if partial:
        classes.append("partial")
        notes.append(f"partial: {row.period_start:%b} {row.period_start.day} to date, provisional")
    if row.is_small_sample:
        classes.append("small-sample")
        notes.append("small sample: too few to judge")
    note = f'<div class="note">{html.escape("; ".join(notes))}</div>' if notes else ""
    return (
        f'<div class="{" ".join(classes)}"><div class="persona">'
        f'{html.escape(row.persona)}</div><div class="title">{html.escape(title)}</div>'
        f'<div class="value">{_pct(row.value)}</div><div class="detail">{label} of '
        f"{row.period_start:%Y-%m-%d} to {row.period_end:%Y-%m-%d}: {status} target "
        f"{html.escape(row.comparison)} {_pct(row.target_value, 0)}, n = {row.sample_size}"
        f"</div>{note}</div>"
    )


def cards_html(rows: Sequence[ScorecardRow]) -> str:
    names = kpi_names(rows)
    complete, partial = headline_weeks(rows)
    parts = []
    if complete is None:
        parts.append('<p class="sub">No complete ISO week in the data yet.</p>')
    else:
        parts.append(
            f'<h2 class="cards-title">Latest complete ISO week: {complete:%G-W%V}</h2>'
            f'<div class="cards">{"".join(_card(n, rows, complete, False) for n in names)}</div>'
        )
    if partial is not None:
        parts.append(
            f'<h3 class="cards-title">Current week {partial:%G-W%V}, partial (provisional)</h3>'
            f'<div class="cards partial">{"".join(_card(n, rows, partial, True) for n in names)}'
            "</div>"
        )
    return "".join(parts)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1320px; color: #222; }
h1 { margin-bottom: 4px; } h2 { margin: 32px 0 2px; } .sub { color: #555; margin: 0 0 8px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.card { flex: 1 1 240px; border-radius: 8px; padding: 12px 16px; background: #f5f5f5;
        border-left: 6px solid #9e9e9e; }
.card.meets { border-left-color: #2e7d32; } .card.misses { border-left-color: #c62828; }
.card.partial { background: #fff; border: 1px dashed #9e9e9e; border-left-width: 6px; }
.card.small-sample .value { color: #9e9e9e; }
.persona { font-size: 12px; text-transform: uppercase; color: #666; }
.title { font-weight: 600; } .value { font-size: 28px; margin: 4px 0; }
.detail, .note { font-size: 13px; color: #555; } .note { font-style: italic; }
.chart { display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }
.panel { font-size: 12px; } .panel-title { font-weight: 600; font-size: 13px; }
.tick { fill: #555; font-size: 11px; } .grid { stroke: #e6e6e6; } .zero { stroke: #999; }
.target { stroke: #555555; stroke-dasharray: 6 4; stroke-width: 1.5; }
.point.small { opacity: 0.8; }
"""


def render(data: ReportData) -> str:
    names = kpi_names(data.scorecard)
    sections = []
    for name in names:
        title, description = KPI_LABELS.get(name, (name, ""))
        persona = next(row.persona for row in data.scorecard if row.kpi_name == name)
        axis = (
            "Axis: -100% (instant) to 0% (as slow as by hand) or above."
            if is_change_kpi(name)
            else "Axis: 0% to 100%."
        )
        sections.append(
            f'<section class="kpi" data-kpi="{html.escape(name)}"><h2>{html.escape(title)} '
            f"<small>({html.escape(persona)})</small></h2>"
            f'<p class="sub">{html.escape(description)} {axis}</p>'
            f"{kpi_chart(name, data.scorecard)}</section>"
        )
    periods = [row.period_start for row in data.scorecard if row.period_grain == "day"]
    span = f"{min(periods):%Y-%m-%d} to {max(periods):%Y-%m-%d}" if periods else "no periods"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbench KPI report</title>
<style>{STYLE}</style>
</head><body>
<h1>Workbench KPI report</h1>
<p class="sub">Days {span} (UTC) from {html.escape(data.source.name)}. Dots are green when the
period meets its target, red when it misses; hollow dots are partial periods (the data does not
cover the whole period yet); light grey dots are small samples, too few to judge, and the line
skips them. The dashed line is the target; grey bars below each chart are the sample size. Hover
a dot or bar for its numbers.</p>
{cards_html(data.scorecard)}
{"".join(sections)}
<section class="funnel"><h2>Draft funnel</h2>
<p class="sub">Chat turns, drafts created, drafts accepted and workflow runs completed (status
completed), each counted on the date it happened.</p>
{funnel_chart(data.funnel)}</section>
</body></html>
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], DEFAULT_OUTPUT, argv)
    data = load(args.db)
    if not data.scorecard:
        raise SystemExit(f"kpi_report: marts.kpi_scorecard in {data.source} has no rows")
    write_page(args.output, render(data), "KPI report", data.source)
    return 0


if __name__ == "__main__":
    sys.exit(main())

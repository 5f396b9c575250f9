#!/usr/bin/env python3
"""Write the instrumentation-health page: one self-contained HTML file beside the KPI report.

Reads the marts `marts.health_*` read-only (the serving file when it exists, else the dbt build
file) and shows what they computed (docs/health.md): a heat map of each taxonomy event's share of
valid lines per day, the top violations, the unplanned events and properties, and each KPI's
exposure to bad input by day. Static SVG and tables, no JavaScript and no network; hovering a
cell shows its numbers. Nothing here recomputes a count.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from report_page import parse_args, read_marts, write_page

DEFAULT_OUTPUT = Path("reports/health_report.html")
# Days shown in the heat map and the exposure table: the newest ones.
DAYS_SHOWN = 28
TOP_VIOLATIONS = 20
# Valid share of a day's lines -> cell colour; a day without lines of the event is NO_LINES.
SCALE = ((0.999, "#2e7d32"), (0.98, "#9ccc65"), (0.9, "#fbc02d"), (0.0, "#c62828"))
NO_LINES = "#eeeeee"
VIOLATION_HEADERS = ("event", "kind", "code or property", "lines", "first day", "last day")
PROPERTY_HEADERS = ("event", "key", "forbidden", "lines", "first day", "last day")
UNTRUSTWORTHY = "#f8d7da"

EVENT_DAYS_SQL = """
    select event_name, event_date, lines_received, lines_kept, lines_duplicate, lines_quarantined
    from marts.health_event_daily
    where event_date > (select max(event_date) from marts.health_event_daily) - ?
    order by event_name, event_date
"""
VIOLATIONS_SQL = """
    select event_name, 'quarantined' as kind, reason_code as code, sum(lines) as lines,
        min(event_date) as first_day, max(event_date) as last_day
    from marts.health_event_reasons_daily
    group by event_name, reason_code
    union all
    select event_name, 'property ' || state, property_key, sum(lines), min(event_date),
        max(event_date)
    from (
        select event_name, property_key, event_date, 'wrong' as state, lines_wrong as lines
        from marts.health_property_daily
        union all
        select event_name, property_key, event_date, 'blank', lines_blank
        from marts.health_property_daily
        union all
        select event_name, property_key, event_date, 'null', lines_null
        from marts.health_property_daily
    ) as states
    where lines > 0
    group by event_name, state, property_key
    order by lines desc, event_name, kind, code
    limit ?
"""
UNPLANNED_EVENTS_SQL = """
    select event_name, lines, first_seen_date, last_seen_date, example_source_file,
        example_line_number
    from marts.health_unplanned_events
    order by lines desc, event_name
"""
UNPLANNED_PROPERTIES_SQL = """
    select event_name, property_key, is_denylisted, lines, first_seen_date, last_seen_date
    from marts.health_unplanned_properties
    order by lines desc, event_name, property_key
"""
EXPOSURE_SQL = """
    select kpi_name, period_start, input_lines, lines_lost, lost_share, is_trustworthy
    from marts.health_kpi_exposure
    where period_grain = 'day'
        and period_start > (select max(period_start) from marts.health_kpi_exposure) - ?
    order by kpi_name, period_start
"""


@dataclass
class HealthData:
    source: Path
    event_days: list[tuple]
    violations: list[tuple]
    unplanned_events: list[tuple]
    unplanned_properties: list[tuple]
    exposure: list[tuple]


def load(db_path: Path) -> HealthData:
    return read_marts(
        "health_report",
        db_path,
        lambda con: HealthData(
            db_path,
            con.execute(EVENT_DAYS_SQL, [DAYS_SHOWN]).fetchall(),
            con.execute(VIOLATIONS_SQL, [TOP_VIOLATIONS]).fetchall(),
            con.execute(UNPLANNED_EVENTS_SQL).fetchall(),
            con.execute(UNPLANNED_PROPERTIES_SQL).fetchall(),
            con.execute(EXPOSURE_SQL, [DAYS_SHOWN]).fetchall(),
        ),
    )


def valid_colour(valid: int, judged: int) -> str:
    if judged == 0:
        return NO_LINES
    share = valid / judged
    return next(colour for floor, colour in SCALE if share >= floor)


def heat_map(rows: Sequence[tuple]) -> str:
    """Event x day: the share of the day's judged lines (kept + quarantined) that were valid."""
    events = sorted({row[0] for row in rows})
    days = sorted({row[1] for row in rows})
    if not events:
        return '<p class="note">No lines yet.</p>'
    cell, left, top = 18, 230, 16
    width, height = left + cell * len(days) + 8, top + cell * len(events) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        ' role="img" aria-label="valid share per event and day">'
    ]
    for y, event in enumerate(events):
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{top + cell * y + 13}"'
            f' text-anchor="end">{html.escape(event)}</text>'
        )
    by_cell = {(row[0], row[1]): row for row in rows}
    for x, day in enumerate(days):
        if x % 7 == 0 or x == len(days) - 1:
            parts.append(
                f'<text class="tick" x="{left + cell * x}" y="{top + cell * len(events) + 14}">'
                f"{day:%m-%d}</text>"
            )
        for y, event in enumerate(events):
            _, _, received, kept, duplicate, quarantined = by_cell[(event, day)]
            valid = kept + duplicate
            judged = valid + quarantined
            share = f"{valid / judged:.1%} valid" if judged else "no lines"
            title = (
                f"{event} on {day:%Y-%m-%d}: {received} lines received, {kept} kept, "
                f"{duplicate} duplicates, {quarantined} quarantined ({share})"
            )
            parts.append(
                f'<rect class="point" x="{left + cell * x}" y="{top + cell * y}"'
                f' width="{cell - 2}" height="{cell - 2}" fill="{valid_colour(valid, judged)}">'
                f"<title>{html.escape(title)}</title></rect>"
            )
    parts.append("</svg>")
    return f'<div class="chart" id="chart-health-heatmap">{"".join(parts)}</div>'


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> str:
    if not rows:
        return f'<p class="note">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(value))}</td>" for value in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value: object) -> str:
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def exposure_table(rows: Sequence[tuple]) -> str:
    """KPI x day: the lost share, shaded where the KPI is not trustworthy that day."""
    kpis = sorted({row[0] for row in rows})
    days = sorted({row[1] for row in rows})
    if not kpis:
        return '<p class="note">No KPI input yet.</p>'
    by_cell = {(row[0], row[1]): row for row in rows}
    head = "<th>KPI</th>" + "".join(f"<th>{day:%m-%d}</th>" for day in days)
    body = []
    for kpi in kpis:
        cells = []
        for day in days:
            row = by_cell.get((kpi, day))
            if row is None:
                cells.append("<td></td>")
                continue
            _, _, input_lines, lost, share, trustworthy = row
            style = "" if trustworthy else f' style="background:{UNTRUSTWORTHY}"'
            title = f"{kpi} on {day:%Y-%m-%d}: {lost} of {input_lines} input lines lost"
            cells.append(
                f'<td class="exposure" data-trustworthy="{str(trustworthy).lower()}"{style}'
                f' title="{html.escape(title)}">{share:.1%}</td>'
            )
        body.append(f"<tr><th>{html.escape(kpi)}</th>{''.join(cells)}</tr>")
    return (
        f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; max-width: 1300px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
.sub { color: #555; font-size: 13px; max-width: 900px; } .note { font-style: italic; color: #555; }
.tick { fill: #555; font-size: 11px; }
table { border-collapse: collapse; font-size: 12px; }
td, th { border: 1px solid #ddd; padding: 3px 6px; }
th { background: #f4f4f4; text-align: left; } .grid td { text-align: right; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px;
    vertical-align: middle; }
"""


def render(data: HealthData) -> str:
    legend = "".join(
        f'<span style="background:{colour}"></span>{label}'
        for colour, label in [
            (SCALE[0][1], "all valid"),
            (SCALE[1][1], "98% or more"),
            (SCALE[2][1], "90% or more"),
            (SCALE[3][1], "below 90%"),
            (NO_LINES, "no lines"),
        ]
    )
    violations = [
        (event or "(no taxonomy event)", kind, code, lines, first, last)
        for event, kind, code, lines, first, last in data.violations
    ]
    unplanned_events = [
        (name, lines, first, last, f"{source}:{line}")
        for name, lines, first, last, source, line in data.unplanned_events
    ]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Workbench instrumentation health</title>
<style>{STYLE}</style>
</head><body>
<h1>Instrumentation health</h1>
<p class="sub">The tracking plan (seed event_taxonomy) against what the clients sent, from
{html.escape(data.source.name)}. Counts only: no property value and no line text (a line's
redacted text is in audit.quarantined_events of the build file). Definitions: docs/health.md.</p>
<section class="health"><h2>Valid lines per event and day</h2>
<p class="sub">The newest {DAYS_SHOWN} days; the share of each day's lines (kept, duplicate and
quarantined) that were valid. Hover a cell for its numbers.</p>
<p class="legend">{legend}</p>
{heat_map(data.event_days)}</section>
<section class="health" id="violations"><h2>Top violations</h2>
<p class="sub">Quarantine reason codes per event, and properties that arrived wrong, blank or
null, over all days.</p>
{table(VIOLATION_HEADERS, violations, "No violations.")}
</section>
<section class="health" id="unplanned-events"><h2>Unplanned events</h2>
<p class="sub">Event names outside the taxonomy; the example is the first such line (file:line),
whose redacted text audit.quarantined_events keeps.</p>
{table(["event", "lines", "first day", "last day", "example"], unplanned_events, "None.")}
</section>
<section class="health" id="unplanned-properties"><h2>Unplanned properties</h2>
<p class="sub">Keys outside the event's taxonomy entry; forbidden keys were dropped with their
values and are only counted.</p>
{table(PROPERTY_HEADERS, data.unplanned_properties, "None.")}
</section>
<section class="health" id="exposure"><h2>KPI exposure</h2>
<p class="sub">The share of each KPI's input lines lost per day (quarantined, or a property the
KPI needs unusable); shaded where it exceeds the build's health_max_kpi_lost_share, so the KPI's
value for that day is not trustworthy.</p>
{exposure_table(data.exposure)}</section>
</body></html>
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], DEFAULT_OUTPUT, argv)
    data = load(args.db)
    write_page(args.output, render(data), "Health report", data.source)
    return 0


if __name__ == "__main__":
    sys.exit(main())

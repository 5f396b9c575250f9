"""The KPI report: what it draws from a small hand-made warehouse, that it is one self-contained
file, and that a real headless Chromium opens it with no console error and charts on screen."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from conftest import ROOT, Build, load_script

SCRIPT = ROOT / "scripts" / "kpi_report.py"


report = load_script(SCRIPT)

# ---------------------------------------------------------------------------------------------
# A hand-made warehouse with only the columns the report reads. Two ISO weeks: 2026-10-05 and
# 2026-10-12 (both Mondays).
# ---------------------------------------------------------------------------------------------
# marts.kpi_funnel: (period_grain, period_start, step_number, stage, member_count). How the mart
# counts is its own test (its dbt unit test and tests/python/test_golden.py); here, what the report
# draws from it.
FUNNEL = [
    ("week", "2026-10-05", 1, "chat_turns", 3),
    ("week", "2026-10-05", 2, "drafts_created", 2),
    ("week", "2026-10-05", 3, "drafts_accepted", 1),
    ("week", "2026-10-05", 4, "runs_completed", 1),
    ("week", "2026-10-12", 1, "chat_turns", 2),
    ("week", "2026-10-12", 2, "drafts_created", 1),
    ("week", "2026-10-12", 3, "drafts_accepted", 1),
    ("week", "2026-10-12", 4, "runs_completed", 1),
    # Scenario: day and month rows exist but the funnel is drawn by week only: counting them too
    # would double the totals.
    ("day", "2026-10-05", 1, "chat_turns", 2),
    ("day", "2026-10-05", 2, "drafts_created", 1),
    ("day", "2026-10-05", 3, "drafts_accepted", 1),
    ("day", "2026-10-05", 4, "runs_completed", 1),
    ("month", "2026-10-01", 1, "chat_turns", 5),
    ("month", "2026-10-01", 2, "drafts_created", 3),
    ("month", "2026-10-01", 3, "drafts_accepted", 2),
    ("month", "2026-10-01", 4, "runs_completed", 2),
]
# The weeks added up, in step order, under the report's wording.
EXPECTED_FUNNEL = [
    ("Chat turns", 5),
    ("Drafts created", 3),
    ("Drafts accepted", 2),
    ("Runs completed", 2),
]
EXPECTED_FUNNEL_WEEKS = {
    date(2026, 10, 5): {
        "Chat turns": 3,
        "Drafts created": 2,
        "Drafts accepted": 1,
        "Runs completed": 1,
    },
    date(2026, 10, 12): {
        "Chat turns": 2,
        "Drafts created": 1,
        "Drafts accepted": 1,
        "Runs completed": 1,
    },
}
KPIS = [
    "template_suggestion_rate",
    "time_to_create_workflow",
    "workbench_adoption",
    "template_usage_rate",
]
SUGGEST, TIME, ADOPT, USAGE = KPIS
# (grain, start, kpi, persona, numerator, denominator, value, target, comparison, meets, n,
#  period_end, is_complete_period, is_small_sample). The data covers the week of 2026-10-05
# entirely; the week of 2026-10-12 is the current, partial one.
SCORECARD = [
    ("day", "2026-10-05", SUGGEST, "Agent", 1, 2, 0.5, 0.3, ">=", True, 2,
     "2026-10-05", True, False),
    # Scenario: a one-turn day is a small sample: greyed out, the line skips it.
    ("day", "2026-10-06", SUGGEST, "Agent", 0, 1, 0.0, 0.3, ">=", False, 1,
     "2026-10-06", True, True),
    ("day", "2026-10-12", SUGGEST, "Agent", 0, 2, 0.0, 0.3, ">=", False, 2,
     "2026-10-12", False, False),
    ("week", "2026-10-05", SUGGEST, "Agent", 1, 3, 1 / 3, 0.3, ">=", True, 3,
     "2026-10-11", True, False),
    ("week", "2026-10-12", SUGGEST, "Agent", 0, 2, 0.0, 0.3, ">=", False, 2,
     "2026-10-18", False, False),
    # Scenario: month rows exist but the report draws days and weeks only.
    ("month", "2026-10-01", SUGGEST, "Agent", 1, 5, 0.2, 0.3, ">=", False, 5,
     "2026-10-31", False, False),
    ("day", "2026-10-05", TIME, "End User", 240, 1800, 240 / 1800 - 1, -0.5, "<=", True, 1,
     "2026-10-05", True, True),
    ("week", "2026-10-05", TIME, "End User", 240, 1800, 240 / 1800 - 1, -0.5, "<=", True, 1,
     "2026-10-11", True, True),
    # Scenario: workflow_creations_glob '' leaves adoption without a denominator or value.
    ("day", "2026-10-05", ADOPT, "Leadership", 1, None, None, 0.8, ">=", None, 1,
     "2026-10-05", True, True),
    ("week", "2026-10-05", ADOPT, "Leadership", 1, None, None, 0.8, ">=", None, 1,
     "2026-10-11", True, True),
    ("week", "2026-10-12", ADOPT, "Leadership", 1, None, None, 0.8, ">=", None, 1,
     "2026-10-18", False, True),
    ("day", "2026-10-05", USAGE, "Domain Expert", 1, 1, 1.0, 0.5, ">=", True, 1,
     "2026-10-05", True, True),
    ("day", "2026-10-12", USAGE, "Domain Expert", 0, 1, 0.0, 0.5, ">=", False, 1,
     "2026-10-12", False, True),
    ("week", "2026-10-05", USAGE, "Domain Expert", 1, 1, 1.0, 0.5, ">=", True, 1,
     "2026-10-11", True, True),
    ("week", "2026-10-12", USAGE, "Domain Expert", 0, 1, 0.0, 0.5, ">=", False, 1,
     "2026-10-18", False, True),
]  # fmt: skip
TARGETS = [  # seeds.kpi_targets, which print_scorecard.py reads
    (SUGGEST, "Agent", 0.3, ">="),
    (TIME, "End User", -0.5, "<="),
    (ADOPT, "Leadership", 0.8, ">="),
    (USAGE, "Domain Expert", 0.5, ">="),
]


def make_warehouse(path: Path, funnel: list[tuple] = FUNNEL) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.kpi_funnel (period_grain varchar, period_start date, "
            "step_number bigint, stage varchar, member_count bigint)"
        )
        con.executemany("insert into marts.kpi_funnel values (?, ?, ?, ?, ?)", funnel)
        con.execute(
            "create table marts.kpi_scorecard (period_grain varchar, period_start date, "
            "kpi_name varchar, persona varchar, numerator double, denominator double, "
            "value double, target_value double, comparison varchar, meets_target boolean, "
            "sample_size bigint, period_end date, is_complete_period boolean, "
            "is_small_sample boolean)"
        )
        con.executemany(
            "insert into marts.kpi_scorecard values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            SCORECARD,
        )
        con.execute("create schema seeds")
        con.execute(
            "create table seeds.kpi_targets (kpi_name varchar, persona varchar,"
            " target_value double, comparison varchar)"
        )
        con.executemany("insert into seeds.kpi_targets values (?, ?, ?, ?)", TARGETS)
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return make_warehouse(tmp_path / "mini.duckdb")


def run_script(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


# The report must stay small: it is mailed and attached, and opens offline in any browser.
MAX_REPORT_BYTES = 1_000_000


# ---------------------------------------------------------------------------------------------
# What the report draws
# ---------------------------------------------------------------------------------------------
def test_funnel_adds_up_the_weeks_of_the_funnel_mart(warehouse: Path) -> None:
    data = report.load(warehouse)
    assert report.funnel_totals(data.funnel) == EXPECTED_FUNNEL
    weekly = {(c.week_start, c.stage): c.count for c in data.funnel}
    for week, counts in EXPECTED_FUNNEL_WEEKS.items():
        for stage, count in counts.items():
            assert weekly[(week, stage)] == count, (week, stage)


def test_kpi_chart_plots_each_scorecard_row_against_its_target(warehouse: Path) -> None:
    data = report.load(warehouse)
    assert report.kpi_names(data.scorecard) == KPIS
    assert {row.period_grain for row in data.scorecard} == {"day", "week"}, "month is left out"
    day, week = report.kpi_panels(SUGGEST, data.scorecard)
    assert [p.x for p in week.points] == [date(2026, 10, 5), date(2026, 10, 12)]
    assert [p.value for p in week.points] == [1 / 3, 0.0]
    green, red = report.MARKER_COLOURS[True], report.MARKER_COLOURS[False]
    assert [p.colour for p in week.points] == [green, red]
    assert [p.is_partial for p in week.points] == [False, True]
    assert week.target == 0.3
    assert [p.sample_size for p in week.points] == [3, 2]
    assert [p.value for p in day.points] == [0.5, 0.0, 0.0]
    # The one-turn day is greyed out, whatever its verdict.
    assert [p.colour for p in day.points] == [green, report.COLOURS["small"], red]
    assert [p.is_small_sample for p in day.points] == [False, True, False]


def test_rate_axes_run_from_0_to_100_percent_and_the_change_axis_from_minus_100(
    warehouse: Path,
) -> None:
    data = report.load(warehouse)
    for kpi in (SUGGEST, ADOPT, USAGE):
        assert {p.y_range for p in report.kpi_panels(kpi, data.scorecard)} == {(0.0, 1.0)}
    assert {p.y_range for p in report.kpi_panels(TIME, data.scorecard)} == {(-1.0, 0.0)}
    assert report.y_range(TIME, [0.3, -0.5]) == (-1.0, 0.5), "slower than by hand: 0% shown"
    page = report.render(data)
    assert page.count("Axis: 0% to 100%.") == 3


def test_small_samples_are_left_out_of_the_line_and_greyed(warehouse: Path) -> None:
    data = report.load(warehouse)
    day, _ = report.kpi_panels(SUGGEST, data.scorecard)
    svg = report.panel_svg(day, 820)
    # Three day points; the small one (Oct 6) breaks the line, so no polyline joins two points.
    assert svg.count("<circle") == 3
    assert "<polyline" not in svg
    assert svg.count('class="point small"') == 1
    # The partial day (Oct 12) is drawn hollow.
    assert re.search(r'class="point partial"[^>]*fill="#ffffff"', svg)


def test_cards_show_the_latest_complete_week_and_the_partial_week_as_such(
    warehouse: Path,
) -> None:
    data = report.load(warehouse)
    assert report.headline_weeks(data.scorecard) == (date(2026, 10, 5), date(2026, 10, 12))
    page = report.render(data)
    complete, partial = page.split("Current week 2026-W42, partial")
    assert "Latest complete ISO week: 2026-W41" in complete
    assert re.search(
        r'class="card meets"><div class="persona">Agent.*?33\.3%.*?week of 2026-10-05 to '
        r"2026-10-11: meets target &gt;= 30%, n = 3",
        complete,
    )
    assert "partial week of 2026-10-12" in partial
    assert re.search(r'class="card misses partial">.*?0\.0%.*?partial: Oct 12 to date', partial)
    # A KPI with no row in the partial week says so, and a small sample is flagged.
    assert re.search(r'class="card no-data partial">.*?Time to create a workflow', partial)
    assert re.search(r'class="card meets small-sample">.*?Template usage rate', complete)


def test_report_and_terminal_show_the_same_week(warehouse: Path) -> None:
    page = report.render(report.load(warehouse))
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "print_scorecard.py")],
        env={**os.environ, "WORKBENCH_DB_PATH": str(warehouse)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("KPI scorecard, ISO week 2026-W41 (2026-10-05 to 2026-10-11")
    assert "Latest complete ISO week: 2026-W41" in page
    # Same values: 33.3% template suggestion rate, n = 3.
    assert re.search(
        r"template_suggestion_rate\s+Agent\s+33\.3%\s+>= 30\.0%\s+yes\s+3", result.stdout
    )
    assert "2026-W42 is partial" in result.stdout


def test_a_kpi_without_a_value_is_drawn_as_a_gap_and_said_so(warehouse: Path) -> None:
    data = report.load(warehouse)
    _, week = report.kpi_panels(ADOPT, data.scorecard)
    assert [p.value for p in week.points] == [None, None]
    assert [p.colour for p in week.points] == [report.MARKER_COLOURS[None]] * 2
    assert "<circle" not in report.panel_svg(week, 440)
    page = report.render(data)
    assert re.search(r'class="card no-value.*?">.*?Workbench adoption.*?n/a', page)


def test_report_is_one_self_contained_file_at_the_default_path(
    warehouse: Path, tmp_path: Path
) -> None:
    result = run_script(
        tmp_path,
        {"WORKBENCH_DB_PATH": str(warehouse), "WORKBENCH_SERVING_PATH": str(tmp_path / "none")},
    )
    assert result.returncode == 0, result.stderr
    path = tmp_path / "reports" / "kpi_report.html"
    page = path.read_text(encoding="utf-8")
    assert "mini.duckdb" in result.stdout
    # Nothing is fetched: no external script, stylesheet, image or frame; no script at all.
    assert not re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=", page)
    assert "<script" not in page
    assert page.count('<div class="chart"') == len(KPIS) + 1
    assert page.count("<svg") == 2 * (len(KPIS) + 1)
    assert path.stat().st_size <= MAX_REPORT_BYTES


def test_serving_file_is_preferred_when_it_exists(warehouse: Path, tmp_path: Path) -> None:
    serving = make_warehouse(tmp_path / "serving.duckdb", funnel=FUNNEL[:1])
    out = tmp_path / "out" / "report.html"
    env = {"WORKBENCH_DB_PATH": str(warehouse), "WORKBENCH_SERVING_PATH": str(serving)}
    result = run_script(tmp_path, env, "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "serving.duckdb" in result.stdout
    assert "serving.duckdb" in out.read_text(encoding="utf-8")


def test_missing_warehouse_or_mart_stops_with_a_message(tmp_path: Path) -> None:
    result = run_script(tmp_path, {}, "--db", str(tmp_path / "absent.duckdb"))
    assert result.returncode != 0
    assert "absent.duckdb not found" in result.stderr
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    result = run_script(tmp_path, {}, "--db", str(tmp_path / "empty.duckdb"))
    assert result.returncode != 0
    assert "lacks a mart or column" in result.stderr
    assert not (tmp_path / "reports").exists()


def test_report_on_a_generated_sample_draws_every_period(
    sample_build: Build, tmp_path: Path
) -> None:
    data = report.load(sample_build.db_path)
    counts = {
        (kpi, grain): n
        for kpi, grain, n in sample_build.query(
            "select kpi_name, period_grain, count(*) from marts.kpi_scorecard group by all"
        )
    }
    assert report.kpi_names(data.scorecard) == KPIS
    for kpi in KPIS:
        for panel in report.kpi_panels(kpi, data.scorecard):
            assert len(panel.points) == counts[(kpi, panel.grain)] > 0, (kpi, panel.grain)
    ((turns, created, accepted, completed),) = sample_build.query(
        "select (select count(*) from marts.fct_chat_turns),"
        " (select count(created_at) from marts.fct_drafts),"
        " (select count(*) from marts.fct_drafts where is_accepted),"
        " (select count(*) from marts.fct_workflow_runs where status = 'completed')"
    )
    assert [n for _, n in report.funnel_totals(data.funnel)] == [
        turns,
        created,
        accepted,
        completed,
    ]
    out = tmp_path / "r.html"
    assert report.main(["--db", str(sample_build.db_path), "--output", str(out)]) == 0
    size = out.stat().st_size
    print(f"report on the generated sample: {size:,} bytes")
    assert size <= MAX_REPORT_BYTES
    # Each KPI's points, one per day and week; the weeks the data only partly covers are hollow.
    page = out.read_text(encoding="utf-8")
    partial_weeks = sample_build.query(
        "select count(*) from marts.kpi_scorecard"
        " where period_grain in ('day', 'week') and not is_complete_period and value is not null"
    )[0][0]
    assert len(re.findall(r'class="point[^"]*partial', page)) == partial_weeks > 0


# ---------------------------------------------------------------------------------------------
# A real headless browser, driven over the DevTools protocol on a pipe: console messages,
# exceptions and network requests arrive as events, so nothing depends on log formats.
# ---------------------------------------------------------------------------------------------
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # The report must open offline: send any network request to a closed local port.
    "--proxy-server=127.0.0.1:9",
    "--remote-debugging-pipe",
]
WIDTH, HEIGHT = 1400, 2000
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
CHART_STATE_JS = """
Array.from(document.querySelectorAll('.chart'), (div) => {
    const box = div.getBoundingClientRect();
    return {
        id: div.id,
        svgs: Array.from(div.querySelectorAll('svg')).filter(
            (svg) => svg.getBoundingClientRect().width > 0).length,
        traces: div.querySelectorAll('.series, .point, .sample').length,
        box: [box.left + scrollX, box.top + scrollY, box.width, box.height],
    };
})
"""


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "chromium is not installed (scripts/ensure_chromium.sh installs it as root)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message}; CI must run the browser test")
    pytest.skip(message)


class Browser:
    """Just enough of a DevTools-protocol client: send a command, collect events."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and writes on fd 4; duplicate above them first so the
        # two dup2 calls in the child cannot overwrite each other.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser_r, from_browser_w)]

        def wire_pipes() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,
            close_fds=False,
        )
        for fd in (to_browser_r, from_browser_w, *high):
            os.close(fd)
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict] = []

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._last_id += 1
        command = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + 60
        while True:
            message = self._receive(deadline)
            if message.get("id") == self._last_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(message.get("method") == event for message in self.events):
            self.events.append(self._receive(deadline))

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError, TimeoutError, RuntimeError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


@dataclass
class PageResult:
    problems: list[str]  # console errors, uncaught exceptions, error log entries, network use
    charts: list[dict]
    screenshot: bytes


def open_page(executable: str, page: Path, profile: Path) -> PageResult:
    browser = Browser(executable, profile)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Network", "Page"):
            browser.send(f"{domain}.enable", session=session)
        metrics = {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False}
        browser.send("Emulation.setDeviceMetricsOverride", metrics, session=session)
        browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        charts = browser.send(
            "Runtime.evaluate",
            {"expression": CHART_STATE_JS, "returnByValue": True},
            session=session,
        )["result"]["value"]
        full_height = max([HEIGHT] + [int(c["box"][1] + c["box"][3]) + 1 for c in charts])
        clip = {"x": 0, "y": 0, "width": WIDTH, "height": full_height, "scale": 1}
        shot = browser.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "clip": clip,
                "captureBeyondViewport": True,
                "optimizeForSpeed": True,
            },
            session=session,
        )
    finally:
        browser.close()
    return PageResult(page_problems(browser.events), charts, base64.b64decode(shot["data"]))


def page_problems(events: list[dict]) -> list[str]:
    problems = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            problems.append(details.get("exception", {}).get("description", details["text"]))
        elif method == "Runtime.consoleAPICalled" and params["type"] in {"error", "assert"}:
            problems.append("console: " + " ".join(str(a.get("value")) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            problems.append("log: " + params["entry"]["text"])
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(LOCAL_SCHEMES):
                problems.append("network: " + url)
    return problems


@dataclass
class Image:
    width: int
    height: int
    channels: int
    pixels: bytes  # rows of width * channels bytes, top to bottom

    def region(self, box: list[float]) -> Iterator[bytes]:
        left, top, width, height = (int(v) for v in box)
        for y in range(max(top, 0), min(top + height, self.height)):
            start = (y * self.width + left) * self.channels
            yield self.pixels[start : start + width * self.channels]

    def ink_share(self, box: list[float]) -> float:
        """Share of colour channel values in the box that are not pure white."""
        rows = list(self.region(box))
        total = sum(len(row) for row in rows)
        return sum(len(row) - row.count(255) for row in rows) / total if total else 0.0

    def has_colour(self, box: list[float], hex_colour: str) -> bool:
        needle = bytes.fromhex(hex_colour.lstrip("#"))
        for row in self.region(box):
            at = row.find(needle)
            while at != -1:
                if at % self.channels == 0:
                    return True
                at = row.find(needle, at + 1)
        return False


def decode_png(data: bytes) -> Image:
    """An 8-bit, non-interlaced RGB or RGBA PNG, as Chromium writes screenshots."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, "unexpected PNG layout"
    channels = 3 if colour_type == 2 else 4
    compressed, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        if data[position + 4 : position + 8] == b"IDAT":
            compressed.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    raw = zlib.decompress(b"".join(compressed))
    stride = width * channels
    previous, rows = bytes(stride), []
    for y in range(height):
        start = y * (stride + 1)
        row = _unfilter(raw[start], raw[start + 1 : start + 1 + stride], previous, channels)
        rows.append(row)
        previous = row
    return Image(width, height, channels, b"".join(rows))


def _unfilter(kind: int, line: bytes, previous: bytes, bpp: int) -> bytes:
    if kind == 0:
        return line
    if kind == 2:  # "Up", what fast screenshots use: one vectorised byte-wise add

        def as_array(b: bytes) -> pa.Array:
            return pa.Array.from_buffers(pa.uint8(), len(b), [None, pa.py_buffer(b)])

        summed = pc.add(as_array(line), as_array(previous))
        return summed.buffers()[1].to_pybytes()[: len(line)]
    out = bytearray(line)
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        up = previous[i]
        if kind == 1:
            predictor = left
        elif kind == 3:
            predictor = (left + up) // 2
        else:  # Paeth
            upper_left = previous[i - bpp] if i >= bpp else 0
            estimate = left + up - upper_left
            pa_, pb, pc_ = abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)
            predictor = left if pa_ <= pb and pa_ <= pc_ else up if pb <= pc_ else upper_left
        out[i] = (out[i] + predictor) & 0xFF
    return bytes(out)


def test_report_renders_in_headless_chromium(warehouse: Path, tmp_path: Path) -> None:
    executable = chromium_path()
    page = tmp_path / "kpi_report.html"
    assert report.main(["--db", str(warehouse), "--output", str(page)]) == 0
    started = time.monotonic()
    result = open_page(executable, page, tmp_path / "profile")
    print(f"chromium rendered the report in {time.monotonic() - started:.1f}s")

    assert result.problems == []
    assert [c["id"] for c in result.charts] == [f"chart-{kpi}" for kpi in KPIS] + ["chart-funnel"]
    for chart in result.charts:
        assert chart["svgs"] > 0 and chart["traces"] > 0, f"{chart['id']} did not render"

    image = decode_png(result.screenshot)
    assert (image.width, image.height) >= (WIDTH, HEIGHT)
    assert image.ink_share([0, 0, image.width, image.height]) > 0.02, "screenshot is blank"
    for chart in result.charts:
        assert image.ink_share(chart["box"]) > 0.02, f"{chart['id']} is blank on screen"
        # Solid fills are drawn in their exact colour: sample-size bars, funnel bars.
        colour = report.COLOURS["value" if chart["id"] == "chart-funnel" else "sample"]
        assert image.has_colour(chart["box"], colour), f"{chart['id']} shows no data"


def test_browser_check_catches_errors_network_use_and_blank_pages(tmp_path: Path) -> None:
    """The browser check itself can fail: a broken page and an empty page are caught."""
    executable = chromium_path()
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<html><body><div class='chart' id='c'></div>"
        "<script>console.error('boom'); notDefined();</script>"
        "<script src='https://cdn.example.invalid/plotly.js'></script></body></html>"
    )
    result = open_page(executable, broken, tmp_path / "profile-broken")
    joined = "\n".join(result.problems)
    assert "console: boom" in joined
    assert "notDefined is not defined" in joined
    assert "network: https://cdn.example.invalid/plotly.js" in joined
    assert result.charts[0]["svgs"] == 0
    image = decode_png(result.screenshot)
    assert image.ink_share([0, 0, image.width, image.height]) == 0.0
    assert not image.has_colour([0, 0, image.width, image.height], report.COLOURS["sample"])

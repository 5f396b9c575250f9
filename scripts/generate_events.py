#!/usr/bin/env python3
"""Generate seeded, realistic AI-workbench telemetry in the warehouse's raw landing format.

Writes OUT/events/date=YYYY-MM-DD/part-NNNN.jsonl[.gz] (docs/specification.md, 'Raw input') and
OUT/workflow_creations/workflow_creations_YYYY-MM.csv (other-channel creations, section 5), with a
configurable mix of the faults the warehouse must quarantine, repair or de-duplicate (section 3).
The same seed and options always give byte-identical files.

Sessions are simulated one at a time (`simulate_day` yields time-ordered `Event`s); everything
after that - fault injection, day buckets, file writing - only consumes that stream, so a faster
simulator can later replace `simulate_day` without touching the rest.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PREFIX = "workbench."
TAXONOMY_CSV = Path(__file__).resolve().parents[1] / "seeds" / "event_taxonomy.csv"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND_MS, MINUTE_MS, DAY_MS = 1_000, 60_000, 86_400_000

TEMPLATES = [f"tpl-{i:03d}" for i in range(1, 41)]
TEMPLATE_WEIGHTS = [1 / i**0.9 for i in range(1, 41)]  # a few popular templates, a long tail
USERS = [f"u-{i:03d}" for i in range(1, 401)]
USER_WEIGHTS = [1 / i**0.6 for i in range(1, 401)]
APPROVERS = [f"u-{i:03d}" for i in range(1, 16)]
CHAT_TOOLS = ["searchTemplates", "runQuery", "explainNode", "validateDraft", "summarizeIncident"]
RESTRICTED_TOOLS = [
    "restartService",
    "pageOncall",
    "scaleDeployment",
    "rollbackRelease",
    "drainNode",
]
REFERRERS = [
    "https://intra.example/home",
    "https://intra.example/incidents",
    "https://intra.example/workflows",
    "https://wiki.intra.example/runbooks",
]
INTENTS = ["add_step", "remove_step", "change_trigger", "add_condition", "configure_step", "rename"]
# UTC hour weights: a European morning and a longer American afternoon.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9, 8, 9, 10, 10, 9, 7, 5, 4, 3, 2, 2, 1]
TZ_OFFSETS_MIN = [60, 120, -300, -240, -420, 330, 540, 0]

# Timestamp forms of docs/specification.md, 'Raw input'. Whole-second forms floor the instant to the
# second.
CLIENT_FORMS = {"iso_ms_z": 72, "iso_z": 7, "space": 5, "no_zone": 4, "offset": 6, "epoch_ms": 6}
SERVER_FORMS = {"iso_ms_z": 60, "epoch_ms": 35, "iso_z": 5}
WHOLE_SECOND_FORMS = {"iso_z", "space"}
SERVER_EVENTS = {
    "chat_tool_invoked",
    "template_suggested",
    "workflow_run_started",
    "workflow_run_completed",
    "approval_completed",
}

# Names outside the taxonomy (None: the line has no event name at all).
UNKNOWN_EVENTS = [
    "workbench.draft_deleted",
    "workbench.canvas_zoomed",
    "workbench.Draft_Created",
    None,
]
BLANK_LINES = ["", " ", "\t", "   ", " \t "]
# Wrong values by the taxonomy's value_type: out of the enumeration, or of the wrong JSON type.
BAD_VALUES: dict[str, list[Any]] = {
    "id": [True, ["x-1"], {"id": "x-1"}],
    "string": [42, False],
    "enum": ["voice", "other", 3],
    "count": ["long", -3, 2.5],
    "boolean": ["yes", 1, "true"],
    "id_list": [[], "restartService", [""]],
    "timestamp": ["yesterday", "2026-13-01T00:00:00Z", "1999-12-31T23:59:59Z"],
}

# Fault kind -> (default rate, what it does); each has a --<kind>-rate option.
FAULT_DEFAULTS = {
    "duplicate": (0.01, "events resent later in the same or next file (half without eventId)"),
    "truncated": (0.001, "lines cut in the middle (malformed JSON)"),
    "missing_required": (0.002, "events with a required property absent, null or blank"),
    "invalid_value": (0.002, "events with one property of the wrong type or out of its enum"),
    "late": (0.01, "events written into a file of a day 1-3 days after their timestamp"),
    "nested": (0.1, 'events with their properties inside a "properties" object'),
    "unknown_event": (0.0005, "extra lines with an event name outside the taxonomy, or none"),
    "blank_line": (0.002, "extra blank or whitespace-only lines"),
}


@dataclass(slots=True)
class Event:
    ts_ms: int
    name: str  # taxonomy name without the "workbench." prefix
    session_id: str
    props: dict[str, Any]
    ts_form: str
    tz_min: int
    event_id: str | None
    server: bool


@dataclass
class Options:
    out: Path
    days: int
    start_date: date
    sessions_per_day: int
    seed: int
    files_per_day: int
    gzip_rate: float
    rates: dict[str, float]  # fault kind -> rate
    taxonomy: dict[str, dict[str, tuple[bool, str]]]  # event -> key -> (required, value_type)
    quiet: bool


@dataclass
class Stats:
    events: int = 0
    lines: int = 0
    files: int = 0
    bytes: int = 0
    csv_rows: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    accepted_by_month: Counter[str] = field(default_factory=Counter)


def day_start_ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY_MS


def random_time_of_day_ms(rng: random.Random) -> int:
    return rng.choices(range(24), HOUR_WEIGHTS)[0] * 3_600_000 + rng.randrange(3_600_000)


def hex_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}{rng.getrandbits(48):012x}"


def event_uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


def format_ts(ms: int, form: str, tz_min: int = 0) -> str | int:
    """Render an instant (epoch ms) in one of the specification's timestamp forms, exactly."""
    if form == "epoch_ms":
        return ms
    if form in WHOLE_SECOND_FORMS and ms % SECOND_MS:
        raise ValueError(f"{form} cannot carry {ms} exactly; floor it to the second first")
    shift = tz_min if form == "offset" else 0
    dt = EPOCH + timedelta(milliseconds=ms + shift * MINUTE_MS)
    base, frac = dt.strftime("%Y-%m-%dT%H:%M:%S"), f".{ms % 1000:03d}"
    if form == "iso_ms_z":
        return f"{base}{frac}Z"
    if form == "iso_z":
        return f"{base}Z"
    if form == "space":  # space separator, no zone: UTC
        return base.replace("T", " ")
    if form == "no_zone":
        return f"{base}{frac}"
    if form == "offset":
        sign, minutes = ("+" if tz_min >= 0 else "-"), abs(tz_min)
        return f"{base}{frac}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    raise ValueError(f"unknown timestamp form {form!r}")


# --- session simulation ------------------------------------------------------------------------


class Session:
    """One workbench session: its clock, its user's client, and the events emitted so far."""

    def __init__(self, rng: random.Random, start_ms: int) -> None:
        self.rng = rng
        self.id = hex_id(rng, "s-")
        self.start_ms = self.clock = start_ms
        self.user = rng.choices(USERS, USER_WEIGHTS)[0]
        self.form = rng.choices(list(CLIENT_FORMS), list(CLIENT_FORMS.values()))[0]
        self.tz_min = rng.choice(TZ_OFFSETS_MIN)
        self.legacy_client = self.chance(0.03)  # sends enumerations capitalised (still valid)
        self.events: list[Event] = []
        self.last_draft: str | None = None

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def maybe(self, p: float, value: Any) -> Any:
        """`value` with probability p, else None (the property is left out)."""
        return value if self.rng.random() < p else None

    def wait(self, lo_s: float, hi_s: float) -> None:
        """Advance the clock by a log-uniform pause, never under a second (keeps order exact)."""
        self.clock += max(SECOND_MS, int(SECOND_MS * lo_s * (hi_s / lo_s) ** self.rng.random()))

    def enum(self, value: str) -> str:
        return value.capitalize() if self.legacy_client else value

    def template(self) -> str:
        return self.rng.choices(TEMPLATES, TEMPLATE_WEIGHTS)[0]

    def emit(self, name: str, at: int | None = None, **props: Any) -> None:
        server = name in SERVER_EVENTS
        if server:
            form = self.rng.choices(list(SERVER_FORMS), list(SERVER_FORMS.values()))[0]
        else:
            form = self.form
        ts = self.clock if at is None else at
        if form in WHOLE_SECOND_FORMS:
            ts -= ts % SECOND_MS
        kept = {k: v for k, v in props.items() if v is not None}
        event_id = event_uuid(self.rng) if self.chance(0.8) else None
        self.events.append(Event(ts, name, self.id, kept, form, self.tz_min, event_id, server))


def chat_turn(s: Session, draft: str | None = None, propose: bool = False) -> str | None:
    """A user message and the assistant's reaction; returns a template it suggested, if any."""
    s.wait(5, 180)
    s.emit(
        "chat_message_sent",
        messageLength=s.maybe(0.9, min(4000, int(8 * 150 ** s.rng.random()))),
        hasAttachment=s.maybe(0.4, s.chance(0.12)),
    )
    if propose or s.chance(0.4):
        s.wait(1, 12)
        s.emit(
            "chat_tool_invoked",
            toolId="proposeWorkflow" if propose else s.rng.choice(CHAT_TOOLS),
            success=s.maybe(0.85, s.chance(0.93)),
            draftId=draft if draft and s.chance(0.7) else None,
        )
    suggested = None
    if s.chance(0.33):
        s.wait(1, 8)
        suggested = s.template()
        s.emit(
            "template_suggested",
            templateId=suggested,
            accepted=s.maybe(0.75, s.chance(0.4)),
            draftId=draft if draft and s.chance(0.5) else None,
        )
    return suggested


def run_workflow(s: Session, draft: str) -> None:
    s.wait(10, 300)
    run_id = hex_id(s.rng, "r-")
    s.emit("workflow_run_started", draftId=draft, runId=run_id)
    if s.chance(0.92):  # the rest never report completion
        status = s.rng.choices(["completed", "failed", "cancelled"], [80, 15, 5])[0]
        duration = int(SECOND_MS * (3 if status == "failed" else 5) * 120 ** s.rng.random())
        s.emit(
            "workflow_run_completed",
            at=s.clock + duration,
            runId=run_id,
            status=s.enum(status),
            durationMs=s.maybe(0.9, duration),
            draftId=s.maybe(0.7, draft),
        )


def draft_episode(s: Session) -> None:
    """Create a draft (chat, template or blank), edit it, then accept, reject or leave it."""
    source = s.rng.choices(["chat", "template", "blank"], [55, 30, 15])[0]
    template_id, nodes = None, s.rng.randint(0, 1)
    if source == "chat":
        suggested = chat_turn(s, propose=True)
        template_id = suggested if suggested and s.chance(0.3) else None
        nodes = s.rng.randint(3, 10)
    elif source == "template":
        for _ in range(s.rng.randint(1, 3)):
            via = "chat_suggestion" if s.chance(0.35) else "library"
            template_id = (chat_turn(s) if via == "chat_suggestion" else None) or s.template()
            s.wait(3, 60)
            s.emit("template_viewed", templateId=template_id, source=via)
        nodes = s.rng.randint(4, 12)
    draft = s.last_draft = hex_id(s.rng, "d-")
    s.wait(2, 30)
    created_at = s.clock
    anonymous = s.chance(0.10)  # later events carry an id no draft_created has: an orphan
    s.emit(
        "draft_created",
        source=s.enum(source),
        draftId=None if anonymous else draft,
        nodeCount=s.maybe(0.9, nodes),
        templateId=template_id,
    )

    def edit(kind: str) -> None:
        nonlocal nodes
        if kind == "chat":
            chat_turn(s, draft=draft)
        s.wait(5, 120)
        if kind == "template_insert":
            s.emit("template_inserted", templateId=s.template(), draftId=draft)
            s.wait(1, 5)
        nodes = max(1, nodes + s.rng.randint(-1, 3))
        s.emit(
            "draft_edited",
            draftId=draft,
            editType=s.enum(kind),
            nodeCount=s.maybe(0.8, nodes),
            intent=s.maybe(0.3, s.rng.choice(INTENTS)),
        )

    for _ in range(min(8, int(s.rng.expovariate(1 / 2.2)))):
        edit(s.rng.choices(["chat", "canvas", "template_insert"], [45, 40, 15])[0])
    decision = s.rng.choices(["accept", "reject", "open"], [60, 20, 20])[0]
    if decision == "reject":
        s.wait(5, 300)
        s.emit("draft_rejected", draftId=draft, source=s.maybe(0.5, s.enum(source)))
        if not s.chance(0.05):  # a few users change their mind and accept after all
            return
    if decision != "open":
        # Time to accept: log-uniform 1..40 minutes, unless the edits already took longer.
        target = created_at + int(MINUTE_MS * 40 ** s.rng.random())
        s.clock = max(s.clock + 2 * SECOND_MS, target)
        s.emit("draft_accepted", draftId=draft, source=s.maybe(0.6, s.enum(source)))
        if s.chance(0.1):  # a template inserted after acceptance does not count as usage
            edit("template_insert")
        for _ in range(s.rng.choices([0, 1, 2], [30, 60, 10])[0]):
            run_workflow(s, draft)


def approval_episode(s: Session) -> None:
    tools = s.rng.sample(RESTRICTED_TOOLS, k=s.rng.choice([1, 1, 2, 3]))
    context = s.rng.choices(["incident", "workflow", "draft"], [50, 30, 20])[0]
    if context == "draft" and s.last_draft is None:
        context = "incident"
    incident = s.rng.randint(1000, 9999)
    s.wait(5, 90)
    s.emit(
        "approval_requested",
        toolIds=tools,
        contextType=context,
        incidentId=(incident if s.chance(0.3) else f"inc-{incident}")
        if context == "incident"
        else None,
        workflowId=hex_id(s.rng, "wf-") if context == "workflow" else None,
        draftId=s.last_draft if context == "draft" else None,
    )
    if s.chance(0.85):  # the rest stay pending
        s.emit(
            "approval_completed",
            at=s.clock + int(10 * SECOND_MS * 120 ** s.rng.random()),
            approved=s.chance(0.78),
            approverId=s.maybe(0.9, s.rng.choice(APPROVERS)),
            toolIds=s.maybe(0.8, s.rng.sample(tools, k=len(tools))),
        )


def browse_episode(s: Session) -> None:
    for _ in range(s.rng.randint(1, 3)):
        s.wait(5, 90)
        s.emit("template_viewed", templateId=s.template(), source="library")


EPISODES = {
    "chat": lambda s: [chat_turn(s) for _ in range(s.rng.randint(1, 4))],
    "draft": draft_episode,
    "browse": browse_episode,
    "approval": approval_episode,
}
EPISODE_WEIGHTS = [35, 45, 8, 12]


def simulate_session(rng: random.Random, start_ms: int) -> list[Event]:
    s = Session(rng, start_ms)
    if s.chance(0.95):
        s.emit(
            "session_started",
            userId=s.maybe(0.9, s.user),
            referrer=s.maybe(0.3, rng.choice(REFERRERS)),
        )
    for i in range(1 + min(6, int(rng.expovariate(1 / 1.5)))):
        if i and s.chance(0.06):  # away for longer than the 30-minute inactivity gap
            s.clock += rng.randint(31, 150) * MINUTE_MS
        kind = rng.choices(list(EPISODES), EPISODE_WEIGHTS)[0]
        EPISODES[kind](s)
    if s.chance(0.85):
        s.wait(5, 300)
        s.emit(
            "session_ended",
            durationMs=s.maybe(0.85, s.clock - s.start_ms),
            userId=s.maybe(0.4, s.user),
        )
    s.events.sort(key=lambda e: e.ts_ms)  # stable: server events may land after session end
    return s.events


def simulate_day(rng: random.Random, day: date, sessions_per_day: int) -> Iterator[Event]:
    """All events of the sessions that start on one day (some spill into the next)."""
    n = round(sessions_per_day * (1 if day.weekday() < 5 else 0.35) * rng.uniform(0.9, 1.1))
    starts = sorted(day_start_ms(day) + random_time_of_day_ms(rng) for _ in range(n))
    for start in starts:
        yield from simulate_session(rng, start)


# --- faults and files --------------------------------------------------------------------------


def to_record(ev: Event) -> dict[str, Any]:
    record: dict[str, Any] = {
        "event": PREFIX + ev.name,
        "sessionId": ev.session_id,
        "timestamp": format_ts(ev.ts_ms, ev.ts_form, ev.tz_min),
        **ev.props,
    }
    if ev.event_id:
        record["eventId"] = ev.event_id
    return record


def fault_key(rng: random.Random, keys: list[str]) -> str:
    """Mostly an event's own property; the two that every event has only now and then."""
    own = [k for k in keys if k not in ("sessionId", "timestamp")]
    return rng.choice(own if own and rng.random() < 0.9 else keys)


def render(ev: Event, opts: Options, rng: random.Random, stats: Stats) -> tuple[str, bool]:
    """One event as a raw line with its faults applied; also whether it is resent later."""
    record, rates, spec = to_record(ev), opts.rates, opts.taxonomy[PREFIX + ev.name]
    if rng.random() < rates["missing_required"]:
        key = fault_key(rng, [k for k, (required, _) in spec.items() if required])
        if rng.random() < 0.3:
            record[key] = rng.choice([None, "", "  "])
        else:
            del record[key]
        stats.faults["missing_required"] += 1
    if rng.random() < rates["invalid_value"]:
        key = fault_key(rng, [k for k in record if k in spec])
        record[key] = rng.choice(BAD_VALUES[spec[key][1]])
        stats.faults["invalid_value"] += 1
    if rng.random() < rates["nested"]:
        keep = {"event", "eventId"} | ({"sessionId", "timestamp"} if rng.random() < 0.3 else set())
        inner = {k: v for k, v in record.items() if k not in keep}
        record = {k: v for k, v in record.items() if k in keep} | {"properties": inner}
        stats.faults["nested"] += 1
    line = json.dumps(record) if ev.server else json.dumps(record, separators=(",", ":"))
    if rng.random() < rates["truncated"]:
        line = line[: rng.randint(len(line) // 5, len(line) * 9 // 10)]
        stats.faults["truncated"] += 1
    # Half of all resends carry an eventId, half are byte-identical lines without one.
    share = 0.5 / 0.8 if ev.event_id else 0.5 / 0.2
    return line, rng.random() < rates["duplicate"] * share


def day_lines(
    events: list[Event], carry: list[str], opts: Options, rng: random.Random, stats: Stats
) -> tuple[list[str], list[str]]:
    """The day's physical lines, and the resends that spill into the next day's first file."""
    lines = list(carry)
    resends: dict[int, list[str]] = defaultdict(list)
    span = max(1, len(events) // opts.files_per_day)  # so a resend lands in this file or the next
    for ev in events:
        line, resend = render(ev, opts, rng, stats)
        lines.append(line)
        if resend:
            resends[len(lines) + rng.randrange(span)].append(line)
            stats.faults["duplicate"] += 1
        if rng.random() < opts.rates["unknown_event"]:
            name = rng.choice(UNKNOWN_EVENTS)
            record = {"sessionId": ev.session_id, "timestamp": format_ts(ev.ts_ms, "iso_ms_z")}
            lines.append(json.dumps({"event": name, **record} if name else record))
            stats.faults["unknown_event"] += 1
        if rng.random() < opts.rates["blank_line"]:
            lines.append(rng.choice(BLANK_LINES))
            stats.faults["blank_line"] += 1
    merged: list[str] = []
    for i, line in enumerate(lines):
        merged.extend(resends.pop(i, []))
        merged.append(line)
    spill = [line for pos in sorted(resends) for line in resends[pos]]
    return merged, spill


def write_day(day: date, lines: list[str], opts: Options, rng: random.Random, stats: Stats) -> None:
    folder = opts.out / "events" / f"date={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(lines) // opts.files_per_day)
    for part in range(opts.files_per_day):
        chunk = lines[part * per_file : (part + 1) * per_file]
        if not chunk:
            continue
        data = ("\n".join(chunk) + "\n").encode()
        name = f"part-{part:04d}.jsonl"
        if rng.random() < opts.gzip_rate:
            data, name = gzip.compress(data, mtime=0), name + ".gz"
        (folder / name).write_bytes(data)
        stats.files += 1
        stats.bytes += len(data)
        stats.lines += len(chunk)


def creation_time(rng: random.Random, days: list[date]) -> str:
    ms = day_start_ms(rng.choice(days)) + random_time_of_day_ms(rng)
    form = rng.choices(["iso_z", "iso_ms_z", "offset"], [80, 10, 10])[0]
    return str(format_ts(ms - ms % SECOND_MS if form == "iso_z" else ms, form, 120))


def write_workflow_creations(opts: Options, stats: Stats) -> None:
    """Monthly CSVs of workflows created outside the workbench, ~20% of accepted drafts."""
    folder = opts.out / "workflow_creations"
    folder.mkdir(parents=True, exist_ok=True)
    days = [opts.start_date + timedelta(days=i) for i in range(opts.days)]
    for month in sorted({day.isoformat()[:7] for day in days}):
        rng = random.Random(f"{opts.seed}:creations:{month}")
        month_days = [day for day in days if day.isoformat()[:7] == month]

        rows: list[list[str]] = []
        for _ in range(round(stats.accepted_by_month[month] * rng.uniform(0.17, 0.21))):
            source = rng.choices(["manual", "api", "import", "workbench"], [45, 35, 10, 10])[0]
            if source == "workbench":  # already counted by the events; the warehouse skips them
                source = rng.choice(["workbench", "Workbench", " Workbench ", "WORKBENCH"])
            rows.append([hex_id(rng, "wf-"), creation_time(rng, month_days), source])
        rows.sort(key=lambda row: row[1])
        ids = [row[0] for row in rows]
        for _ in range(len(rows) // 50 + 1 if rows else 0):  # no id, bad time, a repeated id
            bad_time = rng.choice(["not-a-date", "2026-02-30T10:00:00Z", "31/10/2026 10:00"])
            for row in (
                ["", creation_time(rng, month_days), "manual"],
                [hex_id(rng, "wf-"), bad_time, "api"],
                [rng.choice(ids), creation_time(rng, month_days), "import"],
            ):
                rows.insert(rng.randrange(len(rows) + 1), row)
        path = folder / f"workflow_creations_{month}.csv"
        with path.open("w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["workflow_id", "created_at", "creation_source"])
            writer.writerows(rows)
        stats.files += 1
        stats.bytes += path.stat().st_size
        stats.csv_rows += len(rows)


def remove_previous_output(out: Path) -> None:
    """Only this generator's own files, so a shorter run leaves no stale days behind."""
    for path in sorted(out.glob("events/date=*/part-*.jsonl*")):
        path.unlink()
    for folder in sorted(out.glob("events/date=*")):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    for path in sorted(out.glob("workflow_creations/workflow_creations_*.csv")):
        path.unlink()


def generate(opts: Options) -> Stats:
    stats = Stats()
    remove_previous_output(opts.out)
    start_ms = day_start_ms(opts.start_date)
    last = opts.days - 1
    buckets: dict[int, list[tuple[int, int, Event]]] = defaultdict(list)  # day -> arrivals
    carry: list[str] = []
    seq = 0
    for d in range(opts.days):
        sim_rng = random.Random(f"{opts.seed}:sessions:{d}")
        fault_rng = random.Random(f"{opts.seed}:faults:{d}")
        for ev in simulate_day(sim_rng, opts.start_date + timedelta(days=d), opts.sessions_per_day):
            day = min(last, (ev.ts_ms - start_ms) // DAY_MS)  # past the end: into the last day
            if ev.name == "draft_accepted":
                stats.accepted_by_month[
                    (opts.start_date + timedelta(days=day)).isoformat()[:7]
                ] += 1
            arrival = ev.ts_ms
            if day < last and fault_rng.random() < opts.rates["late"]:
                day = min(last, day + fault_rng.randint(1, 3))
                arrival = start_ms + day * DAY_MS + fault_rng.randrange(DAY_MS)
                stats.faults["late"] += 1
            buckets[day].append((arrival, seq, ev))
            seq += 1
        events = [ev for _, _, ev in sorted(buckets.pop(d, []), key=lambda a: a[:2])]
        lines, carry = day_lines(events, carry, opts, fault_rng, stats)
        if d == last:
            lines += carry
        write_day(opts.start_date + timedelta(days=d), lines, opts, fault_rng, stats)
        stats.events += len(events)
        if not opts.quiet:
            print(f"day {d + 1}/{opts.days}: {len(events):,} events", file=sys.stderr)
    write_workflow_creations(opts, stats)
    return stats


# --- command line ------------------------------------------------------------------------------


def load_taxonomy(path: Path) -> dict[str, dict[str, tuple[bool, str]]]:
    """event name -> property key -> (is_required, value_type), from the project's seed."""
    taxonomy: dict[str, dict[str, tuple[bool, str]]] = defaultdict(dict)
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            required = row["is_required"].strip().lower() == "true"
            taxonomy[row["event_name"]][row["property_key"]] = (required, row["value_type"])
    return dict(taxonomy)


def rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a rate in [0, 1]")
    return value


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Existing part-*.jsonl* and workflow_creations_*.csv files under OUT are replaced.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--out", type=Path, default=Path("data/raw"), help="output folder")
    add("--days", type=positive, default=30, help="number of days to generate")
    add("--start-date", type=date.fromisoformat, default=date(2026, 10, 1), help="first UTC day")
    add(
        "--sessions-per-day",
        type=int,
        default=900,
        help="sessions on a weekday (weekends get about a third); 30 days ~ 300,000 events",
    )
    add("--seed", type=int, default=42, help="random seed; same seed and options, same bytes")
    add("--files-per-day", type=positive, default=2, help="part files per day folder")
    add("--gzip-rate", type=rate, default=0.2, help="share of files written as .jsonl.gz")
    for kind, (default, text) in FAULT_DEFAULTS.items():
        add(f"--{kind.replace('_', '-')}-rate", type=rate, default=default, help=f"share of {text}")
    add("--taxonomy", type=Path, default=TAXONOMY_CSV, help="event taxonomy seed CSV")
    add("--quiet", action="store_true", help="no progress or summary on stderr")
    args = parser.parse_args(argv)
    return Options(
        out=args.out,
        days=args.days,
        start_date=args.start_date,
        sessions_per_day=max(0, args.sessions_per_day),
        seed=args.seed,
        files_per_day=args.files_per_day,
        gzip_rate=args.gzip_rate,
        rates={kind: getattr(args, f"{kind}_rate") for kind in FAULT_DEFAULTS},
        taxonomy=load_taxonomy(args.taxonomy),
        quiet=args.quiet,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    stats = generate(opts)
    if not opts.quiet:
        faults = ", ".join(f"{kind}={stats.faults[kind]:,}" for kind in FAULT_DEFAULTS)
        print(
            f"wrote {stats.events:,} events ({stats.lines:,} lines) and {stats.csv_rows:,}"
            f" other-channel rows in {stats.files:,} files, {stats.bytes:,} bytes, to"
            f" {opts.out}; faults: {faults}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

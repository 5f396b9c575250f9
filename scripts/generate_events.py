#!/usr/bin/env python3
"""Generate seeded, realistic AI-workbench telemetry in the warehouse's raw landing format.

Writes OUT/events/date=YYYY-MM-DD/part-NNNN.jsonl[.gz] (docs/input.md), with --otlp-share a share
of the sessions as OpenTelemetry log exports OUT/otlp/workbench-<rotation time>.jsonl[.gz]
(docs/otlp.md), and OUT/workflow_creations/workflow_creations_YYYY-MM.csv (workflows created in
other channels), with
a configurable mix of the faults the warehouse must quarantine, repair or de-duplicate: resends,
late events, cut lines, missing and wrong values, nested properties, unknown events, blank lines.
The one traffic model of the project: `make run`, the nightly demonstration, the tests and the
benchmark (bench/) all generate with it.

How it works: sessions, episodes (a chat, a draft, browsing, an approval), blocks (one step of an
episode) and events are rows of DuckDB tables, built set-wise, so 10M events take about 40 s and
4 GB of memory on 2 cores (`--memory-limit` caps DuckDB; it spills beyond it, more slowly). Every
random draw is a hash of (seed, the row's key, a salt), so the content depends on nothing but the
seed and the options - not on threads or row order - and each file is written with an ORDER BY:
the same seed and options give byte-identical files.

- What users do: the constants under 'the traffic' and the SQL of `sessions_sql`, `episodes_sql`
  and `blocks_sql` (waits, branches and their odds); `PROPERTIES` says what each event carries.
- What goes wrong on the way: the constants under 'faults' and `events_sql`, which renders each
  event as a JSON line and applies them.
- Output: `write_files` writes table `event_lines` (one row per event: the day and file it
  arrives in, its arrival time and order, its JSON line) and `extra_lines` (resends, unknown
  events, blank lines); `write_creations` the CSVs. The OTLP output keeps the simulation, the
  faults and the arrival (day, file, order) and renders the event differently: in `events_sql`
  the CTEs `otlp_props` to `recorded` turn the same properties (faults applied) into a log
  record's members, `otlp_records_sql` adds resends and unknown events, and `write_otlp_files`
  groups each file's records into lines (`otlp_lines_sql`: `--otlp-batch` records a line, by
  resource and scope). Faults with no OTLP form (nested properties, timestamp forms, blank
  lines) are flat only; a cut line is a whole OTLP line, at the same rate per line.

Size: `--sessions-per-day` (a weekday; weekends get about a third), or `--events`, about that many
events in the base days (sessions are drawn, then trimmed in random order). What arrives after
the last day - late events, the ends of sessions that run past midnight, resends - is the next
day's delivery, which `--extra-day` writes instead of the base days: about `--extra-share` (1%) of
the sessions as new ones, plus that late delivery. It is the same simulation, so the base files
never change: run once without and once with `--extra-day` for an incremental load. Resends come
mostly within hours (the same or the next file), a fifth 1-3 days later; a day's files split at
midday; weighted choices (users, templates, hours) come from 4096- or 8192-step lookup tables.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import permutations
from pathlib import Path
from typing import Any

import duckdb

PREFIX = "workbench."
TAXONOMY_CSV = Path(__file__).resolve().parents[1] / "seeds" / "event_taxonomy.csv"
DAY_MS = 86_400_000

# --- the traffic --------------------------------------------------------------------------------

TEMPLATES = 40  # tpl-001 .. tpl-040
TEMPLATE_WEIGHTS = [1 / i**0.9 for i in range(1, TEMPLATES + 1)]  # a few popular, a long tail
USERS = 400  # u-001 .. u-400
USER_WEIGHTS = [1 / i**0.6 for i in range(1, USERS + 1)]
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
WEEKEND_SHARE = 0.35  # a weekend day's sessions, against a weekday's
# What a session does, episode by episode.
EPISODE_WEIGHTS = {"chat": 35, "draft": 45, "browse": 8, "approval": 12}

# Timestamp forms (docs/input.md): a session's client sends one form; server events their own.
# Whole-second forms floor the instant to the second.
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

# --- faults -------------------------------------------------------------------------------------

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
    "duplicate": (0.01, "events resent later (half without eventId)"),
    "truncated": (0.001, "lines cut in the middle (malformed JSON)"),
    "missing_required": (0.002, "events with a required property absent, null or blank"),
    "invalid_value": (0.002, "events with one property of the wrong type or out of its enum"),
    "late": (0.01, "events written into a file of a day 1-3 days after their timestamp"),
    "nested": (0.1, 'events with their properties inside a "properties" object'),
    "unknown_event": (0.0005, "extra lines with an event name outside the taxonomy, or none"),
    "blank_line": (0.002, "extra blank or whitespace-only lines"),
}

# --- OpenTelemetry output (--otlp-share) ---------------------------------------------------------

# A session's client either exports through OpenTelemetry or it does not: the whole session (with
# its server events, resends and unknown events) is written as OTLP/JSON log records, never split
# across the formats. An event without eventId is de-duplicated only within its format, so a
# resend in the other format would count twice.
OTLP_RESOURCES = {
    "web": [
        ("service.name", "workbench-web"),
        ("service.version", "2.4.1"),
        ("telemetry.sdk.name", "opentelemetry"),
        ("telemetry.sdk.language", "webjs"),
        ("telemetry.sdk.version", "1.30.0"),
    ],
    # The 3% legacy clients: an older SDK, which names the event in an `event.name` attribute and
    # the user in the deprecated `enduser.id`.
    "web-legacy": [
        ("service.name", "workbench-web"),
        ("service.version", "1.9.4"),
        ("telemetry.sdk.name", "opentelemetry"),
        ("telemetry.sdk.language", "webjs"),
        ("telemetry.sdk.version", "1.8.0"),
    ],
    "api": [
        ("service.name", "workbench-api"),
        ("service.version", "7.2.0"),
        ("telemetry.sdk.name", "opentelemetry"),
        ("telemetry.sdk.language", "python"),
        ("telemetry.sdk.version", "1.29.0"),
    ],
}
# Attribute spellings: clients use the semantic conventions, the server the taxonomy's own keys.
OTLP_CLIENT_KEYS = {"sessionId": "session.id", "userId": "user.id"}
OTLP_LEGACY_KEYS = {"sessionId": "session.id", "userId": "enduser.id"}
# A wrong time of an invalid_value fault: no number, beyond 64 bits, before 2000.
OTLP_BAD_TIMES = ["yesterday", "20261301000000000000", "946684799000000000"]

# --- sizes and engine ---------------------------------------------------------------------------

# Events per session of this mix, measured; only sizes the first guess of --events, whose result
# is trimmed.
EVENTS_PER_SESSION = 13.2
FORMS = list(CLIENT_FORMS)  # form codes: index into this list
SERVER_FORM_CODES = {form: FORMS.index(form) for form in SERVER_FORMS}
WHOLE_SECOND_CODES = sorted(FORMS.index(form) for form in WHOLE_SECOND_FORMS)
LUT_SIZE = 4096
USER_LUT_SIZE = 8192  # 400 users with a long tail need finer steps
# Sessions older than this many days deliver nothing on the extra day: a session ends within a
# day or two, late events come at most 3 days later, resends at most 3 days after that.
EXTRA_DAY_LOOKBACK_DAYS = 10


def load_taxonomy(path: Path) -> dict[str, dict[str, tuple[bool, str]]]:
    """event name -> property key -> (is_required, value_type), from the project's seed."""
    taxonomy: dict[str, dict[str, tuple[bool, str]]] = defaultdict(dict)
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            required = row["is_required"].strip().lower() == "true"
            taxonomy[row["event_name"]][row["property_key"]] = (required, row["value_type"])
    return dict(taxonomy)


def day_start_ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY_MS


@dataclass
class Options:
    out: Path
    sessions_per_day: int
    events: int | None  # when set, about this many events instead of sessions_per_day
    days: int
    start_date: date
    seed: int
    files_per_day: int
    gzip_rate: float
    rates: dict[str, float]
    extra_day: bool
    extra_share: float
    otlp_share: float  # share of sessions written as OTLP/JSON log files
    otlp_batch: int  # log records per OTLP line (one LogsData object)
    threads: int | None
    memory_limit: str
    summary: Path | None
    quiet: bool


def lut(weights: list[float], size: int) -> list[int]:
    """Inverse-CDF lookup table: a uniform bin index -> the 0-based index of a weighted item."""
    total, cumulative, acc = sum(weights), [], 0.0
    for weight in weights:
        acc += weight
        cumulative.append(acc / total)
    return [
        min(len(weights) - 1, bisect.bisect_right(cumulative, (i + 0.5) / size))
        for i in range(size)
    ]


def choose(draw: str, options: list[tuple[str, float]]) -> str:
    """SQL CASE picking options[i][0] with probability proportional to options[i][1]."""
    total, acc, parts = sum(w for _, w in options), 0.0, []
    for value, weight in options[:-1]:
        acc += weight
        parts.append(f"when {draw} < {acc / total!r} then {value}")
    return f"case {' '.join(parts)} else {options[-1][0]} end"


def sql_list(values: list[Any]) -> str:
    return "[" + ", ".join(sql_literal(v) for v in values) + "]"


def sql_literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if value is None:
        return "null"
    return str(value)


def sql_map(mapping: dict[str, Any]) -> str:
    keys = ", ".join(sql_literal(k) for k in mapping)
    values = ", ".join(
        sql_list(v) if isinstance(v, list) else sql_literal(v) for v in mapping.values()
    )
    return f"map([{keys}], [{values}])"


def log(opts: Options, message: str) -> None:
    if not opts.quiet:
        print(message, file=sys.stderr, flush=True)


# --- the SQL ------------------------------------------------------------------------------------

MACROS = """
create or replace macro u(k, s) as hash(xor(k, s::ubigint))::double / 18446744073709551616.0;
create or replace macro ch(k, t) as hash(xor(k, t::ubigint));
create or replace macro wt(k, s, lo, hi) as
    greatest(1000, floor(1000 * lo * pow(hi / lo, u(k, s))))::bigint;
create or replace macro ri(k, s, lo, hi) as (lo + floor(u(k, s) * (hi - lo + 1)))::bigint;
create or replace macro hex12(k) as printf('%012x', k >> 16);
create or replace macro q(x) as '"' || x || '"';
create or replace macro p(key, val) as struct_pack(k := key, v := val);
create or replace macro cap(x, legacy) as
    case when legacy then upper(left(x, 1)) || lower(substr(x, 2)) else x end;
create or replace macro tpl(k, s) as
    'tpl-' || lpad(
        (getvariable('template_lut')[1 + floor(u(k, s) * 4096)::int] + 1)::varchar, 3, '0');
create or replace macro render_props(lst, server) as case when server
    then array_to_string(list_transform(lst, lambda x: q(x.k) || ': ' || x.v), ', ')
    else array_to_string(list_transform(lst, lambda x: q(x.k) || ':' || x.v), ',') end;
create or replace macro jbool(b) as case when b then 'true' else 'false' end;
create or replace macro uuid_text(h) as substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4'
    || substr(h, 14, 3) || '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12);
create or replace macro any_scalar(v) as case
    when v is null or v = 'null' then '{}'
    when left(v, 1) = '"' then '{"stringValue":' || v || '}'
    when v in ('true', 'false') then '{"boolValue":' || v || '}'
    when regexp_full_match(v, '-?[0-9]+') then '{"intValue":"' || v || '"}'
    else '{"doubleValue":' || v || '}'
end;
create or replace macro any_value(v) as case
    when left(v, 1) = '[' then '{"arrayValue":{"values":[' || array_to_string(list_transform(
        json_extract(v, '$[*]')::varchar[], lambda e: any_scalar(e)), ',') || ']}}'
    when left(v, 1) = '{' then '{"kvlistValue":{"values":[' || array_to_string(list_transform(
        json_keys(v), lambda k: '{"key":' || to_json(k)::varchar || ',"value":'
            || any_scalar(json_extract(v, '$."' || k || '"')::varchar) || '}'), ',') || ']}}'
    else any_scalar(v)
end;
"""


def sessions_sql() -> str:
    expo_episodes = "least(6, floor(-1.5 * ln(1 - u(ks, 8))))"
    return f"""
create or replace table sessions as
with numbered as (
    select d, day_ms, first_sno + unnest(range(n)) as sno from days
),
keyed as (
    select *, hash(xor(getvariable('seed_key'), sno::ubigint)) as ks from numbered
)
select
    sno,
    d,
    ks,
    's-' || hex12(ch(ks, 1001)) as sid,
    day_ms
        + getvariable('hour_lut')[1 + floor(u(ks, 1) * 4096)::int] * 3600000
        + floor(u(ks, 2) * 3600000)::bigint as start_ms,
    'u-' || lpad((getvariable('user_lut')[1 + floor(u(ks, 3) * {USER_LUT_SIZE})::int] + 1)::varchar,
        3, '0') as user_id,
    getvariable('client_form_lut')[1 + floor(u(ks, 4) * 4096)::int] as form,
    getvariable('tz_offsets')[1 + floor(u(ks, 5) * {len(TZ_OFFSETS_MIN)})::int] as tz_min,
    u(ks, 6) < 0.03 as legacy,
    u(ks, 7) < 0.95 as has_start,
    1 + {expo_episodes}::int as n_ep,
    u(ks, 9) < 0.85 as has_end,
    u(ks, 10) as rkey
from keyed
"""


def episodes_sql() -> str:
    kind = choose("u(ke, 1)", [(f"'{kind}'", weight) for kind, weight in EPISODE_WEIGHTS.items()])
    source = choose("u(ke, 4)", [("'chat'", 55), ("'template'", 30), ("'blank'", 15)])
    decision = choose("u(ke, 7)", [("'accept'", 60), ("'reject'", 20), ("'open'", 20)])
    runs = choose("u(ke, 10)", [("0", 30), ("1", 60), ("2", 10)])
    return f"""
create or replace table episodes as
with expanded as (
    select sno, ks, n_ep, unnest(range(-1, n_ep + 1)) as j, has_start, has_end
    from sessions
),
kept as (
    select sno, ks, n_ep, j, ch(ks, 2000 + j + 1) as ke
    from expanded
    where (j = -1 and has_start) or (j = n_ep and has_end) or (j between 0 and n_ep - 1)
),
drawn as (
    select
        *,
        case when j = -1 then 'start' when j = n_ep then 'end' else {kind} end as kind,
        {source} as src,
        {decision} as decision,
        u(ke, 8) < 0.05 as reconsider
    from kept
),
planned as (
    select
        *,
        case when j > 0 and j < n_ep and u(ke, 2) < 0.06 then ri(ke, 3, 31, 150) * 60000
            else 0 end as gap_ms,
        decision = 'accept' or (decision = 'reject' and reconsider) as accepting,
        case src when 'chat' then 1 when 'template' then ri(ke, 5, 1, 3) else 0 end as n_pre,
        least(8, floor(-2.2 * ln(1 - u(ke, 6))))::int as n_edits,
        case when kind = 'draft' then 'd-' || hex12(ch(ke, 1002)) end as draft_id,
        u(ke, 11) < 0.10 as anonymous,
        case src when 'chat' then ri(ke, 12, 3, 10) when 'template' then ri(ke, 12, 4, 12)
            else ri(ke, 12, 0, 1) end as nodes0,
        floor(60000 * pow(40, u(ke, 13)))::bigint as accept_target
    from drawn
),
with_blocks as (
    select
        *,
        case kind
            when 'start' then ['start']
            when 'end' then ['end']
            when 'approval' then ['approval']
            when 'chat' then list_transform(range(ri(ke, 5, 1, 4)), lambda x: 'chat')
            when 'browse' then list_transform(range(ri(ke, 5, 1, 3)), lambda x: 'browse')
            else list_concat(
                case src when 'chat' then ['propose']
                    when 'template' then list_transform(range(n_pre), lambda x: 'view')
                    else [] end,
                ['create'],
                list_transform(range(n_edits), lambda x: 'edit'),
                case when decision = 'reject' then ['reject'] else [] end,
                case when accepting then ['accept'] else [] end,
                case when accepting and u(ke, 9) < 0.1 then ['post'] else [] end,
                case when accepting then list_transform(range({runs}), lambda x: 'run')
                    else [] end
            )
        end as block_types
    from planned
)
select
    sno, j, ke, kind, src, gap_ms, draft_id, anonymous, nodes0, accept_target, block_types,
    list_position(block_types, 'accept') - 1 as accept_b,
    last_value(case when kind = 'draft' then draft_id end ignore nulls) over (
        partition by sno order by j rows between unbounded preceding and 1 preceding
    ) as last_draft
from with_blocks
"""


def blocks_sql() -> str:
    edit_kind = choose("u(kb, 11)", [("'chat'", 45), ("'canvas'", 40), ("'template_insert'", 15)])
    return f"""
create or replace table blocks as
with expanded as (
    select
        sno, j, ke, src, draft_id, anonymous, nodes0, last_draft,
        unnest(range(len(block_types))) as b,
        unnest(block_types) as btype
    from episodes
),
keyed as (
    select *, ch(ke, 3000 + b) as kb from expanded
),
drawn as (
    select
        *,
        btype = 'view' and u(kb, 10) < 0.35 as via_chat,
        case btype when 'post' then 'template_insert' when 'edit' then {edit_kind} end as edit_kind
    from keyed
),
flags as (
    select
        *,
        btype in ('chat', 'propose') or via_chat or coalesce(edit_kind = 'chat', false)
            as has_chat,
        coalesce(edit_kind = 'template_insert', false) as has_insert
    from drawn
),
flags2 as (
    select
        *,
        has_chat and (btype = 'propose' or u(kb, 12) < 0.4) as has_tool,
        has_chat and u(kb, 13) < 0.33 as has_suggest,
        btype not in ('chat', 'propose', 'edit', 'post') or has_insert as has_main,
        btype in ('edit', 'post')
            or (btype = 'run' and u(kb, 21) < 0.92)
            or (btype = 'approval' and u(kb, 21) < 0.85) as has_second
    from flags
),
timed as (
    select
        *,
        case when has_chat then wt(kb, 14, 5, 180) else 0 end as w0,
        case when has_tool then wt(kb, 15, 1, 12) else 0 end as w1,
        case when has_suggest then wt(kb, 16, 1, 8) else 0 end as w2,
        case btype
            when 'view' then wt(kb, 19, 3, 60)
            when 'create' then wt(kb, 19, 2, 30)
            when 'edit' then wt(kb, 19, 5, 120)
            when 'post' then wt(kb, 19, 5, 120)
            when 'reject' then wt(kb, 19, 5, 300)
            when 'accept' then 2000
            when 'run' then wt(kb, 19, 10, 300)
            when 'approval' then wt(kb, 19, 5, 90)
            when 'browse' then wt(kb, 19, 5, 90)
            when 'end' then wt(kb, 19, 5, 300)
            else 0
        end as w3,
        case when has_insert then wt(kb, 20, 1, 5) else 0 end as w4,
        case when btype = 'propose' and has_suggest and u(kb, 24) < 0.3 then tpl(kb, 17)
            when btype = 'view' and via_chat and has_suggest then tpl(kb, 17)
            when btype = 'view' then tpl(kb, 18) end as pre_template,
        case when btype in ('edit', 'post') then ri(kb, 25, -1, 3) else 0 end as node_delta
    from flags2
)
select
    * exclude (pre_template),
    w0 + w1 + w2 + w3 + w4 as bt,
    coalesce(sum(w0 + w1 + w2 + w3 + w4) over (
        partition by sno, j order by b rows between unbounded preceding and 1 preceding
    ), 0)::bigint as cum_before,
    lag(pre_template) over (partition by sno, j order by b) as created_template,
    greatest(1, nodes0 + sum(node_delta) over (
        partition by sno, j order by b rows between unbounded preceding and current row
    ))::bigint as nodes,
    case when btype = 'view' then pre_template end as view_template,
    has_chat::int + has_tool::int + has_suggest::int + has_main::int + has_second::int as n_events
from timed
"""


TRIM_SQL = """
create or replace table session_events as
select s.sno, s.d, s.rkey, sum(b.n_events) as n_events
from sessions as s
join blocks as b using (sno)
group by all
"""

EPISODE_TIMES_SQL = """
create or replace table episode_times as
with totals as (
    select
        sno, j,
        max(case when btype = 'create' then cum_before + bt end) as created_end,
        max(case when btype = 'accept' then cum_before end) as accept_prev,
        sum(bt)::bigint as total
    from blocks
    where sno in (select sno from kept_sessions)
    group by sno, j
),
adjusted as (
    select
        t.sno, t.j, e.gap_ms, e.accept_b,
        coalesce(greatest(0, e.accept_target - (t.accept_prev - t.created_end) - 2000), 0) as adj,
        t.total
    from totals as t
    join episodes as e using (sno, j)
)
select
    sno, j, accept_b, adj,
    (sum(gap_ms + total + adj) over (partition by sno order by j rows unbounded preceding)
        - total - adj)::bigint as ep_start
from adjusted
"""


# Own properties of each event, in the order they appear on a line:
# (key, SQL for its JSON text, null when the property is left out).
PROPERTIES: dict[str, list[tuple[str, str]]] = {
    "session_started": [
        ("userId", "case when u(ks, 11) < 0.9 then q(user_id) end"),
        (
            "referrer",
            "case when u(ks, 12) < 0.3 then q(getvariable('referrers')"
            f"[1 + floor(u(ks, 13) * {len(REFERRERS)})::int]) end",
        ),
    ],
    "session_ended": [
        ("durationMs", "case when u(ks, 14) < 0.85 then (clock - start_ms)::varchar end"),
        ("userId", "case when u(ks, 15) < 0.4 then q(user_id) end"),
    ],
    "draft_created": [
        ("source", "q(cap(src, legacy))"),
        ("draftId", "case when not anonymous then q(draft_id) end"),
        ("nodeCount", "case when u(kb, 30) < 0.9 then nodes0::varchar end"),
        ("templateId", "q(created_template)"),
    ],
    "draft_accepted": [
        ("draftId", "q(draft_id)"),
        ("source", "case when u(kb, 31) < 0.6 then q(cap(src, legacy)) end"),
        ("nodeCount", "case when u(kb, 49) < 0.5 then nodes::varchar end"),
    ],
    "draft_rejected": [
        ("draftId", "q(draft_id)"),
        ("source", "case when u(kb, 31) < 0.5 then q(cap(src, legacy)) end"),
    ],
    "draft_edited": [
        ("draftId", "q(draft_id)"),
        ("editType", "q(cap(edit_kind, legacy))"),
        ("nodeCount", "case when u(kb, 32) < 0.8 then nodes::varchar end"),
        (
            "intent",
            "case when u(kb, 33) < 0.3 then q(getvariable('intents')"
            f"[1 + floor(u(kb, 34) * {len(INTENTS)})::int]) end",
        ),
    ],
    "template_viewed": [
        ("templateId", "q(coalesce(view_template, tpl(kb, 18)))"),
        ("source", "q(case when via_chat then 'chat_suggestion' else 'library' end)"),
    ],
    "template_inserted": [("templateId", "q(tpl(kb, 35))"), ("draftId", "q(draft_id)")],
    "chat_message_sent": [
        (
            "messageLength",
            "case when u(kb, 36) < 0.9"
            " then least(4000, floor(8 * pow(150, u(kb, 37))))::bigint::varchar end",
        ),
        ("hasAttachment", "case when u(kb, 38) < 0.4 then jbool(u(kb, 39) < 0.12) end"),
    ],
    "chat_tool_invoked": [
        (
            "toolId",
            "q(case when btype = 'propose' then 'proposeWorkflow' else getvariable('chat_tools')"
            f"[1 + floor(u(kb, 40) * {len(CHAT_TOOLS)})::int] end)",
        ),
        ("success", "case when u(kb, 41) < 0.85 then jbool(u(kb, 42) < 0.93) end"),
        ("draftId", "case when btype = 'edit' and u(kb, 43) < 0.7 then q(draft_id) end"),
    ],
    "template_suggested": [
        ("templateId", "q(tpl(kb, 17))"),
        ("accepted", "case when u(kb, 44) < 0.75 then jbool(u(kb, 45) < 0.4) end"),
        ("draftId", "case when btype = 'edit' and u(kb, 46) < 0.5 then q(draft_id) end"),
    ],
    "workflow_run_started": [("draftId", "q(draft_id)"), ("runId", "q(run_id)")],
    "workflow_run_completed": [
        ("runId", "q(run_id)"),
        ("status", "q(cap(run_status, legacy))"),
        ("durationMs", "case when u(kb, 47) < 0.9 then second_offset::varchar end"),
        ("draftId", "case when u(kb, 48) < 0.7 then q(draft_id) end"),
    ],
    "approval_requested": [
        ("toolIds", "'[' || array_to_string(list_transform(tools, lambda t: q(t)), ',') || ']'"),
        ("contextType", "q(context)"),
        (
            "incidentId",
            "case when context = 'incident' then case when u(kb, 50) < 0.3"
            " then ri(kb, 54, 1000, 9999)::varchar else q('inc-' || ri(kb, 54, 1000, 9999)) end"
            " end",
        ),
        ("workflowId", "case when context = 'workflow' then q('wf-' || hex12(ch(kb, 1004))) end"),
        ("draftId", "case when context = 'draft' then q(last_draft) end"),
    ],
    "approval_completed": [
        ("approved", "jbool(u(kb, 55) < 0.78)"),
        (
            "approverId",
            "case when u(kb, 56) < 0.9 then q(getvariable('approvers')"
            f"[1 + floor(u(kb, 57) * {len(APPROVERS)})::int]) end",
        ),
        (
            "toolIds",
            "case when u(kb, 58) < 0.8 then '[' || array_to_string(list_transform(list_filter("
            "getvariable('tool_perms')[1 + floor(u(kb, 59) * 120)::int],"
            " lambda t: list_contains(tools, t)), lambda t: q(t)), ', ') || ']' end",
        ),
    ],
}


def check_properties(taxonomy: dict[str, dict[str, tuple[bool, str]]]) -> None:
    """The simulation must emit exactly the seed's events and properties; say what differs."""
    emitted = {PREFIX + name: {key for key, _ in props} for name, props in PROPERTIES.items()}
    wanted = {name: set(spec) - {"sessionId", "timestamp"} for name, spec in taxonomy.items()}
    if emitted != wanted:
        differences = [
            f"{name}: the seed has {sorted(wanted.get(name, []))}, PROPERTIES has"
            f" {sorted(emitted.get(name, []))}"
            for name in sorted(set(emitted) | set(wanted))
            if emitted.get(name) != wanted.get(name)
        ]
        raise SystemExit(
            f"error: scripts/generate_events.py does not emit what {TAXONOMY_CSV.name} lists:\n  "
            + "\n  ".join(differences)
            + "\nAdd the event or property to PROPERTIES (and the step that emits it to"
            " episodes_sql/blocks_sql), or remove it there."
        )


# The JSON text of instant `ts` (epoch ms) in timestamp form `form` (an index into FORMS),
# `tz_min` the client's offset; the whole-second forms get `ts` floored to the second.
TIMESTAMP_TEXT_SQL = f"""
case form
    when {FORMS.index("epoch_ms")} then ts::varchar
    when {FORMS.index("iso_ms_z")} then q(strftime(epoch_ms(ts), '%Y-%m-%dT%H:%M:%S.%gZ'))
    when {FORMS.index("iso_z")} then q(strftime(epoch_ms(ts), '%Y-%m-%dT%H:%M:%SZ'))
    when {FORMS.index("space")} then q(strftime(epoch_ms(ts), '%Y-%m-%d %H:%M:%S'))
    when {FORMS.index("no_zone")} then q(strftime(epoch_ms(ts), '%Y-%m-%dT%H:%M:%S.%g'))
    else q(strftime(epoch_ms(ts + tz_min * 60000), '%Y-%m-%dT%H:%M:%S.%g')
        || case when tz_min >= 0 then '+' else '-' end
        || lpad((abs(tz_min) // 60)::varchar, 2, '0') || ':'
        || lpad((abs(tz_min) % 60)::varchar, 2, '0'))
end"""


def own_text_sql() -> str:
    """The event's own properties as JSON members, each led by the separator ('' when none)."""
    branches = []
    for name, props in PROPERTIES.items():
        members = ", ".join(f"sep || '\"{key}\"' || colon || ({value})" for key, value in props)
        branches.append(f"when '{name}' then concat({members})")
    return "case name " + " ".join(branches) + " end"


def own_list_sql() -> str:
    """The same as a list of (k, v) structs, for the few lines whose properties get a fault."""
    branches = []
    for name, props in PROPERTIES.items():
        members = ", ".join(f"p('{key}', {value})" for key, value in props)
        branches.append(f"when '{name}' then [{members}]")
    return "case name " + " ".join(branches) + " end"


def events_sql(opts: Options, taxonomy: dict[str, dict[str, tuple[bool, str]]]) -> str:
    """One row per event: its rendered line (faults applied), the day and file it arrives in
    (late ones moved), and what extra lines it brings (a resend, an unknown event, a blank)."""
    rates = opts.rates
    last = opts.days  # index of the extra day; the base files hold days 0 .. last - 1
    server = "(" + ", ".join(sql_literal(n) for n in sorted(SERVER_EVENTS)) + ")"
    status = choose("u(kb, 23)", [("'completed'", 80), ("'failed'", 15), ("'cancelled'", 5)])
    context = choose("u(kb, 53)", [("'incident'", 50), ("'workflow'", 30), ("'draft'", 20)])
    # Faults: a required key removed or blanked, one property given a wrong value, the
    # properties nested, the line cut short.
    required = {
        name[len(PREFIX) :]: [k for k, (req, _) in spec.items() if req]
        for name, spec in taxonomy.items()
    }
    value_types = {
        f"{name[len(PREFIX) :]}.{key}": value_type
        for name, spec in taxonomy.items()
        for key, (_, value_type) in spec.items()
    }
    bad = {t: [json.dumps(v) for v in values] for t, values in BAD_VALUES.items()}
    bad_compact = {
        t: [json.dumps(v, separators=(",", ":")) for v in values]
        for t, values in BAD_VALUES.items()
    }
    fault_key = """
    case when len(list_filter({keys}, lambda k: k not in ('sessionId', 'timestamp'))) > 0
            and u(kv, {own_salt}) < 0.9
        then list_filter({keys}, lambda k: k not in ('sessionId', 'timestamp'))[
            1 + floor(u(kv, {pick_salt}) * len(list_filter({keys},
                lambda k: k not in ('sessionId', 'timestamp'))))::int]
        else {keys}[1 + floor(u(kv, {pick_salt}) * len({keys}))::int]
    end"""
    missing_key = fault_key.format(keys=f"({sql_map(required)}[name])", own_salt=72, pick_salt=73)
    invalid_key = fault_key.format(
        keys="list_transform(props1, lambda x: x.k)", own_salt=77, pick_salt=78
    )
    blank_values = sql_list(["null", '""', '"  "'])
    blank_set = "(" + ", ".join(sql_literal(v) for v in ["null", '""', '"  "']) + ")"
    bad_time = f"{sql_list(OTLP_BAD_TIMES)}[1 + floor(u(kv, 79) * {len(OTLP_BAD_TIMES)})::int]"
    full_name = f"'{PREFIX}' || name"
    unknown_name = f"{sql_list(UNKNOWN_EVENTS)}[1 + floor(u(kv, 67) * {len(UNKNOWN_EVENTS)})::int]"
    unknown_heads = sql_list(
        [json.dumps({"event": n})[:-1] + ", " if n else "{" for n in UNKNOWN_EVENTS]
    )
    return f"""
create or replace table event_lines as
with timed_blocks as (
    select
        b.*,
        s.sid, s.start_ms, s.user_id, s.form as session_form, s.tz_min, s.legacy, s.ks,
        u(s.ks, 16) < {opts.otlp_share!r} as otlp,
        s.start_ms + t.ep_start + b.cum_before
            + case when b.b >= t.accept_b then t.adj else 0 end as block_clock,
        case b.btype
            when 'run' then floor(1000 * (case when {status} = 'failed' then 3 else 5 end)
                * pow(120, u(kb, 22)))::bigint
            when 'approval' then floor(10000 * pow(120, u(kb, 22)))::bigint
            else 0 end as second_offset,
        case when b.btype = 'run' then {status} end as run_status,
        case when b.btype = 'run' then 'r-' || hex12(ch(kb, 1003)) end as run_id,
        case when b.btype = 'approval' then list_slice(
            getvariable('tool_perms')[1 + floor(u(kb, 51) * 120)::int],
            1, [1, 1, 2, 3][1 + floor(u(kb, 52) * 4)::int]) end as tools,
        case when b.btype = 'approval' then
            case when {context} = 'draft' and b.last_draft is null then 'incident'
                else {context} end
        end as context
    from blocks as b
    join kept_sessions as s using (sno)
    join episode_times as t using (sno, j)
),
slotted as (
    select
        *,
        unnest(list_filter(list_value(
            case when has_chat then 0 end,
            case when has_tool then 1 end,
            case when has_suggest then 2 end,
            case when has_main then 3 end,
            case when has_second then 4 end), lambda x: x is not null)) as slot
    from timed_blocks
),
named as (
    select
        *,
        ch(kb, 4000 + slot) as kv,
        (((j + 1) * 100 + b) * 10 + slot)::integer as ord,
        case slot
            when 0 then 'chat_message_sent'
            when 1 then 'chat_tool_invoked'
            when 2 then 'template_suggested'
            when 3 then case btype
                when 'view' then 'template_viewed'
                when 'browse' then 'template_viewed'
                when 'create' then 'draft_created'
                when 'edit' then 'template_inserted'
                when 'post' then 'template_inserted'
                when 'reject' then 'draft_rejected'
                when 'accept' then 'draft_accepted'
                when 'run' then 'workflow_run_started'
                when 'approval' then 'approval_requested'
                when 'start' then 'session_started'
                when 'end' then 'session_ended' end
            else case btype
                when 'run' then 'workflow_run_completed'
                when 'approval' then 'approval_completed'
                else 'draft_edited' end
        end as name,
        block_clock + case slot
            when 0 then w0
            when 1 then w0 + w1
            when 2 then w0 + w1 + w2
            when 3 then w0 + w1 + w2 + w3
            else w0 + w1 + w2 + w3 + w4
                + case when btype in ('run', 'approval') then second_offset else 0 end
        end as clock
    from slotted
),
formed as (
    select
        *,
        name in {server} as server,
        case when name in {server}
            then getvariable('server_form_lut')[1 + floor(u(kv, 1) * 4096)::int]
            else session_form end as form
    from named
),
stamped as (
    select
        *,
        case when form in {tuple(WHOLE_SECOND_CODES)} then clock - clock % 1000 else clock end
            as ts,
        case when server then ', ' else ',' end as sep,
        case when server then ': ' else ':' end as colon,
        u(kv, 71) < {rates["missing_required"]} as f_missing,
        u(kv, 76) < {rates["invalid_value"]} as f_invalid,
        u(kv, 80) < {rates["nested"]} as f_nested,
        u(kv, 81) < 0.3 as keep_top,
        u(kv, 70) < {rates["truncated"]} as f_truncated
    from formed
),
texts as (
    select
        *,
        {TIMESTAMP_TEXT_SQL} as ts_text,
        case when u(kv, 2) < 0.8 then printf('%016x%016x', ch(kv, 1005), ch(kv, 1006)) end as h
    from stamped
),
parts as (
    select
        *,
        '"event"' || colon || '"{PREFIX}' || name || '"' as head,
        coalesce(sep || '"eventId"' || colon || '"' || uuid_text(h) || '"', '') as tail,
        '"sessionId"' || colon || q(sid) || sep || '"timestamp"' || colon || ts_text as top,
        case when not (f_missing or f_invalid) then {own_text_sql()} end as own,
        case when f_missing or f_invalid then list_concat(
            [p('sessionId', q(sid)), p('timestamp', ts_text)],
            list_filter({own_list_sql()}, lambda x: x.v is not null)
        ) end as props0
    from texts
),
missing_keyed as (
    select *, case when f_missing then {missing_key} end as mk from parts
),
missing_applied as (
    select
        * exclude (props0),
        case when not f_missing then props0
            when u(kv, 74) < 0.3 then list_transform(props0, lambda x: case when x.k = mk
                then p(x.k, {blank_values}[1 + floor(u(kv, 75) * 3)::int]) else x end)
            else list_filter(props0, lambda x: x.k != mk)
        end as props1
    from missing_keyed
),
invalid_keyed as (
    select *, case when f_invalid then {invalid_key} end as ik from missing_applied
),
invalid_applied as (
    select
        * exclude (props1),
        case when not f_invalid then props1
            else list_transform(props1, lambda x: case when x.k = ik then p(x.k, bad_values[
                1 + floor(u(kv, 79) * len(bad_values))::int]) else x end)
        end as props
    from (
        select
            *,
            case when f_invalid then
                (case when server then {sql_map(bad)} else {sql_map(bad_compact)} end)[
                    {sql_map(value_types)}[name || '.' || ik]]
            end as bad_values
        from invalid_keyed
    )
),
-- An OTLP session's event as the members of a log record (observedTimeUnixNano is added when it
-- is written, as a resend is observed again): its properties become typed attributes, the
-- timestamp timeUnixNano. A timestamp removed or blanked leaves both times out.
otlp_props as (
    select
        *,
        case when otlp then coalesce(props, list_concat(
            [p('sessionId', q(sid)), p('timestamp', ts_text)],
            list_filter({own_list_sql()}, lambda x: x.v is not null)
        )) end as oprops
    from invalid_applied
),
otlp_time as (
    select
        *,
        list_filter(oprops, lambda x: x.k = 'timestamp')[1].v as time_value
    from otlp_props
),
recorded as (
    select
        *,
        case when otlp then array_to_string(list_filter([
            case when time_value = ts_text then '"timeUnixNano":"' || (ts * 1000000)::varchar || '"'
                when time_value is not null and time_value not in {blank_set}
                    then '"timeUnixNano":"' || {bad_time} || '"' end,
            case when server or not legacy then '"eventName":"{PREFIX}' || name || '"' end,
            '"attributes":[' || array_to_string(list_concat(
                case when legacy and not server
                    then ['{{"key":"event.name","value":{{"stringValue":"' || {full_name}
                        || '"}}}}']
                    else [] end,
                list_transform(list_filter(oprops, lambda x: x.k != 'timestamp'), lambda x:
                    '{{"key":"' || case when server then x.k
                        when legacy then coalesce({sql_map(OTLP_LEGACY_KEYS)}[x.k], x.k)
                        else coalesce({sql_map(OTLP_CLIENT_KEYS)}[x.k], x.k) end
                    || '","value":' || any_value(x.v) || '}}'),
                case when h is not null
                    then ['{{"key":"eventId","value":{{"stringValue":"' || uuid_text(h) || '"}}}}']
                    else [] end
            ), ',') || ']',
            case when server then '"traceId":"' || printf('%016x%016x', ch(kv, 1007), ch(kv, 1008))
                || '","spanId":"' || printf('%016x', ch(kv, 1009)) || '"' end
        ], lambda m: m is not null), ',') end as record,
        otlp and (time_value is null or time_value in {blank_set}) as no_time
    from otlp_time
),
lined as (
    select
        *,
        case
            when props is not null and not f_nested then
                '{{' || head || sep || render_props(props, server) || tail || '}}'
            when props is not null then
                '{{' || head || coalesce(sep || nullif(render_props(list_filter(props,
                    lambda x: keep_top and x.k in ('sessionId', 'timestamp')), server), ''), '')
                || tail || sep || '"properties"' || colon || '{{' || render_props(list_filter(props,
                    lambda x: not (keep_top and x.k in ('sessionId', 'timestamp'))), server)
                || '}}}}'
            when not f_nested then '{{' || head || sep || top || own || tail || '}}'
            when keep_top then '{{' || head || sep || top || tail || sep || '"properties"' || colon
                || '{{' || substr(own, length(sep) + 1) || '}}}}'
            else '{{' || head || tail || sep || '"properties"' || colon || '{{' || top || own
                || '}}}}'
        end as full_line,
        least({last}, (ts - getvariable('start_ms')) // {DAY_MS}) as day0
    from recorded
),
arrived as (
    select
        *,
        case when otlp then null when f_truncated then left(full_line,
            (length(full_line) // 5 + floor(u(kv, 82)
                * (length(full_line) * 9 // 10 - length(full_line) // 5 + 1)))::int)
            else full_line end as line,
        day0 < {last} and u(kv, 60) < {rates["late"]} as f_late,
        u(kv, 63) < {rates["duplicate"]} * case when h is not null then {0.5 / 0.8!r}
            else {0.5 / 0.2!r} end as f_resend
    from lined
),
dated as (
    select
        *,
        case when f_late then least({last}, day0 + ri(kv, 61, 1, 3)) else day0 end as arr_day,
        case when f_late then getvariable('start_ms')
            + least({last}, day0 + ri(kv, 61, 1, 3)) * {DAY_MS}
            + floor(u(kv, 62) * {DAY_MS})::bigint
            else ts end as arrival
    from arrived
)
select
    arr_day::integer as arr_day,
    file_part(arrival, arr_day) as part,
    arrival, sno, ord, line,
    otlp, record, not no_time as has_observed, ri(kv, 84, 20, 3000) as observed_delay,
    case when not otlp then 'flat' when server then 'api' when legacy then 'web-legacy'
        else 'web' end as resource,
    case when not server then 'workbench.analytics'
        when name in ('chat_tool_invoked', 'template_suggested') then 'workbench.chat'
        when name like 'workflow_run_%' then 'workbench.runs'
        else 'workbench.approvals' end as scope,
    day0::integer as day0,
    name = 'draft_accepted' as is_accepted,
    f_missing, f_invalid, f_nested, f_truncated, f_late,
    -- Resends: most within hours (the same or the next file), a fifth 1-3 days later.
    case when f_resend then arrival + case when u(kv, 64) < 0.8
        then floor(1000 * pow(21600, u(kv, 65)))
        else floor({DAY_MS} * (1 + 2 * u(kv, 65))) end::bigint end as resend_arrival,
    case when not otlp and u(kv, 66) < {rates["unknown_event"]} then
        {unknown_heads}[1 + floor(u(kv, 67) * {len(UNKNOWN_EVENTS)})::int]
            || '"sessionId": "' || sid || '", "timestamp": "'
            || strftime(epoch_ms(ts), '%Y-%m-%dT%H:%M:%S.%gZ') || '"}}'
    end as unknown_line,
    case when otlp and u(kv, 66) < {rates["unknown_event"]} then array_to_string(list_filter([
        '"timeUnixNano":"' || (ts * 1000000)::varchar || '"',
        '"eventName":"' || {unknown_name} || '"',
        '"attributes":[{{"key":"session.id","value":{{"stringValue":"' || sid || '"}}}}]'
    ], lambda m: m is not null), ',') end as unknown_record,
    -- An exporter writes no blank lines: only flat files get them.
    case when not otlp and u(kv, 68) < {rates["blank_line"]} then
        {sql_list(BLANK_LINES)}[1 + floor(u(kv, 69) * {len(BLANK_LINES)})::int]
    end as blank_line
from dated
"""


def extra_lines_sql(opts: Options) -> str:
    """The lines an event brings besides its own: its resend, an unknown event, a blank line."""
    last = opts.days
    return f"""
create or replace table extra_lines as
select
    arr_day::integer as arr_day, file_part(arrival, arr_day) as part, arrival, sno, ord, sub, line
from (
    select least({last}, (resend_arrival - getvariable('start_ms')) // {DAY_MS}) as arr_day,
        resend_arrival as arrival, sno, ord, 1 as sub, line
    from event_lines where resend_arrival is not null and not otlp
    union all
    select arr_day, arrival, sno, ord, 2, unknown_line from event_lines
    where unknown_line is not null
    union all
    select arr_day, arrival, sno, ord, 3, blank_line from event_lines where blank_line is not null
)
"""


def otlp_records_sql(opts: Options) -> str:
    """The OTLP sessions' log records, each with the file it arrives in: the events, their
    resends (observed again, later) and the unknown events they bring."""
    last = opts.days

    def record(at: str, members: str) -> str:
        observed = f"""'"observedTimeUnixNano":"' || (({at} + observed_delay) * 1000000)::varchar"""
        return f"""'{{' || case when has_observed then {observed} || '",' else '' end
            || {members} || '}}'"""

    return f"""
create or replace table otlp_records as
select
    arr_day::integer as arr_day, file_part(arrival, arr_day) as part, arrival, sno, ord, sub,
    resource, scope, text
from (
    select arr_day, arrival, sno, ord, 0 as sub, resource, scope,
        {record("arrival", "record")} as text
    from event_lines where otlp
    union all
    select least({last}, (resend_arrival - getvariable('start_ms')) // {DAY_MS}), resend_arrival,
        sno, ord, 1, resource, scope, {record("resend_arrival", "record")}
    from event_lines where otlp and resend_arrival is not null
    union all
    select arr_day, arrival, sno, ord, 2, 'web', 'workbench.analytics',
        '{{"observedTimeUnixNano":"' || ((arrival + observed_delay) * 1000000)::varchar || '",'
            || unknown_record || '}}'
    from event_lines where unknown_record is not null
)
"""


def otlp_resources_sql() -> str:
    """Resource code -> the JSON of its `resource` object."""
    texts = {
        code: json.dumps(
            {"attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attributes]},
            separators=(",", ":"),
        )
        for code, attributes in OTLP_RESOURCES.items()
    }
    return sql_map(texts)


def otlp_lines_sql(opts: Options, day_index: int, part: int) -> str:
    """The lines of one OTLP file: its records in arrival order, `otlp_batch` to a line (one
    export of the collector), grouped by resource and scope; a share of lines cut short."""
    return f"""
with numbered as (
    select resource, scope, text, row_number() over (order by arrival, sno, ord, sub) as rn
    from otlp_records where arr_day = {day_index} and part = {part}
),
scoped as (
    select
        (rn - 1) // {opts.otlp_batch} as batch, resource, scope,
        '{{"scope":{{"name":"' || scope || '"}},"logRecords":['
            || string_agg(text, ',' order by rn) || ']}}' as text
    from numbered
    group by batch, resource, scope
),
resourced as (
    select
        batch, resource,
        '{{"resource":' || {otlp_resources_sql()}[resource] || ',"scopeLogs":['
            || string_agg(text, ',' order by scope) || ']}}' as text
    from scoped
    group by batch, resource
),
lined as (
    select
        batch, line_key({day_index}, {part}, batch) as lk,
        '{{"resourceLogs":[' || string_agg(text, ',' order by resource) || ']}}' as full_line
    from resourced
    group by batch
)
select
    batch,
    case when u(lk, 70) < {opts.rates["truncated"]} then left(full_line,
        (length(full_line) // 5 + floor(u(lk, 82)
            * (length(full_line) * 9 // 10 - length(full_line) // 5 + 1)))::int)
        else full_line end as line
from lined
"""


def creations_sql(opts: Options) -> str:
    """Other-channel workflow creations: about a fifth of each month's accepted drafts, with a
    missing id, an unreadable time and a repeated id for every 50 rows."""
    source = choose(
        "u(k, 4)",
        [("'manual'", 45), ("'api'", 35), ("'import'", 10), ("'workbench'", 10)],
    )
    variants = sql_list(["workbench", "Workbench", " Workbench ", "WORKBENCH"])
    form = choose("u(k, 6)", [("'iso_z'", 80), ("'iso_ms_z'", 10), ("'offset'", 10)])
    bad_times = sql_list(["not-a-date", "2026-02-30T10:00:00Z", "31/10/2026 10:00"])

    def created_at(key: str, salt: int) -> str:
        # A day of the month's generated days, an hour by the traffic's hour weights.
        ms = (
            f"(getvariable('start_ms') + (first_day + floor(u({key}, {salt}) * n_days)::int)"
            f" * {DAY_MS} + getvariable('hour_lut')[1 + floor(u({key}, {salt + 1}) * 4096)::int]"
            f" * 3600000 + floor(u({key}, {salt + 2}) * 3600000)::bigint)"
        )
        return f"""case {form.replace("u(k, 6)", f"u({key}, {salt + 3})")}
            when 'iso_z' then strftime(epoch_ms({ms} - {ms} % 1000), '%Y-%m-%dT%H:%M:%SZ')
            when 'iso_ms_z' then strftime(epoch_ms({ms}), '%Y-%m-%dT%H:%M:%S.%gZ')
            else strftime(epoch_ms({ms} + 7200000), '%Y-%m-%dT%H:%M:%S.%g') || '+02:00' end"""

    return f"""
create or replace table creations as
with months as (
    select
        month, first_day, n_days,
        mk,
        round(coalesce(accepted, 0) * (0.17 + 0.04 * u(mk, 1)))::int as n_rows
    from month_days
    left join (
        select strftime(getvariable('start_date') + to_days(least({opts.days - 1}, day0)), '%Y-%m')
            as month,
            count(*) as accepted
        from event_lines where is_accepted
        group by all
    ) using (month)
),
good as (
    select month, first_day, n_days, ch(mk, 10000 + i) as k, i
    from (select *, unnest(range(n_rows)) as i from months)
),
good_rows as (
    select
        month,
        'wf-' || hex12(ch(k, 1)) as workflow_id,
        {created_at("k", 20)} as created_at,
        case when {source} = 'workbench'
            then {variants}[1 + floor(u(k, 5) * 4)::int] else {source} end as creation_source
    from good
),
ordered as (
    select *, row_number() over (partition by month order by created_at, workflow_id) as pos,
        count(*) over (partition by month) as n
    from good_rows
),
bad as (
    select m.month, m.first_day, m.n_days, m.n_rows, ch(m.mk, 20000 + g) as k
    from (select *, unnest(range(n_rows // 50 + 1)) as g from months where n_rows > 0) as m
),
bad_rows as (
    select month, null as workflow_id, {created_at("k", 30)} as created_at,
        'manual' as creation_source,
        u(k, 40) * (n_rows + 1) as pos
    from bad
    union all
    select month, 'wf-' || hex12(ch(k, 2)), {bad_times}[1 + floor(u(k, 41) * 3)::int], 'api',
        u(k, 42) * (n_rows + 1)
    from bad
    union all
    select b.month, o.workflow_id, {created_at("b.k", 50)}, 'import', u(b.k, 44) * (b.n_rows + 1)
    from bad as b
    join ordered as o
        on o.month = b.month and o.pos = 1 + floor(u(b.k, 43) * b.n_rows)::int
)
select month, workflow_id, created_at, creation_source, pos::double as pos, 0 as tie from ordered
union all
select month, workflow_id, created_at, creation_source, pos, 1 from bad_rows
"""


# --- driver -------------------------------------------------------------------------------------


def day_counts(opts: Options) -> list[tuple[int, int, int]]:
    """(day index, sessions, first session number) for the base days and the extra day."""
    weights = []
    for d in range(opts.days):
        day = opts.start_date + timedelta(days=d)
        jitter = random.Random(f"{opts.seed}:day:{d}").uniform(0.9, 1.1)
        weights.append((1 if day.weekday() < 5 else WEEKEND_SHARE) * jitter)
    if opts.events is None:
        counts = [round(opts.sessions_per_day * w) for w in weights]
        drawn = sum(counts)
    else:  # more than enough sessions, trimmed to the asked number of events later
        drawn = math.ceil(opts.events / EVENTS_PER_SESSION * 1.1) + 20
        counts = [round(drawn * w / sum(weights)) for w in weights]
    counts.append(max(1, round(drawn * opts.extra_share)))
    rows, first = [], 0
    for d, n in enumerate(counts):
        rows.append((d, n, first))
        first += n
    return rows


def connect(opts: Options, temp_dir: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": opts.memory_limit, "temp_directory": temp_dir})
    if opts.threads:
        con.execute(f"set threads = {int(opts.threads)}")
    con.execute("set preserve_insertion_order = true")
    return con


def set_variables(con: duckdb.DuckDBPyConnection, opts: Options) -> None:
    start_ms = day_start_ms(opts.start_date)
    tool_perms = [list(p) for p in permutations(RESTRICTED_TOOLS)]
    assert len(tool_perms) == 120
    values: dict[str, tuple[str, Any]] = {
        "seed_key": ("ubigint", random.Random(f"{opts.seed}:sessions").getrandbits(64)),
        "start_ms": ("bigint", start_ms),
        "start_date": ("date", opts.start_date),
        "hour_lut": ("integer[]", lut(HOUR_WEIGHTS, LUT_SIZE)),
        "user_lut": ("integer[]", lut(USER_WEIGHTS, USER_LUT_SIZE)),
        "template_lut": ("integer[]", lut(TEMPLATE_WEIGHTS, LUT_SIZE)),
        "client_form_lut": ("integer[]", lut(list(CLIENT_FORMS.values()), LUT_SIZE)),
        "server_form_lut": (
            "integer[]",
            [
                list(SERVER_FORM_CODES.values())[i]
                for i in lut(list(SERVER_FORMS.values()), LUT_SIZE)
            ],
        ),
        "tz_offsets": ("integer[]", TZ_OFFSETS_MIN),
        "referrers": ("varchar[]", REFERRERS),
        "intents": ("varchar[]", INTENTS),
        "chat_tools": ("varchar[]", CHAT_TOOLS),
        "approvers": ("varchar[]", APPROVERS),
        "tool_perms": ("varchar[][]", tool_perms),
    }
    for name, (sql_type, value) in values.items():
        con.execute(f"set variable {name} = ?::{sql_type}", [value])
    con.execute(MACROS)
    # The key of an OTLP line, for its faults. Written with the seed's key as a literal: the
    # files are written by cursors, which do not see this connection's variables.
    con.execute(f"""
        create or replace macro line_key(arr_day, part, batch) as hash(xor(
            {values["seed_key"][1]}::ubigint,
            (7000000000000 + arr_day::bigint * 1000000000 + part::bigint * 10000000
                + batch)::ubigint
        ))
    """)
    con.execute(f"""
        create or replace macro file_part(arrival, arr_day) as least({opts.files_per_day - 1},
            (arrival - {start_ms} - arr_day * {DAY_MS}) * {opts.files_per_day} // {DAY_MS})::integer
    """)


def write_line_files(
    con: duckdb.DuckDBPyConnection,
    opts: Options,
    stats: dict,
    jobs: list[tuple[int, int, bool, Path]],
    lines_sql: Callable[[int, int], str],
    what: str,
) -> None:
    """Each job (day index, part, gzip or not, path) as one file of the lines `lines_sql(day, part)`
    selects, in its order, written verbatim (no quoting, no header), a few files at a time:
    DuckDB writes each in its own cursor. Counts files and bytes into `stats`."""

    def write(job: tuple[int, int, bool, Path]) -> int:
        day_index, part, gz, path = job
        cursor = con.cursor()
        cursor.execute(f"""copy ({lines_sql(day_index, part)}
        ) to '{path}' (format csv, header false, quote '', escape '', delimiter '\x1f',
            compression {"gzip" if gz else "none"})""")
        cursor.close()
        return path.stat().st_size

    workers = max(1, min(4, opts.threads or os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, size in enumerate(pool.map(write, jobs), start=1):
            stats["files"] += 1
            stats["bytes"] += size
            if len(jobs) >= 40 and done % (len(jobs) // 4) == 0:
                log(opts, f"  wrote {done}/{len(jobs)} {what}")


def write_files(con: duckdb.DuckDBPyConnection, opts: Options, stats: dict) -> None:
    """One COPY per (day, part) file, each ordered, two at a time (one per core)."""
    wanted = f"arr_day {'=' if opts.extra_day else '<'} {opts.days}"
    files = con.execute(f"""
        select arr_day, part from event_lines where {wanted} and not otlp
        union select arr_day, part from extra_lines where {wanted}
        order by all
    """).fetchall()
    jobs = []
    for day_index, part in files:
        day = opts.start_date + timedelta(days=day_index)
        folder = opts.out / "events" / f"date={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        gz = random.Random(f"{opts.seed}:gzip:{day_index}:{part}").random() < opts.gzip_rate
        jobs.append((day_index, part, gz, folder / f"part-{part:04d}.jsonl{'.gz' if gz else ''}"))

    def lines_sql(day_index: int, part: int) -> str:
        where = f"arr_day = {day_index} and part = {part}"
        return f"""
            select line from (
                select arrival, sno, ord, 0 as sub, line from event_lines
                where {where} and not otlp
                union all
                select arrival, sno, ord, sub, line from extra_lines where {where}
            )
            order by arrival, sno, ord, sub"""

    write_line_files(con, opts, stats, jobs, lines_sql, "event files")
    counts = con.execute(f"""
        select
            (select count(*) from event_lines where {wanted} and not otlp),
            (select count(*) from extra_lines where {wanted} and sub = 1),
            (select count(*) from extra_lines where {wanted} and sub = 2),
            (select count(*) from extra_lines where {wanted} and sub = 3)
    """).fetchone()
    stats["events"], stats["resends"], stats["unknown_event_lines"], stats["blank_lines"] = counts
    stats["lines"] = sum(counts)


def otlp_file_name(opts: Options, day_index: int, part: int) -> str:
    """As a collector's file exporter names a rotated backup: the time it was rotated (the end
    of the part's window), so the names sort by time."""
    rotated = datetime.combine(opts.start_date, datetime.min.time()) + timedelta(
        days=day_index, seconds=(part + 1) * 86_400 // opts.files_per_day
    )
    return f"workbench-{rotated:%Y-%m-%dT%H-%M-%S}.000.jsonl"


def write_otlp_files(con: duckdb.DuckDBPyConnection, opts: Options, stats: dict) -> None:
    """One file per (day, part) that OTLP records arrive in, under OUT/otlp/, two at a time."""
    wanted = f"arr_day {'=' if opts.extra_day else '<'} {opts.days}"
    files = con.execute(
        f"select distinct arr_day, part from otlp_records where {wanted} order by all"
    ).fetchall()
    folder = opts.out / "otlp"
    jobs = []
    for day_index, part in files:
        folder.mkdir(parents=True, exist_ok=True)
        gz = random.Random(f"{opts.seed}:otlp-gzip:{day_index}:{part}").random() < opts.gzip_rate
        name = otlp_file_name(opts, day_index, part) + (".gz" if gz else "")
        jobs.append((day_index, part, gz, folder / name))

    write_line_files(
        con,
        opts,
        stats,
        jobs,
        lambda day_index, part: (
            f"""
            select line from ({otlp_lines_sql(opts, day_index, part)})
            order by batch"""
        ),
        "OTLP files",
    )
    events, resends, unknown, lines, truncated = con.execute(f"""
        with per_file as (
            select arr_day, part, count(*) as n from otlp_records where {wanted} group by all
        ),
        batches as (
            select arr_day, part, unnest(range((n + {opts.otlp_batch} - 1) // {opts.otlp_batch}))
                as batch
            from per_file
        )
        select
            (select count(*) from otlp_records where {wanted} and sub = 0),
            (select count(*) from otlp_records where {wanted} and sub = 1),
            (select count(*) from otlp_records where {wanted} and sub = 2),
            (select count(*) from batches),
            (select count(*) from batches
                where u(line_key(arr_day, part, batch), 70) < {opts.rates["truncated"]})
    """).fetchone()
    stats["otlp"] = {
        "files": len(jobs),
        "lines": lines,
        "records": events + resends + unknown,
        "events": events,
        "resends": resends,
        "unknown_event_records": unknown,
        "truncated_lines": truncated,
    }
    stats["events"] += events


def write_creations(con: duckdb.DuckDBPyConnection, opts: Options, stats: dict) -> None:
    folder = opts.out / "workflow_creations"
    folder.mkdir(parents=True, exist_ok=True)
    months = [
        m for (m,) in con.execute("select distinct month from month_days order by 1").fetchall()
    ]
    for month in months:
        path = folder / f"workflow_creations_{month}.csv"
        con.execute(
            f"""copy (
                select workflow_id, created_at, creation_source from creations
                where month = '{month}' order by pos, tie, created_at, workflow_id
            ) to '{path}' (format csv, header true)"""
        )
        stats["files"] += 1
        stats["bytes"] += path.stat().st_size
        stats["csv_rows"] += con.execute(
            f"select count(*) from creations where month = '{month}'"
        ).fetchone()[0]


def remove_previous_output(opts: Options) -> None:
    """Only this generator's own files, so a shorter run leaves no stale days behind; with
    --extra-day only that day's part files (the base days stay as they are)."""
    out = opts.out
    if opts.extra_day:
        day = opts.start_date + timedelta(days=opts.days)
        for path in sorted(out.glob(f"events/date={day.isoformat()}/part-*.jsonl*")):
            path.unlink()
        for part in range(opts.files_per_day):
            for path in sorted(out.glob(f"otlp/{otlp_file_name(opts, opts.days, part)}*")):
                path.unlink()
        return
    for path in sorted(out.glob("otlp/workbench-*.jsonl*")):
        path.unlink()
    for path in sorted(out.glob("events/date=*/part-*.jsonl*")):
        path.unlink()
    for folder in sorted(out.glob("events/date=*")):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    for path in sorted(out.glob("workflow_creations/workflow_creations_*.csv")):
        path.unlink()


def generate(opts: Options) -> dict[str, Any]:
    started = time.monotonic()
    taxonomy = load_taxonomy(TAXONOMY_CSV)
    check_properties(taxonomy)
    stats: dict[str, Any] = {"files": 0, "bytes": 0, "csv_rows": 0}
    with tempfile.TemporaryDirectory(prefix="generate_events-") as temp_dir:
        con = connect(opts, temp_dir)
        set_variables(con, opts)
        con.execute("create table days (d integer, n bigint, first_sno bigint, day_ms bigint)")
        start_ms = day_start_ms(opts.start_date)
        con.executemany(
            "insert into days values (?, ?, ?, ?)",
            [(d, n, first, start_ms + d * DAY_MS) for d, n, first in day_counts(opts)],
        )

        def step(label: str, sql: str) -> None:
            t0 = time.monotonic()
            con.execute(sql)
            log(opts, f"  {label}: {time.monotonic() - t0:.1f}s")

        day_after = opts.start_date + timedelta(days=opts.days)
        size = (
            f"{opts.sessions_per_day:,} sessions a weekday"
            if opts.events is None
            else f"about {opts.events:,} events"
        )
        log(
            opts,
            f"simulating {size} over {opts.days} days from {opts.start_date}"
            + (f"; writing the extra day {day_after}" if opts.extra_day else ""),
        )
        step("sessions", sessions_sql())
        step("episodes", episodes_sql())
        step("blocks", blocks_sql())
        step("trim", TRIM_SQL)
        # With --events, keep the sessions (in random order) whose events add up to the asked
        # number. The extra day only needs the sessions whose events can arrive on it: each
        # event's content depends on its own keys alone, so leaving the others out changes
        # nothing in it.
        first_day = max(0, opts.days - EXTRA_DAY_LOOKBACK_DAYS) if opts.extra_day else 0
        wanted = "false" if opts.events is None else f"running >= {opts.events}"
        con.execute(f"""
            create or replace table kept_sessions as
            with ranked as (
                select sno, d, sum(case when d < {opts.days} then n_events else 0 end)
                    over (order by rkey, sno rows unbounded preceding) as running, rkey
                from session_events
            ),
            cutoff as (
                select coalesce(min(rkey) filter (where {wanted}), 2) as r
                from ranked
            )
            select s.* from sessions as s join ranked using (sno), cutoff
            where ranked.rkey <= cutoff.r and s.d >= {first_day}
        """)
        step("episode times", EPISODE_TIMES_SQL)
        step("events", events_sql(opts, taxonomy))
        for table in ("blocks", "episodes", "episode_times", "session_events"):
            con.execute(f"drop table {table}")
        step("extra lines", extra_lines_sql(opts))
        step("otlp records", otlp_records_sql(opts))
        remove_previous_output(opts)
        t0 = time.monotonic()
        write_files(con, opts, stats)
        log(opts, f"  event files: {time.monotonic() - t0:.1f}s")
        t0 = time.monotonic()
        write_otlp_files(con, opts, stats)
        if stats["otlp"]["files"]:
            log(opts, f"  otlp files: {time.monotonic() - t0:.1f}s")
        if not opts.extra_day:
            con.execute(f"""
                create or replace table month_days as
                select strftime(day, '%Y-%m') as month, min(d) as first_day, count(*) as n_days,
                    ch(getvariable('seed_key'), 50000 + year(min(day)) * 12 + month(min(day))) as mk
                from (select d, getvariable('start_date') + to_days(d) as day
                    from range({opts.days}) t(d))
                group by all
            """)
            step("creations", creations_sql(opts))
            write_creations(con, opts, stats)
        faults = con.execute(f"""
            select
                count(*) filter (where f_missing), count(*) filter (where f_invalid),
                count(*) filter (where f_nested and not otlp),
                count(*) filter (where f_truncated and not otlp),
                count(*) filter (where f_late)
            from event_lines where arr_day {"=" if opts.extra_day else "<"} {opts.days}
        """).fetchone()
        kinds = ["missing_required", "invalid_value", "nested", "truncated", "late"]
        otlp = stats["otlp"]
        stats["faults"] = dict(zip(kinds, faults, strict=True)) | {
            "truncated": faults[3] + otlp["truncated_lines"],
            "duplicate": stats["resends"] + otlp["resends"],
            "unknown_event": stats["unknown_event_lines"] + otlp["unknown_event_records"],
            "blank_line": stats["blank_lines"],
        }
        con.close()
    stats["seconds"] = round(time.monotonic() - started, 1)
    stats["out"] = str(opts.out)
    stats["extra_day"] = opts.extra_day
    return stats


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
        epilog="Existing part-*.jsonl* and workflow_creations_*.csv files under OUT are replaced "
        "(with --extra-day: only that day's part files).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--out", type=Path, default=Path("data/raw"), help="output folder")
    add("--days", type=positive, default=30, help="number of base days")
    add("--start-date", type=date.fromisoformat, default=date(2026, 10, 1), help="first UTC day")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--sessions-per-day",
        type=positive,
        default=900,
        help="sessions on a weekday (weekends get about a third); 30 days ~ 300,000 events",
    )
    size.add_argument(
        "--events", type=positive, help="instead: about this many events in the base days"
    )
    add("--seed", type=int, default=42, help="random seed; same seed and options, same bytes")
    add("--files-per-day", type=positive, default=2, help="part files per day folder")
    add("--gzip-rate", type=rate, default=0.2, help="share of files written as .jsonl.gz")
    for kind, (default, text) in FAULT_DEFAULTS.items():
        add(f"--{kind.replace('_', '-')}-rate", type=rate, default=default, help=f"share of {text}")
    add(
        "--extra-day",
        action="store_true",
        help="write only the next day's delivery (new sessions, late events, resends)",
    )
    add("--extra-share", type=rate, default=0.01, help="new sessions of the extra day, share")
    add(
        "--otlp-share",
        type=rate,
        default=0.0,
        help="share of sessions written as OTLP/JSON log files under OUT/otlp/ (docs/otlp.md)",
    )
    add("--otlp-batch", type=positive, default=20, help="log records per OTLP line")
    add("--threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    add("--memory-limit", default="4GB", help="DuckDB memory limit (spills beyond it)")
    add("--summary", type=Path, default=None, help="also write the counts as JSON here")
    add("--quiet", action="store_true", help="no progress or summary on stderr")
    args = parser.parse_args(argv)
    return Options(
        out=args.out,
        sessions_per_day=args.sessions_per_day,
        events=args.events,
        days=args.days,
        start_date=args.start_date,
        seed=args.seed,
        files_per_day=args.files_per_day,
        gzip_rate=args.gzip_rate,
        rates={kind: getattr(args, f"{kind}_rate") for kind in FAULT_DEFAULTS},
        extra_day=args.extra_day,
        extra_share=args.extra_share,
        otlp_share=args.otlp_share,
        otlp_batch=args.otlp_batch,
        threads=args.threads,
        memory_limit=args.memory_limit,
        summary=args.summary,
        quiet=args.quiet,
    )


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    stats = generate(opts)
    if opts.summary:
        opts.summary.parent.mkdir(parents=True, exist_ok=True)
        opts.summary.write_text(json.dumps(stats, indent=2) + "\n")
    log(
        opts,
        f"wrote {stats['events']:,} events ({stats['lines']:,} lines) and {stats['csv_rows']:,}"
        f" other-channel rows in {stats['files']:,} files, {stats['bytes']:,} bytes, to"
        f" {opts.out} in {stats['seconds']}s"
        + (
            f" ({stats['otlp']['events']:,} of the events as OTLP records in"
            f" {stats['otlp']['lines']:,} lines of {stats['otlp']['files']:,} files)"
            if stats["otlp"]["files"]
            else ""
        )
        + "; faults: "
        + ", ".join(f"{kind}={stats['faults'][kind]:,}" for kind in FAULT_DEFAULTS),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

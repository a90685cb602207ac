"""Proposing a column mapping from a file's column names and values, with what to check."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.interactions import FALSE_WORDS, TRUE_WORDS
from cxsteward.domain.mapping import SEGMENT_NAME
from cxsteward.engine.readers import ReadOptions, read_table
from cxsteward.engine.timestamps import DateEvidence, date_evidence

SAMPLE_ROWS = 50_000
SENTINELS = ("-", "?", "NA", "N/A", "n/a", "null", "NULL", "None", "#N/A")
_TIME_ONLY = r"^\d{1,2}[:.]\d{2}([:.]\d{2})?(\s*[AaPp][Mm])?$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_MAX_SEGMENT_VALUES = 50


@dataclass
class _Column:
    name: str
    key: str  # lower-case letters and digits only, for name matching
    filled: int
    distinct: int
    unique: bool
    numeric: bool
    boolean: bool
    time_only: bool
    dates: DateEvidence
    values: list[str]  # the most frequent values
    sentinels: set[str]  # null markers found in the column
    every: set[str]  # every distinct value when there are few, for spotting bots
    minimum: float | None = None
    maximum: float | None = None

    @property
    def is_date(self) -> bool:
        return self.dates.share >= 0.9 and not self.numeric and not self.time_only


@dataclass
class _Draft:
    fields: dict[str, str] = field(default_factory=dict)  # canonical field -> YAML value
    checks: dict[str, str] = field(default_factory=dict)  # canonical field -> comment
    constants: dict[str, str] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)


def suggest_mapping(path: Path, sheet: str | None = None) -> str:
    """A mapping (YAML, with comments saying what to check) proposed for this file."""
    raw = read_table(path, ReadOptions(sheet=sheet))
    table = raw.table.slice(0, SAMPLE_ROWS)
    columns = [
        _profile(name, table.column(name)) for name in raw.columns if name in table.schema.names
    ]
    sentinels = sorted({v for c in columns for v in c.sentinels})
    draft = _Draft()
    _pick_id(columns, draft)
    _pick_start(columns, draft)
    _pick_handler(columns, draft)
    _pick_measures(columns, draft)
    _pick_text_fields(columns, draft)
    _pick_segments(columns, draft)
    return _render(path, raw.format, raw.notes, sheet, columns, sentinels, draft)


def _profile(name: str, column: pa.ChunkedArray) -> _Column:
    text = pc.utf8_trim_whitespace(column.combine_chunks().cast(pa.string()))
    text = pc.filter(text, pc.and_(pc.is_valid(text), pc.not_equal(text, "")))
    real = pc.filter(text, pc.invert(pc.is_in(text, value_set=pa.array(SENTINELS))))
    counts = pc.value_counts(real).to_pylist()
    counts.sort(key=lambda item: -item["counts"])
    filled = len(real)
    numeric = filled > 0 and bool(pc.all(pc.match_substring_regex(real, _NUMBER)).as_py())
    lowered = set(pc.unique(pc.utf8_lower(real)).to_pylist())
    out = _Column(
        name=name,
        key=re.sub(r"[^a-z0-9#]", "", name.lower()),
        filled=filled,
        distinct=len(counts),
        unique=filled == len(column) and len(counts) == filled,
        numeric=numeric,
        boolean=0 < len(lowered) <= 2 and lowered <= (TRUE_WORDS | FALSE_WORDS) - {"1.0", "0.0"},
        time_only=filled > 0 and bool(pc.all(pc.match_substring_regex(real, _TIME_ONLY)).as_py()),
        dates=date_evidence(real),
        values=[str(item["values"]) for item in counts[:_MAX_SEGMENT_VALUES]],
        sentinels=set(
            pc.unique(pc.filter(text, pc.is_in(text, value_set=pa.array(SENTINELS)))).to_pylist()
        ),
        every={str(item["values"]) for item in counts} if len(counts) <= 1000 else set(),
    )
    if numeric:
        bounds = pc.min_max(real.cast(pa.float64()))
        out.minimum, out.maximum = bounds["min"].as_py(), bounds["max"].as_py()
    if out.boolean:
        out.numeric = False
    return out


def _named(columns: list[_Column], draft: _Draft, *patterns: str) -> list[_Column]:
    free = [c for c in columns if c.name not in draft.used]
    return [c for c in free if any(re.search(p, c.key) for p in patterns)]


def _take(draft: _Draft, name: str, value: str, column: _Column, check: str = "") -> None:
    draft.fields[name] = value
    draft.used.add(column.name)
    if check:
        draft.checks[name] = check


def _pick_id(columns: list[_Column], draft: _Draft) -> None:
    unique = [c for c in columns if c.unique and not c.is_date]
    named = [c for c in unique if re.search(r"(id|code|number|no|#|ticket|key|ref)$", c.key)]
    chosen = next(iter(named or unique), None)
    if chosen is None:
        draft.fields["interaction_id"] = '"?"'
        draft.checks["interaction_id"] = "CHECK: no column is unique; name the contact's id"
        return
    _take(draft, "interaction_id", _q(chosen.name), chosen, "unique in the sample")


def _pick_start(columns: list[_Column], draft: _Draft) -> None:
    dates = [c for c in columns if c.is_date and c.name not in draft.used]
    preferred = [c for c in dates if re.search(r"start|creat|open|receiv|begin", c.key)]
    dates = [c for c in dates if not re.search(r"purchase|birth|dob|due|expir", c.key)] or dates
    dated = [c for c in dates if re.search(r"date|time|stamp|at$", c.key)]
    chosen = next(iter(preferred or dated or dates), None)
    if chosen is None:
        draft.fields["started_at"] = '"?"'
        draft.checks["started_at"] = "CHECK: no column reads as dates; name when contacts start"
        return
    note = _order_note(chosen)
    times = [c for c in columns if c.time_only and c.name not in draft.used]
    if not chosen.dates.with_time and times:
        draft.fields["started_at"] = f"{{date: {_q(chosen.name)}, time: {_q(times[0].name)}}}"
        draft.used.update({chosen.name, times[0].name})
        draft.checks["started_at"] = f"date and time of day come from two columns. {note}"
        return
    _take(draft, "started_at", _q(chosen.name), chosen, note)
    ends = [c for c in dates if c is not chosen and re.search(r"end|clos|finish|resol", c.key)]
    if ends:
        draft.fields["handle_time_s"] = f"{{start: {_q(chosen.name)}, end: {_q(ends[0].name)}}}"
        draft.checks["handle_time_s"] = "CHECK: the time from start to end is the handle time"


def _order_note(column: _Column) -> str:
    evidence = column.dates
    if evidence.day_first and evidence.month_first:
        return (
            f"CHECK: mixes day-first ({evidence.day_first!r}) and month-first "
            f"({evidence.month_first!r}) dates"
        )
    if evidence.day_first:
        return f"day-first, as {evidence.day_first!r} shows"
    if evidence.month_first:
        return f"month-first, as {evidence.month_first!r} shows"
    if evidence.ambiguous:
        return (
            f"CHECK: {evidence.ambiguous!r} reads both day-first and month-first; set "
            "date_order to the order your system writes"
        )
    return "ISO dates"


def _pick_handler(columns: list[_Column], draft: _Draft) -> None:
    named = [c for c in columns if re.search(r"handl|closedby|agent|server|owner|by$", c.key)]
    for column in named + [c for c in columns if c not in named]:
        bots = sorted(
            v for v in column.every if re.fullmatch(r"(bot|ivr|vru|virtual agent|ai)", v.lower())
        )
        if bots and not column.unique and column.name not in draft.used:
            pairs = ", ".join(f"{_q(v)}: ai" for v in bots[:5])
            draft.fields["handler"] = (
                f"{{column: {_q(column.name)}, map: {{{pairs}}}, other: human}}"
            )
            draft.checks["handler"] = (
                "CHECK: these values look automated (ai); every other value is read as human"
            )
            return
    draft.constants["handler"] = "human"
    draft.checks["handler"] = (
        "CHECK: nothing in the file says a bot or IVR handled a contact, so all are human"
    )


def _pick_measures(columns: list[_Column], draft: _Draft) -> None:
    csat = [c for c in _named(columns, draft, r"satisf|csat|rating|score") if c.numeric]
    if csat and csat[0].maximum is not None and csat[0].maximum <= 5:
        chosen = csat[0]
        if chosen.minimum == 0:
            value = f'{{column: {_q(chosen.name)}, null_values: ["0"]}}'
            _take(draft, "csat", value, chosen, "CHECK: 0 is read as 'not rated'")
        else:
            _take(draft, "csat", _q(chosen.name), chosen, "scores 1-5")
    if "handle_time_s" not in draft.fields:
        named = _named(columns, draft, r"duration|talk|handl|sertime|aht")
        for column in named:
            if column.time_only:
                value = f'{{column: {_q(column.name)}, unit: "h:mm:ss"}}'
                _take(draft, "handle_time_s", value, column, "durations written h:mm:ss")
                break
            if column.numeric:
                _take(draft, "handle_time_s", _q(column.name), column, "CHECK: in seconds?")
                break
    for name, pattern in (
        ("resolved_first_contact", r"resol|fcr"),
        ("escalated", r"escalat|transfer"),
        ("complaint", r"complain"),
    ):
        flags = [c for c in _named(columns, draft, pattern) if c.boolean]
        if flags:
            _take(draft, name, _q(flags[0].name), flags[0], "yes/no values")
    if "escalated" not in draft.fields:
        handed = _named(columns, draft, r"assign|transfer|handoff|handover|escalat")
        handed = [c for c in handed if c.is_date or c.dates.share > 0.2]
        if handed:
            value = f"{{present: {_q(handed[0].name)}}}"
            _take(draft, "escalated", value, handed[0], "CHECK: a value means handed to a human")


def _pick_text_fields(columns: list[_Column], draft: _Draft) -> None:
    for name, pattern in (
        ("agent_id", r"agent|server|closedby|assignee|assignedto|rep$|employee"),
        ("customer_id", r"(customer|user|caller|client).*(id|email)$"),
        ("channel", r"channel|via$|medium"),
        ("inquiry_type", r"topic|tickettype|category|subject|reason|^type$"),
    ):
        found = [c for c in _named(columns, draft, pattern) if not c.numeric or name != "channel"]
        if found:
            _take(draft, name, _q(found[0].name), found[0])


def _pick_segments(columns: list[_Column], draft: _Draft) -> None:
    for column in columns:
        if column.name in draft.used or column.unique or column.is_date or column.time_only:
            continue
        name = _segment_name(column.name, draft)
        if column.numeric and re.search(r"age", column.key):
            bins = "[0, 25, 35, 45, 55, 65, 200]"
            draft.segments[name] = f"{{column: {_q(column.name)}, bins: {bins}}}"
        elif 1 < column.distinct <= _MAX_SEGMENT_VALUES and column.distinct < 0.5 * column.filled:
            draft.segments[name] = _q(column.name)


def _segment_name(column: str, draft: _Draft) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_") or "segment"
    base = base if SEGMENT_NAME.match(base) else f"s_{base}"[:40]
    name, number = base[:40], 2
    while name in draft.segments or name in draft.fields:
        name, number = f"{base[:36]}_{number}", number + 1
    return name


def _render(
    path: Path,
    file_format: str,
    notes: tuple[str, ...],
    sheet: str | None,
    columns: list[_Column],
    sentinels: list[str],
    draft: _Draft,
) -> str:
    lines = [
        f"# Mapping suggested by cxsteward for {path.name}. Review every CHECK before loading.",
        "# Handler: say who handled each contact first, ai (a bot or IVR) or human, and why.",
        "# Columns in the file: " + ", ".join(c.name for c in columns)[:400],
        *(f"# Reader: {note}" for note in notes),
    ]
    source = [f"format: {file_format}"]
    if sheet is not None:
        source.append(f"sheet: {_q(sheet)}")
    if any("tab-separated" in n for n in notes) and path.suffix.lower() != ".tsv":
        source.append('delimiter: "\\t"')
    elif any("semicolon-separated" in n for n in notes):
        source.append('delimiter: ";"')
    lines.append(f"source: {{{', '.join(source)}}}")
    lines.append("timezone: UTC  # CHECK: the zone the export's times are written in")
    order = _date_order(columns, draft)
    if order:
        lines.append(order)
    lines.append(f"null_values: {json.dumps(['', *sentinels])}")
    if draft.constants:
        lines.append("constants:")
        for name, value in draft.constants.items():
            lines.append(f"  {name}: {value}{_comment(draft.checks.get(name))}")
    lines.append("fields:")
    for name, value in draft.fields.items():
        lines.append(f"  {name}: {value}{_comment(draft.checks.get(name))}")
    if draft.segments:
        lines.append("segments:  # CHECK: keep the ones you will compare on")
        lines.extend(f"  {name}: {value}" for name, value in draft.segments.items())
    return "\n".join(lines) + "\n"


def _date_order(columns: list[_Column], draft: _Draft) -> str | None:
    used = [c for c in columns if c.name in draft.used and c.is_date]
    if any(c.dates.day_first for c in used):
        return "date_order: day_first"
    if any(c.dates.month_first for c in used):
        return "date_order: month_first"
    if any(c.dates.ambiguous for c in used):
        return "date_order: day_first  # CHECK: the values do not settle day or month first"
    return None


def _comment(text: str | None) -> str:
    return f"  # {text}" if text else ""


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)

"""Proposing a column mapping from a file's column names and values, each guess explained."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cxsteward.domain.interactions import FIELD_NAMES, Kind, reserved_names
from cxsteward.domain.interactions import field as canonical
from cxsteward.domain.mapping import SEGMENT_NAME
from cxsteward.engine.readers import ReadOptions, read_table
from cxsteward.services.data.profile import Column, filled_share, profile
from cxsteward.services.data.suggest_keys import (
    Draft,
    pick_id,
    pick_repeated_id,
    pick_start,
    quote,
)

SAMPLE_ROWS = 50_000
_MAX_SEGMENT_VALUES = 50
_AUTOMATED_WORDS = {"bot", "chatbot", "vru", "ivr", "virtual"}
_BOTS = r"(bot|ivr|vru|virtual agent|virtualagent|ai|assistant|automated|automation)"
# Canonical names and their common synonyms, compared as lower-case letters and digits.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "interaction_id": ("id", "contactid", "conversationid", "interactionid", "sessionid"),
    "started_at": ("startedat", "starttime", "start", "createdat", "timestamp", "datetime"),
    "handler": ("handler", "handledby", "handlertype", "firsthandler"),
    "deployment": ("deployment", "deploymentname", "botname", "assistantname", "aiagent"),
    "model_version": ("modelversion", "model", "modelname", "llmversion", "botversion"),
    "agent_id": ("agentid", "agentname", "agent", "operator", "assignedto", "assignee"),
    "channel": ("channel", "contactchannel", "ticketchannel", "medium", "receivedvia"),
    "inquiry_type": ("inquirytype", "intent", "topic", "contactreason", "reason", "tickettype"),
    "resolved_first_contact": ("resolvedfirstcontact", "fcr", "firstcontactresolution"),
    "handle_time_s": ("handletimes", "handletime", "aht", "handlingtime", "talktime"),
    "csat": ("csat", "csatscore", "satisfaction", "satisfactionrating", "satisfactionscore"),
    "complaint": ("complaint", "complained", "iscomplaint"),
    "escalated": ("escalated", "escalation", "handedoff", "transferred", "transferredtohuman"),
    "human_override": ("humanoverride", "override", "overridden", "overruled"),
    "ai_disclosed": ("aidisclosed", "disclosed", "aidisclosure", "botdisclosed"),
    "customer_id": ("customerid", "userid", "clientid", "accountid", "customer"),
    "team": ("team", "teamname", "agentteam", "agentgroup", "squad"),
    "ai_assisted": ("aiassisted", "assisted", "assistused", "suggestionshown", "aisuggestion"),
    "offered_human": ("offeredhuman", "humanoffered", "offeredagent", "agentoffered"),
    "time_to_human_s": ("timetohumans", "timetohuman", "timetoagent", "secondstohuman"),
    "sentiment": ("sentiment", "sentimentscore", "compound", "polarity", "sentimentcompound"),
}
# Free text a customer wrote, which sentiment_text can score (ranked in this order).
_TEXT_NAMES = (r"verbatim|comment|feedback", r"descri|complain|message|body|text|review", r"note")
# Free text: most values distinct, several words long on average.
_TEXT_MIN_CHARS, _TEXT_MIN_WORDS = 20, 3


def suggest_mapping(path: Path, sheet: str | None = None) -> str:
    """A mapping (YAML, with comments saying what each guess rests on) proposed for this file."""
    raw = read_table(path, ReadOptions(sheet=sheet))
    table = raw.table.slice(0, SAMPLE_ROWS)
    columns = [
        profile(name, table.column(name)) for name in raw.columns if name in table.schema.names
    ]
    draft = Draft()
    _pick_canonical(columns, draft)
    pick_id(columns, draft)
    pick_start(columns, draft, path)
    pick_repeated_id(columns, draft)
    _pick_handler(columns, draft)
    _pick_deployment(columns, draft)
    _pick_measures(columns, draft)
    _pick_text_fields(columns, draft)
    _pick_sentiment_text(columns, draft)
    _pick_segments(columns, draft)
    return _render(path, raw.format, raw.notes, sheet, columns, draft)


def _fits(name: str, column: Column) -> str | None:
    """Why this column's values cannot be the canonical field, or None when they can."""
    kind = canonical(name).kind
    if not column.filled:
        return "it is empty in the sample"
    if name == "interaction_id" and not column.unique:
        return f"it repeats ({column.distinct:,} values on {column.rows:,} rows)"
    if kind is Kind.BOOL and not column.boolean:
        return f"its values ({', '.join(column.values[:3])}) are not yes/no"
    if kind is Kind.TIMESTAMP and not column.is_date:
        return "its values do not read as dates"
    if kind in (Kind.INT, Kind.FLOAT) and not column.numeric and not column.time_only:
        return "its values are not numbers"
    if name == "csat" and (column.maximum or 0) > 5:
        return f"scores reach {column.maximum:g}, not 1-5"
    if name == "sentiment" and (abs(column.minimum or 0) > 1 or abs(column.maximum or 0) > 1):
        return f"scores run {column.minimum:g} to {column.maximum:g}, not -1 to 1"
    if kind is Kind.HANDLER and not _handler_values(column):
        return f"its values ({', '.join(column.values[:3])}) do not say ai or human"
    return None


def _pick_canonical(columns: list[Column], draft: Draft) -> None:
    """Columns named like a canonical field (or a common synonym) become that field."""
    for name in FIELD_NAMES:
        names = {name.replace("_", ""), *SYNONYMS.get(name, ())}
        for column in columns:
            if column.name in draft.used or column.key not in names:
                continue
            problem = _fits(name, column)
            if problem is not None:
                draft.checks.setdefault(
                    f"# {name}", f"CHECK: {column.name!r} is named like {name}, but {problem}"
                )
                continue
            how = "the canonical name" if column.key == name.replace("_", "") else "a synonym"
            value = quote(column.name)
            if name == "handler":
                value = _handler_value(column)
            elif name == "handle_time_s" and column.time_only:
                value = f'{{column: {quote(column.name)}, unit: "h:mm:ss"}}'
            elif name == "csat" and column.minimum == 0:
                value = f'{{column: {quote(column.name)}, null_values: ["0"]}}'
            note = f"{column.name!r} carries {how} of {name}"
            if name == "model_version":
                note += "; kept per row, so the model-change checks can compare versions"
            draft.take(name, value, column, note)
            if name == "handler":
                draft.ai_rows = _ai_rows(column)
            break


def _handler_values(column: Column) -> dict[str, str]:
    """How each value of a handler-like column reads: ai, human, or unknown ('')."""
    out = {}
    for value in column.every:
        low = value.strip().lower()
        if low in ("ai", "human"):
            out[value] = low
        elif re.fullmatch(_BOTS, low):
            out[value] = "ai"
        elif low in ("agent", "human agent", "person", "staff", "employee", "advisor"):
            out[value] = "human"
    return out if out and set(out) == column.every else {}


def _handler_value(column: Column) -> str:
    values = _handler_values(column)
    if all(k == v for k, v in values.items()):
        return quote(column.name)
    pairs = ", ".join(f"{quote(k)}: {v}" for k, v in sorted(values.items()) if k != v)
    return f"{{column: {quote(column.name)}, map: {{{pairs}}}}}"


def _ai_rows(column: Column, bots: set[str] | None = None) -> np.ndarray:
    ai = bots if bots is not None else {k for k, v in _handler_values(column).items() if v == "ai"}
    found = pc.is_in(column.text, value_set=pa.array(sorted(ai), pa.string()))
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _pick_handler(columns: list[Column], draft: Draft) -> None:
    if "handler" in draft.fields:
        return
    free = [c for c in columns if c.name not in draft.used]
    # A bot or IVR that meets every contact (its columns filled on nearly every row) took
    # each contact first: the contact is the AI's, and a hand-off to a person is `escalated`.
    first = [c for c in free if _AUTOMATED_WORDS & _words(c.name) and c.filled >= 0.95 * c.rows]
    if first:
        draft.constants["handler"] = "ai"
        draft.checks["handler"] = (
            f"CHECK: {first[0].name!r} is filled on {first[0].filled:,} of {first[0].rows:,} "
            "rows: an automated system met every contact first, so each is the AI's; a hand-off "
            "to a person is escalated, not a human contact"
        )
        draft.ai_rows = np.ones(first[0].rows, dtype=bool)
        _pick_handoff(free, draft)
        return
    named = [c for c in free if re.search(r"handl|closedby|agent|server|owner|by$", c.key)]
    for column in named + [c for c in free if c not in named]:
        bots = sorted(v for v in column.every if re.fullmatch(_BOTS, v.strip().lower()))
        if bots and not column.unique:
            pairs = ", ".join(f"{quote(v)}: ai" for v in bots[:5])
            draft.fields["handler"] = (
                f"{{column: {quote(column.name)}, map: {{{pairs}}}, other: human}}"
            )
            draft.checks["handler"] = (
                f"CHECK: {', '.join(bots[:5])} in {column.name!r} look automated (ai); every "
                "other value is read as human. Say who took each contact first"
            )
            draft.ai_rows = _ai_rows(column, set(bots))
            return
    draft.constants["handler"] = "human"
    draft.checks["handler"] = (
        "CHECK: nothing in the file says a bot or IVR handled a contact, so all are human"
    )


def _words(name: str) -> set[str]:
    """The words of a column name: BotFirstResponseTime, vru_entry, "IVR time" (not Bottle)."""
    return {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)}


def _pick_handoff(free: list[Column], draft: Draft) -> None:
    if "escalated" in draft.fields:
        return
    for pattern in (r"assign|transfer|handoff|handover|escalat", r"^qstart|queue", r"agent"):
        for column in free:
            empty_marks = column.zero_times if column.time_only else 0
            filled = column.filled - empty_marks
            if column.name in draft.used or not re.search(pattern, column.key):
                continue
            if 0 < filled < column.rows:
                nulls = ', null_values: ["0:00:00"]' if empty_marks else ""
                draft.take(
                    "escalated",
                    f"{{present: {quote(column.name)}{nulls}}}",
                    column,
                    f"CHECK: a value in {column.name!r} means the contact was handed to a person "
                    f"({filled:,} of {column.rows:,} rows)",
                )
                return


def _pick_deployment(columns: list[Column], draft: Draft) -> None:
    """A deployment named only on the AI's rows is the whole file's deployment."""
    value = draft.fields.get("deployment")
    column = next((c for c in columns if value == quote(c.name)), None)
    ai = draft.ai_rows
    if column is None or ai is None or ai.all() or not ai.any():
        return
    on_ai, on_human = filled_share(column, ai), filled_share(column, ~ai)
    if on_ai < 0.95 or on_human > 0.05:
        return
    names = pc.value_counts(pc.drop_null(pc.filter(column.text, pa.array(ai)))).to_pylist()
    names.sort(key=lambda item: -item["counts"])
    chosen = str(names[0]["values"])
    del draft.fields["deployment"]
    draft.checks.pop("deployment", None)
    draft.constants["deployment"] = quote(chosen)
    others = f" (also {', '.join(str(n['values']) for n in names[1:4])})" if len(names) > 1 else ""
    draft.checks["deployment"] = (
        f"CHECK: {column.name!r} is filled on {on_ai:.0%} of the AI's rows and "
        f"{on_human:.0%} of the humans': the humans doing the same work are the deployment's "
        f"baseline, so every row of the file is given {chosen!r}{others}. A file that holds "
        "several deployments is loaded once per deployment"
    )


def _named(columns: list[Column], draft: Draft, *patterns: str) -> list[Column]:
    free = [c for c in columns if c.name not in draft.used]
    return [c for c in free if any(re.search(p, c.key) for p in patterns)]


def _pick_measures(columns: list[Column], draft: Draft) -> None:
    csat = [c for c in _named(columns, draft, r"satisf|csat|rating|score") if c.numeric]
    if "csat" not in draft.fields and csat and (csat[0].maximum or 9) <= 5:
        chosen = csat[0]
        if chosen.minimum == 0:
            value = f'{{column: {quote(chosen.name)}, null_values: ["0"]}}'
            draft.take("csat", value, chosen, "CHECK: scores 0-5, 0 read as 'not rated'")
        else:
            draft.take("csat", quote(chosen.name), chosen, "scores between 1 and 5")
    if "handle_time_s" not in draft.fields:
        for column in _named(columns, draft, r"duration|talk|handl|sertime|aht"):
            if column.time_only:
                value = f'{{column: {quote(column.name)}, unit: "h:mm:ss"}}'
                draft.take("handle_time_s", value, column, "durations written h:mm:ss")
                break
            if column.numeric:
                draft.take("handle_time_s", quote(column.name), column, "CHECK: in seconds?")
                break
    for name, pattern in (
        ("resolved_first_contact", r"resol|fcr"),
        ("escalated", r"escalat|transfer"),
        ("complaint", r"complain"),
    ):
        flags = [c for c in _named(columns, draft, pattern) if c.boolean]
        if name not in draft.fields and flags:
            draft.take(name, quote(flags[0].name), flags[0], "yes/no values")
    if "escalated" not in draft.fields:
        handed = _named(columns, draft, r"assign|transfer|handoff|handover|escalat")
        handed = [c for c in handed if c.is_date or c.dates.share > 0.2]
        if handed:
            value = f"{{present: {quote(handed[0].name)}}}"
            draft.take("escalated", value, handed[0], "CHECK: a value means handed to a human")


def _pick_text_fields(columns: list[Column], draft: Draft) -> None:
    for name, pattern in (
        ("agent_id", r"agent|server|closedby|assignee|assignedto|rep$|employee"),
        ("customer_id", r"(customer|user|caller|client).*(id|email)$"),
        ("channel", r"channel|via$|medium"),
        ("inquiry_type", r"topic|tickettype|category|subject|reason|^type$"),
    ):
        found = [c for c in _named(columns, draft, pattern) if not c.numeric or name != "channel"]
        if name not in draft.fields and found:
            draft.take(name, quote(found[0].name), found[0], f"named like {name}")
    customer = next((c for c in columns if draft.fields.get("customer_id") == quote(c.name)), None)
    if customer is not None and customer.filled > customer.distinct:
        draft.checks["customer_id"] = (
            f"CHECK: {customer.filled - customer.distinct:,} contacts repeat a value of "
            f"{customer.name!r}; repeat-contact rates count them as the same customer, so make "
            "sure a repeated value is one person (not a shared or made-up address)"
        )


def _pick_sentiment_text(columns: list[Column], draft: Draft) -> None:
    """A column of the customer's own words, to score into sentiment at load."""
    if "sentiment" in draft.fields:
        return  # the export carries a score: scoring text as well would be refused
    free = [c for c in columns if c.name not in draft.used and _free_text(c)]
    for pattern in _TEXT_NAMES:
        named = [c for c in free if re.search(pattern, c.key)]
        if named:
            chosen = max(named, key=_mean_chars)
            chars = _mean_chars(chosen)
            draft.top.append(
                f"sentiment_text: {quote(chosen.name)}  # CHECK: free text ({chars:.0f} "
                "characters on average) scored into sentiment (-1 to 1) with VADER at load; "
                "the text itself is not stored. Keep it only if the customer wrote it"
            )
            draft.used.add(chosen.name)
            return


def _free_text(column: Column) -> bool:
    """Mostly distinct text of several words: not a code, a name or a category."""
    if column.numeric or column.is_date or column.time_only or not column.filled:
        return False
    if column.distinct < 0.5 * column.filled:
        return False
    words = pc.add(pc.count_substring(column.text, " "), 1)
    return (
        _mean_chars(column) >= _TEXT_MIN_CHARS and (pc.mean(words).as_py() or 0) >= _TEXT_MIN_WORDS
    )


def _mean_chars(column: Column) -> float:
    return float(pc.mean(pc.utf8_length(column.text)).as_py() or 0.0)


def _pick_segments(columns: list[Column], draft: Draft) -> None:
    for column in columns:
        if column.name in draft.used or column.unique or column.is_date or column.time_only:
            continue
        name = _segment_name(column.name, draft)
        if column.numeric and re.search(r"age", column.key):
            bins = "[0, 25, 35, 45, 55, 65, 200]"
            draft.segments[name] = (
                f"{{column: {quote(column.name)}, bins: {bins}}}  # ages cut into bands"
            )
        elif 1 < column.distinct <= _MAX_SEGMENT_VALUES and column.distinct < 0.5 * column.filled:
            blank = (
                f", blank on {column.rows - column.filled:,} rows"
                if column.filled < column.rows
                else ""
            )
            draft.segments[name] = f"{quote(column.name)}  # {column.distinct} values{blank}"


def _segment_name(column: str, draft: Draft) -> str:
    """A segment name of the column's: never a canonical or store column's, never taken."""
    base = re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_") or "segment"
    base = base if SEGMENT_NAME.match(base) else f"s_{base}"[:40]
    if base in reserved_names():
        base = f"{base}_segment"
    name, number = base[:40], 2
    while name in draft.segments or name in reserved_names():
        name, number = f"{base[:36]}_{number}", number + 1
    return name


def _render(
    path: Path,
    file_format: str,
    notes: tuple[str, ...],
    sheet: str | None,
    columns: list[Column],
    draft: Draft,
) -> str:
    lines = [
        f"# Mapping suggested by cxsteward for {path.name}. Review every CHECK before loading.",
        "# Each line's comment says what the guess rests on.",
        "# Columns in the file: " + ", ".join(c.name for c in columns)[:400],
        *(f"# Reader: {note}" for note in notes),
        *(f"# {text}" for key, text in draft.checks.items() if key.startswith("# ")),
    ]
    source = [f"format: {file_format}"]
    if sheet is not None:
        source.append(f"sheet: {quote(sheet)}")
    if any("tab-separated" in n for n in notes) and path.suffix.lower() != ".tsv":
        source.append('delimiter: "\\t"')
    elif any("semicolon-separated" in n for n in notes):
        source.append('delimiter: ";"')
    lines.append(f"source: {{{', '.join(source)}}}")
    lines.append("timezone: UTC  # CHECK: the zone the export's times are written in")
    lines.extend(_date_order(columns, draft))
    sentinels = sorted({v for c in columns for v in c.sentinels})
    lines.append(f"null_values: {json.dumps(['', *sentinels])}")
    lines.extend(draft.top)
    if draft.constants:
        lines.append("constants:")
        for name, value in draft.constants.items():
            lines.append(f"  {name}: {value}{_comment(draft.checks.get(name))}")
    lines.append("fields:")
    for name in sorted(draft.fields, key=FIELD_NAMES.index):
        value = draft.fields[name]
        lines.append(f"  {name}: {value}{_comment(draft.checks.get(name))}")
    if draft.segments:
        lines.append("segments:  # CHECK: keep the ones you will compare on")
        lines.extend(f"  {name}: {value}" for name, value in draft.segments.items())
    return "\n".join(lines) + "\n"


def _date_order(columns: list[Column], draft: Draft) -> list[str]:
    used = [c for c in columns if c.name in draft.used and c.is_date]
    swapped = next((c for c in used if c.swapped), None)
    if swapped is not None:
        return [
            "date_order: day_first",
            f"ambiguous_dates: swapped  # CHECK: in {swapped.name!r}, {swapped.swapped}; "
            "swapped exchanges them back",
        ]
    if any(c.dates.day_first for c in used):
        return ["date_order: day_first"]
    if any(c.dates.month_first for c in used):
        return ["date_order: month_first"]
    if any(c.dates.ambiguous for c in used):
        return ["date_order: day_first  # CHECK: the values do not settle day or month first"]
    return []


def _comment(text: str | None) -> str:
    return f"  # {text}" if text else ""

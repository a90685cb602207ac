"""Cell rules of a mapping as Ibis expressions: blanks, value maps, numbers, booleans.

Each mirrors its Arrow twin in columns.py / ingest.py, so a row reads the same in place as
at load.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from cxsteward.domain.interactions import FALSE_WORDS, HANDLERS, TRUE_WORDS
from cxsteward.domain.mapping import FieldSpec
from cxsteward.engine.columns import NUMBER

HMS = r"^(\d+):([0-5]?\d):([0-5]?\d(\.\d+)?)$"


def as_text(column: ir.Value) -> ir.StringValue:
    """Any column as text."""
    return column if isinstance(column, ir.StringValue) else column.cast("string")


def strip(text: ir.StringValue) -> ir.StringValue:
    """Text without leading and trailing white space.

    Not ibis's strip(): on Spark it compiles to TRIM(' \\t\\n\\r\\v\\f' FROM x), and Spark
    reads \\v and \\f as the letters v and f, so 'vbrown@example.org' lost its v.
    """
    return text.re_replace(r"^\s+|\s+$", "")


def cells(column: ir.Value, sentinels: Sequence[str], text: bool) -> tuple[ir.Value, ir.Value]:
    """(the column as written, trimmed text with every null sentinel as null).

    A typed column stays typed unless ``text`` is asked for or the field has sentinels of
    its own, as at load.
    """
    if not isinstance(column, ir.StringValue) and not text:
        return column, column
    trimmed = strip(as_text(column))
    wanted = sorted({s.strip() for s in sentinels})
    if not wanted:
        return column, trimmed
    blank = trimmed.length() == 0 if wanted == [""] else trimmed.isin(wanted)
    return column, blank.ifelse(ibis.null("string"), trimmed)


def apply_map(text: ir.StringValue, spec: FieldSpec) -> ir.StringValue:
    """Value map (trimmed, case-insensitive), then 'other' for unmapped, 'default' for empty."""
    out = text
    if spec.map:
        lowered = text.lower()
        seen: dict[str, str] = {}
        for key, value in spec.map.items():
            seen.setdefault(key.strip().lower(), value.strip())  # the first spelling wins
        rest = text if spec.other is None else ibis.literal(spec.other.strip())
        out = ibis.cases(*((lowered == k, ibis.literal(v)) for k, v in seen.items()), else_=rest)
        out = text.isnull().ifelse(ibis.null("string"), out)
    elif spec.other is not None:
        out = text.isnull().ifelse(ibis.null("string"), ibis.literal(spec.other.strip()))
    if spec.default is not None:
        out = out.fill_null(spec.default.strip())
    return out


def number(text: ir.StringValue) -> tuple[ir.FloatingValue, ir.BooleanValue]:
    """Decimal numbers from text, and which non-empty values were not numbers."""
    ok = text.re_search(NUMBER)
    parsed = ok.ifelse(text, ibis.null("string")).cast("float64")
    return parsed, (text.notnull() & ~ok).fill_null(False)


def hms(text: ir.StringValue) -> tuple[ir.FloatingValue, ir.BooleanValue]:
    """Seconds from h:mm:ss text (hours may pass 24), and which values were not durations."""
    ok = text.re_search(HMS)

    def part(index: int) -> ir.FloatingValue:
        return ok.ifelse(text.re_extract(HMS, index), ibis.null("string")).cast("float64")

    seconds = part(1) * 3600.0 + part(2) * 60.0 + part(3)
    return seconds, (text.notnull() & ~ok).fill_null(False)


def boolean(text: ir.StringValue) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """Booleans from the usual spellings, and which non-empty values were none of them."""
    lowered = text.lower()
    true, false = lowered.isin(sorted(TRUE_WORDS)), lowered.isin(sorted(FALSE_WORDS))
    value = ibis.cases((true, True), (false, False), else_=ibis.null("boolean"))
    return value, (text.notnull() & ~(true | false)).fill_null(False)


def handler(text: ir.StringValue) -> tuple[ir.StringValue, ir.BooleanValue]:
    """ai or human, and which non-empty values were neither."""
    lowered = text.lower()
    ok = lowered.isin(list(HANDLERS))
    return ok.ifelse(lowered, ibis.null("string")), (text.notnull() & ~ok).fill_null(False)


def hits(text: ir.StringValue, values: Sequence[str]) -> ir.BooleanValue:
    """Where the trimmed text is one of ``values``, ignoring case."""
    wanted = sorted({v.strip().lower() for v in values})
    return text.lower().isin(wanted).fill_null(False)

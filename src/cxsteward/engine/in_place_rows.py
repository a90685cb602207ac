"""Reading mapped fields out of an Ibis table, recording every check as an expression."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from cxsteward.domain.interactions import (
    BAD_BOOLEAN,
    BAD_HANDLER,
    DEFAULT_DEPLOYMENT,
    FALSE_WORDS,
    FIELDS,
    NOT_A_NUMBER,
    NOT_WHOLE,
    Kind,
    field,
)
from cxsteward.domain.mapping import UNITS, FieldSpec, Mapping, SegmentSpec
from cxsteward.engine.backend import _TYPES
from cxsteward.engine.in_place_cells import (
    apply_map,
    as_text,
    boolean,
    cells,
    handler,
    hits,
    hms,
    number,
)
from cxsteward.engine.in_place_time import Scope, Stamp, native, parse, translate

_FALSE = ibis.literal(False)
# Spark pushes a filter down through every projection, inlining the expression of each
# column it reads, so a filter on the checks' columns becomes every check written out in
# full (hundreds of KB for times in a zone), too big for Spark's code generation. It never
# pushes one through a projection that computes a nondeterministic value: this column,
# rand() in [0, 1), and a filter on it that every row passes keep the filters where the
# checks are columns. (Spark folds ``rand() < 1`` itself to true, so the test is on the column.)
FENCE = "_cx_fence"


@dataclass(frozen=True)
class Issue:
    """One check: where it fails, on which field and column, the value shown, the reason."""

    flag: ir.BooleanValue
    field: str
    column: str | None
    shown: ir.Value | None
    reason: str


class Mapper:
    """The canonical fields, segments and checks of one mapping over one table."""

    def __init__(self, raw: ir.Table, mapping: Mapping, source: str, now: dt.datetime) -> None:
        self.raw, self.mapping, self.source, self.now = raw, mapping, source, now
        self.issues: list[Issue] = []
        self.scope = Scope(raw)
        self.zone = mapping.timezone or "UTC"
        self.settled: set[int] = set()
        self.read: dict[tuple[str, tuple[str, ...], bool], tuple[ir.Value, ir.Value]] = {}
        spec = mapping.fields["interaction_id"]
        self.id_column = spec.column or (" + ".join(spec.columns) if spec.columns else None)

    def add(
        self, flag: ir.BooleanValue, name: str, column: str | None, shown: ir.Value | None, why: str
    ) -> None:
        self.issues.append(Issue(flag.fill_null(False), name, column, shown, why))

    def cells(
        self, column: str, extra: tuple[str, ...] = (), text: bool = False
    ) -> tuple[ir.Value, ir.Value]:
        key = (column, extra, text)
        if key not in self.read:
            sentinels = (*self.mapping.null_values, *extra)
            original, cleaned = cells(self.raw[column], sentinels, text or bool(extra))
            if cleaned is not original:
                cleaned = self.scope.one(cleaned)
            self.read[key] = (original, cleaned)
        return self.read[key]

    # --- the whole row -----------------------------------------------------------------

    def wide(self, order: str | None) -> ir.Table:
        """The source with every canonical field, segment, check and helper as a column."""
        excluded = self.excluded()
        out: dict[str, ir.Value] = {}
        for spec in FIELDS:
            if spec.name in self.mapping.fields:
                value = self.field(spec.name, self.mapping.fields[spec.name])
                out[spec.name] = self.scope.one(value)
            elif spec.name in self.mapping.constants:
                out[spec.name] = self.constant(spec.name, self.mapping.constants[spec.name])
            else:
                out[spec.name] = ibis.null(_TYPES[spec.kind])
        if self.mapping.team_from_agent is not None:
            team = out["agent_id"].cast("string").re_extract(self.mapping.team_from_agent, 1)
            out["team"] = team.nullif("")
        out["deployment"] = out["deployment"].cast("string").fill_null(DEFAULT_DEPLOYMENT)
        self.settle()
        for spec in FIELDS:
            if spec.required:
                already = [i.flag for i in self.issues if i.field == spec.name]
                flagged = ibis.or_(*already) if already else _FALSE
                self.add(
                    out[spec.name].isnull() & ~flagged,
                    spec.name,
                    None,
                    None,
                    "required value is empty",
                )
        for name, seg in self.mapping.segments.items():
            out[name] = self.segment(name, seg)
        rank = self.rank()
        self.settle()
        columns = {
            name: value.cast(_TYPES[field(name).kind]) if name in _KINDS else value.cast("string")
            for name, value in out.items()
        }
        flags = [i.flag for i in self.issues if i.field != "exclude"]
        helpers: dict[str, ir.Value] = {
            "_cx_excluded": excluded,
            "_cx_flagged": ibis.or_(*flags) if flags else _FALSE,
            "_cx_rank": rank,
            "_cx_row": self.raw[order].cast("int64") if order else ibis.null("int64"),
            "_cx_id": self.id_text(),
        }
        for index, issue in enumerate(self.issues):
            helpers[f"_cx_f{index}"] = issue.flag
            shown = issue.shown
            helpers[f"_cx_v{index}"] = as_text(shown) if shown is not None else ibis.null("string")
        if self.raw.get_backend().name == "pyspark":
            helpers[FENCE] = ibis.random()
        return self.scope.table.select(**columns, **helpers)

    def settle(self) -> None:
        """Make every check recorded so far a column, so later expressions refer to it."""
        pending = [i for i in range(len(self.issues)) if i not in self.settled]
        if not pending:
            return
        flags = self.scope.let(*(self.issues[i].flag for i in pending))
        for index, flag in zip(pending, flags, strict=True):
            issue = self.issues[index]
            self.issues[index] = Issue(flag, issue.field, issue.column, issue.shown, issue.reason)
            self.settled.add(index)

    def rejected_lines(self, wide: ir.Table) -> list[ir.Table]:
        lines = []
        for index, issue in enumerate(self.issues):
            flag = wide[f"_cx_f{index}"]
            if issue.field != "exclude":
                flag = flag & ~wide["_cx_excluded"]
            hit = keep(wide, flag)
            lines.append(
                hit.select(
                    row=hit["_cx_row"],
                    interaction_id=hit["_cx_id"],
                    field=ibis.literal(issue.field, "string"),
                    column=ibis.literal(issue.column, "string"),
                    value=hit[f"_cx_v{index}"],
                    reason=ibis.literal(issue.reason, "string"),
                )
            )
        return lines

    def id_text(self) -> ir.StringValue:
        spec = self.mapping.fields["interaction_id"]
        if spec.column is not None:
            return as_text(self.raw[spec.column])
        if spec.columns is not None:
            return self.joined(spec)
        return ibis.null("string")

    def excluded(self) -> ir.BooleanValue:
        out: ir.BooleanValue = _FALSE
        for rule in self.mapping.exclude:
            _, text = self.cells(rule.column, text=True)
            flags = hits(text, rule.values) & ~out
            reason = f"excluded by the mapping ({rule.column} is one of {', '.join(rule.values)})"
            if rule.reason:
                reason += f": {rule.reason}"
            self.add(flags, "exclude", rule.column, self.raw[rule.column], reason)
            out = out | flags
        return out

    def rank(self) -> ir.FloatingValue:
        """The ``repeated_ids.by`` column as numbers (0 without one)."""
        by = self.mapping.repeated_ids.by
        if by is None:
            return ibis.literal(0.0)
        original, text = self.cells(by)
        where = "repeated_ids"
        if isinstance(original, ir.TimestampValue | ir.DateValue):
            values = native(original, self.zone, self.scope).micros.cast("float64")
        elif isinstance(original, ir.NumericValue):
            values = original.cast("float64")
        else:
            values, bad = number(text)
            self.add(
                bad,
                where,
                by,
                original,
                "not a number: in place, repeated_ids orders by numbers or typed timestamps",
            )
        self.add(
            text.isnull(),
            where,
            by,
            original,
            f"empty: repeated_ids orders the rows of one contact by {by}, so this row "
            "cannot be placed; fill it in the file",
        )
        return values

    # --- fields ------------------------------------------------------------------------

    def constant(self, name: str, value: str) -> ir.Value:
        kind = field(name).kind
        text = value.strip()
        if kind is Kind.TIMESTAMP:
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(self.mapping.timezone or "UTC"))
            return ibis.literal(moment.astimezone(dt.UTC), _TYPES[kind])
        if kind is Kind.BOOL:
            return ibis.literal(text.lower() not in FALSE_WORDS)
        if kind in (Kind.INT, Kind.FLOAT):
            return self.ranged(name, None, None, ibis.literal(float(text)))
        return ibis.literal(text.lower() if kind is Kind.HANDLER else text, "string")

    def field(self, name: str, spec: FieldSpec) -> ir.Value:
        kind = field(name).kind
        shape = spec.shape()
        if shape == "present":
            found = [self.cells(c, spec.null_values)[1].notnull() for c in spec.presence()]
            return ibis.or_(*found)
        if shape == "start":
            return self.duration_between(name, spec)
        if kind is Kind.TIMESTAMP:
            return self.timestamp(name, spec)
        if shape == "columns":
            original = text = self.joined(spec)
            column = " + ".join(spec.columns or ())
        else:
            assert spec.column is not None
            mapped = bool(spec.map or spec.other or spec.default)
            original, text = self.cells(spec.column, spec.null_values, text=mapped)
            column = spec.column
        if isinstance(text, ir.StringValue):
            return self.typed(name, kind, column, original, apply_map(text, spec), spec)
        return self.native(name, kind, column, original, spec)

    def joined(self, spec: FieldSpec) -> ir.StringValue:
        parts = [self.cells(c, spec.null_values, text=True)[1] for c in spec.columns or ()]
        out = parts[0]
        for part in parts[1:]:
            out = out + spec.separator + part  # null when any part is, as at load
        return out

    def typed(
        self,
        name: str,
        kind: Kind,
        column: str | None,
        original: ir.Value,
        text: ir.StringValue,
        spec: FieldSpec | None = None,
    ) -> ir.Value:
        if kind is Kind.STRING:
            return text
        if kind is Kind.HANDLER:
            value, bad = handler(text)
            self.add(
                bad,
                name,
                column,
                original,
                BAD_HANDLER,
            )
            return value
        if kind is Kind.BOOL:
            flag, bad = boolean(text)
            self.add(
                bad,
                name,
                column,
                original,
                BAD_BOOLEAN,
            )
            return flag
        if name == "handle_time_s" and spec is not None and spec.unit == "h:mm:ss":
            seconds, bad = hms(text)
            self.add(bad, name, column, original, "not a duration like 0:04:02 (h:mm:ss)")
            return self.ranged(name, column, original, seconds)
        parsed, bad = number(text)
        self.add(bad, name, column, original, NOT_A_NUMBER)
        if spec is not None and spec.unit is not None:
            parsed = parsed * (UNITS[spec.unit] or 1.0)
        return self.ranged(name, column, original, parsed)

    def native(
        self, name: str, kind: Kind, column: str, original: ir.Value, spec: FieldSpec
    ) -> ir.Value:
        if (
            kind in (Kind.INT, Kind.FLOAT)
            and isinstance(original, ir.NumericValue)
            and spec.unit != "h:mm:ss"
        ):
            values = original.cast("float64")
            if spec.unit is not None:
                values = values * (UNITS[spec.unit] or 1.0)
            return self.ranged(name, column, original, values)
        if kind is Kind.BOOL and isinstance(original, ir.BooleanValue):
            return original
        return self.typed(name, kind, column, original, as_text(original), spec)

    def ranged(
        self, name: str, column: str | None, original: ir.Value | None, values: ir.FloatingValue
    ) -> ir.Value:
        spec = field(name)
        out = values
        if spec.kind is Kind.INT:
            whole = out.floor().cast("float64") == out
            self.add(~whole, name, column, original, NOT_WHOLE)
            out = self.scope.one(whole.ifelse(out, ibis.null("float64")))
        if spec.minimum is not None or spec.maximum is not None:
            low = float("-inf") if spec.minimum is None else spec.minimum
            high = float("inf") if spec.maximum is None else spec.maximum
            outside = out < low if spec.maximum is None else (out < low) | (out > high)
            bounds = (
                f"at least {low:g}" if spec.maximum is None else f"between {low:g} and {high:g}"
            )
            self.add(outside, name, column, original, f"out of range: must be {bounds}")
            out = outside.fill_null(False).ifelse(ibis.null("float64"), out)
        return out.cast(_TYPES[spec.kind])

    # --- timestamps --------------------------------------------------------------------

    def stamp(
        self, name: str, column: str, original: ir.Value, text: ir.Value, fmt: str | None
    ) -> Stamp:
        if not isinstance(text, ir.StringValue):
            return native(original, self.zone, self.scope)
        assert fmt is not None  # check_in_place refuses text timestamps without a format
        found = parse(text, translate(fmt), self.scope, self.zone)
        self.add(
            text.notnull() & ~found.ok, name, column, original, f"does not match the format {fmt}"
        )
        return found

    def timestamp(self, name: str, spec: FieldSpec) -> ir.Value:
        if spec.date is not None:
            original, date = self.cells(spec.date, spec.null_values, text=spec.time is not None)
            column = spec.date
            if spec.time is not None:
                _, time = self.cells(spec.time, spec.null_values, text=True)
                joined = date + " " + time
                date = time.isnull().ifelse(date, joined)
                original = time.isnull().ifelse(as_text(original), joined)
                column = f"{spec.date} + {spec.time}"
        else:
            assert spec.column is not None
            original, date = self.cells(spec.column, spec.null_values)
            column = spec.column
        found = self.stamp(name, column, original, date, spec.format)
        now = int(self.now.timestamp() * 1_000_000)
        self.add(
            found.ok & (found.micros > now),
            name,
            column,
            original,
            f"in the future (the load ran at {self.now:%Y-%m-%d %H:%M} UTC)",
        )
        return found.value

    def duration_between(self, name: str, spec: FieldSpec) -> ir.Value:
        assert spec.start is not None and spec.end is not None
        ends = []
        for column in (spec.start, spec.end):
            original, text = self.cells(column, spec.null_values)
            ends.append(self.stamp(name, column, original, text, spec.format))
        both = ends[0].ok & ends[1].ok
        seconds = (ends[1].micros - ends[0].micros).cast("float64") / 1e6
        negative = both & (seconds < 0)
        shown = as_text(self.raw[spec.start]) + " -> " + as_text(self.raw[spec.end])
        self.add(
            negative,
            name,
            f"{spec.start} -> {spec.end}",
            shown,
            "negative duration: the end is before the start",
        )
        values = (both & ~negative).ifelse(seconds, ibis.null("float64"))
        return self.ranged(name, spec.start, shown, values)

    # --- segments ----------------------------------------------------------------------

    def segment(self, name: str, spec: SegmentSpec) -> ir.StringValue:
        original, text = self.cells(spec.column, spec.null_values, text=True)
        assert isinstance(text, ir.StringValue)
        if spec.bins is None:
            return apply_map(text, FieldSpec(column=spec.column, map=spec.map))
        values, bad = number(text)
        where = f"segment {name}"
        self.add(bad, where, spec.column, original, NOT_A_NUMBER)
        edges = spec.bins
        inside = (values >= edges[0]) & (values < edges[-1])
        self.add(
            values.notnull() & ~inside,
            where,
            spec.column,
            original,
            f"outside the bins {_num(edges[0])} to {_num(edges[-1])}",
        )
        branches = [
            ((values >= low) & (values < high), ibis.literal(spec.label_for(i), "string"))
            for i, (low, high) in enumerate(zip(edges, edges[1:], strict=False))
        ]
        return ibis.cases(*branches, else_=ibis.null("string"))


_KINDS = frozenset(f.name for f in FIELDS)


def keep(wide: ir.Table, condition: ir.BooleanValue) -> ir.Table:
    """The rows of ``Mapper.wide``'s table where ``condition`` holds, filtered above it."""
    if FENCE in wide.columns:
        condition = condition & (wide[FENCE] < 1)
    return wide.filter(condition)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)

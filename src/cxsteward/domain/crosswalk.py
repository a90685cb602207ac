"""The regulatory crosswalk (C13): which clause each control of cxsteward serves.

The file (``data/crosswalk.yaml``) names the clauses of four frameworks in cxsteward's own
words and maps every control to them. This module parses and validates it and does the
arithmetic of coverage; the service decides each control's status from the records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxsteward.domain.bank import CROSSWALK_FRAMEWORKS, Crosswalk
from cxsteward.domain.yamlsource import read_yaml
from cxsteward.errors import Invalid, ProblemList

VERSION = re.compile(r"^\d+\.\d+\.\d+$")


class FrameworkKey(StrEnum):
    """The frameworks the crosswalk covers, as the API's query parameter declares them."""

    EU_AI_ACT = "eu_ai_act"
    NIST_AI_RMF = "nist_ai_rmf"
    ISO_42001 = "iso_42001"
    GDPR = "gdpr"


class ControlKind(StrEnum):
    """What kind of control a mapping entry names."""

    QUESTION = "question"
    CHAIN_CHECK = "chain_check"
    EVIDENCE_RULE = "evidence_rule"
    RECORD_TYPE = "record_type"


# The file's section for each kind, in the order controls are listed under a clause.
SECTIONS: Mapping[ControlKind, str] = {
    ControlKind.EVIDENCE_RULE: "evidence_rules",
    ControlKind.CHAIN_CHECK: "chain_checks",
    ControlKind.RECORD_TYPE: "record_types",
    ControlKind.QUESTION: "questions",
}


class Clause(BaseModel):
    """One article, paragraph, subcategory, clause or control, summarised in our words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    clauses: tuple[Clause, ...] = Field(min_length=1)


class Mappings(BaseModel):
    """Each control id (per kind) and the clauses it serves, per framework."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    questions: dict[str, Crosswalk]
    chain_checks: dict[str, Crosswalk]
    evidence_rules: dict[str, Crosswalk]
    record_types: dict[str, Crosswalk]

    def of(self, kind: ControlKind) -> dict[str, Crosswalk]:
        section: dict[str, Crosswalk] = getattr(self, SECTIONS[kind])
        return section


class CrosswalkFile(BaseModel):
    """The whole validated file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(pattern=VERSION.pattern)
    reviewed: date
    frameworks: dict[str, Framework]
    mappings: Mappings

    def clause_controls(self, framework: str) -> dict[str, list[tuple[ControlKind, str]]]:
        """Every clause of ``framework`` (file order) with the controls mapped to it."""
        found: dict[str, list[tuple[ControlKind, str]]] = {
            c.id: [] for c in self.frameworks[framework].clauses
        }
        for kind in SECTIONS:
            for control, refs in self.mappings.of(kind).items():
                for ref in getattr(refs, framework):
                    found[ref].append((kind, control))
        return found


def parse_crosswalk(text: str, source: str) -> CrosswalkFile:
    """Parse and validate a crosswalk file; every problem is reported at once.

    Raises:
        Invalid: with each problem's line, e.g. a mapping that names an unknown clause.
    """
    lines = read_yaml(text, source)
    problems = ProblemList()
    try:
        parsed = CrosswalkFile.model_validate(lines.data)
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(p) for p in error["loc"])
            problems.add(error["msg"], file=source, row=lines.path_line(path), column=path)
        raise Invalid(f"{source} is not a valid crosswalk", problems.items) from None
    if set(parsed.frameworks) != set(CROSSWALK_FRAMEWORKS):
        problems.add(
            f"frameworks must be exactly {', '.join(CROSSWALK_FRAMEWORKS)}",
            file=source,
            row=lines.path_line("frameworks"),
            column="frameworks",
        )
    for key, declared in parsed.frameworks.items():
        ids = [c.id for c in declared.clauses]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.add(f"clause {dup!r} is listed twice", file=source, column=key, value=dup)
    known = {k: {c.id for c in f.clauses} for k, f in parsed.frameworks.items()}
    for kind, section in SECTIONS.items():
        for control, refs in parsed.mappings.of(kind).items():
            path = f"mappings.{section}.{control}"
            row = lines.path_line(path)
            if not any(getattr(refs, f) for f in CROSSWALK_FRAMEWORKS):
                problems.add(f"{kind} {control!r} maps to no clause", file=source, row=row)
            for framework in CROSSWALK_FRAMEWORKS:
                cited = getattr(refs, framework)
                for ref in cited:
                    if ref not in known.get(framework, set()):
                        problems.add(
                            f"{kind} {control!r} names {ref!r}, which is not a clause of "
                            f"{framework} in this file",
                            file=source,
                            row=row,
                            column=framework,
                            value=ref,
                        )
                if len(set(cited)) != len(cited):
                    problems.add(f"{kind} {control!r} repeats a {framework} clause", row=row)
    if problems:
        raise Invalid(f"{source} is not a valid crosswalk", problems.items)
    return parsed


def unmapped(crosswalk: CrosswalkFile, kind: ControlKind, ids: Iterable[str]) -> list[str]:
    """The ids of ``kind`` that the file does not map (so a new control cannot go unmapped)."""
    mapped = crosswalk.mappings.of(kind)
    return [i for i in ids if i not in mapped]


def unknown(crosswalk: CrosswalkFile, kind: ControlKind, ids: Iterable[str]) -> list[str]:
    """The ids the file maps under ``kind`` that are not among ``ids`` (stale entries)."""
    known = set(ids)
    return sorted(i for i in crosswalk.mappings.of(kind) if i not in known)


def coverage(evidenced: int, total: int) -> float:
    """Evidenced controls as a percentage of all mapped ones, one decimal; 0.0 when none."""
    return round(100 * evidenced / total, 1) if total else 0.0

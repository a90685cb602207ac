"""The question bank: its schema, and validation that reports every problem at once."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cxsteward.domain.scale import Dimension, RoleGroup
from cxsteward.domain.yamlsource import YamlSource, read_yaml
from cxsteward.errors import BankInvalid, ProblemList

QUESTION_ID = re.compile(r"^[A-Z][A-Z0-9]{1,9}-[0-9]{2,3}$")
CROSSWALK_FRAMEWORKS = ("eu_ai_act", "nist_ai_rmf", "iso_42001", "gdpr")
_REQUIRED_TEXT = ("text", "why", "fully_in_place", "next_action")


class Crosswalk(BaseModel):
    """Where a check lands in external frameworks (C13)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    eu_ai_act: tuple[str, ...] = ()
    nist_ai_rmf: tuple[str, ...] = ()
    iso_42001: tuple[str, ...] = ()
    gdpr: tuple[str, ...] = ()


class Question(BaseModel):
    """One check of the readiness assessment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    dimension: Dimension
    text: str
    why: str
    fully_in_place: str
    next_action: str
    answered_by: tuple[RoleGroup, ...]
    weight: float = Field(default=1.0, gt=0)
    crosswalk: Crosswalk = Crosswalk()
    source: str = "builtin"


class QuestionBank(BaseModel):
    """A versioned, validated set of questions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    questions: tuple[Question, ...]

    def get(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def ids(self) -> list[str]:
        return [q.id for q in self.questions]

    def in_dimension(self, dimension: Dimension) -> list[Question]:
        return [q for q in self.questions if q.dimension == dimension]


def parse_bank(text: str, source: str) -> QuestionBank:
    """Parse and validate a whole bank (``bank``, ``version``, ``questions``).

    Raises:
        BankInvalid: listing every problem with file, line and field.
    """
    problems = ProblemList()
    lines = read_yaml(text, source, BankInvalid)
    root = lines.data
    if not isinstance(root, dict):
        problems.add("the bank must be a mapping with bank, version and questions", file=source)
        raise BankInvalid(f"{source} is not a valid question bank", problems.items)
    for key in ("bank", "version"):
        if not str(root.get(key) or "").strip():
            problems.add(f"missing {key!r}", file=source, row=1, column=key)
    questions = _parse_questions(root.get("questions"), lines, source, "builtin", problems)
    _check_duplicates(root.get("questions"), [], lines, source, problems)
    if problems:
        raise BankInvalid(f"{source} is not a valid question bank", problems.items)
    return QuestionBank(id=str(root["bank"]), version=str(root["version"]), questions=questions)


def extend_bank(bank: QuestionBank, text: str, source: str) -> QuestionBank:
    """Add an organization's own questions (a file with a ``questions`` list) to a bank.

    Raises:
        BankInvalid: listing every problem, including ids that clash with the bank.
    """
    problems = ProblemList()
    lines = read_yaml(text, source, BankInvalid)
    root = lines.data
    if not isinstance(root, dict):
        problems.add("the file must be a mapping with a 'questions' list", file=source)
        raise BankInvalid(f"{source} is not a valid set of extra questions", problems.items)
    added = _parse_questions(root.get("questions"), lines, source, "custom", problems)
    _check_duplicates(root.get("questions"), bank.ids(), lines, source, problems)
    if problems:
        raise BankInvalid(f"{source} is not a valid set of extra questions", problems.items)
    version = f"{bank.version}+{root.get('version', 'custom')}"
    return bank.model_copy(update={"questions": bank.questions + added, "version": version})


def _parse_questions(
    raw: object, lines: YamlSource, source: str, origin: str, problems: ProblemList
) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add("'questions' must be a non-empty list", file=source, column="questions")
        return ()
    parsed: list[Question] = []
    for index, item in enumerate(raw):
        line = lines.line("questions", index)
        if not isinstance(item, dict):
            problems.add("each question must be a mapping", file=source, row=line)
            continue
        question = _parse_question(item, index, lines, source, origin, problems)
        if question is not None:
            parsed.append(question)
    return tuple(parsed)


def _parse_question(
    item: dict[str, Any],  # one question of the bank's YAML as read: a file boundary
    index: int,
    lines: YamlSource,
    source: str,
    origin: str,
    problems: ProblemList,
) -> Question | None:
    qid = str(item.get("id") or "").strip()
    label = qid or f"question #{index + 1}"

    def at(field: str) -> int | None:
        return lines.line("questions", index, field)

    before = len(problems.items)
    allowed = {*_REQUIRED_TEXT, "id", "dimension", "answered_by", "weight", "crosswalk"}
    for unknown in sorted(set(item) - allowed):
        problems.add(f"{label}: unknown field", file=source, row=at(unknown), column=unknown)
    if not qid:
        problems.add(f"{label}: missing id", file=source, row=at("id"), column="id")
    elif not QUESTION_ID.match(qid):
        problems.add(
            f"{label}: id must look like GOV-06", file=source, row=at("id"), column="id", value=qid
        )
    dimension = str(item.get("dimension") or "")
    if dimension not in {d.value for d in Dimension}:
        known = ", ".join(d.value for d in Dimension)
        problems.add(
            f"{label}: unknown dimension; use one of {known}",
            file=source,
            row=at("dimension"),
            column="dimension",
            value=dimension,
        )
    for field in _REQUIRED_TEXT:
        if not isinstance(item.get(field), str) or not item[field].strip():
            problems.add(f"{label}: missing {field}", file=source, row=at(field), column=field)
    groups = item.get("answered_by")
    if not isinstance(groups, list) or not groups:
        problems.add(
            f"{label}: answered_by must list role groups",
            file=source,
            row=at("answered_by"),
            column="answered_by",
        )
        groups = []
    for group in groups:
        if str(group) not in {g.value for g in RoleGroup}:
            problems.add(
                f"{label}: unknown role group",
                file=source,
                row=at("answered_by"),
                column="answered_by",
                value=group,
            )
    weight = item.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        problems.add(
            f"{label}: weight must be a positive number",
            file=source,
            row=at("weight"),
            column="weight",
            value=weight,
        )
    crosswalk = item.get("crosswalk") or {}
    if not isinstance(crosswalk, dict) or set(crosswalk) - set(CROSSWALK_FRAMEWORKS):
        problems.add(
            f"{label}: crosswalk keys must be among {', '.join(CROSSWALK_FRAMEWORKS)}",
            file=source,
            row=at("crosswalk"),
            column="crosswalk",
        )
        crosswalk = {}
    if len(problems.items) > before:
        return None
    return Question(
        id=qid,
        dimension=Dimension(dimension),
        text=item["text"].strip(),
        why=item["why"].strip(),
        fully_in_place=item["fully_in_place"].strip(),
        next_action=item["next_action"].strip(),
        answered_by=tuple(RoleGroup(str(g)) for g in groups),
        weight=float(weight),
        crosswalk=Crosswalk(
            **{k: tuple(str(v) for v in _as_list(crosswalk[k])) for k in crosswalk}
        ),
        source=origin,
    )


def _check_duplicates(
    raw: object,
    existing: list[str],
    lines: YamlSource,
    source: str,
    problems: ProblemList,
) -> None:
    """Report every repeated id, at the line of the repeat, valid question or not."""
    seen = set(existing)
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        qid = str(item.get("id") or "").strip() if isinstance(item, dict) else ""
        if not qid:
            continue
        if qid in seen:
            problems.add(
                "duplicate question id",
                file=source,
                row=lines.line("questions", index, "id"),
                column="id",
                value=qid,
            )
        seen.add(qid)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]

"""The demo: a fictional company answers two assessment cycles and runs its AI, as a user would."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cxsteward.config import Settings
from cxsteward.domain.bank import QuestionBank
from cxsteward.domain.results import AssessmentReport
from cxsteward.domain.scale import RoleGroup
from cxsteward.reports.assessment import render_html, render_markdown
from cxsteward.services.assessment.answer_files import COLUMNS, import_answers
from cxsteward.services.assessment.cycles import close_cycle, open_cycle
from cxsteward.services.assessment.reporting import assessment_report
from cxsteward.services.clock import Clock, FixedClock, SystemClock
from cxsteward.services.demo.operations import DEMO_ROWS, OperationsOut, run_operations
from cxsteward.services.demo.story import Story
from cxsteward.services.pack.build import build_pack
from cxsteward.services.pack.history import issue_pack
from cxsteward.services.pack.models import PackOut
from cxsteward.services.workspace import Workspace, open_workspace, reset_workspace

# (days ago opened, days ago the answers came in, days ago closed or None) per cycle: the
# previous cycle closed a quarter ago, the current one is still open.
CYCLES = ((120, 105, 91), (25, 10, None))

# How far each role group's view sits from the organization's reality, on the 0-4 scale:
# leaders see the plans, the frontline sees the customers.
OPTIMISM: dict[RoleGroup, float] = {
    RoleGroup.EXECUTIVE: 1.0,
    RoleGroup.GOVERNANCE_COMMITTEE: 0.6,
    RoleGroup.CX_MANAGEMENT: 0.3,
    RoleGroup.TECHNOLOGY: 0.3,
    RoleGroup.LEGAL_COMPLIANCE: 0.0,
    RoleGroup.DATA: -0.1,
    RoleGroup.FRONTLINE: -0.7,
}
RESPONDENTS: dict[RoleGroup, list[str | None]] = {
    RoleGroup.EXECUTIVE: ["Amara Okafor", "Lukas Brandt", "Priya Raman"],
    RoleGroup.GOVERNANCE_COMMITTEE: ["Jonas Weber", "Sofia Marques", None],
    RoleGroup.CX_MANAGEMENT: ["Hannah Cole", None, None, "Mateo Ruiz"],
    RoleGroup.FRONTLINE: [None] * 8,
    RoleGroup.TECHNOLOGY: ["Wei Zhang", None, "Ola Nordmann"],
    RoleGroup.LEGAL_COMPLIANCE: ["Claire Dubois", None],
    RoleGroup.DATA: ["Tomás Silva", None],
}
# Reality per question prefix, before role-group bias; vendor and data checks lag.
REALITY: dict[str, float] = {"STR": 2.2, "GOV": 1.6, "PPL": 1.5, "DAT": 1.4, "TRU": 1.3}
VENDOR_QUESTIONS = {"GOV-04", "GOV-05"}


@dataclass(frozen=True)
class DemoResult:
    report: AssessmentReport
    html_path: Path
    markdown_path: Path
    operations: OperationsOut
    # The committee pack issued today; the one of the council's last meeting came before it.
    pack: PackOut


# The council chair issues the packs; the council last met three weeks ago (docs/demo.md).
CHAIR = "maya-okafor"
COUNCIL_DAYS_AGO = 21


def quarter(day: date) -> str:
    """The assessment cycle named after the quarter of ``day`` (2026-Q4)."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def run_demo(
    settings: Settings, seed: int = 7, rows: int = DEMO_ROWS, clock: Clock | None = None
) -> DemoResult:
    """Rebuild the demo workspace: eight months of a company's story up to ``clock``'s now.

    Governance, two assessment cycles and contacts monitored month by month, each step on
    the day it happened (see docs/demo.md). The report then shows what the answers claim
    beside what the records evidence.
    """
    end = (clock or SystemClock()).now()
    reset_workspace(settings).close()
    story = Story(FixedClock(end), end)
    ws = open_workspace(settings, clock=story.clock)
    try:
        rng = random.Random(seed)
        names = []
        for (opened, answered, closed), progress, share in zip(
            CYCLES, (0.0, 0.5), (0.7, 1.0), strict=True
        ):
            name = quarter(story.day(opened))
            names.append(name)
            _plan_cycle(story, ws, name, rng, progress, share, (opened, answered, closed))
        # The council's last meeting reads the pack of its day; today's says what changed since.
        story.on(story.day(COUNCIL_DAYS_AGO), 15, lambda: issue_pack(ws, build_pack(ws), CHAIR))
        operations = run_operations(story, ws, rows=rows, seed=seed)
        pack = issue_pack(ws, build_pack(ws), CHAIR)
        current = names[-1]
        report = assessment_report(ws, current)
        html_path = ws.reports_dir / f"assessment-{current}.html"
        markdown_path = ws.reports_dir / f"assessment-{current}.md"
        html_path.write_text(render_html(report), encoding="utf-8")
        markdown_path.write_text(render_markdown(report), encoding="utf-8")
        return DemoResult(
            report=report,
            html_path=html_path,
            markdown_path=markdown_path,
            operations=operations,
            pack=pack,
        )
    finally:
        ws.close()


def _plan_cycle(
    story: Story,
    ws: Workspace,
    cycle: str,
    rng: random.Random,
    progress: float,
    share: float,
    days: tuple[int, int, int | None],
) -> None:
    opened, answered, closed = days
    path = ws.settings.workspace / f"demo-answers-{cycle}.csv"
    # Drawn now, in cycle order, so the answers depend on the seed alone.
    _write_answers(path, ws.bank, rng, progress, share)
    story.on(story.day(opened), 9, lambda: open_cycle(ws, cycle))
    story.on(story.day(answered), 17, lambda: import_answers(ws, cycle, path))
    if closed is not None:
        story.on(story.day(closed), 9, lambda: close_cycle(ws, cycle))


def _write_answers(
    path: Path, bank: QuestionBank, rng: random.Random, progress: float, share: float
) -> None:
    """One cycle's answers; ``progress`` lifts reality, ``share`` thins the respondents."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for group, people in RESPONDENTS.items():
            kept = people[: max(1, round(len(people) * share))]
            for number, person in enumerate(kept, start=1):
                label = person or f"{group.value}-{number}"
                for question in bank.questions:
                    answer = _answer(rng, question.id, group, progress)
                    comment = _comment(rng, question.id, group, answer)
                    writer.writerow(
                        [
                            label,
                            group.value,
                            str(person is None).lower(),
                            question.id,
                            answer,
                            comment,
                        ]
                    )


def _answer(rng: random.Random, qid: str, group: RoleGroup, progress: float) -> str:
    dont_know = 0.05
    if qid in VENDOR_QUESTIONS and group not in {RoleGroup.LEGAL_COMPLIANCE, RoleGroup.TECHNOLOGY}:
        dont_know = 0.55
    elif group is RoleGroup.FRONTLINE and qid.startswith(("GOV", "STR")):
        dont_know = 0.25
    if rng.random() < dont_know:
        return "dont_know"
    level = REALITY.get(qid.split("-")[0], 1.5) + progress + OPTIMISM[group] + rng.gauss(0, 0.6)
    return str(min(4, max(0, round(level))))


def _comment(rng: random.Random, qid: str, group: RoleGroup, answer: str) -> str:
    if group is RoleGroup.FRONTLINE and answer in {"0", "1"} and rng.random() < 0.15:
        return rng.choice(
            [
                "We see the bot get billing questions wrong and nobody asks us about it.",
                "I would not know who to tell if the AI gave a customer bad advice.",
                "Customers ask for a person and the chat keeps them in a loop.",
            ]
        )
    if qid in VENDOR_QUESTIONS and answer == "dont_know" and rng.random() < 0.1:
        return "I have never seen the vendor contract."
    return ""

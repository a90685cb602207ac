"""The interactive terminal questionnaire of ``assess take``."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from cxsteward.cli.common import console
from cxsteward.domain.scale import ANSWER_LABELS, RoleGroup, parse_role_group
from cxsteward.errors import Invalid
from cxsteward.services.assessment import cycles as service
from cxsteward.services.workspace import Workspace

CHOICES = "0-4, d = don't know, s = skip for now, q = save and stop"


def run_questionnaire(
    ws: Workspace, cycle: str, *, role_group: str | None, name: str | None, resume: str | None
) -> None:
    """Ask every unanswered question, saving each answer as it is given."""
    out = console()
    service.require_open_cycle(ws, cycle)
    if resume and (name is not None or role_group is not None):
        raise Invalid(
            "--resume continues an existing respondent; leave out --name and --role-group."
        )
    if resume:
        respondent = service.get_respondent(ws, cycle, resume)
        out.print(f"Welcome back. {respondent.answered} of {respondent.total} answered so far.")
    else:
        group = _role_group(out, role_group)
        respondent = service.add_respondent(ws, cycle, group, anonymous=name is None, name=name)
        who = "anonymously: no name is stored" if respondent.anonymous else f"as {respondent.name}"
        out.print(f"You are answering {who}.")
        out.print(
            f"Your resume code is {respondent.code}. Keep it to continue later "
            f"with: cxsteward assess take {cycle} --resume {respondent.code}"
        )
    bank = ws.bank
    pending = service.unanswered_questions(ws, cycle, respondent.code)
    total = respondent.total
    skipped: list[str] = []
    legend = "  ".join(f"{k} {v}" for k, v in ANSWER_LABELS.items())
    for index, qid in enumerate(pending):
        question = bank.get(qid)
        if question is None:
            continue
        out.print(
            Panel(
                Text.assemble(
                    (question.text, "bold"),
                    "\n\n",
                    (f"Why it matters: {question.why}", "dim"),
                    "\n",
                    (
                        "Best answered by: " + ", ".join(g.label for g in question.answered_by),
                        "dim",
                    ),
                    f"\n\n{legend}  d Don't know",
                ),
                title=Text(f"{question.id} · {question.dimension.label}"),
                subtitle=Text(f"{total - len(pending) + index + 1} of {total}"),
            )
        )
        while True:
            reply = typer.prompt(f"Answer ({CHOICES})").strip().lower()
            if reply == "q":
                out.print(
                    f"Saved. Resume with: cxsteward assess take {cycle} --resume {respondent.code}"
                )
                return
            if reply == "s":
                skipped.append(qid)
                break
            value: int | None
            if reply in {"d", "dk", "dont_know", "don't know"}:
                value = None
            elif reply in {"0", "1", "2", "3", "4"}:
                value = int(reply)
            else:
                out.print("Please type 0, 1, 2, 3, 4, d, s or q.")
                continue
            comment = typer.prompt(
                "Comment (optional, Enter to skip)", default="", show_default=False
            )
            try:
                service.answer_question(ws, cycle, respondent.code, qid, value, comment or None)
            except Invalid as exc:
                out.print(Text(exc.message, style="red"))
                continue
            break
    if skipped:
        out.print(
            f"Skipped {len(skipped)}: {', '.join(skipped)}. Resume with: "
            f"cxsteward assess take {cycle} --resume {respondent.code}"
        )
    else:
        out.print("All questions answered. Thank you: your answers are saved.")


def _role_group(out: Console, given: str | None) -> RoleGroup:
    if given is not None:
        group = parse_role_group(given)
        if group is None:
            known = ", ".join(g.value for g in RoleGroup)
            raise Invalid(f"Unknown role group {given!r}; use one of {known}.")
        return group
    groups = list(RoleGroup)
    for index, group in enumerate(groups, start=1):
        out.print(f"  {index}. {group.label}")
    while True:
        reply = typer.prompt("Your role group (number)").strip()
        if reply.isdigit() and 1 <= int(reply) <= len(groups):
            return groups[int(reply) - 1]
        out.print(f"Please type a number from 1 to {len(groups)}.")

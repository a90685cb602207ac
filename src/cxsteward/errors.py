"""The project's exceptions: each carries a message a user can act on."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One located problem in a user's input: where it is, what is wrong, what to do."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = [part for part in (self.file, self._row_text(), self._column_text()) if part]
        prefix = ", ".join(where)
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{prefix}: {self.message}{shown}" if prefix else f"{self.message}{shown}"

    def _row_text(self) -> str | None:
        return f"row {self.row}" if self.row is not None else None

    def _column_text(self) -> str | None:
        return f"column {self.column!r}" if self.column is not None else None


class CxStewardError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CxStewardError):
    """Something named by the user does not exist."""


class Invalid(CxStewardError):
    """Input breaks a rule; ``problems`` lists every located problem at once."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        lines = [message, *(f"  - {p}" for p in self.problems)]
        super().__init__("\n".join(lines))
        self.summary = message


class Conflict(CxStewardError):
    """The action clashes with the current state (already exists, already closed...)."""


class Gone(Conflict):
    """Something that existed can no longer be used (a withdrawn or expired link)."""


class WorkspaceMissing(NotFound):
    """No workspace at the given folder."""


class CycleNotFound(NotFound):
    """No assessment cycle of that name."""


class RespondentNotFound(NotFound):
    """No respondent with that code in the cycle."""


class QuestionNotFound(NotFound):
    """No question with that id in the cycle's bank."""


class AssessmentCycleClosed(Conflict):
    """Answers of a closed cycle cannot change."""


class CycleExists(Conflict):
    """A cycle of that name already exists."""


class BankInvalid(Invalid):
    """A question bank breaks the bank's rules."""


class ImportInvalid(Invalid):
    """An answers file has problems; nothing was written."""


@dataclass
class ProblemList:
    """Collects problems so a whole file is checked before anything is refused."""

    items: list[Problem] = field(default_factory=list)

    def add(self, message: str, **where: object) -> None:
        self.items.append(
            Problem(
                message,
                file=_opt_str(where.get("file")),
                row=_opt_int(where.get("row")),
                column=_opt_str(where.get("column")),
                value=_opt_str(where.get("value")),
            )
        )

    def __bool__(self) -> bool:
        return bool(self.items)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: object) -> int | None:
    return value if isinstance(value, int) else None


class NotPermitted(CxStewardError):
    """The person lacks the right the action needs; the message names who holds it."""


class GovernanceInvalid(Invalid):
    """A governance file, or a change to the stored governance, breaks a rule."""


class GovernanceNotFound(NotFound):
    """No governance has been applied to the workspace yet."""


class DeploymentNotFound(NotFound):
    """No deployment with that key in the governance registry."""


class PersonNotFound(NotFound):
    """No person with that key in the governance registry."""


class TemplateNotFound(NotFound):
    """No communication template with that key."""


class TransitionNotAllowed(Conflict):
    """The lifecycle does not allow that status change."""


class ReviewNotFound(NotFound):
    """No review request with that id or tracking code."""


class ExplanationNotFound(NotFound):
    """No explanation record with that id."""


class FeedbackNotFound(NotFound):
    """No frontline feedback with that id or follow-up code."""


class ChoiceNotFound(NotFound):
    """No customer consent choice with that id."""

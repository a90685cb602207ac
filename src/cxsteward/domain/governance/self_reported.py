"""Why a question stays self-reported: what record would settle it, and where that lives.

A reader of the assessment or the committee pack sees beside each question that no rule can
check why the product cannot check it, so that "self-reported" reads as a known limit of the
records rather than as an oversight. A test keeps this list and the rules in step: every
question without a rule has a reason here, and no question with a rule does.
"""

from __future__ import annotations

from collections.abc import Mapping

UNKNOWN = "No record the product keeps can confirm or contradict this answer."

WHY: Mapping[str, str] = {
    "STR-01": (
        "A risk appetite is a decision of senior leaders, kept in board papers; the registry "
        "holds the thresholds that follow from it, not the decision itself."
    ),
    "STR-04": (
        "Whether leaders understand what oversight demands is a matter of attitude; the records "
        "show its effects (pauses, oversight staffing) only indirectly."
    ),
    "PPL-01": (
        "Fear of reporting leaves no trace: a quiet flag channel may mean trust or fear. "
        "PPL-09 reads how flags are handled, which is the part records can show."
    ),
    "PPL-03": (
        "Job descriptions, objectives and performance reviews live in the HR system, which the "
        "product does not read."
    ),
    "PPL-04": (
        "How leaders take failure is culture; incident and flag records show what was done, "
        "not how it was received."
    ),
    "PPL-08": (
        "Who chose the use cases and shaped the pilots is not recorded in anything the product "
        "reads."
    ),
    "DAT-01": (
        "Whether customer data comes from one reconciled source is a property of the "
        "organization's systems, beyond the contact exports the product loads."
    ),
    "DAT-02": (
        "Process documentation and defect logs for the automated processes are kept outside "
        "the product."
    ),
    "DAT-06": (
        "Access control, privacy assessments and bias audits of the data sit in other systems "
        "(identity management, privacy registers); the product keeps no record of them."
    ),
}


def why_self_reported(question_id: str) -> str:
    """The reason no rule checks ``question_id``."""
    return WHY.get(question_id, UNKNOWN)

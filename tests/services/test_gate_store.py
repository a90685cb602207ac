"""The governance file's scale_gate: stored as declared, read back and exported the same."""

from __future__ import annotations

from pathlib import Path

from cxsteward.domain.governance.gate_policy import Criterion, effective_policy
from cxsteward.services.governance.reading import parse_governance
from cxsteward.services.governance.setup import (
    apply_governance,
    current_governance,
    export_governance,
    read_governance_file,
)
from cxsteward.services.workspace import Workspace

EXAMPLE = Path(__file__).parents[2] / "examples" / "governance.yaml"


def test_the_scale_gate_survives_apply_and_export(ws: Workspace) -> None:
    declared = read_governance_file(EXAMPLE)
    apply_governance(ws, declared)
    stored = current_governance(ws)
    assert stored.scale_gate == declared.scale_gate
    voice, file_voice = stored.deployment("billing-voice"), declared.deployment("billing-voice")
    assert voice is not None and file_voice is not None
    assert voice.scale_gate == file_voice.scale_gate
    again = parse_governance(export_governance(ws), "exported.yaml").governance
    assert again.scale_gate == declared.scale_gate
    exported = again.deployment("billing-voice")
    assert exported is not None
    policy = effective_policy(again.scale_gate, exported.scale_gate)
    # The voice agent's own floor, the organization's stage and conditions, the defaults else.
    assert (policy.disclosure_floor, policy.min_stage, policy.fresh_days) == (0.98, 2, 14)
    assert policy.conditions == [Criterion.REVIEW_SLA, Criterion.FLAGS]
    # Applying the same file again changes nothing: the stored form is the declared one.
    assert apply_governance(ws, declared).changes == ()

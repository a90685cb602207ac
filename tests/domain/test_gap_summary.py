"""Chain gaps counted by rule, each rule with a plain label."""

from __future__ import annotations

import re
from pathlib import Path

from cxsteward.domain.governance.checks_model import Gap
from cxsteward.domain.governance.gap_summary import RULE_LABELS, rule_label, summarise_gaps

CHECKS = Path(__file__).resolve().parents[2] / "src" / "cxsteward" / "domain" / "governance"


def _gap(rule: str, blocking: bool, n: int = 0) -> Gap:
    return Gap(rule, blocking, "deployment:chat", f"{rule} #{n}", "fix it")


def test_groups_put_blocking_rules_first_then_the_largest() -> None:
    gaps = [
        _gap("knowledge.stale", False, 1),
        _gap("evidence.baseline_late", True, 1),
        _gap("knowledge.stale", False, 2),
        _gap("knowledge.stale", False, 3),
        _gap("evidence.threshold_late", True, 1),
        _gap("evidence.threshold_late", False, 2),
        _gap("evidence.threshold_late", True, 3),
    ]
    groups = summarise_gaps(gaps)
    assert [(g.rule, g.count, g.blocking) for g in groups] == [
        ("evidence.threshold_late", 3, 2),
        ("evidence.baseline_late", 1, 1),
        ("knowledge.stale", 3, 0),
    ]
    assert groups[0].label == "Threshold declared after go-live"
    # Every gap is kept, in the order the check reported it.
    assert [g.message for g in groups[2].gaps] == [f"knowledge.stale #{n}" for n in (1, 2, 3)]
    assert summarise_gaps([]) == []


def test_every_rule_the_checks_report_has_a_label() -> None:
    source = "".join(p.read_text("utf-8") for p in CHECKS.glob("checks*.py"))
    rules = set(re.findall(r'Gap\(\s*"([a-z_]+\.[a-z_]+)"', source))
    assert len(rules) >= 30
    assert rules <= set(RULE_LABELS), sorted(rules - set(RULE_LABELS))


def test_an_unknown_rule_reads_as_its_id() -> None:
    assert rule_label("vendor.new_clause_rule") == "Vendor: new clause rule"

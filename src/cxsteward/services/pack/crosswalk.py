"""The pack's crosswalk section: coverage per framework, from the crosswalk service (C13)."""

from __future__ import annotations

from datetime import date

from cxsteward.services.crosswalk.report import crosswalk_report
from cxsteward.services.pack.models import CoverageOut
from cxsteward.services.workspace import Workspace


def coverage(ws: Workspace, today: date) -> list[CoverageOut]:
    """Each framework's coverage and the clauses short of full evidence, in words."""
    report = crosswalk_report(ws, today=today)
    return [
        CoverageOut(
            framework=f.key,
            title=f.title,
            clauses=len(f.clauses),
            coverage=f.coverage,
            missing=[
                f"{c.id} {c.title}: {c.coverage:.0f}% evidenced"
                for c in f.clauses
                if c.coverage < 100
            ],
        )
        for f in report.frameworks
    ]

"""``cxsteward crosswalk``: which regulatory clauses the records evidence, and what is missing."""

from __future__ import annotations

import typer
from rich.table import Table

from cxsteward.cli.common import console, print_json, workspace
from cxsteward.services.crosswalk.models import CrosswalkOut
from cxsteward.services.crosswalk.report import crosswalk_report


def crosswalk(
    ctx: typer.Context,
    framework: str | None = typer.Option(
        None,
        "--framework",
        help="Only this framework: eu_ai_act, nist_ai_rmf, iso_42001 or gdpr.",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Which regulatory clauses the records evidence, and what is missing.

    Maps every question, chain check, evidence rule and record type to the EU AI Act,
    NIST AI RMF 1.0, ISO/IEC 42001:2023 and the GDPR. Per clause: coverage
    (evidenced controls out of all mapped ones), the counts of evidenced, self-reported and
    missing controls, and what is missing. Always exits 0.

    Example: cxsteward crosswalk --framework eu_ai_act
    """
    with workspace(ctx) as ws:
        report = crosswalk_report(ws, framework)
    if json_out:
        print_json(report)
    else:
        _print(report)


def _print(report: CrosswalkOut) -> None:
    out = console()
    out.print(
        f"Crosswalk {report.version} (reviewed {report.reviewed}), records as of "
        f"{report.as_of}; self-reports from {report.cycle or 'no assessment cycle'}."
    )
    for framework in report.frameworks:
        table = Table(
            title=f"{framework.title}: {framework.coverage:.1f}% evidenced "
            f"({framework.totals.evidenced} of {framework.totals.total} controls)",
            title_justify="left",
        )
        table.add_column("Clause")
        table.add_column("Coverage", justify="right", no_wrap=True)
        table.add_column("Evidenced", justify="right")
        table.add_column("Self-reported", justify="right")
        table.add_column("Missing", justify="right")
        for clause in framework.clauses:
            table.add_row(
                f"{clause.id} {clause.title}",
                f"{clause.coverage:.1f}%",
                str(clause.counts.evidenced),
                str(clause.counts.self_reported),
                str(clause.counts.missing),
            )
        out.print(table)
        # The missing items are sentences: listed under the table, they stay readable in a
        # narrow terminal where a sixth column would be squeezed to a word per line.
        for clause in framework.clauses:
            if clause.missing:
                out.print(f"{clause.id}: what is missing", highlight=False)
                for item in clause.missing:
                    out.print(f"  - {item}", highlight=False, markup=False)

"""``cxsteward thresholds ...``: rules declared in advance, with their creation times."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cxsteward.cli.common import StewardTyper, console, print_json, workspace
from cxsteward.domain.thresholds import Threshold
from cxsteward.errors import Invalid
from cxsteward.services.monitoring import thresholds as service

app = StewardTyper(
    help="Thresholds declared in advance: what counts as a breach, how severe, what to do.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")


@app.command("add")
def add(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="A YAML file with a 'thresholds:' list."),
    rule_id: str | None = typer.Option(None, "--id", help="Rule id, for a single rule."),
    metric: str | None = typer.Option(None, "--metric", help="Catalogue metric name."),
    direction: str | None = typer.Option(None, "--direction", help="below or above."),
    compare_to: str = typer.Option(
        "human", "--compare-to", help="human, baseline, previous_model or absolute."
    ),
    points: float | None = typer.Option(None, "--points", help="Gap in points."),
    ratio: float | None = typer.Option(None, "--ratio", help="AI / comparator ratio."),
    value: float | None = typer.Option(None, "--value", help="Absolute value."),
    baseline: str | None = typer.Option(None, "--baseline", help="Baseline name."),
    deployment: str | None = typer.Option(None, "--deployment", help="Only this deployment."),
    segment: list[str] = typer.Option([], "--segment", help="COLUMN=VALUE, repeatable."),
    min_n: int = typer.Option(100, "--min-n", help="Contacts needed on each side."),
    severity: str = typer.Option("sev3", "--severity", help="sev1 (worst) to sev4."),
    action: str = typer.Option("review", "--action", help="review, escalate or pause."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Declare thresholds from a YAML file, or one rule from options.

    Example: cxsteward thresholds add thresholds.yaml
    Example: cxsteward thresholds add --id csat-gap --metric csat_satisfied_rate
             --direction below --points 5 --severity sev2 --action escalate
    """
    with workspace(ctx) as ws:
        if file is not None:
            out = service.add_thresholds_file(ws, file)
        else:
            if not (rule_id and metric and direction):
                raise Invalid("Give a YAML file, or --id, --metric and --direction for one rule.")
            scope: dict[str, str] = {}
            for item in segment:
                column, sep, text = item.partition("=")
                if not sep or not column or not text:
                    raise Invalid(f"--segment {item!r}: use COLUMN=VALUE, e.g. language=es.")
                scope[column.strip()] = text.strip()
            try:
                rule = Threshold.model_validate(
                    {
                        "id": rule_id,
                        "metric": metric,
                        "direction": direction,
                        "compare_to": compare_to,
                        "points": points,
                        "ratio": ratio,
                        "value": value,
                        "baseline": baseline,
                        "deployment": deployment,
                        "segment": scope,
                        "min_n": min_n,
                        "severity": severity,
                        "action": action,
                    }
                )
            except ValueError as exc:
                raise Invalid(f"Threshold {rule_id}: {exc}") from None
            out = service.add_thresholds(ws, [rule])
    if json_out:
        print_json(out)
        return
    console().print(f"Added {len(out.added)} threshold(s); {len(out.unchanged)} unchanged.")


@app.command("list")
def list_(
    ctx: typer.Context,
    all_versions: bool = typer.Option(False, "--all", help="Include retired versions."),
    json_out: bool = JSON_OPTION,
) -> None:
    """List thresholds with the time each was declared.

    Example: cxsteward thresholds list --json
    """
    with workspace(ctx) as ws:
        rules = service.list_thresholds(ws, include_retired=all_versions)
    if json_out:
        print_json(rules)
        return
    table = Table(title="Thresholds")
    for column in ("id", "rule", "min n", "severity", "action", "created"):
        table.add_column(column)
    for r in rules:
        created = f"{r.created_at:%Y-%m-%d %H:%M}" if r.created_at else ""
        table.add_row(r.id, r.describe(), str(r.min_n), r.severity.value, r.action.value, created)
    console().print(table)


@app.command("retire")
def retire(ctx: typer.Context, rule_id: str = typer.Argument(..., help="Rule id.")) -> None:
    """Retire a threshold; it stays in the history with its dates.

    Example: cxsteward thresholds retire csat-gap
    """
    with workspace(ctx) as ws:
        when = service.retire_threshold(ws, rule_id)
    console().print(f"Retired {rule_id} at {when:%Y-%m-%d %H:%M} UTC.")

"""The committee pack rendered (HTML, Markdown, PDF, JSON): its charts and the context the
templates of ``cxsteward.reports.pack`` read. An issued pack never changes, so each of its
renderings is made once and kept as a file in the workspace's reports folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cxsteward.errors import Invalid
from cxsteward.reports.charts import Chart, chart_key
from cxsteward.reports.grid_charts import BarValue, grouped_bars
from cxsteward.reports.pack import pack_html, pack_markdown, pdf_of
from cxsteward.reports.trend_charts import LinePoint, line_trend
from cxsteward.services.contract import dump_json
from cxsteward.services.monitoring.charts import metric_title, scorecard_figure, trend_figure
from cxsteward.services.pack.models import DeploymentPackOut, PackOut, ReadinessOut
from cxsteward.services.workspace import Workspace

FORMATS = ("html", "pdf", "md", "json")


def render_html(pack: PackOut) -> str:
    """The pack as one HTML page: inline CSS and SVG, no script, no outside URL."""
    return pack_html(_context(pack, charts=True))


def render_markdown(pack: PackOut) -> str:
    """The pack as GitHub-flavoured Markdown (figures as tables, no charts)."""
    return pack_markdown(_context(pack, charts=False))


def render_pdf(pack: PackOut) -> bytes:
    """The pack as PDF: the HTML above, printed by WeasyPrint."""
    return pdf_of(render_html(pack))


def pack_file(ws: Workspace, pack: PackOut, fmt: str) -> Path:
    """The rendering of an issued pack in ``fmt`` (html, pdf, md, json), made once and kept."""
    assert pack.id is not None, "only an issued pack is kept as a file"
    path = ws.reports_dir / f"pack-{pack.id:05d}.{fmt}"
    if not path.exists():
        data = render(pack, fmt)
        staged = path.with_suffix(f".{fmt}.part")
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
        staged.replace(path)  # whole or not at all: a killed render leaves no half file
    return path


def render(pack: PackOut, fmt: str) -> bytes:
    """The pack in ``fmt``: html, pdf, md or json (the contract's JSON)."""
    if fmt == "html":
        return render_html(pack).encode("utf-8")
    if fmt == "md":
        return render_markdown(pack).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(pack)
    if fmt == "json":
        return dump_json(pack)
    raise Invalid(f"Unknown pack format {fmt!r}: use html, pdf, md or json.")


def title_of(pack: PackOut) -> str:
    return f"Committee pack: {pack.organization}, as of {pack.as_of}"


def _context(pack: PackOut, charts: bool) -> dict[str, Any]:  # a Jinja context: untyped
    return {
        "pack": pack,
        "title": title_of(pack),
        "readiness_charts": _readiness_charts(pack.readiness) if charts and pack.readiness else [],
        "deployment_charts": {
            d.key: _deployment_charts(d) if charts else [] for d in pack.deployments
        },
        "metric_title": metric_title,
    }


def _readiness_charts(readiness: ReadinessOut) -> list[Chart]:
    points = [
        LinePoint(c.cycle, series, value)
        for c in readiness.cycles
        for series, value in (("Claimed", c.claimed_score), ("Evidenced", c.evidenced_score))
    ]
    out = [
        line_trend(
            "pack-readiness-trend",
            "Readiness by assessment cycle, claimed beside evidenced",
            "The overall readiness score (0-100) each cycle's answers claim, and the score the "
            "records evidence for the same questions.",
            points,
            y_title="Score (0-100)",
            domain=(0, 100),
        )
    ]
    if readiness.dimensions:
        bars = [
            BarValue(d.name, series, value)
            for d in readiness.dimensions
            for series, value in (("Claimed", d.claimed_score), ("Evidenced", d.evidenced_score))
        ]
        out.append(
            grouped_bars(
                "pack-dimensions",
                "Claimed and evidenced score per dimension",
                "For each readiness dimension, the score the answers claim and the score the "
                "records evidence, over the questions an evidence rule can check.",
                bars,
                x_title="Score (0-100)",
                domain=(0, 100),
                missing="no records",
            )
        )
    return out


def _deployment_charts(dep: DeploymentPackOut) -> list[Chart]:
    out: list[Chart] = []
    if dep.scorecard is not None and dep.scorecard.cells:
        out.append(scorecard_figure(dep.scorecard, key=chart_key("pack-scorecard", dep.key)))
    out += [trend_figure(t, key=chart_key("pack-trend", dep.key, t.metric)) for t in dep.trends]
    return out

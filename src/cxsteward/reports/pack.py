"""The committee pack's templates: HTML (also the PDF's source) and Markdown, and the PDF.

The PDF is WeasyPrint printing the same HTML with its print stylesheet: CSS paged media gives
the title page, the table of contents with page numbers (``target-counter``), page numbers in
the margin and table headers that repeat across pages, and the SVG charts stay vectors.
Chromium's print-to-PDF, the other candidate, supports neither ``target-counter`` nor margin
boxes, and would make a browser a dependency of a CLI command.

The service (``cxsteward.services.pack.render``) builds the context: the pack and its charts.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from cxsteward.domain.governance.gate_policy import Verdict

# The verdict's words (Verdict.words), capitalised for a table cell.
VERDICT_WORDS = {v.value: v.words.capitalize() for v in Verdict}
STATUS_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown"}


def pack_html(context: Mapping[str, object]) -> str:
    """The pack as one HTML page: inline CSS and SVG, no script, no outside URL."""
    return _environment().get_template("pack.html.j2").render(_words(context))


def pack_markdown(context: Mapping[str, object]) -> str:
    """The pack as GitHub-flavoured Markdown (figures as tables, no charts)."""
    return _environment().get_template("pack.md.j2").render(_words(context))


def pdf_of(html: str) -> bytes:
    """``html`` printed to PDF by WeasyPrint."""
    from weasyprint import HTML  # imported here: loading Pango costs a second at start-up

    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def _words(context: Mapping[str, object]) -> dict[str, object]:
    return {"verdicts": VERDICT_WORDS, "statuses": STATUS_WORDS, **context}


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cxsteward", "reports/templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=_pct, num=_num, md=_md)
    return env


def _pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _md(value: object) -> str:
    """A Markdown table cell: pipes escaped, lines joined."""
    return " ".join(str(value).split()).replace("|", "\\|")

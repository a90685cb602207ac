"""Claimed against evidenced in every format: Markdown, HTML and JSON, with hand-checked figures."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest
from rich.console import Console

from cxsteward.cli.render import render_report
from cxsteward.domain.results import AssessmentReport
from cxsteward.reports.assessment import render_html, render_json, render_markdown

# Claimed means from conftest: STR-02 2.0 (weight 2), GOV-01 1.4 (w1), GOV-02 2.5 (w2).
# Evidenced: STR-02 partly 2, GOV-01 partly 2, GOV-02 not evidenced 0; TRU-02 has no records.
GOV_CLAIMED = (1 * 1.4 + 2 * 2.5) / 3 * 25  # 53.33
GOV_EVIDENCED = (1 * 2.0 + 2 * 0.0) / 3 * 25  # 16.67
ALL_CLAIMED = (2 * 2.0 + 1 * 1.4 + 2 * 2.5) / 5 * 25  # 52.0
ALL_EVIDENCED = (2 * 2.0 + 1 * 2.0 + 2 * 0.0) / 5 * 25  # 30.0
# The item text conftest.sample_evidence gives GOV-02: markup and a pipe, to test escaping.
HOSTILE_EVIDENCE = "<b>threshold</b> | csat-gap created after go-live"
GOV_02_BLOCKER = (
    "stage 2 needs GOV-02 >= 1.5; the records show it not evidenced (0 of 1 checks met, score 0)"
)


def _section(markdown: str, heading: str) -> str:
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_json_carries_claimed_against_evidenced(evidenced_report: AssessmentReport) -> None:
    doc = json.loads(render_json(evidenced_report))
    e = doc["evidence"]

    assert (e["n_questions"], e["n_rules"]) == (10, 4)
    assert e["claimed_score"] == pytest.approx(ALL_CLAIMED)
    assert e["evidenced_score"] == pytest.approx(ALL_EVIDENCED)
    assert e["stage"]["claimed"]["number"] == 2
    assert e["stage"]["evidenced"]["number"] == 1
    assert [b["message"] for b in e["stage"]["evidenced"]["blockers"]] == [GOV_02_BLOCKER]
    assert [b["question_id"] for b in e["stage"]["contradicted"]] == ["GOV-02"]
    assert e["stage"]["resting_on_self_report"] == []
    gov = next(d for d in e["dimensions"] if d["id"] == "governance")
    assert gov["claimed_score"] == pytest.approx(GOV_CLAIMED)
    assert gov["evidenced_score"] == pytest.approx(GOV_EVIDENCED)
    assert (gov["n_questions"], gov["n_rules"], gov["n_compared"]) == (2, 2, 2)
    assert gov["verdicts"] == {"partly": 1, "not_evidenced": 1}
    trust = next(d for d in e["dimensions"] if d["id"] == "trust")
    assert (trust["n_rules"], trust["n_compared"], trust["evidenced_score"]) == (1, 0, None)
    rows = {q["question_id"]: q for q in e["questions"]}
    assert rows["GOV-02"]["claimed"] == pytest.approx(2.5)
    assert (rows["GOV-02"]["evidenced"], rows["GOV-02"]["verdict"]) == (0.0, "not_evidenced")
    assert rows["GOV-02"]["difference"] == pytest.approx(2.5)
    assert rows["GOV-02"]["items"] == [{"supports": False, "text": HOSTILE_EVIDENCE}]
    assert rows["TRU-02"]["evidenced"] is None and rows["TRU-02"]["difference"] is None
    assert [q["question_id"] for q in e["self_reported_only"]] == [
        "STR-01",
        "PPL-01",
        "PPL-02",
        "DAT-01",
        "DAT-02",
        "TRU-01",
    ]
    assert AssessmentReport.model_validate_json(render_json(evidenced_report)) == evidenced_report


def test_markdown_has_the_section_with_stage_dimensions_and_items(
    evidenced_report: AssessmentReport,
) -> None:
    md = render_markdown(evidenced_report)
    section = _section(md, "Claimed against evidenced")

    assert (
        "- **Evidenced stage:** stage 1, Ad hoc, on the registry's records as of 2026-11-14" in md
    )
    assert "4 of 10 questions can be checked against the registry's records; the other 6" in section
    assert "| Claimed (the answers) | 2 Reactive |" in section
    assert "| Evidenced (the records) | 1 Ad hoc |" in section
    assert f"- {GOV_02_BLOCKER}\n" in section
    assert (
        f"| Governance & accountability | 2 | 2 | 2 | {GOV_CLAIMED:.1f} | {GOV_EVIDENCED:.1f} "
        "| 1 partly evidenced, 1 not evidenced |"
    ) in section
    assert (
        "| Customer trust | 2 | 1 | 0 | not scorable | not scorable | 1 without records |"
        in section
    )
    assert f"| **{ALL_CLAIMED:.1f}** | **{ALL_EVIDENCED:.1f}** |" in section
    assert "| 2.50 | not evidenced | 0.00 | 0 of 1 |" in section
    assert "- not met: \\<b>threshold\\</b> \\| csat-gap created after go-live" in section
    assert "- met: AI council met 2026-11-01" in section
    self_reported = section.split("### Self-reported only", 1)[1]
    assert re.findall(r"^\| ([A-Z]{3}-\d\d):", self_reported, re.MULTILINE) == [
        "STR-01",
        "PPL-01",
        "PPL-02",
        "DAT-01",
        "DAT-02",
        "TRU-01",
    ]
    method = _section(md, "How these figures are computed")
    assert evidenced_report.evidence is not None
    assert " ".join(evidenced_report.evidence.method.split()) in method
    assert re.search(r"(?<!\\)<", md) is None, "every < in the Markdown is escaped"
    for block in re.findall(r"(?:^\|.*\n)+", md, re.MULTILINE):
        cells = {len(re.findall(r"(?<!\\)\|", row)) for row in block.splitlines()}
        assert len(cells) == 1, f"a table row has a stray pipe:\n{block}"


def test_markdown_without_evidence_has_no_section(current_report: AssessmentReport) -> None:
    md = render_markdown(current_report)
    assert "Claimed against evidenced" not in md and "Evidenced stage" not in md


class _Tables(HTMLParser):
    """Rows of the evidence tables: cells' text by table class."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "table":
            self._table = classes
            self.rows.setdefault(classes, [])
        elif tag == "tr" and self._table is not None:
            self.rows[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.rows[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_html_has_accessible_tables_with_hand_checked_figures(
    evidenced_report: AssessmentReport,
) -> None:
    page = render_html(evidenced_report)
    parser = _Tables()
    parser.feed(page)

    assert 'aria-labelledby="claimed-vs-evidenced-title"' in page
    assert "Stage 2 <small>Reactive</small>" in page and "Stage 1 <small>Ad hoc</small>" in page
    assert "Records support stage 1 (Ad hoc)." in page
    dims = parser.rows["evidence-dimensions"]
    assert dims[0][0] == "Dimension"
    governance = next(r for r in dims if r[0] == "Governance & accountability")
    assert governance == [
        "Governance & accountability",
        "2",
        "2",
        "2",
        f"{GOV_CLAIMED:.1f}",
        f"{GOV_EVIDENCED:.1f}",
        "1 partly evidenced, 1 not evidenced",
    ]
    assert dims[-1][4:6] == [f"{ALL_CLAIMED:.1f}", f"{ALL_EVIDENCED:.1f}"]
    questions = {r[0].split()[0]: r for r in parser.rows["evidence-questions"][1:]}
    assert list(questions) == ["STR-02", "GOV-01", "GOV-02", "TRU-02"]
    assert questions["GOV-02"][1:4] == ["2.50", "not evidenced 0 of 1 checks met", "0.00"]
    assert "not met <b>threshold</b> | csat-gap created after go-live" in questions["GOV-02"][4]
    assert questions["TRU-02"][2].startswith("without records")
    assert len(parser.rows["self-reported"]) == 1 + 6
    assert "&lt;b&gt;threshold&lt;/b&gt;" in page and "<b>threshold" not in page
    assert f"<li>{GOV_02_BLOCKER}</li>" in html.unescape(page)
    # Three tables of the report, and the table under each of its two charts.
    assert page.count('<details class="chart-table">') == 2
    assert page.count("<caption>") == 3 + 2 and 'scope="col"' in page and 'scope="row"' in page


def test_html_stays_self_contained(evidenced_report: AssessmentReport) -> None:
    page = render_html(evidenced_report)
    # The inline SVG names its namespace and clips to its own paths; nothing else is a URL.
    local = re.sub(r'xmlns="http://www.w3.org/2000/svg"|url\(#[a-z0-9-]+\)', "", page)
    for forbidden in ("http://", "https://", "<script", "<link", "<img", "@import", "url(", "src="):
        assert forbidden not in local
    assert page.count("<style>") == 1


def test_terminal_table_shows_both_stages_and_each_verdict(
    evidenced_report: AssessmentReport,
) -> None:
    console = Console(record=True, width=200)
    render_report(console, evidenced_report)
    text = console.export_text()

    assert "Evidenced stage (records as of 2026-11-14): 1 Ad hoc; claimed 2 Reactive" in text
    assert f"- not supported: {GOV_02_BLOCKER}" in text
    assert "not evidenced (0/1)" in text and "no records (0/0)" in text
    assert "Self-reported only, and why no record checks them:" in text
    listed = [
        line.split(":")[0].strip() for line in text.splitlines() if line.startswith("  STR-01:")
    ]
    assert listed == ["STR-01"]
    assert "  DAT-01: Whether customer data comes from one reconciled source" in text


def test_claims_beyond_the_weakest_links_are_listed_once(
    evidenced_report: AssessmentReport,
) -> None:
    e = evidenced_report.evidence
    assert e is not None
    later = e.stage.contradicted[0].model_copy(
        update={"stage": 3, "message": "stage 3 needs GOV-01 >= 3; the records show it partly"}
    )
    stage = e.stage.model_copy(update={"contradicted": [*e.stage.contradicted, later]})
    report = evidenced_report.model_copy(update={"evidence": e.model_copy(update={"stage": stage})})
    md = render_markdown(report)
    page = html.unescape(render_html(report))

    assert md.count(GOV_02_BLOCKER) == 1 and page.count(GOV_02_BLOCKER) == 1
    assert "Further claims the records do not support, up to the claimed stage:\n\n- stage 3" in md
    assert "<li>stage 3 needs GOV-01 >= 3; the records show it partly</li>" in page

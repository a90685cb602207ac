"""The assessment report renderers: figures, escaping and self-containment of md and HTML."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from cxsteward.domain.results import AssessmentReport
from cxsteward.reports.assessment import render_html, render_json, render_markdown

# Scores worked out by hand from the answers in conftest.py (means on 0-4, times 25).
# STR-01 (w1): 4,4,4,2,2,2,3 -> 3.0   STR-02 (w2): 3,3,3,1,1,1 (+1 don't know) -> 2.0
STRATEGY = (1 * 3.0 + 2 * 2.0) / 3 * 25  # 58.33
# GOV-01 (w1): 2,2,1,1,1 -> 1.4       GOV-02 (w2): 3,3,3,2,2,2 -> 2.5
GOVERNANCE = (1 * 1.4 + 2 * 2.5) / 3 * 25  # 53.33
# PPL-01: 4,3,3,3,3,3 -> 19/6; PPL-02 has 2 answers (< 3): not scored, but half the weight counts
PEOPLE = 19 / 6 * 25  # 79.17
# DAT-01: 1,1,1,1,0,1 -> 5/6          DAT-02: all 2 -> 2.0
DATA = (5 / 6 + 2.0) / 2 * 25  # 35.42
# TRU-01: all 3 -> 3.0                TRU-02: 4,4,4,4,3,4 -> 23/6
TRUST = (3.0 + 23 / 6) / 2 * 25  # 85.42
OVERALL = (STRATEGY + GOVERNANCE + PEOPLE + DATA + TRUST) / 5  # 62.33
DIMENSIONS = [
    ("Strategy & leadership alignment", STRATEGY),
    ("Governance & accountability", GOVERNANCE),
    ("People & culture", PEOPLE),
    ("Data & process", DATA),
    ("Customer trust", TRUST),
]
# Per role group and dimension: weighted mean of the group's shown question means, x25.
# Legal & compliance (one respondent) is withheld everywhere; PPL-02 is withheld for both groups.
ROLE_GROUP_BARS = [
    (1 * 4.0 + 2 * 3.0) / 3 * 25,  # strategy, executive
    (1 * 2.0 + 2 * 1.0) / 3 * 25,  # strategy, frontline
    (1 * 5 / 3 + 2 * 3.0) / 3 * 25,  # governance, executive (GOV-01: 2,2,1)
    (1 * 1.0 + 2 * 2.0) / 3 * 25,  # governance, frontline (GOV-01: 1,1, don't know)
    10 / 3 * 25,  # people, executive (PPL-01: 4,3,3)
    3.0 * 25,  # people, frontline
    (1.0 + 2.0) / 2 * 25,  # data, executive
    (2 / 3 + 2.0) / 2 * 25,  # data, frontline (DAT-01: 1,0,1)
    (3.0 + 4.0) / 2 * 25,  # trust, executive
    (3.0 + 11 / 3) / 2 * 25,  # trust, frontline (TRU-02: 4,3,4)
]
BLOCKERS = ["stage 3 needs GOV-01 >= 3; it is 1.4", "stage 3 needs DAT-01 >= 2; it is 0.8"]


class _Page(HTMLParser):
    """Collects each chart's attributes, how many bars it draws, and its table's rows."""

    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str | None]] = []
        self.bars: dict[str, int] = {}
        self.tables: list[list[list[str]]] = []
        self._chart: str | None = None
        self._in_bars = 0  # depth inside a group of bar marks (0: outside)
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        css = (attributes.get("class") or "").split()
        if tag == "svg":
            self.svgs.append(attributes)
            self._chart = attributes.get("data-chart") or "?"
            self.bars[self._chart] = 0
        elif self._chart and tag == "g" and ("mark-rect" in css or self._in_bars):
            self._in_bars += 1
        elif self._chart and tag == "path" and self._in_bars:
            self.bars[self._chart] += 1
        elif tag == "details" and "chart-table" in css:
            self._in_table = True
            self.tables.append([])
        elif self._in_table and tag == "tr":
            self.tables[-1].append([])
        elif self._in_table and tag == "td":
            self._cell = []

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._chart = None
        elif tag == "g" and self._in_bars:
            self._in_bars -= 1
        elif tag == "td" and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "details":
            self._in_table = False

    def values(self, index: int) -> list[float | None]:
        """The Value column of chart ``index``'s table (None where no figure is shown)."""
        rows = [r for r in self.tables[index] if r]
        return [None if r[2] in ("not scorable", "no figure") else float(r[2]) for r in rows]


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def _section(markdown: str, heading: str) -> str:
    return markdown.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_markdown_states_stage_blockers_and_hand_computed_scores(
    current_report: AssessmentReport,
) -> None:
    md = render_markdown(current_report)

    assert md.startswith("# AI readiness assessment: cycle 2026-Q4 (open)\n")
    for blocker in BLOCKERS:
        assert f"- {blocker}\n" in md
    assert "stage 2, Reactive. The reactive stage." in md
    assert f"**Overall score:** {OVERALL:.1f} of 100" in md
    assert "**Overall score:** 62.3 of 100" in md
    for name, score in DIMENSIONS:
        assert f"| {name} | {score:.1f} |" in md
    assert "| Strategy & leadership alignment | 58.3 | 13 | 7% |" in md
    assert "not scored: PPL-02 (2 valid, needs 3)" in md
    assert "| Executive | 3 |" in md and "| Legal & compliance | 1 |" in md
    assert "2 of 7 respondents answered anonymously." in md


def test_markdown_lists_gaps_priorities_trend_and_questions(
    current_report: AssessmentReport,
) -> None:
    md = render_markdown(current_report)

    gaps = _section(md, "Perception gaps")
    assert "| Executive: 4.00 (n=3) | Frontline: 2.00 (n=3) | 2.00 |" in gaps
    assert gaps.count("| STR-0") == 2
    priorities = _section(md, "Priorities")
    assert "| 1 | GOV-01: " in priorities and BLOCKERS[0] in priorities
    assert "Executive say 3.0, Frontline say 1.0" in priorities
    assert "Do the next step for GOV-01." in priorities

    trend = _section(md, "Trend")
    assert "Compared with the previous closed cycle, 2026-Q2." in trend
    assert f"| Overall score | not scorable | {OVERALL:.1f} | — |" in trend
    assert "| Maturity stage | 1 | 2 | +1 |" in trend
    # GOV-02 went from 1.0 to 2.5: governance from (1.4 + 2 x 1.0) / 3 x 25 = 28.3.
    assert f"| Governance & accountability | 28.3 | {GOVERNANCE:.1f} | +25.0 |" in trend
    assert "| Data & process | not scorable | 35.4 | — |" in trend
    moved = trend.split("0.5 or more", 1)[1]
    assert "| 1.00 | 2.50 | +1.50 |" in moved
    assert re.findall(r"^\| ([A-Z]{3}-\d\d):", moved, re.MULTILINE) == ["GOV-02"]

    questions = _section(md, "Questions")
    assert "| Governance & accountability | 1.40 | strong | 29% | 5 |" in questions
    assert "| PPL-02 | — | — |  |" in questions
    assert "| GOV-01 | 1.67 (n=3) | 1.00 (n=2) | — |" in questions
    assert "Withheld: fewer than 2 respondents of the group" in questions

    method = _section(md, "How these figures are computed")
    rules = current_report.rules
    for text in (rules.scoring, rules.consensus, rules.perception_gap, rules.stage):
        assert " ".join(text.split()) in method
    assert rules.priorities in method


def test_markdown_escapes_pipes_tags_and_newlines(current_report: AssessmentReport) -> None:
    md = render_markdown(current_report)

    assert "GOV-01: An owner \\| escalation path exists for \\<incidents>." in md
    assert "- \\<script>alert(1)\\</script> nobody \\| owns this at all\n" in md
    assert re.search(r"(?<!\\)<", md) is None, "every < in the Markdown is escaped"
    for block in re.findall(r"(?:^\|.*\n)+", md, re.MULTILINE):
        rows = block.splitlines()
        cells = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(cells) == 1, f"a table row has a stray pipe:\n{block}"


def test_markdown_without_previous_cycle_says_so(previous_report: AssessmentReport) -> None:
    md = render_markdown(previous_report)

    assert "There is no previous closed cycle to compare with" in md
    assert "**Overall score:** not scorable." in md
    assert "not scorable: Data & process." in md
    assert "| Data & process | not scorable |" in md
    assert "- stage 2 needs GOV-02 >= 1.5; it is 1.0\n" in md


def test_html_draws_two_charts_with_hand_computed_bars(current_report: AssessmentReport) -> None:
    page = render_html(current_report)
    parsed = _parse(page)

    assert page.count("<svg") == 2
    assert [svg["data-chart"] for svg in parsed.svgs] == ["dimension-scores", "role-groups"]
    for svg in parsed.svgs:
        assert svg["role"] == "img"
        assert f'<title id="{svg["aria-labelledby"]}">' in page
    # The table under each chart holds the figures it draws, one bar per figure.
    assert parsed.values(0) == pytest.approx([score for _, score in DIMENSIONS], abs=0.051)
    assert [r[0] for r in parsed.tables[0] if r] == [name for name, _ in DIMENSIONS]
    assert parsed.values(1) == pytest.approx(ROLE_GROUP_BARS, abs=0.051)
    assert parsed.bars == {"dimension-scores": 5, "role-groups": 10}
    assert "<td>58.3</td>" in page and "<td>63.9</td>" in page
    assert "Not shown, because every figure of the group is withheld" in page


def test_html_marks_unscorable_dimension_in_chart(previous_report: AssessmentReport) -> None:
    page = render_html(previous_report)
    parsed = _parse(page)
    chart = page.split('data-chart="dimension-scores"', 1)[1].split("</svg>", 1)[0]

    assert parsed.bars["dimension-scores"] == 4
    assert ">not scorable</text>" in chart
    assert parsed.values(0).count(None) == 1
    assert parsed.bars["role-groups"] == 8  # data & process withheld for both groups
    assert "There is no previous closed cycle to compare with" in page


def test_html_escapes_user_text(current_report: AssessmentReport) -> None:
    page = render_html(current_report)

    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; nobody | owns this\nat all" in page
    details = re.findall(r"<details>.*?</details>", page, re.DOTALL)
    assert any("&lt;script&gt;alert(1)" in d and "GOV-01" in d for d in details)
    assert "Legal &amp; compliance" in page and "Legal & compliance" not in page
    assert "exists for &lt;incidents&gt;." in page


def test_html_is_self_contained_and_complete(current_report: AssessmentReport) -> None:
    page = render_html(current_report)
    text = html.unescape(page)

    # The inline SVG names its namespace and clips to its own paths; nothing else is a URL.
    local = re.sub(r'xmlns="http://www.w3.org/2000/svg"|url\(#[a-z0-9-]+\)', "", page)
    for forbidden in ("http://", "https://", "<script", "<link", "<img", "@import", "url(", "src="):
        assert forbidden not in local
    assert page.count("<style>") == 1
    assert "default-src 'none'" in page
    assert "<title>AI readiness assessment: cycle 2026-Q4 (open)</title>" in page
    for blocker in BLOCKERS:
        assert f"<li>{blocker}</li>" in text
    assert "Stage 2 <small>Reactive</small>" in page
    assert ">62.3 <small>of 100</small>" in page
    assert "How these figures are computed" in page
    for rule in current_report.rules.model_dump().values():
        assert rule in text
    assert "—<sup>*</sup>" in page and "Withheld: fewer than 2 respondents" in text
    assert "+1.50" in page and "Compared with the previous closed cycle, 2026-Q2." in page


def test_json_round_trips(current_report: AssessmentReport) -> None:
    assert AssessmentReport.model_validate_json(render_json(current_report)) == current_report


def test_default_minimum_withholds_a_group_of_two_in_every_format(
    default_rules_report: AssessmentReport,
) -> None:
    # Frontline answered GOV-01 twice (1, 1): at the default minimum of 3 nothing of it shows,
    # while the executives' three answers (2, 2, 1) do.
    report = default_rules_report
    gov01 = next(q for q in report.questions if q.id == "GOV-01")
    figures = {g.role_group: g for g in gov01.by_role_group}
    assert figures["executive"].mean == pytest.approx(5 / 3)
    frontline = figures["frontline"]
    assert (frontline.mean, frontline.n_answers, frontline.distribution) == (None, None, None)
    md = render_markdown(report)
    assert "| GOV-01 | 1.67 (n=3) | — | — |" in md
    assert "Withheld: fewer than 3 respondents of the group" in md
    page = render_html(report)
    assert "Withheld: fewer than 3 respondents of the group" in html.unescape(page)
    document = render_json(report)
    assert '"frontline"' in document and "fewer than 3 respondents" in document
    assert not [
        gap
        for gap in report.perception_gaps
        if gap.question_id == "GOV-01" and "frontline" in (gap.higher_group, gap.lower_group)
    ]

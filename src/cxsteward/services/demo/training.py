"""The demo's AI-literacy training: the learning system's exports, and one record by hand.

Kestrel Telecom imports its learning system's export twice; a supervisor's coaching course,
taken at an outside provider, is recorded by hand. On the demo's day the committee is partly
trained (one member's year ran out, the frontline voice never took it), a frontline team
leader is overdue, and the one senior leader never took the leaders' course: PPL-07 shows
a role with a gap, and ``cxsteward training coverage`` lists who is overdue.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import date
from functools import partial
from pathlib import Path

from cxsteward.services.demo.story import Story
from cxsteward.services.training.completions import import_completions, record_completion
from cxsteward.services.training.models import CompletionCreate, CompletionMapping
from cxsteward.services.workspace import Workspace

# The learning system's course codes for the governance file's modules.
CODES = {
    "AIL-101": "ai-at-the-front-line",
    "AIL-201": "coaching-ai-assisted-work",
    "AIL-301": "ai-oversight-for-the-committee",
}
MAPPING = CompletionMapping(
    person="Learner email or id",
    module="Course code",
    completed_on="Completed (DD/MM/YYYY)",
    score="Score",
    date_format="%d/%m/%Y",
    codes=CODES,
    system="Kestrel Learning Hub",
)
# (days ago imported, [(person, course code, days ago completed, score)]).
EXPORTS: tuple[tuple[int, tuple[tuple[str, str, int, int], ...]], ...] = (
    (95, (
        ("maya.okafor@kestrel.example", "AIL-301", 290, 86),
        ("dev-raman", "AIL-301", 210, 91),
        ("tomasz-wilk", "AIL-301", 150, 95),
        ("lena-fischer", "AIL-301", 400, 78),
        ("hana-sato", "AIL-301", 110, 88),
        ("marco-ricci", "AIL-101", 390, 72),
        ("kwame-asante", "AIL-101", 120, 84),
        ("julie-moreau", "AIL-101", 100, 90),
        ("sofia-brandt", "AIL-101", 98, 93),
    )),
    (24, (
        ("julie-moreau", "AIL-101", 100, 90),  # already imported: left as it was
        ("ravi-patel", "AIL-101", 30, 81),
    )),
)  # fmt: skip
HAND = ("sofia-brandt", "coaching-ai-assisted-work", 21, "Contact Centre Institute course")
BY = "ines-duarte"


def plan_training(story: Story, ws: Workspace) -> None:
    """Add the learning-system imports and the completion recorded by hand to the story."""
    for ago, rows in EXPORTS:
        day = story.day(ago)
        lines = [(who, code, story.day(done), score) for who, code, done, score in rows]
        story.on(day, 16, partial(_import, ws, day, lines))
    person, module, ago, source = HAND
    body = CompletionCreate(
        person=person, module=module, completed_on=story.day(ago), source=source
    )
    story.on(story.day(ago - 1), 11, partial(record_completion, ws, body, BY))


def _import(ws: Workspace, day: date, rows: list[tuple[str, str, date, int]]) -> object:
    name = f"learning-hub-{day.isoformat()}.csv"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([MAPPING.person, MAPPING.module, MAPPING.completed_on, MAPPING.score])
            for who, code, done, score in rows:
                writer.writerow([who, code, f"{done:%d/%m/%Y}", score])
        return import_completions(ws, path, MAPPING, BY, name)

"""Oversight that has to keep happening: the committee, roadmap reviews, the knowledge base."""

from __future__ import annotations

from datetime import timedelta

from cxsteward.domain.governance.checks_model import Gap, GovernanceFacts
from cxsteward.domain.governance.rights import ratification_due, ratification_overdue
from cxsteward.domain.governance.spec import Right

MIN_FUNCTIONS = 3
ROADMAP_REVIEW_DAYS = 92  # one quarter, counted back from today
ARTICLE_REVIEW_DAYS = 180


def check_committee(facts: GovernanceFacts) -> list[Gap]:
    """A committee with authority to pause, several functions, and meetings on its cadence."""
    committee = facts.governance.committee
    if committee is None:
        return [
            Gap(
                "committee.missing",
                True,
                "committee",
                "There is no governance committee: nobody above the teams can stop or change "
                "an AI deployment.",
                "Declare the committee (members, cadence_days, authority including pause and "
                "roll_back) in the governance file.",
            )
        ]
    gaps: list[Gap] = []
    if Right.PAUSE not in committee.authority:
        gaps.append(
            Gap(
                "committee.cannot_pause",
                True,
                "committee",
                f"{committee.name} has no authority to pause a deployment, so its decisions "
                "are advice.",
                "Add pause to committee.authority (and have the sponsor confirm it).",
            )
        )
    if Right.ROLL_BACK not in committee.authority:
        gaps.append(
            Gap(
                "committee.cannot_roll_back",
                False,
                "committee",
                f"{committee.name} cannot order a roll-back to an earlier model or process.",
                "Add roll_back to committee.authority.",
            )
        )
    functions = sorted({m.function.strip().lower() for m in committee.members})
    if len(functions) < MIN_FUNCTIONS:
        shown = ", ".join(functions) if functions else "none"
        gaps.append(
            Gap(
                "committee.narrow",
                False,
                "committee",
                f"{committee.name} draws members from {len(functions)} function(s) ({shown}); "
                f"at least {MIN_FUNCTIONS} are needed to see a problem from more than one side.",
                "Add members from other functions, e.g. CX, technology, legal, data, frontline.",
            )
        )
    gaps.extend(_cadence(facts))
    return gaps


def _cadence(facts: GovernanceFacts) -> list[Gap]:
    committee = facts.governance.committee
    assert committee is not None
    # Meetings dated after today have not happened yet.
    held = [m.held_on for m in committee.meetings if m.held_on <= facts.today]
    since = facts.today - timedelta(days=committee.cadence_days)
    last = max(held, default=None)
    if last is not None and last >= since:
        return []
    when = "has never met" if last is None else f"last met on {last}"
    return [
        Gap(
            "committee.overdue",
            True,
            "committee",
            f"{committee.name} {when}; its cadence is every {committee.cadence_days} days, so "
            f"a meeting was due on or after {since}.",
            "Hold the meeting and record it under committee.meetings (date, attendees, decisions).",
        )
    ]


def check_roadmap(facts: GovernanceFacts) -> list[Gap]:
    """The AI roadmap is reviewed at least once a quarter."""
    reviews = [r.held_on for r in facts.governance.roadmap.reviews if r.held_on <= facts.today]
    last = max(reviews, default=None)
    if last is None:
        live = bool(facts.live_facing)
        return [
            Gap(
                "roadmap.never_reviewed",
                live,
                "roadmap",
                "The AI roadmap has never been reviewed"
                + (" while customers already meet live AI deployments." if live else "."),
                "Review the roadmap with the committee and record it under roadmap.reviews.",
            )
        ]
    age = (facts.today - last).days
    if age <= ROADMAP_REVIEW_DAYS:
        return []
    return [
        Gap(
            "roadmap.review_overdue",
            False,
            "roadmap",
            f"The AI roadmap was last reviewed on {last}, {age} days ago; a quarterly review "
            f"means at most {ROADMAP_REVIEW_DAYS} days.",
            "Review the roadmap and record it under roadmap.reviews.",
        )
    ]


def check_knowledge_base(facts: GovernanceFacts) -> list[Gap]:
    """Every knowledge-base article the AI draws on has an owner and a recent review."""
    gaps: list[Gap] = []
    for article in facts.governance.knowledge_base:
        where = f"article:{article.key}"
        if not facts.known(article.owner):
            who = "no owner" if article.owner is None else f"an unknown owner ({article.owner})"
            gaps.append(
                Gap(
                    "knowledge.no_owner",
                    False,
                    where,
                    f"Article {article.title!r} has {who}: nobody keeps what the AI says true.",
                    "Set owner to a person key from people.",
                )
            )
        if article.last_reviewed is None:
            gaps.append(
                Gap(
                    "knowledge.stale",
                    False,
                    where,
                    f"Article {article.title!r} has never been reviewed.",
                    "Review it and set last_reviewed.",
                )
            )
            continue
        age = (facts.today - article.last_reviewed).days
        if age > ARTICLE_REVIEW_DAYS:
            gaps.append(
                Gap(
                    "knowledge.stale",
                    False,
                    where,
                    f"Article {article.title!r} was last reviewed on {article.last_reviewed}, "
                    f"{age} days ago (limit {ARTICLE_REVIEW_DAYS}).",
                    "Review it and update last_reviewed.",
                )
            )
    return gaps


def check_ratifications(facts: GovernanceFacts) -> list[Gap]:
    """An emergency pause is ratified by the committee at its next meeting."""
    committee = facts.governance.committee
    cadence = committee.cadence_days if committee is not None else 30
    meetings = [m.held_on for m in committee.meetings] if committee is not None else []
    gaps: list[Gap] = []
    for pause in facts.emergency_pauses:
        if pause.ratified or not ratification_overdue(
            pause.paused_on, meetings, cadence, facts.today
        ):
            continue
        due = ratification_due(pause.paused_on, cadence)
        gaps.append(
            Gap(
                "decision.ratification_overdue",
                True,
                f"deployment:{pause.deployment}",
                f"The emergency pause of {pause.deployment} by {pause.by} on {pause.paused_on} "
                f"was not ratified by the committee at its next meeting (due by {due}).",
                "Record the committee's decision: `cxsteward governance committee-decision "
                f"{pause.deployment} ratify --meeting DATE --present ... --for N --reason ... "
                "--by PERSON`.",
            )
        )
    return gaps

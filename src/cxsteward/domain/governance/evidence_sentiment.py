"""TRU-07's sentiment part: sentiment measured, watched or compared, and put to the committee.

The article's trust check names satisfaction, complaints *and* sentiment. Sentiment can only
be evidenced where the data carries it (a score in the export, or free text scored at load);
data without it leaves TRU-07 partly evidenced, saying why, rather than silently passing.
"""

from __future__ import annotations

from cxsteward.domain.governance.evidence_base import USAGE_DAYS, EvidenceFacts, check, names, no
from cxsteward.domain.results import EvidenceItem

SENTIMENT = "sentiment_mean"


def sentiment_items(facts: EvidenceFacts) -> list[EvidenceItem]:
    """Sentiment in the data, watched by a threshold or compared by a recent run, and shown
    in the committee pack issued last."""
    if facts.sentiment_scored is None:
        return [no(f"sentiment: no interaction data of the last {USAGE_DAYS} days to measure it")]
    if facts.sentiment_scored == 0:
        return [
            no(
                f"sentiment: no contact of the last {USAGE_DAYS} days carries a sentiment "
                "score; map a score column (sentiment) or the customer's free text "
                "(sentiment_text) so it can be measured"
            )
        ]
    scored = f"sentiment ({facts.sentiment_scored:,} scored contacts in {USAGE_DAYS} days)"
    watched = [r.id for r in facts.thresholds if r.metric == SENTIMENT]
    runs = facts.recent_runs()
    if watched:
        monitored = check(True, f"{scored}: watched by thresholds {names(watched)}")
    elif runs:
        monitored = check(
            True,
            f"{scored}: compared for the AI against humans by monitoring run {runs[-1].id} "
            f"on {runs[-1].started_at:%Y-%m-%d}",
        )
    else:
        monitored = no(
            f"{scored}: no threshold watches it and no run of the last month compared it"
        )
    pack = facts.latest_pack
    if pack is None:
        reported = no("sentiment: no committee pack has been issued")
    elif SENTIMENT in pack.metrics:
        reported = check(
            True, f"committee pack {pack.id} issued {pack.issued_at:%Y-%m-%d} shows sentiment"
        )
    else:
        reported = no(
            f"committee pack {pack.id} issued {pack.issued_at:%Y-%m-%d} does not show "
            f"sentiment: make {SENTIMENT} a key metric of the deployments"
        )
    return [monitored, reported]

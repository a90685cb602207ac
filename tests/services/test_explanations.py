"""Explanation records: written, linked to a review request, listed and shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_reviews import T0, declare, submit

from cxsteward.errors import DeploymentNotFound, ExplanationNotFound, Invalid, ReviewNotFound
from cxsteward.services.contract import jsonable
from cxsteward.services.trust.explanations import (
    get_explanation,
    list_explanations,
    record_explanation,
)
from cxsteward.services.trust.reviews import resolve_review, review_status, start_review
from cxsteward.services.workspace import Workspace

TEXT = "The assistant declined the refund because the order was more than 30 days old."


def test_an_explanation_is_recorded_with_its_factors(ws_any: Workspace) -> None:
    declare(ws_any)
    out = record_explanation(
        ws_any,
        "support-chat",
        TEXT,
        ["order age", " refund policy "],
        "omar",
        reference="ORD-7",
        at=T0,
    )
    assert out.factors == ["order age", "refund policy"]
    assert (out.written_by, out.written_at, out.reference) == ("omar", T0, "ORD-7")
    assert get_explanation(ws_any, out.id) == out
    # JSON writes UTC times with a Z, as the API always did.
    assert jsonable(out)["written_at"] == T0.isoformat().replace("+00:00", "Z")


def test_a_linked_explanation_takes_the_request_reference(ws: Workspace) -> None:
    declare(ws)
    receipt = submit(ws)
    out = record_explanation(ws, "support-chat", TEXT, [], "omar", review_id=receipt.id)
    assert (out.review_request_id, out.reference) == (receipt.id, "ORD-1182")
    assert [e.id for e in list_explanations(ws, review_id=receipt.id)] == [out.id]


def test_explanations_are_listed_newest_first_and_filtered(ws: Workspace) -> None:
    declare(ws)
    old = record_explanation(ws, "support-chat", TEXT, [], "omar", at=T0)
    new = record_explanation(ws, "billing-voice", TEXT, [], "eve", at=T0 + timedelta(days=1))
    assert [e.id for e in list_explanations(ws)] == [new.id, old.id]
    assert [e.id for e in list_explanations(ws, deployment="support-chat")] == [old.id]


def test_bad_explanations_are_refused(ws: Workspace) -> None:
    declare(ws)
    receipt = submit(ws)
    with pytest.raises(Invalid, match="Explanation is empty"):
        record_explanation(ws, "support-chat", " ", [], "omar")
    with pytest.raises(Invalid, match="Factor 1 contains the control character U\\+000A"):
        record_explanation(ws, "support-chat", TEXT, ["two\nlines"], "omar")
    with pytest.raises(DeploymentNotFound):
        record_explanation(ws, "web-bot", TEXT, [], "omar")
    with pytest.raises(ReviewNotFound, match="No review request 9 to link"):
        record_explanation(ws, "support-chat", TEXT, [], "omar", review_id=9)
    with pytest.raises(Invalid, match="is about support-chat, not billing-voice"):
        record_explanation(ws, "billing-voice", TEXT, [], "omar", review_id=receipt.id)
    with pytest.raises(ExplanationNotFound, match="No explanation 5"):
        get_explanation(ws, 5)
    assert list_explanations(ws) == []


def test_the_customer_reads_the_explanation_once_the_request_is_resolved(ws: Workspace) -> None:
    declare(ws)
    receipt = submit(ws)
    record_explanation(ws, "support-chat", TEXT, ["order age"], "omar", review_id=receipt.id)
    # While the review runs, the explanation is staff's draft: the customer sees none.
    start_review(ws, receipt.id, "omar")
    waiting = review_status(ws, receipt.tracking_code)
    assert (waiting.explanation, waiting.factors) == (None, [])
    resolve_review(ws, receipt.id, "explained", "The refund rule is explained.", "omar")
    later = record_explanation(
        ws, "support-chat", TEXT + " Newer.", ["order age", "policy"], "omar", review_id=receipt.id
    )
    shown = review_status(ws, receipt.tracking_code)
    # The newest explanation of this request, in its own words, with its factors.
    assert (shown.explanation, shown.factors) == (later.text, ["order age", "policy"])
    other = submit(ws)
    assert review_status(ws, other.tracking_code).explanation is None

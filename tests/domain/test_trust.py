"""Trust and feedback rules: status moves, input checks, codes, SLA and acted-on figures."""

from __future__ import annotations

import hashlib
import random
import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from cxsteward.domain.thresholds import Severity
from cxsteward.domain.trust import (
    FACTORS_MAX,
    FEEDBACK_MOVES,
    REVIEW_MOVES,
    CodeKind,
    FeedbackCategory,
    FeedbackFact,
    FeedbackStatus,
    ReviewStatus,
    check_feedback_move,
    check_not_before,
    check_review_move,
    clean_factors,
    clean_text,
    feedback_incident_severity,
    feedback_stats,
    hash_code,
    new_code,
    parse_choice,
    parse_contact,
    review_due,
    review_overdue,
)
from cxsteward.errors import Invalid, TransitionNotAllowed

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)

REVIEW_ALLOWED = {
    ("received", "in_review"),
    ("received", "withdrawn"),
    ("in_review", "resolved"),
    ("in_review", "withdrawn"),
}
FEEDBACK_ALLOWED = {("new", "triaged"), ("triaged", "acted_on"), ("triaged", "declined")}


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for a in ReviewStatus for b in ReviewStatus],
    ids=lambda s: s.value,
)
def test_every_review_move_is_allowed_or_refused(
    current: ReviewStatus, target: ReviewStatus
) -> None:
    if (current.value, target.value) in REVIEW_ALLOWED:
        check_review_move(7, current, target)
        return
    with pytest.raises(TransitionNotAllowed) as caught:
        check_review_move(7, current, target)
    assert "Review request 7" in caught.value.message
    if REVIEW_MOVES[current]:
        assert "can move to" in caught.value.message
    else:
        assert "cannot change any more" in caught.value.message


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for a in FeedbackStatus for b in FeedbackStatus],
    ids=lambda s: s.value,
)
def test_every_feedback_move_is_allowed_or_refused(
    current: FeedbackStatus, target: FeedbackStatus
) -> None:
    if (current.value, target.value) in FEEDBACK_ALLOWED:
        check_feedback_move(3, current, target)
        return
    with pytest.raises(TransitionNotAllowed) as caught:
        check_feedback_move(3, current, target)
    assert "Feedback 3" in caught.value.message
    assert bool(FEEDBACK_MOVES[current]) == ("can move to" in caught.value.message)


def test_a_refused_move_names_the_allowed_ones() -> None:
    with pytest.raises(TransitionNotAllowed, match="from received it can move to in_review or"):
        check_review_move(1, ReviewStatus.RECEIVED, ReviewStatus.RESOLVED)


def test_choices_accept_dashes_and_case_and_list_the_options() -> None:
    assert (
        parse_choice(FeedbackCategory, "Wrong-Answer", "category") is FeedbackCategory.WRONG_ANSWER
    )
    with pytest.raises(Invalid, match="Unknown category 'rude'; use one of wrong_answer"):
        parse_choice(FeedbackCategory, "rude", "category")


def test_text_is_trimmed_and_line_ends_unified() -> None:
    assert clean_text("  first\r\nsecond\t \n", "Text", 100) == "first\nsecond"
    assert clean_text("   ", "Text", 100, required=False) is None


@pytest.mark.parametrize(
    ("value", "multiline", "message"),
    [
        ("", True, "Text is empty"),
        (" \n\t ", True, "Text is empty"),
        ("x" * 11, True, "Text is 11 characters long; the limit is 10"),
        ("ab\x00c", True, "control character U\\+0000 at position 3"),
        ("esc\x1b[31m", True, "control character U\\+001B at position 4"),
        ("pay \u202eevil", True, "control character U\\+202E at position 5"),
        ("two\nlines", False, "control character U\\+000A at position 4"),
    ],
    ids=["empty", "blank", "too-long", "nul", "escape", "bidi-override", "newline-single-line"],
)
def test_bad_text_is_refused_with_a_message(value: str, multiline: bool, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        clean_text(value, "Text", 10, multiline=multiline)


def test_text_at_the_limit_is_accepted() -> None:
    assert clean_text("x" * 10, "Text", 10) == "x" * 10


@pytest.mark.parametrize(
    ("given", "kind", "stored"),
    [
        ("Jo.Smith+ai@Example.CO.uk", "email", "Jo.Smith+ai@example.co.uk"),
        ("  ana@acme.test ", "email", "ana@acme.test"),
        ("+44 (20) 7946-0958", "phone", "+442079460958"),
        ("020 7946 0958", "phone", "02079460958"),
    ],
    ids=["email-mixed-case", "email-spaces", "phone-international", "phone-national"],
)
def test_contacts_are_validated_and_normalised(given: str, kind: str, stored: str) -> None:
    contact = parse_contact(given)
    assert (contact.kind, contact.value) == (kind, stored)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("jo@", "not an e-mail address"),
        ("jo@example", "not an e-mail address"),
        ("jo smith@example.com", "not an e-mail address"),
        ("a@b@example.com", "not an e-mail address"),
        ("123456", "neither an e-mail address nor a phone number"),
        ("call me maybe", "neither an e-mail address nor a phone number"),
        ("1" * 16, "neither an e-mail address nor a phone number"),
        ("", "How to reach you is empty"),
    ],
    ids=["no-domain", "no-dot", "space", "two-at", "short-phone", "words", "long-phone", "empty"],
)
def test_bad_contacts_are_refused(given: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse_contact(given)


def test_codes_are_grouped_unguessable_and_unique() -> None:
    codes = {new_code(CodeKind.REVIEW) for _ in range(2000)}
    assert len(codes) == 2000
    pattern = re.compile(r"^RV(-[0-9A-HJKMNP-TV-Z]{4}){4}$")
    assert all(pattern.match(code) for code in codes)
    assert new_code(CodeKind.FEEDBACK).startswith("FB-")


def test_a_code_hashes_to_the_sha256_of_its_kind_and_body() -> None:
    code = "RV-0A1B-2C3D-4E5F-6G7H"
    expected = hashlib.sha256(b"RV:0A1B2C3D4E5F6G7H").hexdigest()
    assert hash_code(CodeKind.REVIEW, code) == expected
    # Typed by a person: lower case, spaces, no prefix, O for 0 and I/L for 1.
    for typed in ("rv 0a1b 2c3d 4e5f 6g7h", "0A1B2C3D4E5F6G7H", "RV-OAIB-2C3D-4E5F-6G7H"):
        assert hash_code(CodeKind.REVIEW, typed) == expected
    assert hash_code(CodeKind.FEEDBACK, "FB-0A1B-2C3D-4E5F-6G7H") != expected


@pytest.mark.parametrize(
    "code", ["RV-0A1B", "RV-0A1B-2C3D-4E5F-6G7H-9", "RV-0A1B-2C3D-4E5F-6G7!", ""], ids=str
)
def test_a_malformed_code_is_refused(code: str) -> None:
    with pytest.raises(Invalid, match="looks like RV-XXXX-XXXX-XXXX-XXXX"):
        hash_code(CodeKind.REVIEW, code)


def test_the_due_time_and_overdue_flag_match_a_hand_calculation() -> None:
    due = review_due(T0, 72)
    assert due == datetime(2026, 10, 4, 9, 0, tzinfo=UTC)
    assert not review_overdue(ReviewStatus.RECEIVED, due, due)
    assert review_overdue(ReviewStatus.RECEIVED, due, due + timedelta(seconds=1))
    assert review_overdue(ReviewStatus.IN_REVIEW, due, due + timedelta(days=3))
    # A finished request is never overdue, however late it was.
    assert not review_overdue(ReviewStatus.RESOLVED, due, due + timedelta(days=3))
    assert not review_overdue(ReviewStatus.WITHDRAWN, due, due + timedelta(days=3))


def test_times_must_follow_the_event_they_follow_and_carry_a_zone() -> None:
    check_not_before(T0, T0, "Resolving 1")
    with pytest.raises(Invalid, match="Resolving 1 at 2026-10-01T08:59:00\\+00:00 would come"):
        check_not_before(T0 - timedelta(minutes=1), T0, "Resolving 1")
    with pytest.raises(Invalid, match="has no timezone"):
        check_not_before(datetime(2026, 10, 2), T0, "Resolving 1")


@pytest.mark.parametrize(
    ("category", "triage", "expected"),
    [
        (FeedbackCategory.BIAS, None, Severity.SEV2),
        (FeedbackCategory.TONE, None, None),
        (FeedbackCategory.WRONG_ANSWER, Severity.SEV1, Severity.SEV1),
        (FeedbackCategory.OTHER, Severity.SEV2, Severity.SEV2),
        (FeedbackCategory.OTHER, Severity.SEV3, None),
        (FeedbackCategory.BIAS, Severity.SEV4, None),
    ],
    ids=["bias-at-submit", "tone-at-submit", "triage-sev1", "triage-sev2", "sev3", "sev4"],
)
def test_which_flags_open_an_incident(
    category: FeedbackCategory, triage: Severity | None, expected: Severity | None
) -> None:
    assert feedback_incident_severity(category, triage) is expected


def test_factors_are_short_lines_and_limited_in_number() -> None:
    assert clean_factors([" order age ", "refund policy"]) == ["order age", "refund policy"]
    with pytest.raises(Invalid, match="Factor 2 is empty"):
        clean_factors(["order age", " "])
    with pytest.raises(Invalid, match=f"the limit is {FACTORS_MAX}"):
        clean_factors([f"factor {i}" for i in range(FACTORS_MAX + 1)])


def test_acted_on_rate_and_median_match_pandas() -> None:
    rng = random.Random(11)
    facts = []
    for _ in range(300):
        status = rng.choice(list(FeedbackStatus))
        submitted = T0 + timedelta(hours=rng.randint(0, 2000))
        acted = submitted + timedelta(minutes=rng.randint(10, 30000))
        facts.append(
            FeedbackFact(status, submitted, acted if status is FeedbackStatus.ACTED_ON else None)
        )
    frame = pd.DataFrame(
        {
            "status": [f.status.value for f in facts],
            "submitted": [f.submitted_at for f in facts],
            "acted": [f.acted_at for f in facts],
        }
    )
    decided = frame[frame.status.isin(["triaged", "acted_on", "declined"])]
    acted = frame[frame.status == "acted_on"]
    days = (acted.acted - acted.submitted).dt.total_seconds() / 86400
    stats = feedback_stats(facts)
    assert stats.submitted == 300
    assert stats.new == int((frame.status == "new").sum())
    assert stats.acted_on_rate == pytest.approx((decided.status == "acted_on").mean())
    assert stats.median_days_to_action == pytest.approx(days.median())


def test_stats_of_nothing_decided_have_no_rate() -> None:
    stats = feedback_stats([FeedbackFact(FeedbackStatus.NEW, T0, None)])
    assert (stats.submitted, stats.new, stats.acted_on_rate, stats.median_days_to_action) == (
        1,
        1,
        None,
        None,
    )
    declined = feedback_stats([FeedbackFact(FeedbackStatus.DECLINED, T0, None)])
    assert declined.acted_on_rate == 0.0 and declined.median_days_to_action is None

"""The Review aggregate: given events, when a claim or verdict, then events or a refusal."""

from __future__ import annotations

from datetime import date

import pytest

from events import (
    Actor,
    EventPayload,
    FindingFlag,
    Region,
    ReviewClaimed,
    ReviewOpened,
    ReviewReason,
    ReviewVerdictRecorded,
    Verdict,
)
from events.assignments import SubjectType
from services.review.domain.errors import (
    AlreadyDecided,
    ClaimedByAnother,
    FindingsRequired,
    FourEyesViolation,
    NotAMember,
)
from services.review.domain.review import (
    RecordVerdict,
    Reviewer,
    ReviewState,
    ReviewStatus,
    decide_claim,
    decide_verdict,
    fold,
)
from tests.support.envelopes import chained

pytestmark = pytest.mark.unit

OPENED = ReviewOpened(
    subject_id="case-1", subject_type=SubjectType.CASE, region=Region.ALMATY,
    reason=ReviewReason.HIGH_RISK, due_date=date(2026, 12, 11), previous_review_id=None,
    resolver_id="op-1", assignee_id="officer-1", trigger_event_id="ev-1",
)
MONITOR = Reviewer("monitor-1", is_member=True, conflicts={"op-1": "resolver",
                                                           "officer-1": "assignee"})
RETURN = RecordVerdict(Verdict.RETURNED, "No inspection act attached",
                       (FindingFlag.INSUFFICIENT_EVIDENCE,))


def _given(*payloads: EventPayload) -> ReviewState:
    return fold("review-1", chained("review-1", "review", payloads,
                                 Actor(id="x", role="monitor", region=None)))


def test_a_monitor_of_the_region_claims_an_open_review() -> None:
    state = _given(OPENED)
    assert decide_claim(state, MONITOR) == [ReviewClaimed(reviewer_id="monitor-1")]


def test_claiming_ones_own_claim_again_records_nothing() -> None:
    state = _given(OPENED, ReviewClaimed(reviewer_id="monitor-1"))
    assert decide_claim(state, MONITOR) == []


def test_a_verdict_on_an_unclaimed_review_claims_it_in_the_same_step() -> None:
    events = decide_verdict(_given(OPENED), MONITOR, RETURN)
    assert [type(e) for e in events] == [ReviewClaimed, ReviewVerdictRecorded]
    verdict = events[1]
    assert isinstance(verdict, ReviewVerdictRecorded)
    assert (verdict.subject_id, verdict.verdict, verdict.flags, verdict.reviewer_id) == (
        "case-1", Verdict.RETURNED, [FindingFlag.INSUFFICIENT_EVIDENCE], "monitor-1")


def test_the_verdict_folds_into_a_decided_review() -> None:
    events = decide_verdict(_given(OPENED), MONITOR, RETURN)
    state = _given(OPENED, *events)
    assert state.status is ReviewStatus.DECIDED and state.verdict is Verdict.RETURNED
    assert state.version == 3


def test_a_second_verdict_is_refused() -> None:
    decided = _given(OPENED, *decide_verdict(_given(OPENED), MONITOR, RETURN))
    approve = RecordVerdict(Verdict.APPROVED, "", ())
    with pytest.raises(AlreadyDecided):
        decide_verdict(decided, MONITOR, approve)
    with pytest.raises(AlreadyDecided):
        decide_claim(decided, MONITOR)


@pytest.mark.parametrize(("person", "relation"), [("op-1", "resolver"), ("officer-1", "assignee")])
def test_the_resolver_and_the_assignee_may_not_review_the_case(person: str, relation: str) -> None:
    insider = Reviewer(person, is_member=True, conflicts=MONITOR.conflicts)
    with pytest.raises(FourEyesViolation, match=relation):
        decide_verdict(_given(OPENED), insider, RETURN)
    with pytest.raises(FourEyesViolation):
        decide_claim(_given(OPENED), insider)


def test_a_monitor_outside_the_regions_group_may_not_review() -> None:
    outsider = Reviewer("monitor-9", is_member=False, conflicts={})
    with pytest.raises(NotAMember, match="KZ-75"):
        decide_verdict(_given(OPENED), outsider, RETURN)


def test_only_the_claimant_records_the_verdict() -> None:
    state = _given(OPENED, ReviewClaimed(reviewer_id="monitor-2"))
    with pytest.raises(ClaimedByAnother):
        decide_verdict(state, MONITOR, RETURN)
    with pytest.raises(ClaimedByAnother):
        decide_claim(state, MONITOR)


@pytest.mark.parametrize("verdict", [Verdict.RETURNED, Verdict.ESCALATED])
def test_returned_and_escalated_verdicts_need_findings(verdict: Verdict) -> None:
    with pytest.raises(FindingsRequired):
        decide_verdict(_given(OPENED), MONITOR, RecordVerdict(verdict, "  ", ()))


def test_an_approval_needs_no_findings() -> None:
    events = decide_verdict(_given(OPENED), MONITOR, RecordVerdict(Verdict.APPROVED, "", ()))
    assert isinstance(events[-1], ReviewVerdictRecorded)
    assert events[-1].verdict is Verdict.APPROVED

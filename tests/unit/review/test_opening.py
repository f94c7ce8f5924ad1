"""When a review opens: reason, link to the earlier review, due date and a replay-stable id."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from events import Region, ReviewReason, RiskLevel
from events.assignments import SubjectType
from events.calendar import kazakhstan_calendar
from services.review.domain.opening import (
    OpeningPolicy,
    Subject,
    Trigger,
    TriggerKind,
    decide_opening,
    due_date,
    review_id_for,
)
from services.review.domain.sampling import SamplingPolicy

pytestmark = pytest.mark.unit

KEY = b"test-sample-key-0123456789abcdef"
NEVER = OpeningPolicy(SamplingPolicy(0.0, KEY), kazakhstan_calendar(), 10)
ALWAYS = OpeningPolicy(SamplingPolicy(1.0, KEY), kazakhstan_calendar(), 10)
FRIDAY = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
CASE = Subject("case-1", SubjectType.CASE, region=Region.ALMATY, risk_level=RiskLevel.LOW,
               last_resolver_id="op-1", current_assignee_id="officer-1")


def _trigger(kind: TriggerKind = TriggerKind.RESOLVED, event_id: str = "ev-1") -> Trigger:
    return Trigger(kind, event_id, FRIDAY)


@pytest.mark.parametrize("risk", [RiskLevel.HIGH, RiskLevel.CRITICAL])
def test_a_resolved_high_or_critical_case_always_opens_a_high_risk_review(risk: RiskLevel) -> None:
    subject = Subject("case-1", SubjectType.CASE, region=Region.ALMATY, risk_level=risk)
    opened = decide_opening(subject, _trigger(), NEVER)
    assert opened is not None and opened.reason is ReviewReason.HIGH_RISK


def test_a_resolved_lower_risk_case_opens_a_review_only_when_sampled() -> None:
    assert decide_opening(CASE, _trigger(), NEVER) is None
    opened = decide_opening(CASE, _trigger(), ALWAYS)
    assert opened is not None and opened.reason is ReviewReason.SAMPLED


def test_the_review_records_resolver_assignee_trigger_and_subject() -> None:
    opened = decide_opening(CASE, _trigger(event_id="resolved-7"), ALWAYS)
    assert opened is not None
    assert (opened.subject_id, opened.subject_type, opened.region) == (
        "case-1", SubjectType.CASE, Region.ALMATY)
    assert (opened.resolver_id, opened.assignee_id) == ("op-1", "officer-1")
    assert opened.trigger_event_id == "resolved-7" and opened.previous_review_id is None


def test_a_returned_case_resolved_again_opens_a_linked_review_whatever_the_sample() -> None:
    returned = Subject("case-1", SubjectType.CASE, region=Region.ALMATY, risk_level=RiskLevel.LOW,
                       last_review_id="review-1", returned_by_review_id="review-1",
                       returned_review_reason=ReviewReason.SAMPLED)
    opened = decide_opening(returned, _trigger(event_id="resolved-2"), NEVER)
    assert opened is not None
    assert opened.previous_review_id == "review-1" and opened.reason is ReviewReason.SAMPLED


def test_no_second_review_opens_while_one_is_open() -> None:
    busy = Subject("case-1", SubjectType.CASE, region=Region.ALMATY, risk_level=RiskLevel.HIGH,
                   open_review_id="review-1")
    assert decide_opening(busy, _trigger(), ALWAYS) is None
    assert decide_opening(busy, _trigger(TriggerKind.FLAGGED), ALWAYS) is None


def test_a_flag_opens_a_flagged_review_even_outside_the_sample() -> None:
    opened = decide_opening(CASE, _trigger(TriggerKind.FLAGGED), NEVER)
    assert opened is not None and opened.reason is ReviewReason.FLAGGED


def test_every_directive_completion_report_opens_a_review() -> None:
    directive = Subject("dir-1", SubjectType.DIRECTIVE, region=Region.SHYMKENT,
                        last_resolver_id="addressee-1")
    opened = decide_opening(directive, _trigger(TriggerKind.COMPLETION_REPORTED), NEVER)
    assert opened is not None and opened.reason is ReviewReason.DIRECTIVE_REPORT
    assert opened.subject_type is SubjectType.DIRECTIVE


def test_a_subject_of_unknown_region_opens_nothing() -> None:
    unknown = Subject("case-1", SubjectType.CASE, risk_level=RiskLevel.HIGH)
    assert decide_opening(unknown, _trigger(), ALWAYS) is None


def test_the_review_id_is_the_same_for_the_same_trigger_and_differs_per_resolution() -> None:
    assert review_id_for("case-1", "ev-1") == review_id_for("case-1", "ev-1")
    assert review_id_for("case-1", "ev-1") != review_id_for("case-1", "ev-2")
    assert review_id_for("case-1", "ev-1") != review_id_for("case-2", "ev-1")


def test_a_review_is_due_ten_working_days_after_the_trigger_day_in_kazakhstan() -> None:
    # Friday 27 Nov 2026: ten working days later, skipping weekends, is Friday 11 Dec 2026.
    assert due_date(NEVER, FRIDAY) == date(2026, 12, 11)
    # 20:00 UTC on Friday is already Saturday in Kazakhstan (UTC+5).
    late = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    assert due_date(NEVER, late) == kazakhstan_calendar().add_working_days(date(2026, 11, 28), 10)

"""The review-opener against real Postgres: one task per trigger, whatever the delivery."""

from __future__ import annotations

from typing import cast

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from events import (
    INTAKE_TOPIC,
    CaseOutcome,
    EventEnvelope,
    Region,
    RiskLevel,
)
from events.assignments import AssignmentKind, AssignmentMade, SubjectType
from events.calendar import kazakhstan_calendar
from events.cases import (
    CaseEscalated,
    CaseFlaggedForReview,
    CaseReopened,
    CaseResolved,
    CaseTriaged,
)
from services.review.domain.opening import OpeningPolicy, review_id_for
from services.review.domain.sampling import SamplingPolicy
from services.review.opener import OPENER, apply
from services.runtime.consumer import Message, ProcessedOnce
from tests.integration.review.conftest import Stream
from tests.support.samples import case_registered

pytestmark = pytest.mark.integration

KEY = b"integration-sample-key-0123456789"
NEVER = OpeningPolicy(SamplingPolicy(0.0, KEY), kazakhstan_calendar(), 10)


def triaged(risk: RiskLevel) -> CaseTriaged:
    return CaseTriaged(risk_level=risk, category="land", notes=None)


RESOLVED = CaseResolved(outcome=CaseOutcome.CONFIRMED, summary="Official disciplined",
                        measures_taken=["disciplinary action"])


def assigned(case_id: str, officer: str) -> AssignmentMade:
    return AssignmentMade(subject_id=case_id, subject_type=SubjectType.CASE,
                          region=Region.ALMATY, office_id="office-1", officer_id=officer,
                          kind=AssignmentKind.AUTOMATIC, rule="round_robin",
                          reason="automatic", previous_officer_id=None)


async def feed(pool: asyncpg.Pool, *envelopes: EventEnvelope) -> None:
    """Apply envelopes one transaction each, as the consumer would (without its processed mark)."""
    for envelope in envelopes:
        async with pool.acquire() as conn, conn.transaction():
            await apply(conn, envelope, NEVER)


async def reviews_of(pool: asyncpg.Pool, case_id: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return list(await conn.fetch(
            "SELECT r.*, (SELECT count(*) FROM review.events e WHERE e.stream_id = r.review_id)"
            " AS events FROM review.reviews r WHERE subject_id = $1 ORDER BY opened_at", case_id))


async def subject(pool: asyncpg.Pool, case_id: str) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM review.subjects WHERE subject_id = $1", case_id)
    assert row is not None
    return row


async def test_a_resolved_high_risk_case_opens_one_review_with_what_is_known(
    review_pool: asyncpg.Pool,
) -> None:
    case = Stream("case")
    resolved = case.next(RESOLVED, actor="op-resolver")
    await feed(review_pool, case.next(case_registered()), case.next(triaged(RiskLevel.HIGH)),
               resolved)
    (review,) = await reviews_of(review_pool, case.stream_id)
    assert review["review_id"] == review_id_for(case.stream_id, str(resolved.event_id))
    assert (review["reason"], review["status"], review["region"]) == ("high_risk", "open", "KZ-75")
    assert review["resolver_id"] == "op-resolver" and review["events"] == 1
    assert (await subject(review_pool, case.stream_id))["open_review_id"] == review["review_id"]


async def test_a_lower_risk_case_outside_the_sample_opens_no_review(
    review_pool: asyncpg.Pool,
) -> None:
    case = Stream("case")
    await feed(review_pool, case.next(case_registered()), case.next(triaged(RiskLevel.LOW)),
               case.next(RESOLVED))
    assert await reviews_of(review_pool, case.stream_id) == []


async def test_a_duplicated_delivery_through_the_consumer_opens_no_second_task(
    review_pool: asyncpg.Pool,
) -> None:
    case = Stream("case")
    envelopes = [case.next(case_registered()), case.next(triaged(RiskLevel.CRITICAL)),
                 case.next(RESOLVED)]
    consumer = ProcessedOnce(OPENER, "review", review_pool,
                             lambda conn, env, topic: apply(conn, env, NEVER),
                             cast(AIOKafkaProducer, None))  # nothing here is dead-lettered
    for offset, envelope in enumerate([*envelopes, envelopes[-1], envelopes[-1]]):
        await consumer.process(Message(INTAKE_TOPIC, 0, offset, envelope.stream_id.encode(),
                                       envelope.to_wire(), []))
    (review,) = await reviews_of(review_pool, case.stream_id)
    assert review["events"] == 1


async def test_a_replayed_trigger_without_its_processed_mark_still_opens_one_task(
    review_pool: asyncpg.Pool,
) -> None:
    case = Stream("case")
    resolved = case.next(RESOLVED)
    await feed(review_pool, case.next(case_registered()), case.next(triaged(RiskLevel.HIGH)),
               resolved, resolved)
    (review,) = await reviews_of(review_pool, case.stream_id)
    assert review["events"] == 1


async def test_assignees_and_resolvers_converge_whatever_order_the_topics_deliver(
    review_pool: asyncpg.Pool,
) -> None:
    first, second = Stream("case"), Stream("case")
    results = []
    for case, assignment_first in ((first, True), (second, False)):
        intake = [case.next(case_registered()), case.next(triaged(RiskLevel.HIGH)),
                  case.next(RESOLVED, actor="op-resolver")]
        assignment = Stream("assignment", case.stream_id)
        assignments = [assignment.next(assigned(case.stream_id, "officer-a"), role="system"),
                       assignment.next(assigned(case.stream_id, "officer-b"), role="system")]
        await feed(review_pool, *(assignments + intake if assignment_first
                                  else intake + assignments))
        row = await subject(review_pool, case.stream_id)
        results.append((row["region"], row["risk_level"], sorted(row["assignee_ids"]),
                        sorted(row["resolver_ids"]), row["current_assignee_id"]))
        assert len(await reviews_of(review_pool, case.stream_id)) == 1
    assert results[0] == results[1] == (
        "KZ-75", "high", ["officer-a", "officer-b"], ["op-resolver"], "officer-b")


async def test_no_second_review_opens_while_one_is_open(review_pool: asyncpg.Pool) -> None:
    case = Stream("case")
    await feed(review_pool, case.next(case_registered()), case.next(triaged(RiskLevel.HIGH)),
               case.next(RESOLVED), case.next(CaseFlaggedForReview(reason="media report")))
    assert len(await reviews_of(review_pool, case.stream_id)) == 1


async def test_a_flag_opens_a_review_for_an_unresolved_case(review_pool: asyncpg.Pool) -> None:
    case = Stream("case")
    await feed(review_pool, case.next(case_registered()),
               case.next(CaseFlaggedForReview(reason="monitor saw a conflict of interest"),
                         actor="mon-7", role="monitor"))
    (review,) = await reviews_of(review_pool, case.stream_id)
    assert review["reason"] == "flagged"


async def test_a_returned_case_resolved_again_opens_a_review_linked_to_the_first(
    review_pool: asyncpg.Pool,
) -> None:
    case = Stream("case")
    await feed(review_pool, case.next(case_registered()), case.next(triaged(RiskLevel.HIGH)),
               case.next(RESOLVED))
    (first,) = await reviews_of(review_pool, case.stream_id)
    async with review_pool.acquire() as conn:  # as if the verdict closed the task
        await conn.execute("UPDATE review.subjects SET open_review_id = NULL"
                           " WHERE subject_id = $1", case.stream_id)
    await feed(review_pool, case.next(CaseReopened(
        reason="returned by review", review_id=first["review_id"], findings="no act",
        flags=["insufficient_evidence"])), case.next(triaged(RiskLevel.LOW)), case.next(RESOLVED))
    first_again, second = await reviews_of(review_pool, case.stream_id)
    assert first_again["review_id"] == first["review_id"]
    assert second["previous_review_id"] == first["review_id"]
    assert second["reason"] == "high_risk"  # the first review's reason, kept at rate 0


async def test_an_escalated_case_resolved_later_is_reviewed_again_whatever_the_sample(
    review_pool: asyncpg.Pool,
) -> None:
    case = Stream("case")
    await feed(review_pool, case.next(case_registered()), case.next(triaged(RiskLevel.LOW)),
               case.next(CaseFlaggedForReview(reason="conflict of interest")))
    (first,) = await reviews_of(review_pool, case.stream_id)
    async with review_pool.acquire() as conn:  # as if the escalating verdict closed the task
        await conn.execute("UPDATE review.subjects SET open_review_id = NULL"
                           " WHERE subject_id = $1", case.stream_id)
    await feed(review_pool, case.next(CaseEscalated(review_id=first["review_id"],
                                                    findings="to the agency")),
               case.next(RESOLVED))
    _, second = await reviews_of(review_pool, case.stream_id)
    assert second["previous_review_id"] == first["review_id"] and second["reason"] == "flagged"

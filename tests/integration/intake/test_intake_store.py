"""intake against real Postgres: the vault shreds for good, writes race safely, reactions apply once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from events import (
    Actor,
    CaseOutcome,
    CaseResolved,
    EventEnvelope,
    IntakeSource,
    Region,
    RiskLevel,
    Role,
    Sector,
    new_event_id,
)
from services.intake.consumers import react
from services.intake.domain import case as domain
from services.intake.domain.commands import NoteProgress, RegisterCase, TriageCase
from services.intake.handlers import CASES, change_case
from services.intake.vault import Vault
from services.runtime.auth import Principal
from services.runtime.eventstore import CommandContext, EventStore
from services.runtime.pipeline import CommandPipeline, Expected, StaleVersion

pytestmark = pytest.mark.integration

OPERATOR = Principal(sub="op-1", role=Role.OPERATOR, regions=frozenset({"KZ-75"}))


def _context(_: str | None) -> CommandContext:
    return CommandContext(actor=Actor(id="op-1", role="operator", region="KZ-75"))


async def _registered(store: EventStore, context: CommandContext) -> str:
    case_id = str(new_event_id())
    events = domain.decide(CASES.aggregate.initial(case_id), RegisterCase(
        "t", "d", Region("KZ-75"), Sector.LAND, IntakeSource.HOTLINE, None, True, None))
    await store.append(case_id, "case", 0, events, context)
    return case_id


async def test_a_shredded_contact_can_never_be_opened_again(intake_pool: asyncpg.Pool) -> None:
    vault = Vault("integration-master-secret", "intake")
    subject = str(uuid.uuid4())
    encrypted = vault.encrypt(subject, {"reporter": {"name": "Aigerim"}, "witnesses": []})
    async with intake_pool.acquire() as conn:
        await vault.store(conn, subject, encrypted)
        assert await vault.open(conn, encrypted.reference.vault_ref) == {
            "reporter": {"name": "Aigerim"}, "witnesses": []}
        assert await vault.erase(conn, subject) == 1
        assert await vault.open(conn, encrypted.reference.vault_ref) is None
        row = await conn.fetchrow("SELECT ciphertext, nonce FROM intake.vault_entries"
                                  " WHERE subject_id = $1", subject)
        assert row is not None and row["ciphertext"] is None and row["nonce"] is None


async def test_writes_without_a_version_are_last_writer_and_both_land(
    store: EventStore, context: CommandContext,
) -> None:
    case_id, pipeline = await _registered(store, context), CommandPipeline(store)
    await change_case(pipeline, OPERATOR, case_id, Expected(),
                      TriageCase(RiskLevel.LOW, "x", None), _context, None)
    results = await asyncio.gather(*(
        change_case(pipeline, OPERATOR, case_id, Expected(), NoteProgress(f"note {n}", ()),
                    _context, None) for n in range(4)))
    assert sorted(r.view["version"] for r in results) == [3, 4, 5, 6]


async def test_a_stale_expected_version_is_refused_before_deciding(
    store: EventStore, context: CommandContext,
) -> None:
    case_id = await _registered(store, context)
    with pytest.raises(StaleVersion) as refused:
        await change_case(CommandPipeline(store), OPERATOR, case_id,
                          Expected(5, precondition=True), TriageCase(RiskLevel.LOW, "x", None),
                          _context, None)
    assert refused.value.precondition and refused.value.current == 1
    assert len(await store.load(case_id)) == 1


async def test_the_same_verdict_applied_twice_closes_the_case_once(
    store: EventStore, context: CommandContext, intake_pool: asyncpg.Pool,
) -> None:
    case_id = await _registered(store, context)
    for command in (TriageCase(RiskLevel.LOW, "x", None), NoteProgress("n", ())):
        await change_case(CommandPipeline(store), OPERATOR, case_id, Expected(), command,
                          _context, None)
    await store.append(case_id, "case", None, [CaseResolved(
        outcome=CaseOutcome.CONFIRMED, summary="s", measures_taken=[])], context)
    now = datetime.now(UTC)
    verdict = EventEnvelope.seal(
        prev_hash="0" * 64, stream_id="review-1", stream_type="review", version=2,
        event_id=new_event_id(), event_type="review.verdict_recorded", schema_version=1,
        occurred_at=now, recorded_at=now, actor=Actor(id="m-1", role="monitor", region="KZ-75"),
        correlation_id="corr-1", causation_id=None,
        payload={"subject_id": case_id, "subject_type": "case", "verdict": "approved",
                 "findings": "", "flags": [], "reviewer_id": "m-1"})
    for _ in range(2):
        async with intake_pool.acquire() as conn, conn.transaction():
            await react(conn, verdict, "casetrack.review.v1")
    types = [e.event_type for e in await store.load(case_id)]
    assert types.count("case.closed") == 1 and types[-1] == "case.closed"

"""Intake's case command handlers: load, decide, append (with the vault in the same transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from events import new_event_id
from services.intake.domain import case as domain
from services.intake.domain.case import CASE
from services.intake.domain.case_state import CaseState
from services.intake.domain.commands import (
    CaseCommand,
    DiscloseReporter,
    EraseReporter,
    LinkDuplicate,
    MarkDuplicate,
    RegisterCase,
)
from services.intake.domain.reception import RECEPTION, check_case_link
from services.intake.execution import ContextFor, Kind, execute, load_visible, read_visible, single_stream
from services.intake.schemas import CaseView, ProgressNoteView, RegisterCaseRequest, ReporterView
from services.intake.vault import Vault
from services.runtime.auth import Principal
from services.runtime.commands import WriteResult
from services.runtime.db import Conn
from services.runtime.errors import Forbidden, Gone, Invalid, NotFound
from services.runtime.eventstore import CommandContext
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.pipeline import CommandPipeline, Expected, UnitOfWork
from services.runtime.results import Written

CASES: Kind[CaseState, CaseCommand] = Kind(CASE, domain.decide)


def case_view(state: CaseState) -> CaseView:
    """The API's view of a case (never the reporter's contact)."""
    assert state.status and state.region and state.sector and state.source
    assert state.registered_at and state.updated_at
    return CaseView(
        id=state.id, version=state.version, status=state.status.value, title=state.title,
        description=state.description, region=state.region, sector=state.sector,
        source=state.source, district=state.district, anonymous=state.anonymous,
        has_reporter=state.has_contact, reporter_erased=state.reporter_erased,
        registered_at=state.registered_at, registered_by=state.registered_by,
        updated_at=state.updated_at, risk_level=state.risk_level, category=state.category,
        triage_notes=state.triage_notes, office_id=state.office_id, officer_id=state.officer_id,
        progress=[ProgressNoteView(note=p.note, evidence_refs=list(p.evidence_refs),
                                   noted_at=p.noted_at, noted_by=p.noted_by)
                  for p in state.progress],
        outcome=state.outcome, summary=state.summary, measures_taken=list(state.measures_taken),
        resolved_by=state.resolved_by, review_id=state.review_id, escalated=state.escalated,
        findings=state.findings, reopen_count=state.reopen_count,
        flagged_for_review=state.flagged_reason, duplicate_of=state.duplicate_of,
        duplicates=list(state.duplicates), withdrawn_reason=state.withdrawn_reason,
        due_date=state.due_date, extensions=state.extensions,
        notice_due_date=state.notice_due_date, notified_on=state.notified_on,
        notice_channel=state.notice_channel.value if state.notice_channel else None,
        misdirected_reason=state.misdirected_reason, forward_due_date=state.forward_due_date,
        forwarded_to=state.forwarded_to, forwarded_at=state.forwarded_at,
        reception_id=state.reception_id,
        allowed_actions=state.allowed_actions(),
    )


def _json_view(state: CaseState) -> dict[str, Any]:
    return case_view(state).model_dump(mode="json")


async def register_case(
    pipeline: CommandPipeline,
    vault: Vault,
    principal: Principal,
    request: RegisterCaseRequest,
    context: CommandContext,
    claim: IdempotencyClaim | None,
    today: date,
) -> WriteResult:
    """Register a case; the reporter's contact goes to the vault, only its commitment to the log.

    A case registered at a citizen reception names it: one of the case's region, held or being
    held `today` (422 naming `reception_id` otherwise)."""
    if not principal.can_see(request.region):
        raise Forbidden(f"you may not register cases in {request.region.value}",
                      field="region")
    case_id = str(new_event_id())
    contacts = (
        {"reporter": request.reporter.model_dump(exclude_none=True),
         "witnesses": [w.model_dump(exclude_none=True) for w in request.witnesses]}
        if request.reporter is not None else None
    )
    encrypted = vault.encrypt(case_id, contacts) if contacts is not None else None
    command = RegisterCase(
        title=request.title, description=request.description, region=request.region,
        sector=request.sector, source=request.source, district=request.district,
        anonymous=request.anonymous, reporter=encrypted.reference if encrypted else None,
        reception_id=request.reception_id,
    )

    async def work(unit: UnitOfWork) -> WriteResult:
        if command.reception_id is not None:
            reception = await unit.load(RECEPTION, command.reception_id)
            check_case_link(reception, command.region, today)
        events = domain.decide(unit.new(CASE, case_id), command)
        if encrypted is not None:
            await vault.store(await unit.transaction(), case_id, encrypted)
        return Written(_json_view(unit.append(case_id, events, context)), created=True)

    return await pipeline.run(work, claim)


change_case = single_stream(CASES, _json_view)
"""Any single-stream case command."""


async def erase_reporter(
    pipeline: CommandPipeline, vault: Vault, principal: Principal, case_id: str,
    expected: Expected, reason: str, context_for: ContextFor, claim: IdempotencyClaim | None,
) -> WriteResult:
    """Destroy the contact's key and ciphertext and record the erasure, in one transaction."""

    async def shred(conn: Conn, _: CaseState) -> None:
        await vault.erase(conn, case_id)

    return await execute(pipeline, CASES, principal, case_id, expected, EraseReporter(reason),
                         context_for, claim, _json_view, also=shred)


async def disclose_reporter(
    pipeline: CommandPipeline, vault: Vault, principal: Principal, case_id: str, purpose: str,
    context_for: ContextFor,
) -> ReporterView:
    """Record who reads the contact and why, then read it, both in one transaction."""

    async def work(unit: UnitOfWork) -> WriteResult:
        state = await load_visible(unit, CASES, principal, case_id)
        command = DiscloseReporter(viewer_id=principal.sub, viewer_role=principal.role.value,
                                   purpose=purpose)
        if state.reporter_erased:
            raise Gone("the reporter's contact was erased")
        events = domain.decide(state, command)
        assert state.reporter is not None
        contact = await vault.open(unit.conn, state.reporter.vault_ref)
        if contact is None:
            raise Gone("the reporter's contact is no longer held")
        after = unit.append(case_id, events, context_for(state.region_code))
        return Written({"contact": contact, "version": after.version})

    answer = (await pipeline.run(work)).view
    contact = answer["contact"]
    reporter = contact.get("reporter", contact) if "witnesses" in contact else contact
    return ReporterView(case_id=case_id, reporter=reporter,
                        witnesses=contact.get("witnesses", []),
                        disclosure_version=answer["version"])


async def mark_duplicate(
    pipeline: CommandPipeline, principal: Principal, case_id: str, expected: Expected,
    original_id: str, context_for: ContextFor, claim: IdempotencyClaim | None,
) -> WriteResult:
    """Mark a case as a duplicate and link it on the original: two streams, one transaction."""
    if original_id == case_id:
        raise Invalid("a case cannot duplicate itself",
                      field="original_case_id", title="Invalid request")

    async def work(unit: UnitOfWork) -> WriteResult:
        state = await load_visible(unit, CASES, principal, case_id)
        try:
            original = await load_visible(unit, CASES, principal, original_id)
        except NotFound:
            raise Invalid(f"no case {original_id}",
                          field="original_case_id", title="Invalid request") from None
        unit.expect(case_id, expected)
        marked = domain.decide(state, MarkDuplicate(original_id))
        linked = domain.decide(original, LinkDuplicate(case_id))
        unit.append(original_id, linked, context_for(original.region_code))
        return Written(_json_view(unit.append(case_id, marked,
                                              context_for(state.region_code))))

    return await pipeline.run(work, claim)


async def load_case(pipeline: CommandPipeline, principal: Principal, case_id: str,
                    as_of: Any = None) -> CaseState:
    """A visible case, or 404 (also for cases of regions the caller cannot see)."""
    return await read_visible(pipeline, CASES, principal, case_id, as_of)

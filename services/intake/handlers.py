"""Intake's command handlers: load, decide, append (with the vault in the same transaction)."""

from __future__ import annotations

from typing import Any

from events import new_event_id
from services.intake.domain.case import STREAM_TYPE, CaseState, RegisterCase, decide_register, fold
from services.intake.schemas import CaseView, RegisterCaseRequest
from services.intake.vault import Vault
from services.runtime.auth import Principal
from services.runtime.commands import WriteResult
from services.runtime.db import Conn
from services.runtime.eventstore import AppendResult, CommandContext, EventStore
from services.runtime.idempotency import IdempotencyClaim
from services.runtime.problems import Problem


def case_view(state: CaseState) -> CaseView:
    """The API's view of a case."""
    assert state.status and state.region and state.sector and state.source
    assert state.registered_at and state.updated_at
    return CaseView(
        id=state.id, version=state.version, status=state.status.value, title=state.title,
        description=state.description, region=state.region, sector=state.sector,
        source=state.source, district=state.district, anonymous=state.anonymous,
        has_reporter=state.reporter is not None, registered_at=state.registered_at,
        registered_by=state.registered_by, updated_at=state.updated_at,
    )


async def register_case(
    store: EventStore,
    vault: Vault,
    principal: Principal,
    request: RegisterCaseRequest,
    context: CommandContext,
    claim: IdempotencyClaim | None,
) -> WriteResult:
    """Register a case; the reporter's contact goes to the vault, only its commitment to the log."""
    if not principal.can_see(request.region):
        raise Problem(403, "Forbidden", f"you may not register cases in {request.region.value}",
                      field="region")
    case_id = str(new_event_id())
    sealed = (
        vault.seal(case_id, request.reporter.model_dump(exclude_none=True))
        if request.reporter is not None else None
    )
    command = RegisterCase(
        title=request.title, description=request.description, region=request.region,
        sector=request.sector, source=request.source, district=request.district,
        anonymous=request.anonymous, reporter=sealed.reference if sealed else None,
    )
    events = decide_register(CaseState(id=case_id), command)

    async def keep_contact(conn: Conn, _: AppendResult) -> None:
        if sealed is not None:
            await vault.store(conn, case_id, sealed)

    def respond(result: AppendResult) -> tuple[int, dict[str, Any]]:
        state = fold(case_id, list(result.envelopes))
        return 201, case_view(state).model_dump(mode="json")

    result = await store.append(
        case_id, STREAM_TYPE, 0, events, context, idempotency=claim, response_for=respond,
        also=keep_contact,
    )
    return respond(result)


async def load_case(store: EventStore, principal: Principal, case_id: str,
                    as_of: Any = None) -> CaseState:
    """A visible case, or 404 (also for cases of regions the caller cannot see)."""
    state = fold(case_id, await store.load(case_id, as_of=as_of))
    if not state.exists or not principal.can_see(state.region.value if state.region else None):
        raise Problem(404, "Not Found", f"no case {case_id}")
    return state

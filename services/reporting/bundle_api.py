"""`GET /v1/cases/{id}/bundle` (and directives): a case's verifiable history for offline checking."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from events.tlog.bundle import Bundle
from services.reporting import queries
from services.reporting.bundle import HttpOwners, OwnerUnavailable, build_bundle
from services.reporting.facts import OWNER_OF_STREAM, Fact
from services.reporting.schemas import Verification
from services.reporting.verify import owner_trust, verify_subject
from services.runtime.auth import CurrentPrincipal, Principal
from services.runtime.context import Runtime, ServiceRuntime
from services.runtime.errors import NotFound
from services.runtime.fields import PathId
from services.runtime.problems import Problem
from services.runtime.streams import AUDITORS

router = APIRouter(prefix="/v1", tags=["audit"])

BUNDLE_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "no such subject in the caller's regions"},
    502: {"description": "an owning service did not answer"},
}


async def require_visible(runtime: ServiceRuntime, principal: Principal, subject_id: str,
                          kind: str) -> None:
    """404 unless the subject exists in a region the caller may see."""
    async with runtime.pool.acquire() as conn:
        region = await queries.subject_region(conn, subject_id, kind)
    if region is None or not principal.can_see(region):
        raise NotFound(f"no {kind} {subject_id}")


async def _facts(runtime: ServiceRuntime, subject_id: str) -> list[Fact]:
    async with runtime.pool.acquire() as conn:
        return [Fact.from_row(r) for r in await queries.history_rows(conn, subject_id)]


async def _bundle(runtime: ServiceRuntime, principal: Principal, subject_id: str, kind: str
                  ) -> Bundle:
    principal.require(*AUDITORS)
    await require_visible(runtime, principal, subject_id, kind)
    facts = await _facts(runtime, subject_id)
    async with httpx.AsyncClient() as client:
        try:
            return await build_bundle(subject_id, kind, facts, HttpOwners(runtime.settings, client))
        except OwnerUnavailable as exc:
            raise Problem(502, "Bad Gateway", str(exc)) from exc


@router.get("/cases/{case_id}/bundle", responses=BUNDLE_RESPONSES)
async def case_bundle(case_id: PathId, principal: CurrentPrincipal, runtime: Runtime) -> Bundle:
    """Every event of the case from every owning service, with inclusion proofs and checkpoints.

    Check it offline with `casetrack verify bundle.json --trust keys.txt`.
    """
    return await _bundle(runtime, principal, case_id, "case")


@router.get("/directives/{directive_id}/bundle", responses=BUNDLE_RESPONSES)
async def directive_bundle(directive_id: PathId, principal: CurrentPrincipal, runtime: Runtime
                           ) -> Bundle:
    """Every event of the directive from every owning service, with proofs and checkpoints."""
    return await _bundle(runtime, principal, directive_id, "directive")


async def verification(runtime: ServiceRuntime, principal: Principal, subject_id: str, kind: str
                       ) -> Verification:
    """The subject's bundle checked against the owners' published log keys (a thin verifier)."""
    bundle = await _bundle(runtime, principal, subject_id, kind)
    facts = await _facts(runtime, subject_id)
    vkeys: list[str] = []
    async with httpx.AsyncClient() as client:
        owners = HttpOwners(runtime.settings, client)
        for service in sorted({OWNER_OF_STREAM[f.stream_type] for f in facts
                               if f.stream_type in OWNER_OF_STREAM}):
            try:
                vkeys += await owners.log_keys(service)
            except OwnerUnavailable as exc:
                raise Problem(502, "Bad Gateway", str(exc)) from exc
    return verify_subject(subject_id, kind, facts, bundle, owner_trust(vkeys))

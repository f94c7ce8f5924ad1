"""intake's HTTP edge: shared request plumbing and the routers of cases and directives."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request

from events import Role
from events.calendar import agency_date
from services.intake.execution import ContextFor
from services.intake.vault import Vault
from services.runtime.auth import Principal
from services.runtime.clock import Clock, today
from services.runtime.commands import command_context, parse_if_match
from services.runtime.context import ServiceRuntime
from services.runtime.pipeline import Expected

WRITERS = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)

Responses = dict[int | str, dict[str, Any]]
CREATED_RESPONSES: Responses = {201: {"headers": {"ETag": {}, "Location": {}}}}
"""What a write that creates a subject answers besides its view and the usual problems."""
WRITE_RESPONSES: Responses = {
    200: {"headers": {"ETag": {}}}, 409: {"description": "illegal transition or stale version"},
    412: {"description": "If-Match does not match"},
}
"""What a write to an existing subject answers besides its view and the usual problems."""


def context_for(request: Request, principal: Principal) -> ContextFor:
    """The command context of a request, once the subject's region is known."""

    return lambda region: command_context(request, principal, region)


def expected(request: Request, expected_version: int | None) -> Expected:
    """If-Match (412 on mismatch) or the body's expected_version (409); neither: last-writer."""
    return Expected.of(parse_if_match(request.headers.get("if-match")), expected_version)


def vault_of(runtime: ServiceRuntime) -> Vault:
    """The reporter vault."""
    return runtime.part(Vault)


def day_of(clock: Clock, as_of: datetime | None = None) -> date:
    """The agency's day lateness is measured on: as_of's, or today by the service's clock."""
    return agency_date(as_of) if as_of is not None else today(clock)

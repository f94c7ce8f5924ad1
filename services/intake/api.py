"""intake's HTTP edge: shared request plumbing and the routers of cases and directives."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request

from events import Role
from services.intake.domain.directive import ALMATY
from services.intake.domain.errors import (
    DomainError,
    FourEyesViolation,
    IllegalTransition,
    InvalidCommand,
)
from services.intake.execution import ContextFor
from services.intake.vault import Vault
from services.runtime.auth import Principal
from services.runtime.commands import command_context, parse_if_match
from services.runtime.http import ServiceRuntime
from services.runtime.pipeline import Expected
from services.runtime.problems import Problem

WRITERS = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def context_for(request: Request, principal: Principal) -> ContextFor:
    """The command context of a request, once the subject's region is known."""

    return lambda region: command_context(request, principal, region)


def expected(request: Request, expected_version: int | None) -> Expected:
    """If-Match (412 on mismatch) or the body's expected_version (409); neither: last-writer."""
    return Expected.of(parse_if_match(request.headers.get("if-match")), expected_version)


def vault_of(runtime: ServiceRuntime) -> Vault:
    """The reporter vault."""
    vault = runtime.extras["vault"]
    assert isinstance(vault, Vault)
    return vault


def today(as_of: datetime | None = None) -> datetime:
    """The instant lateness is measured at: as_of, or now (dates are taken in Asia/Almaty)."""
    return (as_of or datetime.now(ALMATY)).astimezone(ALMATY)


def domain_problem(error: DomainError) -> Problem:
    """The problem+json a refused command answers with."""
    if isinstance(error, IllegalTransition):
        return Problem(409, "Illegal transition", str(error), current_state=error.state,
                       action=error.action, allowed_actions=error.allowed)
    if isinstance(error, InvalidCommand):
        return Problem(422, "Invalid request", error.detail, field=error.field)
    if isinstance(error, FourEyesViolation):
        return Problem(403, "Forbidden", str(error))
    return Problem(422, "Refused", str(error))

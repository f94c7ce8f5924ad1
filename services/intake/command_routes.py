"""The routes that each run one command on one subject (a case, directive or reception) are
declared as data: one function adds them to a router, so every such route checks the caller's
role, reads the body and the expected version, and answers the subject's view alike."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from events import Role
from services.intake.api import Responses, context_for, day_of, expected
from services.intake.execution import SubjectChange
from services.intake.schemas import Write
from services.runtime.auth import CurrentPrincipal, Principal
from services.runtime.commands import run_write
from services.runtime.context import Runtime, ServiceRuntime
from services.runtime.fields import VERSIONED, PathId

BodyT = TypeVar("BodyT", bound=Write)


Change = Callable[[Request, Principal, ServiceRuntime, str, int | None, Any],
                  Awaitable[JSONResponse]]
"""Runs a subject's command for a request: (request, principal, runtime, subject id, the body's
expected version, command) to the response."""


@dataclass(frozen=True)
class CommandRoute(Generic[BodyT]):
    """POST /{id}/<action>: who may call it, its body, and the command it makes of that body."""

    action: str
    """The path's last segment, named like the action the subject's status allows."""
    name: str
    """The operation's name (its OpenAPI id and summary are made of it)."""
    body: type[BodyT]
    roles: tuple[Role, ...]
    doc: str
    """What the route does, for the OpenAPI document."""
    command: Callable[[BodyT, Principal, date], object]
    """The command of a body, the caller and the agency's day today."""


def run_change(handler: SubjectChange[Any]) -> Change:
    """The Change that runs a request's command through a subject's single-stream handler."""

    async def change(request: Request, principal: Principal, runtime: ServiceRuntime,
                     subject_id: str, expected_version: int | None, command: Any) -> JSONResponse:
        pipeline, exp = runtime.commands, expected(request, expected_version)
        ctx = context_for(request, principal)
        return await run_write(
            request, principal,
            lambda claim: handler(pipeline, principal, subject_id, exp, command, ctx, claim))

    return change


def add_command_routes(router: APIRouter, subject: str, view: type[BaseModel], change: Change,
                       routes: Iterable[CommandRoute[Any]],
                       responses: Responses | None = None) -> None:
    """Add each route to the router, under /{<subject>} (e.g. `case_id`), answering `view`."""
    for route in routes:
        router.add_api_route(f"/{{{subject}}}/{route.action}", _endpoint(route, subject, change),
                             methods=["POST"], response_model=view, responses=responses,
                             dependencies=VERSIONED)


def _endpoint(route: CommandRoute[Any], subject: str, change: Change
              ) -> Callable[..., Awaitable[JSONResponse]]:
    async def endpoint(**params: Any) -> JSONResponse:
        principal: Principal = params["principal"]
        runtime: ServiceRuntime = params["runtime"]
        body: Write = params["body"]
        principal.require(*route.roles)
        command = route.command(body, principal, day_of(runtime.clock))
        return await change(params["request"], principal, runtime, params[subject],
                            body.expected_version, command)

    # A function declares no __signature__ (hence the ignore); FastAPI reads the route's
    # parameters (path id, body, request, principal, runtime) from it.
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
         for name, annotation in ((subject, PathId), ("body", route.body), ("request", Request),
                                  ("principal", CurrentPrincipal), ("runtime", Runtime))],
        return_annotation=JSONResponse)
    endpoint.__name__ = endpoint.__qualname__ = route.name
    endpoint.__doc__ = route.doc
    return endpoint

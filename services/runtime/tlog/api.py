"""`/v1/log/*`: checkpoints, keys, inclusion and consistency proofs, witness cosignatures.

Mounted by each owning service's app; its lifespan starts the log keeper for that app.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from events import Role
from events.tlog.cosignature import parse_cosigner_verifier_key
from events.tlog.merkle import ProofError
from events.tlog.note import NoteError, b64encode
from services.runtime.auth import CurrentPrincipal
from services.runtime.context import Runtime, ServiceRuntime
from services.runtime.problems import Problem
from services.runtime.tlog.keeper import LogKeeper
from services.runtime.tlog.keys import known_keys

MAX_SIZE = 2**62
NOTE_TEXT = {"content": {"text/plain": {"schema": {"type": "string"}}}}


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start this app's log keeper after the runtime opened its pool (unless turned off); stop it first."""
    runtime: ServiceRuntime = app.state.runtime
    keeper = await LogKeeper.open(runtime.name, runtime.settings)
    runtime.provide(keeper)
    task = (asyncio.create_task(keeper.run(), name=f"{runtime.name}-tlog")
            if runtime.settings.tlog_keeper else None)  # off: the bench's "without the keeper"
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await keeper.close()


router = APIRouter(prefix="/v1/log", tags=["verifiable log"], lifespan=lifespan)


def keeper_of(runtime: ServiceRuntime) -> LogKeeper:
    """The log keeper of the service serving the request."""
    return runtime.part(LogKeeper)


def _invalid(field: str, message: str) -> Problem:
    return Problem(422, "Invalid request", f"{field}: {message}",
                   errors=[{"field": field, "message": message, "type": "value_error"}])


class InclusionProof(BaseModel):
    """Where an event sits in the log and the audit path to a checkpoint's root (RFC 9162)."""

    leaf_index: int
    tree_size: int
    hashes: list[str] = Field(description="base64 node hashes, leaf upwards")


class ConsistencyProof(BaseModel):
    """The RFC 9162 consistency proof between two tree sizes."""

    hashes: list[str] = Field(description="base64 node hashes")


class LogKeys(BaseModel):
    """The log's verifier keys in signed-note verifier-key format, current first."""

    origin: str
    current: str
    retired: list[str]


class CosignatureIn(BaseModel):
    """A witness's cosigned checkpoint and the witness's verifier key (type 0x04)."""

    model_config = ConfigDict(extra="forbid")

    checkpoint: Annotated[str, Field(min_length=10, max_length=20_000,
                                     description="the checkpoint note with the witness's line")]
    witness_key: Annotated[str, Field(min_length=10, max_length=500,
                                      description="<name>+<hex key id>+<base64(0x04 || key)>")]


class CosignatureAccepted(BaseModel):
    """What was stored."""

    tree_size: int
    witness: str
    timestamp: int


@router.get("/checkpoint", response_class=PlainTextResponse,
            responses={200: NOTE_TEXT, 404: {"description": "no checkpoint issued yet"}})
async def checkpoint(principal: CurrentPrincipal, runtime: Runtime,
                     witnessed: Annotated[bool, Query(
                         description="the newest checkpoint that has a cosignature")] = False,
                     ) -> PlainTextResponse:
    """The latest checkpoint (C2SP tlog-checkpoint signed note) with its witness cosignatures."""
    async with runtime.pool.acquire() as conn:
        issued = await keeper_of(runtime).checkpoints.latest(conn, witnessed=witnessed)
    if issued is None:
        raise Problem(404, "Not Found", "no checkpoint" + (" has been witnessed" if witnessed else ""))
    return PlainTextResponse(issued.served())


@router.post("/checkpoint", response_class=PlainTextResponse, responses={200: NOTE_TEXT})
async def checkpoint_now(principal: CurrentPrincipal, runtime: Runtime) -> PlainTextResponse:
    """Sequence every visible event and sign a checkpoint now (admin, monitor)."""
    principal.require(Role.ADMIN, Role.MONITOR)
    keeper = keeper_of(runtime)
    size = await keeper.checkpoint_now()
    async with runtime.pool.acquire() as conn:
        issued = await keeper.checkpoints.at(conn, size)
    assert issued is not None
    return PlainTextResponse(issued.served())


@router.get("/keys")
async def keys(principal: CurrentPrincipal, runtime: Runtime) -> LogKeys:
    """Every key this log has signed with: the current one and those rotated out."""
    keeper = keeper_of(runtime)
    async with runtime.pool.acquire() as conn:
        listed = await known_keys(conn, runtime.name)
    return LogKeys(origin=keeper.checkpoints.origin,
                   current=next(v for v, current in listed if current),
                   retired=[v for v, current in listed if not current])


async def _checkpoint_size(runtime: ServiceRuntime, tree_size: int | None) -> int:
    if tree_size is not None:
        return tree_size
    async with runtime.pool.acquire() as conn:
        issued = await keeper_of(runtime).checkpoints.latest(conn)
    if issued is None:
        raise Problem(404, "Not Found", "no checkpoint issued yet")
    return issued.tree_size


@router.get("/proofs/inclusion", responses={404: {"description": "event not (yet) in the log"},
                                             422: {"description": "tree_size does not cover it"}})
async def inclusion(principal: CurrentPrincipal, runtime: Runtime, event_id: UUID,
                    tree_size: Annotated[int | None, Query(ge=1, le=MAX_SIZE)] = None,
                    ) -> InclusionProof:
    """The audit path of an event's leaf to the root at ``tree_size`` (default: latest checkpoint)."""
    size = await _checkpoint_size(runtime, tree_size)
    tree = keeper_of(runtime).sequencer.tree
    async with runtime.pool.acquire() as conn:
        index = await tree.leaf_index(conn, event_id)
        if index is None:
            raise Problem(404, "Not Found", f"event {event_id} is not in this log (yet)")
        if index >= size:
            raise _invalid("tree_size", f"must be greater than the event's leaf index {index}")
        try:
            hashes = await tree.inclusion(conn, index, size)
        except ProofError as exc:
            raise _invalid("tree_size", str(exc)) from exc
    return InclusionProof(leaf_index=index, tree_size=size, hashes=[b64encode(h) for h in hashes])


@router.get("/proofs/consistency", responses={422: {"description": "sizes out of order or range"}})
async def consistency(principal: CurrentPrincipal, runtime: Runtime,
                      from_: Annotated[int, Query(alias="from", ge=0, le=MAX_SIZE)],
                      to: Annotated[int, Query(ge=0, le=MAX_SIZE)]) -> ConsistencyProof:
    """The proof that the tree at ``to`` extends the tree at ``from`` (RFC 9162 §2.1.4)."""
    if from_ > to:
        raise _invalid("from", "must not exceed to")
    async with runtime.pool.acquire() as conn:
        try:
            hashes = await keeper_of(runtime).sequencer.tree.consistency(conn, from_, to)
        except ProofError as exc:
            raise _invalid("to", str(exc)) from exc
    return ConsistencyProof(hashes=[b64encode(h) for h in hashes])


@router.post("/cosignatures", status_code=201,
             responses={403: {"description": "not a monitor"},
                        422: {"description": "not our checkpoint, or the cosignature fails"}})
async def cosign(principal: CurrentPrincipal, runtime: Runtime, request: Request,
                 body: Annotated[CosignatureIn, Body()]) -> CosignatureAccepted:
    """A monitoring group's witness posts its cosignature of one of this log's checkpoints."""
    principal.require(Role.MONITOR, Role.ADMIN)
    try:
        witness = parse_cosigner_verifier_key(body.witness_key)
    except NoteError as exc:
        raise _invalid("witness_key", str(exc)) from exc
    async with runtime.pool.acquire() as conn:
        try:
            size, at = await keeper_of(runtime).checkpoints.add_cosignature(
                conn, body.checkpoint, witness, principal.sub)
        except NoteError as exc:
            raise _invalid("checkpoint", str(exc)) from exc
    return CosignatureAccepted(tree_size=size, witness=witness.name, timestamp=at)

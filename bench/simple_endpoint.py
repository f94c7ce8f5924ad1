"""Baseline (a): the simplest write endpoint on intake's stack, served exactly as intake is.

A FastAPI route that validates a body of the same shape as POST /v1/cases (intake's own request
model) and inserts one row shaped like an event with asyncpg, under the same uvicorn settings as
`services.runtime.http.serve` (one process, asyncio loop, no access log). No auth, no hashing, no
event store: the ratio to it is what the pipeline's own work costs.

Run by the bench as `python -m bench.simple_endpoint` with BENCH_DATABASE_URL and BENCH_PORT.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
from fastapi import FastAPI, Request

from bench.samples import ACTOR, INSERT_SQL
from services.intake.schemas import RegisterCaseRequest
from services.runtime.settings import get_settings


def create_app() -> FastAPI:
    """The app: one pool (the size intake's pool has), one route."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(os.environ["BENCH_DATABASE_URL"], min_size=2,
                                                   max_size=get_settings().db_pool_size)
        yield
        await app.state.pool.close()

    app = FastAPI(title="bench: simplest write endpoint", lifespan=lifespan)

    @app.post("/v1/cases", status_code=201)
    async def register(body: RegisterCaseRequest, request: Request) -> dict[str, str]:
        """Validate, insert one row, answer its id."""
        case_id, now = str(uuid.uuid4()), datetime.now(UTC)
        await request.app.state.pool.execute(
            INSERT_SQL, case_id, "case", 1, uuid.uuid4(), "case.registered", 1, now, now,
            ACTOR.model_dump_json(), None, None, body.model_dump_json(), "0" * 64, "0" * 64)
        return {"id": case_id}

    return app


def main() -> None:
    """Serve on 127.0.0.1:$BENCH_PORT with intake's uvicorn settings."""
    import uvicorn

    uvicorn.run("bench.simple_endpoint:create_app", factory=True, host="127.0.0.1",
                port=int(os.environ["BENCH_PORT"]), log_config=None, access_log=False,
                lifespan="on")


if __name__ == "__main__":
    main()

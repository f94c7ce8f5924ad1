"""The app factory every service uses: lifespan-managed resources, health, metrics, errors."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from events import Role
from services.runtime.auth import authenticate, jwt_keys
from services.runtime.catalog import release, subscriptions_of
from services.runtime.clock import SYSTEM_CLOCK, Clock
from services.runtime.consumer_health import consumer_stalled
from services.runtime.context import Part, Runtime, ServiceRuntime
from services.runtime.db import create_pool, database_url_for
from services.runtime.docs import install_docs
from services.runtime.eventstore import EventStore
from services.runtime.logs import configure_logging, get_logger
from services.runtime.metrics import BacklogObserver
from services.runtime.middleware import RequestContext
from services.runtime.openapi import install_honest_openapi
from services.runtime.pipeline import CommandPipeline
from services.runtime.problems import install_problem_handlers
from services.runtime.ratelimit import RateLimiter, limits_from
from services.runtime.relay_thread import RelayThread
from services.runtime.settings import Settings, get_settings
from services.runtime.streams import router as streams_router
from services.runtime.topics import close_describers
from services.runtime.tracing import configure_tracing

log = get_logger(__name__)

ReadinessCheck = Callable[[ServiceRuntime], Awaitable[str | None]]




def create_service_app(
    name: str,
    *,
    routers: Sequence[APIRouter],
    topic: str | None = None,
    readiness: Sequence[ReadinessCheck] = (),
    consumers: Sequence[str] = (),
    description: str = "",
    settings: Settings | None = None,
    parts: Sequence[Part] = (),
    clock: Clock = SYSTEM_CLOCK,
    uploads: Sequence[str] = (),
) -> FastAPI:
    """A FastAPI app for one service; `topic` set means it owns an event store and a relay (on a
    thread and loop of its own: `RelayThread`);
    `uploads`: paths whose POST body the route streams itself (see `RequestContext`)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        cfg = settings or get_settings()
        configure_logging(cfg.log_level, cfg.log_json)
        configure_tracing(name)
        pool = await create_pool(database_url_for(name, cfg.database_url), name,
                                 max_size=cfg.db_pool_size)
        runtime = ServiceRuntime(name=name, settings=cfg, pool=pool, clock=clock)
        app.state.runtime = runtime
        app.state.jwt_keys = jwt_keys(cfg)
        app.state.rate_limiter = RateLimiter(limits_from(cfg.rate_limits, cfg.replicas))
        relay: RelayThread | None = None
        try:
            if topic is not None:
                runtime.store = EventStore(pool, name)
                runtime.pipeline = CommandPipeline(runtime.store)
                relay = RelayThread(name, cfg, topic)
                runtime.relay = await relay.start()
                runtime.store.wakeup.local = relay.wake
            app.state.backlog = BacklogObserver(
                name, pool, cfg.kafka_bootstrap_servers, owns_log=topic is not None,
                consumers={s.name: s.topics for s in subscriptions_of(name)})
            async with contextlib.AsyncExitStack() as opened:
                for part in parts:
                    runtime.provide(await opened.enter_async_context(part(runtime)))
                log.info("service.started", service=name)
                yield
        finally:
            if relay is not None:
                await relay.stop()
            if topic is not None and runtime.store is not None:
                await runtime.store.wakeup.settled()
            await asyncio.to_thread(close_describers)
            await pool.close()
            log.info("service.stopped", service=name)

    app = FastAPI(title=f"casetrack {name}", version="1", description=description,
                  lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(RequestContext, uploads=frozenset(uploads))
    install_problem_handlers(app)
    install_honest_openapi(app)

    @app.get("/livez", tags=["health"])
    async def livez() -> dict[str, str]:
        """The process is alive; which service and release it is."""
        return {"status": "ok", "service": name, "version": release()}

    @app.get("/readyz", tags=["health"], responses={
        503: {"description": "not ready, with the reasons", "content": {"application/json": {}}}})
    async def readyz(runtime: Runtime) -> JSONResponse:
        """Ready to serve: database reachable, relay and consumers not stalled."""
        problems: list[str] = []
        try:
            async with runtime.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
        except Exception as exc:
            problems.append(f"database: {exc!r}")
        if runtime.relay is not None and not runtime.relay.healthy:
            problems.append("relay: not yet publishing")
        for consumer in consumers:
            reason = await consumer_stalled(runtime.pool, runtime.name, consumer,
                                            runtime.settings.consumer_stall_seconds)
            if reason:
                problems.append(reason)
        for check in readiness:
            try:
                reason = await check(runtime)
            except Exception as exc:
                reason = f"check failed: {exc!r}"
            if reason:
                problems.append(reason)
        status = 503 if problems else 200
        return JSONResponse({"status": "ready" if not problems else "not ready",
                             "problems": problems}, status_code=status)

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse,
             responses={401: {}, 403: {}, 429: {}})
    async def metrics(request: Request, runtime: Runtime) -> Response:
        """Prometheus metrics of this process (an admin's token when CASETRACK_PROTECT_METRICS)."""
        if runtime.settings.protect_metrics:
            (await authenticate(request)).require(Role.ADMIN)
        await request.app.state.backlog.refresh()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    install_docs(app)

    for router in routers:
        app.include_router(router)
    if topic is not None:
        app.include_router(streams_router)
    return app


def serve(app_path: str, service: str) -> None:
    """Run a service's app with uvicorn on its configured port, loopback by default."""
    import uvicorn

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(app_path, factory=True, host=settings.host, port=settings.port_of(service),
                log_config=None, access_log=False, lifespan="on")

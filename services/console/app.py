"""The console's app: pages over the APIs, its own health, errors as pages, no database."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console import case_pages, register_pages, results_pages, review_pages, session_pages
from services.console.i18n import load_languages
from services.console.settings import console_settings
from services.console.upstream import ApiRefused, SignInExpired, Upstream
from services.console.web import CsrfRefused, NotFound, NotSignedIn, render
from services.runtime.auth import jwt_keys
from services.runtime.catalog import release
from services.runtime.logs import configure_logging, get_logger
from services.runtime.middleware import RequestContext
from services.runtime.settings import get_settings

log = get_logger(__name__)
STYLESHEET = Path(__file__).parent / "static" / "console.css"
READY_NEEDS = ("reporting", "review", "intake")


def create_app() -> FastAPI:
    """The console app; it reads and writes only through the owning services' APIs."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = get_settings()
        configure_logging(settings.log_level, settings.log_json)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one log line per page, not per call
        app.state.languages = load_languages()
        app.state.jwt_keys = jwt_keys(settings)
        app.state.upstream = Upstream.open(settings, console_settings().upstream_timeout)
        log.info("service.started", service="console")
        try:
            yield
        finally:
            await app.state.upstream.close()
            log.info("service.stopped", service="console")

    app = FastAPI(title="casetrack console", version="1", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.add_middleware(RequestContext, accepts_forms=True)
    _install_error_pages(app)
    stylesheet = STYLESHEET.read_bytes()

    @app.get("/static/console.css", include_in_schema=False)
    async def css() -> Response:
        return Response(stylesheet, media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/livez", include_in_schema=False)
    async def livez() -> dict[str, str]:
        return {"status": "ok", "service": "console", "version": release()}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        """Ready when the APIs the pages need answer."""
        upstream: Upstream = request.app.state.upstream
        problems = [f"{name}: not answering" for name in READY_NEEDS
                    if not await upstream.alive(name)]
        return JSONResponse({"status": "not ready" if problems else "ready",
                             "problems": problems}, status_code=503 if problems else 200)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for module in (session_pages, review_pages, case_pages, register_pages, results_pages):
        app.include_router(module.router)
    return app


def _install_error_pages(app: FastAPI) -> None:
    async def not_signed_in(request: Request, exc: Exception) -> Response:
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={target}", status_code=303)

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"status": 403, "reason": "csrf"}, status=403)

    async def not_found(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"status": 404, "reason": "not_found"}, status=404)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiRefused)
        if exc.status == 404:
            return await not_found(request, exc)
        status = exc.status if 400 <= exc.status < 500 else 502
        return render(request, "error.html", {"status": status, "reason": "refused",
                                              "problem": exc}, status=status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return await not_found(request, exc)
        return render(request, "error.html", {"status": exc.status_code, "reason": "http"},
                      status=exc.status_code)

    async def bad_request(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"status": 400, "reason": "http"}, status=400)

    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(SignInExpired, not_signed_in)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(ApiRefused, refused)
    app.add_exception_handler(StarletteHTTPException, http_error)

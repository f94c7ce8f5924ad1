"""/docs and /openapi.json, behind authentication when CASETRACK_PROTECT_DOCS is set."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from services.runtime.auth import authenticate


async def _guard(request: Request) -> None:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is not None and runtime.settings.protect_docs:
        await authenticate(request)


def install_docs(app: FastAPI) -> None:
    """Serve the OpenAPI document and Swagger UI, guarded by configuration."""

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        await _guard(request)
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        await _guard(request)
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} docs")

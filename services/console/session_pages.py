"""Signing in and out, choosing the language, and the home page each role starts from."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from services.console.i18n import LANG_COOKIE, LANGUAGES
from services.console.settings import console_settings
from services.console.web import (
    SESSION_COOKIE,
    CheckedForm,
    CurrentViewer,
    field,
    render,
    safe_next,
    set_cookie,
    verified,
)
from services.runtime.problems import Problem

router = APIRouter(include_in_schema=False)
LANG_COOKIE_AGE = 365 * 24 * 3600
HOME_OF_ROLE = {"monitor": "/reviews", "operator": "/my-work", "supervisor": "/cases",
                "analyst": "/results", "admin": "/cases"}


@router.get("/")
async def home(viewer: CurrentViewer) -> Response:
    """Where a person starts: monitors at the review queue, operators at their work."""
    return RedirectResponse(HOME_OF_ROLE.get(viewer.principal.role.value, "/cases"), status_code=303)


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    """The sign-in form (local mode: paste a token from `make token`)."""
    return render(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login")
async def login(request: Request, form: CheckedForm) -> Response:
    """Sign in with a bearer token; the session is an HttpOnly, SameSite=Strict cookie."""
    target = safe_next(field(form, "next"))
    if not console_settings().local_sign_in:
        return render(request, "login.html", {"next": target, "error": "proxy"}, status=403)
    token = field(form, "token").strip()
    try:
        await verified(request, token)
    except Problem:
        return render(request, "login.html", {"next": target, "error": "invalid"}, status=401)
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, SESSION_COOKIE, token, max_age=None)
    return response


@router.post("/logout")
async def logout(form: CheckedForm) -> Response:
    """Forget the session."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language")
async def choose_language(form: CheckedForm) -> Response:
    """Remember the chosen language in this browser and go back where the person was."""
    response = RedirectResponse(safe_next(field(form, "next")), status_code=303)
    chosen = field(form, "lang")
    if chosen in LANGUAGES:
        set_cookie(response, LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE)
    return response

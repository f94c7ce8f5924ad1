"""What every page needs: who is signed in, their language, CSRF, rendering and refusals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from services.console import csrf
from services.console.i18n import LANG_COOKIE, Language, pick_language
from services.console.settings import console_settings
from services.console.upstream import Upstream
from services.runtime.auth import Principal, VerificationKeys, principal_of_token
from services.runtime.problems import Problem

SESSION_COOKIE = "casetrack_session"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class NotSignedIn(Exception):
    """No valid session: the person is sent to the sign-in page."""


class CsrfRefused(Exception):
    """A form came without this browser's CSRF token."""


class NotFound(Exception):
    """Nothing to show at this address (or nothing this person may see)."""


def language_of(request: Request) -> Language:
    """The page language: the remembered choice, else the browser's."""
    languages: dict[str, Language] = request.app.state.languages
    return languages[pick_language(request.cookies.get(LANG_COOKIE),
                                   request.headers.get("accept-language"))]


def csrf_seed(request: Request) -> str:
    """This browser's CSRF cookie value, minted (and set on the response) when it has none."""
    seed = request.cookies.get(csrf.CSRF_COOKIE) or getattr(request.state, "new_csrf_seed", None)
    if seed is None:
        seed = csrf.new_seed()
        request.state.new_csrf_seed = seed
    return seed


def session_token(request: Request) -> str | None:
    """The bearer token of this request: the session cookie (local) or the proxy's header."""
    if console_settings().local_sign_in:
        return request.cookies.get(SESSION_COOKIE) or None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def verified(request: Request, token: str) -> Principal:
    """Who a token names, verified with the same keys the APIs use."""
    keys: VerificationKeys = request.app.state.jwt_keys
    return await principal_of_token(keys, token)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person of a request."""

    principal: Principal
    token: str

    @property
    def is_monitor(self) -> bool:
        """Whether they may claim and decide reviews."""
        return self.principal.role.value == "monitor"


async def current_viewer(request: Request) -> Viewer:
    """The signed-in person, or NotSignedIn."""
    token = session_token(request)
    if token is None:
        raise NotSignedIn
    try:
        principal = await verified(request, token)
    except Problem:
        raise NotSignedIn from None
    return Viewer(principal, token)


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def upstream(request: Request) -> Upstream:
    """The APIs client of the app."""
    client: Upstream = request.app.state.upstream
    return client


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches this browser's cookie."""
    form = await request.form()
    submitted = form.get(csrf.CSRF_FIELD)
    if not csrf.token_holds(console_settings().csrf_secret(), request.cookies.get(csrf.CSRF_COOKIE),
                            submitted if isinstance(submitted, str) else None):
        raise CsrfRefused
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def field(form: FormData, name: str) -> str:
    """A text field of a form ('' when absent or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def render(request: Request, template: str, context: dict[str, Any], status: int = 200,
           viewer: Viewer | None = None) -> HTMLResponse:
    """A page in the person's language, with a CSRF token for its forms and safe headers."""
    language = language_of(request)
    seed = csrf_seed(request)
    page = {"viewer": viewer, "csrf_token": csrf.form_token(console_settings().csrf_secret(), seed),
            "csrf_field": csrf.CSRF_FIELD, "path": request.url.path,
            "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
            "local_sign_in": console_settings().local_sign_in,
            "new_key": lambda: uuid.uuid4().hex, **context}
    response = HTMLResponse(language.render(template, page), status_code=status,
                            headers=SECURITY_HEADERS)
    response.headers["Content-Language"] = language.code
    if getattr(request.state, "new_csrf_seed", None):
        set_cookie(response, csrf.CSRF_COOKIE, seed, max_age=None)
    return response


def set_cookie(response: HTMLResponse | Any, name: str, value: str, max_age: int | None) -> None:
    """An HttpOnly, SameSite=Strict cookie for the whole console."""
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=console_settings().secure_cookies)


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target inside the console only (no scheme, no other host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target

"""The review queue: open reviews of the monitor's regions, claim, and record a verdict."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from events import FindingFlag, Verdict
from services.console.pages import Paging
from services.console.upstream import ApiRefused
from services.console.web import CheckedForm, CurrentViewer, field, render, upstream

router = APIRouter(include_in_schema=False)
QUEUE_STATUSES = ("open", "claimed", "decided")
NOTICES = ("claimed", "decided")


def refusal(exc: ApiRefused) -> dict[str, Any]:
    """What to tell the person when review refused a command (the kind picks the message)."""
    kinds = {"Four-eyes rule": "four_eyes", "Not a member of the monitoring group": "not_member"}
    kind = kinds.get(exc.title) or {403: "forbidden", 409: "conflict", 412: "conflict",
                                    422: "invalid"}.get(exc.status, "failed")
    return {"kind": kind, "status": exc.status, "title": exc.title, "detail": exc.detail,
            "field": exc.field}


@router.get("/reviews")
async def queue(request: Request, viewer: CurrentViewer,
                status: Annotated[str, Query(max_length=20)] = "open",
                region: Annotated[str, Query(max_length=10)] = "",
                page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    """The queue of a status (open by default), most urgent first."""
    status = status if status in QUEUE_STATUSES else "open"
    paging = Paging(page)
    body = await upstream(request).get("review", "/v1/reviews", viewer.token, {
        "status": status, "region": region, "limit": paging.size, "offset": paging.offset})
    return render(request, "reviews.html", {
        "reviews": body["items"], "paging": paging.of(body["total"]), "status": status,
        "region": region, "statuses": QUEUE_STATUSES}, viewer=viewer)


async def _review_page(request: Request, viewer: CurrentViewer, review_id: str,
                       problem: dict[str, Any] | None = None, status: int = 200,
                       notice: str | None = None) -> Response:
    review = await upstream(request).get("review", f"/v1/reviews/{review_id}", viewer.token)
    return render(request, "review.html", {
        "review": review, "verdicts": [v.value for v in Verdict],
        "flags": [f.value for f in FindingFlag], "problem": problem,
        "notice": notice if notice in NOTICES else None}, status=status, viewer=viewer)


@router.get("/reviews/{review_id}")
async def review_page(request: Request, viewer: CurrentViewer, review_id: str,
                      done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """One review: the subject, who took part, findings, and the forms to act on it."""
    return await _review_page(request, viewer, review_id, notice=done)


@router.post("/reviews/{review_id}/claim")
async def claim(request: Request, viewer: CurrentViewer, review_id: str, form: CheckedForm
                ) -> Response:
    """Claim a review for oneself."""
    try:
        await upstream(request).post("review", f"/v1/reviews/{review_id}/claim", viewer.token,
                                     _expected(form), field(form, "idempotency_key") or None)
    except ApiRefused as exc:
        if exc.status == 404:
            raise
        return await _review_page(request, viewer, review_id, refusal(exc), exc.status)
    return RedirectResponse(f"/reviews/{review_id}?done=claimed", status_code=303)


@router.post("/reviews/{review_id}/verdict")
async def verdict(request: Request, viewer: CurrentViewer, review_id: str, form: CheckedForm
                  ) -> Response:
    """Record the verdict with findings and flags."""
    body = {"verdict": field(form, "verdict"), "findings": field(form, "findings"),
            "flags": [f for f in form.getlist("flags") if isinstance(f, str)], **_expected(form)}
    try:
        await upstream(request).post("review", f"/v1/reviews/{review_id}/verdict", viewer.token,
                                     body, field(form, "idempotency_key") or None)
    except ApiRefused as exc:
        if exc.status == 404:
            raise
        return await _review_page(request, viewer, review_id, refusal(exc), exc.status)
    return RedirectResponse(f"/reviews/{review_id}?done=decided", status_code=303)


def _expected(form: Any) -> dict[str, int]:
    version = field(form, "expected_version")
    return {"expected_version": int(version)} if version.isdigit() else {}

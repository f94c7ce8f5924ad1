"""The review service's app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from events import REVIEW_TOPIC
from services.review.api import groups_router, reviews_router
from services.review.domain import errors
from services.review.opener import OPENER
from services.runtime.http import create_service_app
from services.runtime.problems import Problem, problem_response
from services.runtime.settings import Settings
from services.runtime.tlog.api import router as log_router

SERVICE = "review"

_STATUS: dict[type[errors.ReviewError], tuple[int, str, str | None]] = {
    errors.AlreadyDecided: (409, "Review already decided", None),
    errors.ClaimedByAnother: (409, "Review claimed by another monitor", None),
    errors.FourEyesViolation: (403, "Four-eyes rule", None),
    errors.NotAMember: (403, "Not a member of the monitoring group", None),
    errors.FindingsRequired: (422, "Findings required", "findings"),
    errors.GroupExists: (409, "Monitoring group exists", "region"),
    errors.MemberExists: (409, "Already a member", "monitor_id"),
    errors.UnknownMember: (404, "Not a member", "monitor_id"),
}


def domain_problem(exc: errors.ReviewError) -> Problem:
    """The problem+json a refused review command answers with."""
    status, title, field = _STATUS.get(type(exc), (409, "Conflict", None))
    if field is None:
        return Problem(status, title, str(exc))
    return Problem(status, title, str(exc), field=field)


def create_app(settings: Settings | None = None) -> FastAPI:
    """review: monitoring groups, review tasks and verdicts; publishes casetrack.review.v1."""
    app = create_service_app(SERVICE, routers=[reviews_router, groups_router, log_router],
                             topic=REVIEW_TOPIC, consumers=[OPENER],
                             description=__doc__ or "", settings=settings)

    async def on_review_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.ReviewError)
        return problem_response(domain_problem(exc), request)

    app.add_exception_handler(errors.ReviewError, on_review_error)
    return app

"""One family of refusals, one mapping: a refusal's kind decides its HTTP status, nothing else."""

from __future__ import annotations

from typing import cast

import asyncpg
import pytest

from services.intake.domain.errors import IllegalTransition
from services.review.domain.errors import FindingsRequired, UnknownMember
from services.runtime.context import ServiceRuntime
from services.runtime.errors import Conflict, DomainError, Forbidden, Gone, Invalid, NotFound
from services.runtime.problems import domain_problem
from services.runtime.settings import Settings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("refusal", "status", "title"), [
    (NotFound("no case c1"), 404, "Not Found"), (Conflict("closed"), 409, "Conflict"),
    (Forbidden("not yours"), 403, "Forbidden"), (Invalid("bad"), 422, "Unprocessable Content"),
    (Gone("erased"), 410, "Gone"), (DomainError("other"), 422, "Refused"),
])
def test_each_kind_of_refusal_answers_its_own_status(refusal: DomainError, status: int,
                                                      title: str) -> None:
    body = domain_problem(refusal).body()
    assert (body["status"], body["title"], body["detail"]) == (status, title, refusal.detail)


def test_a_service_refusal_keeps_its_title_field_and_facts_under_its_kinds_status() -> None:
    assert domain_problem(FindingsRequired("say why")).body() | {"type": "-"} == {
        "type": "-", "title": "Findings required", "status": 422, "detail": "say why",
        "field": "findings"}
    assert domain_problem(UnknownMember("m1 is not a member")).status == 404
    illegal = domain_problem(IllegalTransition("resolve", "registered", ["triage"])).body()
    assert (illegal["status"], illegal["current_state"], illegal["allowed_actions"]) == (
        409, "registered", ["triage"])


def test_a_part_no_lifespan_opened_is_a_clear_error_not_a_none() -> None:
    runtime = ServiceRuntime(name="intake", settings=Settings(CASETRACK_ENV="dev"),
                             pool=cast(asyncpg.Pool, object()))
    runtime.provide(Gone("a part of any type"))
    assert runtime.part(Gone).detail == "a part of any type"
    with pytest.raises(RuntimeError, match="intake has no NotFound"):
        runtime.part(NotFound)

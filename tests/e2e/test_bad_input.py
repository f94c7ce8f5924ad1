"""Bad input gets a clear problem+json naming what is wrong, and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from services.runtime.auth import issue_token
from tests.support.system import JWT_SECRET, RunningSystem, auth, token

pytestmark = pytest.mark.e2e

VALID = {"title": "Unlawful fee at the district police", "description": "Asked to pay for a form.",
         "region": "KZ-79", "sector": "police", "source": "citizen_reception"}


def _with(**changes: Any) -> dict[str, Any]:
    body = {**VALID, **changes}
    return {k: v for k, v in body.items() if v is not None}


BAD_BODIES = [
    pytest.param(_with(colour="red"), 422, "colour", id="unknown field"),
    pytest.param(_with(region="KZ-99"), 422, "region", id="wrong region code"),
    pytest.param({k: v for k, v in VALID.items() if k != "title"}, 422, "title", id="missing title"),
    pytest.param(_with(title="   "), 422, "title", id="blank title"),
    pytest.param(_with(description="x" * 10_001), 422, "description", id="oversized text"),
    pytest.param(_with(sector="banking"), 422, "sector", id="invalid enum"),
    pytest.param(_with(anonymous=True, reporter={"name": "A"}), 422, "body", id="anonymous with reporter"),
    pytest.param(_with(reporter={"phone": "call me"}), 422, "reporter.phone", id="bad phone"),
]


async def _stored_titles(db: asyncpg.Connection, marker: str) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM intake.events WHERE payload::text LIKE $1", f"%{marker}%")
    return count


@pytest.mark.parametrize(("body", "status", "field"), BAD_BODIES)
async def test_an_invalid_body_is_refused_with_the_field_named_and_nothing_stored(
    system: RunningSystem, db: asyncpg.Connection, body: dict[str, Any], status: int, field: str,
) -> None:
    marker = uuid.uuid4().hex
    body = {**body, "description": f"{body.get('description', '')}{marker}"[:20_000]}
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{system.intake_url}/v1/cases", json=body, headers=auth())
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"]
    assert field in {e["field"] for e in problem["errors"]}
    assert await _stored_titles(db, marker) == 0


async def test_malformed_json_is_refused_as_a_bad_request(system: RunningSystem) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{system.intake_url}/v1/cases", content=b'{"title": "x",',
                                     headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_body_over_the_size_limit_is_refused_before_it_is_read(
    system: RunningSystem,
) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{system.intake_url}/v1/cases",
                                     content=b"{" + b" " * 400_000 + b"}",
                                     headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["title"] == "Payload Too Large"


BAD_TOKENS = [
    pytest.param({}, id="no token"),
    pytest.param({"Authorization": "Bearer " + token(ttl=-10)}, id="expired token"),
    pytest.param({"Authorization": "Bearer " + issue_token(
        "mallory", "admin", ["*"], secret="forged-secret-forged-secret-forged-secret")},
        id="forged token"),
    pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="wrong scheme"),
    pytest.param({"Authorization": "Bearer not.a.jwt"}, id="garbage token"),
]


@pytest.mark.parametrize("headers", BAD_TOKENS)
async def test_requests_without_a_valid_token_are_unauthorized_and_store_nothing(
    system: RunningSystem, db: asyncpg.Connection, headers: dict[str, str],
) -> None:
    marker = uuid.uuid4().hex
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{system.intake_url}/v1/cases",
                                     json=_with(description=marker), headers=headers)
        listing = await client.get(f"{system.reporting_url}/v1/cases", headers=headers)
    assert response.status_code == 401 and listing.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert await _stored_titles(db, marker) == 0


async def test_a_caller_cannot_register_in_another_region(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    marker = uuid.uuid4().hex
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{system.intake_url}/v1/cases",
                                     json=_with(description=marker),
                                     headers=auth("operator", ["KZ-75"]))
    assert response.status_code == 403
    assert response.json()["field"] == "region"
    assert await _stored_titles(db, marker) == 0


async def test_an_analyst_cannot_register_cases(system: RunningSystem) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{system.intake_url}/v1/cases", json=VALID,
                                     headers=auth("analyst", ["*"]))
    assert response.status_code == 403


async def test_cases_of_other_regions_answer_not_found_everywhere(system: RunningSystem) -> None:
    async with httpx.AsyncClient() as client:
        created = await client.post(f"{system.intake_url}/v1/cases", json=VALID, headers=auth())
        case_id = created.json()["id"]
        outsider = auth("supervisor", ["KZ-75"])
        at_intake = await client.get(f"{system.intake_url}/v1/cases/{case_id}", headers=outsider)
        history = await client.get(f"{system.reporting_url}/v1/cases/{case_id}/history",
                                   headers=outsider)
        listing = await client.get(f"{system.reporting_url}/v1/cases", params={"limit": 500},
                                   headers=outsider)
    assert at_intake.status_code == 404 and history.status_code == 404
    assert all(c["region"] == "KZ-75" for c in listing.json()["items"])


async def test_a_token_for_another_secret_is_refused(system: RunningSystem) -> None:
    assert JWT_SECRET not in ("", None)
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{system.intake_url}/v1/cases/x",
                                    headers={"Authorization": "Bearer " + token(secret="x" * 40)})
    assert response.status_code == 401

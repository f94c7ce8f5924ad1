"""A small client for intake's API in tests: tokens per role, writes that fetch the version."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from events import Actor, EventEnvelope, message_headers, new_event_id
from tests.support.system import RunningSystem, auth

REGION = "KZ-75"
CASE = {
    "title": "Bribe demanded for land plot registration",
    "description": "A land department official asked for money to speed up the plot.",
    "region": REGION, "sector": "land", "source": "hotline", "district": "Bostandyk",
}


def directive_body(**overrides: Any) -> dict[str, Any]:
    """A valid POST /v1/directives body, due in three weeks."""
    return {
        "title": "Revise the land plot regulation", "text": "Analyse corruption risks; report.",
        "issuing_authority": "Anti-Corruption Agency", "addressee_body": "Almaty land dept",
        "region": REGION, "due_date": (date.today() + timedelta(days=21)).isoformat(),
        "meeting_reference": "Protocol 14", **overrides,
    }


def as_(role: str, sub: str | None = None, regions: list[str] | None = None) -> dict[str, str]:
    """Headers for a caller of a role in KZ-75 (or the given regions)."""
    return auth(role, regions if regions is not None else [REGION], sub or f"{role}-1")


@dataclass
class Intake:
    """intake's API as a test drives it."""

    http: httpx.AsyncClient
    system: RunningSystem

    @property
    def url(self) -> str:
        return self.system.intake_url

    async def register(self, role: str = "operator", **overrides: Any) -> dict[str, Any]:
        """A new case; fails the test unless 201."""
        response = await self.http.post(f"{self.url}/v1/cases", json={**CASE, **overrides},
                                        headers=as_(role))
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def get(self, path: str, role: str = "supervisor", **params: Any) -> httpx.Response:
        """GET a path of intake."""
        return await self.http.get(f"{self.url}{path}", headers=as_(role), params=params)

    async def in_status(self, path: str, status: str) -> dict[str, Any] | None:
        """The view at a path if it is in the status, else None (for `eventually`)."""
        view: dict[str, Any] = (await self.get(path)).json()
        return view if view["status"] == status else None

    async def post(self, path: str, body: dict[str, Any], role: str = "operator",
                   headers: dict[str, str] | None = None, sub: str | None = None
                   ) -> httpx.Response:
        """POST to intake as a role."""
        return await self.http.post(f"{self.url}{path}", json=body,
                                    headers={**as_(role, sub), **(headers or {})})

    async def ok(self, path: str, body: dict[str, Any], role: str = "operator",
                 sub: str | None = None) -> dict[str, Any]:
        """A write that must succeed (2xx), returning the new view."""
        response = await self.post(path, body, role, sub=sub)
        assert response.is_success, response.text
        assert response.headers["etag"] == f'"{response.json()["version"]}"'
        view: dict[str, Any] = response.json()
        return view




MADE_UP_VERSION = 1000
"""Where made-up events go in a real stream: beyond any version the tests' streams reach."""


def foreign_event(stream_type: str, stream_id: str, event_type: str, payload: dict[str, Any],
                  version: int = 1, occurred_at: datetime | None = None) -> EventEnvelope:
    """An envelope as the assignment or review service would publish it."""
    at = occurred_at or datetime.now(UTC)
    return EventEnvelope.seal(
        prev_hash="0" * 64, stream_id=stream_id, stream_type=stream_type, version=version,
        event_id=new_event_id(), event_type=event_type, schema_version=1, occurred_at=at,
        recorded_at=at, actor=Actor(id="monitor-7", role="monitor", region=REGION),
        correlation_id=f"corr-{uuid.uuid4().hex}", causation_id=None, payload=payload)


async def publish(bootstrap: str, topic: str, envelopes: list[EventEnvelope]) -> None:
    """Publish envelopes to a topic, in the order given."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(topic, envelope.to_wire(),
                                         key=envelope.stream_id.encode(),
                                         headers=message_headers(envelope))
    finally:
        await producer.stop()


def assignment_made(case_id: str, officer_id: str, at: datetime | None = None) -> EventEnvelope:
    """assignment.made for a case, as the assignment service publishes it.

    On the case's own assignment stream (so on its partition, in order with the real events),
    far past its real versions: reporting keeps the first event of each stream slot, so a
    made-up one at a real version could hide the real event from reporting.
    """
    return foreign_event("assignment", case_id, "assignment.made", {
        "subject_id": case_id, "subject_type": "case", "region": REGION,
        "office_id": "office-kz75", "officer_id": officer_id, "kind": "automatic",
        "rule": "least_loaded", "reason": "automatic assignment", "previous_officer_id": None,
    }, version=MADE_UP_VERSION, occurred_at=at)


def review_opened(review_id: str, subject_id: str, subject_type: str = "case",
                  at: datetime | None = None) -> EventEnvelope:
    """review.opened, as the review service publishes it."""
    return foreign_event("review", review_id, "review.opened", {
        "subject_id": subject_id, "subject_type": subject_type, "region": REGION,
        "reason": "sampled" if subject_type == "case" else "directive_report",
        "due_date": (date.today() + timedelta(days=20)).isoformat(), "previous_review_id": None,
        "resolver_id": None, "assignee_id": None, "trigger_event_id": str(new_event_id()),
    }, occurred_at=at)


def verdict_recorded(review_id: str, subject_id: str, verdict: str, subject_type: str = "case",
                     at: datetime | None = None, findings: str = "") -> EventEnvelope:
    """review.verdict_recorded, as the review service publishes it."""
    return foreign_event("review", review_id, "review.verdict_recorded", {
        "subject_id": subject_id, "subject_type": subject_type, "verdict": verdict,
        "findings": findings, "flags": ["insufficient_evidence"] if verdict == "returned" else [],
        "reviewer_id": "monitor-7",
    }, version=2, occurred_at=at)

"""Reporter identity: readable in clear only by the region's supervisors and admins, every read
recorded; after erasure the contact appears nowhere, and every hash chain still verifies."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from events import INTAKE_TOPIC, EventEnvelope, verify_chain
from tests.e2e.intake.client import Intake, as_
from tests.support.kafka import read_topic
from tests.support.system import RunningSystem
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

ROLES = ("operator", "supervisor", "monitor", "analyst", "admin")


async def test_a_canary_reporter_is_readable_before_erasure_and_nowhere_after(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    witness = f"WITNESS-{uuid.uuid4().hex}"
    phone = "+7 701 " + str(uuid.uuid4().int)[:7]
    async with httpx.AsyncClient() as http:
        api = Intake(http, system)
        case = await api.register(
            anonymous=False, reporter={"name": canary, "phone": phone, "email": f"{canary}@x.kz"},
            witnesses=[{"name": witness}])
        cid = case["id"]
        assert case["has_reporter"] is True and canary not in str(case)
        await api.ok(f"/v1/cases/{cid}/triage", {"risk_level": "high", "category": "land"})

        seen = await api.get(f"/v1/cases/{cid}/reporter", role="supervisor",
                             purpose="call the reporter back about the plot")
        assert seen.status_code == 200, seen.text
        assert seen.json()["reporter"]["name"] == canary
        assert [w["name"] for w in seen.json()["witnesses"]] == [witness]
        by_admin = await http.get(f"{system.intake_url}/v1/cases/{cid}/reporter",
                                  headers=as_("admin", "admin-1", ["*"]),
                                  params={"purpose": "audit"})
        assert by_admin.status_code == 200 and by_admin.json()["reporter"]["name"] == canary

        envelopes = (await api.get(f"/v1/streams/{cid}/events", role="admin")).json()["events"]
        disclosures = [e for e in envelopes if e["event_type"] == "case.reporter_disclosed"]
        assert [(d["payload"]["viewer_id"], d["payload"]["purpose"]) for d in disclosures] == [
            ("supervisor-1", "call the reporter back about the plot"), ("admin-1", "audit")]

        missing_reason = await api.post(f"/v1/cases/{cid}/erase-reporter", {}, role="admin")
        assert missing_reason.status_code == 422
        erased = await api.ok(f"/v1/cases/{cid}/erase-reporter",
                              {"reason": "data subject asked for erasure"}, role="admin")
        assert erased["reporter_erased"] is True and erased["has_reporter"] is False
        again = await api.post(f"/v1/cases/{cid}/erase-reporter", {"reason": "twice"},
                               role="admin")
        assert again.status_code == 409

        texts: list[str] = []
        for role in ROLES:
            headers = as_(role)
            for path in (f"/v1/cases/{cid}", f"/v1/cases/{cid}/reporter?purpose=after",
                         f"/v1/streams/{cid}/events"):
                response = await http.get(f"{system.intake_url}{path}", headers=headers)
                assert response.status_code in (200, 403, 410), (role, path, response.text)
                if path.endswith("purpose=after") and role in ("supervisor", "admin"):
                    assert response.status_code == 410
                texts.append(response.text)

        async def erased_in_reporting() -> Any:
            history = await http.get(f"{system.reporting_url}/v1/cases/{cid}/history",
                                     headers=as_("admin", regions=["*"]))
            body = history.json()
            if any(e["event_type"] == "case.reporter_erased" for e in body.get("events", [])):
                return body
            return None

        history = await eventually(erased_in_reporting)
        assert history["chain_verified"] is True
        texts.append(str(history))
        register = await http.get(f"{system.reporting_url}/v1/cases",
                                  params={"region": "KZ-75", "limit": 500},
                                  headers=as_("admin", regions=["*"]))
        texts.append(register.text)

        stream = [EventEnvelope.model_validate(e) for e in (await api.get(
            f"/v1/streams/{cid}/events", role="admin")).json()["events"]]
        assert verify_chain(stream).ok

    records = await read_topic(system.bootstrap, INTAKE_TOPIC, lambda rs: any(
        r.key == cid.encode() and b"case.reporter_erased" in (r.value or b"") for r in rs))
    topic_bytes = b"".join((r.value or b"") + b"".join(v for _, v in r.headers) for r in records)
    assert b"case.reporter_erased" in topic_bytes

    rows = await db.fetch("SELECT k.wrapped_key, k.destroyed_at, e.ciphertext, e.nonce"
                          " FROM intake.vault_keys k JOIN intake.vault_entries e USING (key_id)"
                          " WHERE k.subject_id = $1", cid)
    assert rows and all(r["wrapped_key"] is None and r["ciphertext"] is None
                        and r["nonce"] is None and r["destroyed_at"] is not None for r in rows)
    stored = await db.fetchval(
        "SELECT string_agg(payload::text, '') FROM intake.events WHERE stream_id = $1", cid)

    logs = system.logs()
    for secret in (canary, witness, phone):
        for text in texts:
            assert secret not in text
        assert secret.encode() not in topic_bytes
        assert secret not in logs
        assert secret not in stored

"""`/v1/log/*` on an owning service: checkpoints, keys, proofs and cosignatures over HTTP."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest

from events.tlog import (
    Cosigner,
    leaf_hash,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    verify_consistency,
    verify_inclusion,
)
from tests.integration.tlog.conftest import bearer

pytestmark = pytest.mark.integration


async def a_checkpoint(client: httpx.AsyncClient) -> str:
    response = await client.post("/v1/log/checkpoint", headers=bearer("admin"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def a_group(client: httpx.AsyncClient) -> dict[str, object]:
    """A new member in a monitoring group appends a review event (something for the log to hold)."""
    groups = (await client.get("/v1/monitoring-groups", headers=bearer("admin"))).json()["items"]
    if not groups:
        formed = await client.post("/v1/monitoring-groups", headers=bearer("admin"),
                                   json={"name": "Almaty monitors", "region": "KZ-75"})
        assert formed.status_code == 201, formed.text
        groups = [formed.json()]
    group: dict[str, object] = groups[0]
    added = await client.post(f"/v1/monitoring-groups/{group['id']}/members", headers=bearer("admin"),
                              json={"monitor_id": f"mon-{uuid.uuid4().hex[:8]}", "name": "Dana"})
    assert added.is_success, added.text
    return group


async def test_every_event_is_provable_against_the_signed_checkpoint(log_client: httpx.AsyncClient) -> None:
    group = await a_group(log_client)
    keys = (await log_client.get("/v1/log/keys", headers=bearer("analyst"))).json()
    log_key = parse_verifier_key(keys["current"])
    assert keys["origin"] == log_key.name == "casetrack/review/local"
    note, _ = open_note(await a_checkpoint(log_client), [log_key])
    checkpoint = parse_checkpoint(note.text)
    stream = (await log_client.get(f"/v1/streams/{group['id']}/events", headers=bearer("admin"))).json()
    event = stream["events"][0]
    proof = (await log_client.get("/v1/log/proofs/inclusion", headers=bearer("monitor"),
                                  params={"event_id": event["event_id"],
                                          "tree_size": checkpoint.size})).json()
    assert proof["leaf_index"] == stream["leaf_indexes"][event["event_id"]]
    verify_inclusion(leaf_hash(bytes.fromhex(event["hash"])), proof["leaf_index"], checkpoint.size,
                     [base64.b64decode(h) for h in proof["hashes"]], checkpoint.root)

    await a_group(log_client)
    later = parse_checkpoint(open_note(await a_checkpoint(log_client), [log_key])[0].text)
    consistency = (await log_client.get("/v1/log/proofs/consistency", headers=bearer("monitor"),
                                        params={"from": checkpoint.size, "to": later.size})).json()
    verify_consistency(checkpoint.size, later.size, checkpoint.root, later.root,
                       [base64.b64decode(h) for h in consistency["hashes"]])


async def test_a_monitor_cosignature_is_served_with_the_checkpoint(log_client: httpx.AsyncClient) -> None:
    await a_group(log_client)
    served = await a_checkpoint(log_client)
    text = served[: served.index("\n\n") + 1]
    witness = Cosigner.from_key(Cosigner.generate("monitors.example/api-test"))
    body = {"checkpoint": served + witness.cosign(text, 1_800_000_000).line(),
            "witness_key": witness.verifier().vkey()}
    refused = await log_client.post("/v1/log/cosignatures", headers=bearer("operator"), json=body)
    assert refused.status_code == 403
    accepted = await log_client.post("/v1/log/cosignatures", headers=bearer("monitor"), json=body)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["tree_size"] == parse_checkpoint(text).size
    witnessed = await log_client.get("/v1/log/checkpoint", headers=bearer("monitor"),
                                     params={"witnessed": "true"})
    _, cosigned = open_note(witnessed.text, [witness.verifier()])
    assert cosigned[0].name == "monitors.example/api-test"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/v1/log/proofs/consistency", {"from": 5, "to": 2}, "from"),
    ("/v1/log/proofs/consistency", {"from": 0, "to": 2**61}, "to"),
    ("/v1/log/proofs/consistency", {"from": -1, "to": 2}, "from"),
    ("/v1/log/proofs/inclusion", {"event_id": "not-a-uuid"}, "event_id"),
])
async def test_bad_proof_requests_are_named_problems_that_change_nothing(
        log_client: httpx.AsyncClient, path: str, params: dict[str, object], field: str) -> None:
    response = await log_client.get(path, headers=bearer("monitor"), params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_an_event_not_in_the_log_is_a_404(log_client: httpx.AsyncClient) -> None:
    response = await log_client.get("/v1/log/proofs/inclusion", headers=bearer("monitor"),
                                    params={"event_id": str(uuid.uuid4())})
    assert response.status_code == 404


async def test_a_cosignature_of_a_checkpoint_never_issued_is_refused(log_client: httpx.AsyncClient) -> None:
    witness = Cosigner.from_key(Cosigner.generate("monitors.example/api-test"))
    text = "casetrack/review/local\n999999\n" + base64.b64encode(b"\x00" * 32).decode() + "\n"
    forged = text + "\n" + witness.cosign(text, 1_800_000_000).line()
    response = await log_client.post("/v1/log/cosignatures", headers=bearer("monitor"), json={
        "checkpoint": forged, "witness_key": witness.verifier().vkey()})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "checkpoint"


def test_openapi_documents_the_log_routes(log_client: httpx.AsyncClient) -> None:
    app = log_client._transport.app  # type: ignore[attr-defined]
    paths = app.openapi()["paths"]
    assert "text/plain" in paths["/v1/log/checkpoint"]["get"]["responses"]["200"]["content"]
    for path in ("/v1/log/keys", "/v1/log/proofs/inclusion", "/v1/log/proofs/consistency",
                 "/v1/log/cosignatures"):
        assert path in paths

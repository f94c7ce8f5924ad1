"""Rules of the golden samples: one per registered type and version, each still exact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events import REGISTRY, EventEnvelope, canonical_json, compute_hash, verify_chain

pytestmark = pytest.mark.unit

GOLDEN_DIR = Path(__file__).resolve().parents[3] / "events" / "golden"
REGISTERED = REGISTRY.types()


def _golden(event_type: str, version: int) -> dict[str, Any]:
    path = GOLDEN_DIR / f"{event_type}.v{version}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(("event_type", "version"), REGISTERED)
def test_every_registered_type_and_version_has_a_golden_sample(event_type: str, version: int) -> None:
    assert (GOLDEN_DIR / f"{event_type}.v{version}.json").is_file()


def test_every_golden_sample_belongs_to_a_registered_type_and_version() -> None:
    names = {f"{event_type}.v{version}.json" for event_type, version in REGISTERED}
    assert {path.name for path in GOLDEN_DIR.glob("*.json")} <= names


@pytest.mark.parametrize(("event_type", "version"), REGISTERED)
def test_a_golden_sample_reserialises_to_identical_canonical_bytes(event_type: str, version: int) -> None:
    raw = _golden(event_type, version)
    envelope = EventEnvelope.from_wire(canonical_json(raw))
    assert envelope.to_wire() == canonical_json(raw)
    assert (envelope.event_type, envelope.schema_version) == (event_type, version)


@pytest.mark.parametrize(("event_type", "version"), REGISTERED)
def test_a_golden_payload_decodes_and_encodes_back_unchanged(event_type: str, version: int) -> None:
    envelope = EventEnvelope.model_validate(_golden(event_type, version))
    decoded = REGISTRY.decode(event_type, version, envelope.payload)
    if REGISTRY.latest_version(event_type) == version:
        assert REGISTRY.encode(decoded) == (event_type, version, envelope.payload)


@pytest.mark.parametrize(("event_type", "version"), REGISTERED)
def test_a_golden_samples_hash_verifies(event_type: str, version: int) -> None:
    envelope = EventEnvelope.model_validate(_golden(event_type, version))
    assert envelope.hash == compute_hash(envelope.prev_hash, envelope.hashed_body())
    if envelope.version == 1:
        assert verify_chain([envelope]).ok

"""Rules of the generated JSON Schemas and AsyncAPI document: present, annotated, up to date."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from events import (
    ANALYTICS_TOPIC,
    ASSIGNMENT_TOPIC,
    INTAKE_TOPIC,
    REGISTRY,
    REVIEW_TOPIC,
    TOPIC_PARTITIONS,
    schema_gen,
)

pytestmark = pytest.mark.unit


def _load(relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((schema_gen.PACKAGE_DIR / relative).read_text("utf-8"))
    return data


def test_generated_files_on_disk_are_up_to_date() -> None:
    """If this fails, run ``python -m events.schema_gen`` and commit the result."""
    assert schema_gen.stale_files() == []
    assert schema_gen.main(["--check"]) == 0


def test_check_detects_an_edited_or_orphaned_schema_file(tmp_path: Path) -> None:
    schema_gen.write(tmp_path)
    assert schema_gen.stale_files(tmp_path) == []
    (tmp_path / "schemas" / "envelope.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schemas" / "case.retired.v1.json").write_text("{}\n", encoding="utf-8")
    assert schema_gen.stale_files(tmp_path) == [
        "schemas/case.retired.v1.json",
        "schemas/envelope.json",
    ]


def test_check_detects_a_missing_file(tmp_path: Path) -> None:
    shutil.copytree(schema_gen.PACKAGE_DIR / "schemas", tmp_path / "schemas")
    assert schema_gen.stale_files(tmp_path) == ["asyncapi.json"]


@pytest.mark.parametrize(("event_type", "version"), REGISTRY.types())
def test_each_payload_schema_has_an_id_title_and_pii_list(event_type: str, version: int) -> None:
    schema = _load(f"schemas/{event_type}.v{version}.json")
    assert schema["$id"] == f"urn:casetrack:events:{event_type}:v{version}"
    assert event_type in schema["title"]
    assert schema["x-pii-fields"] == sorted(REGISTRY.pii_fields(event_type, version))
    assert schema["additionalProperties"] is False


def test_the_envelope_schema_requires_the_hash_chain_fields() -> None:
    schema = _load("schemas/envelope.json")
    assert {"prev_hash", "hash", "event_id", "stream_id", "version"} <= set(schema["required"])


def test_asyncapi_describes_the_four_topics_and_the_dead_letter_pattern() -> None:
    doc = _load("asyncapi.json")
    assert doc["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in doc["channels"].values()}
    assert addresses == {INTAKE_TOPIC, ASSIGNMENT_TOPIC, REVIEW_TOPIC, ANALYTICS_TOPIC, "{consumer}.dlq"}
    for channel in doc["channels"].values():
        partitions = channel["bindings"]["kafka"]["partitions"]
        assert partitions == TOPIC_PARTITIONS.get(channel["address"], 1)


@pytest.mark.parametrize(("event_type", "version"), REGISTRY.types())
def test_asyncapi_has_a_message_per_type_keyed_by_stream_id(event_type: str, version: int) -> None:
    doc = _load("asyncapi.json")
    message = doc["components"]["messages"][f"{event_type}.v{version}"]
    assert {"$ref": f"schemas/{event_type}.v{version}.json"} in [
        part.get("properties", {}).get("payload") for part in message["payload"]["allOf"]
    ]
    assert "stream_id" in message["bindings"]["kafka"]["key"]["description"]
    assert (schema_gen.PACKAGE_DIR / f"schemas/{event_type}.v{version}.json").is_file()


def test_asyncapi_documents_the_analytics_topic_as_the_published_fact() -> None:
    doc = _load("asyncapi.json")
    (channel,) = [c for c in doc["channels"].values() if c["address"] == ANALYTICS_TOPIC]
    (ref,) = channel["messages"].values()
    message = doc["components"]["messages"][ref["$ref"].rsplit("/", 1)[1]]
    fact_schema = _load(message["payload"]["$ref"])
    assert fact_schema["$id"] == "casetrack.analytics.fact.v1"
    assert "pseudonym" in message["bindings"]["kafka"]["key"]["description"]

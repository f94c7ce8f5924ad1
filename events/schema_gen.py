"""Generates the contract's JSON Schemas and AsyncAPI document: ``python -m events.schema_gen``.

``--check`` writes nothing and exits 1 when the files on disk differ from what would be generated.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from events.asyncapi import build_asyncapi, schema_file
from events.envelope import EventEnvelope
from events.registry import REGISTRY, EventRegistry

PACKAGE_DIR = Path(__file__).resolve().parent
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_PREFIX = "urn:casetrack:events:"


def payload_schema(registry: EventRegistry, event_type: str, version: int) -> dict[str, Any]:
    """JSON Schema of one payload type and version, annotated with its PII fields."""
    model = registry.model_for(event_type, version)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{ID_PREFIX}{event_type}:v{version}",
        **model.model_json_schema(),
        "title": f"{event_type} v{version} ({model.__name__})",
        "x-event-type": event_type,
        "x-schema-version": version,
        "x-pii-fields": sorted(registry.pii_fields(event_type, version)),
    }


def envelope_schema() -> dict[str, Any]:
    """JSON Schema of the envelope every message value and stored event conforms to."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{ID_PREFIX}envelope",
        **EventEnvelope.model_json_schema(),
        "title": "EventEnvelope",
    }


def render(registry: EventRegistry = REGISTRY) -> dict[str, str]:
    """Every generated file's text, keyed by its path relative to the ``events`` package."""
    documents = {schema_file(t, v): payload_schema(registry, t, v) for t, v in registry.types()}
    documents["schemas/envelope.json"] = envelope_schema()
    documents["asyncapi.json"] = build_asyncapi(registry)
    return {path: json.dumps(doc, indent=2, ensure_ascii=False) + "\n" for path, doc in documents.items()}


def stale_files(root: Path = PACKAGE_DIR, registry: EventRegistry = REGISTRY) -> list[str]:
    """Generated files that are missing or differ on disk, plus schema files nothing generates."""
    expected = render(registry)
    differing = [
        path
        for path, text in expected.items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]
    orphans = [
        f"schemas/{found.name}"
        for found in sorted((root / "schemas").glob("*.json"))
        if f"schemas/{found.name}" not in expected
    ]
    return sorted(differing + orphans)


def write(root: Path = PACKAGE_DIR, registry: EventRegistry = REGISTRY) -> list[str]:
    """Write every generated file under ``root``; returns the paths whose content changed."""
    changed = []
    for path, text in render(registry).items():
        target = root / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m events.schema_gen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if generated files are stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale: events/{path}", file=sys.stderr)
        if stale:
            print("run: python -m events.schema_gen", file=sys.stderr)
        return 1 if stale else 0
    for path in write():
        print(f"wrote events/{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

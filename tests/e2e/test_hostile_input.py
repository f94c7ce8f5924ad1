"""Hostile input, by class: every string, number and date any route accepts refuses what it must.

The probes are generated from the OpenAPI documents, so a route added later is probed too: a NUL
or another control character, a number past any bound and a date past the horizon each answer
422 problem+json naming the field, never 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.openapi import Operation, operations, resolve, types_of
from tests.support.system import RunningSystem, auth

pytestmark = pytest.mark.e2e

NUL = "a\x00b"
HUGE = 10**20
FAR_DATE = "9999-12-31"
FAR_INSTANT = "9999-12-31T23:00:00-05:00"


@dataclass(frozen=True)
class Probe:
    """One hostile value in one place of one operation, and the field the answer must name."""

    operation: Operation
    where: str  # path, query, header or body
    field: str
    value: Any

    @property
    def id(self) -> str:
        return f"{self.operation.key} {self.where}:{self.field}={self.value!r}"[:160]


def _bad_values(service: str, schema: dict[str, Any]) -> list[Any]:
    """The hostile values for a schema: text gets a NUL, numbers get 10^20, dates the year 9999."""
    types = types_of(service, schema)
    options = [schema, *schema.get("anyOf", [])]
    formats = {o.get("format") for o in options}
    if "date" in formats:
        return [FAR_DATE]
    if "date-time" in formats:
        return [FAR_INSTANT]
    values: list[Any] = []
    if "string" in types and "enum" not in types:
        values.append(NUL)
    if "integer" in types or "number" in types:
        values.append(HUGE)
    return values


def _body_probes(operation: Operation) -> list[Probe]:
    schema = operation.body_schema()
    if schema is None:
        return []
    probes = []
    for name, prop in schema.get("properties", {}).items():
        for value in _bad_values(operation.service, prop):
            probes.append(Probe(operation, "body", name, {name: value}))
        items = [o.get("items") for o in [prop, *prop.get("anyOf", [])] if o.get("items")]
        for item in items:
            for value in _bad_values(operation.service, item):
                probes.append(Probe(operation, "body", f"{name}.0", {name: [value]}))
        nested = resolve(operation.service, prop)
        for sub, sub_prop in nested.get("properties", {}).items() if nested is not prop else ():
            for value in _bad_values(operation.service, sub_prop):
                probes.append(Probe(operation, "body", f"{name}.{sub}", {name: {sub: value}}))
    return probes


def _probes() -> list[Probe]:
    probes: list[Probe] = []
    for operation in operations():
        for param in operation.parameters:
            where, name = param["in"], param["name"]
            if where == "header":
                if name.lower() == "if-match":
                    probes.append(Probe(operation, where, name, "not-an-etag"))
                continue
            for value in _bad_values(operation.service, param["schema"]):
                probes.append(Probe(operation, where, name, value))
        probes.extend(_body_probes(operation))
    return probes


PROBES = _probes()


def _request(system: RunningSystem, probe: Probe) -> httpx.Request:
    op = probe.operation
    path, query, headers = op.path, {}, auth()
    for param in op.parameters:
        if param["in"] == "path":
            hostile = probe.where == "path" and param["name"] == probe.field
            path = path.replace("{" + param["name"] + "}", quote(str(probe.value)) if hostile
                                else "x")
    if probe.where == "query":
        query[probe.field] = str(probe.value)
    if probe.where == "header":
        headers[probe.field] = probe.value
    body = probe.value if probe.where == "body" else None
    if body is None and op.body_schema() is not None:
        body = {}
    return httpx.Request(op.method.upper(), f"{system.urls[op.service]}{path}", params=query,
                         headers=headers, json=body)


def test_every_string_number_and_date_parameter_is_probed() -> None:
    """The generator finds the parameters the issue named, so it cannot silently probe nothing."""
    ids = {p.id for p in PROBES}
    for expected in ("intake POST /v1/cases body:district", "intake GET /v1/cases/{case_id} path:",
                     "reporting GET /v1/cases query:district", "reporting GET /v1/cases query:offset",
                     "assignment GET /v1/officers query:office", "review GET /v1/reviews query:offset",
                     "intake POST /v1/directives body:due_date"):
        assert any(i.startswith(expected) for i in ids), expected


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
async def test_a_hostile_value_is_refused_with_422_naming_the_field(
    system: RunningSystem, probe: Probe,
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.send(_request(system, probe))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in response.json().get("errors", [])}
    assert probe.field in fields, response.text

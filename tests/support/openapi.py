"""Every service's operations, read from its OpenAPI document (the routes a test must cover)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from services.runtime.catalog import service_processes

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def openapi_of(service: str) -> dict[str, Any]:
    """A service's OpenAPI document, generated in process (no I/O: the lifespan does not run)."""
    module = importlib.import_module(f"services.{service}.app")
    document: dict[str, Any] = module.create_app().openapi()
    return document


def api_services() -> list[str]:
    """The services with an HTTP API."""
    return [p.service for p in service_processes() if p.api]


@dataclass(frozen=True)
class Operation:
    """One documented operation of one service."""

    service: str
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def key(self) -> str:
        """`service METHOD /path`, how tables and test ids name it."""
        return f"{self.service} {self.method.upper()} {self.path}"

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """Its path, query and header parameters."""
        return list(self.spec.get("parameters", []))

    def body_schema(self) -> dict[str, Any] | None:
        """The JSON schema of its request body, references resolved one level."""
        content = self.spec.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return None if schema is None else resolve(self.service, schema)


def operations() -> Iterator[Operation]:
    """Every operation of every service, health and docs included."""
    for service in api_services():
        for path, item in openapi_of(service)["paths"].items():
            for method in METHODS:
                if method in item:
                    yield Operation(service, method, path, item[method])


def resolve(service: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` (or a nullable `anyOf` around one) followed."""
    for option in schema.get("anyOf", []):
        if "$ref" in option:
            return resolve(service, option)
    ref = schema.get("$ref")
    if ref is None:
        return schema
    name = ref.rsplit("/", 1)[-1]
    resolved: dict[str, Any] = openapi_of(service)["components"]["schemas"][name]
    return resolved


def types_of(service: str, schema: dict[str, Any]) -> set[str]:
    """The JSON types a schema admits (through anyOf and references)."""
    schema = resolve(service, schema) if "$ref" in schema else schema
    found: set[str] = set()
    if "type" in schema:
        found.add(schema["type"])
    for option in schema.get("anyOf", []):
        found |= types_of(service, option)
    if "enum" in schema:
        found.add("enum")
    return found

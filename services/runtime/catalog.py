"""Which services exist and which processes each runs: an HTTP API and, if it consumes, a worker."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec

SERVICES: tuple[str, ...] = ("intake", "assignment", "review", "reporting", "console")


@dataclass(frozen=True)
class ServiceProcessInfo:
    """One process of a service: `python -m <module>`; `api` ones answer /readyz on the port."""

    name: str
    service: str
    module: str
    api: bool


def service_processes() -> list[ServiceProcessInfo]:
    """The processes of every service present in this checkout, APIs first."""
    apis, workers = [], []
    for service in SERVICES:
        if find_spec(f"services.{service}") is None:
            continue
        if find_spec(f"services.{service}.__main__") is not None:
            apis.append(ServiceProcessInfo(service, service, f"services.{service}", True))
        if find_spec(f"services.{service}.worker") is not None:
            workers.append(ServiceProcessInfo(f"{service}-worker", service,
                                              f"services.{service}.worker", False))
    return apis + workers

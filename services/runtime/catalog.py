"""Which services exist and which processes each runs: an HTTP API and, if it consumes, a worker."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from importlib.util import find_spec
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.runtime.consumer import Subscription

SERVICES: tuple[str, ...] = ("intake", "assignment", "review", "reporting", "console")


@dataclass(frozen=True)
class ServiceProcessInfo:
    """One process of a service: `python -m <module>`; `api` ones answer /readyz on the port."""

    name: str
    service: str
    module: str
    api: bool


def _present(module: str) -> bool:
    """Whether `module` is in this checkout (False too when its package is not: an app built for
    a name of its own, e.g. the proof bench's, has no worker)."""
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def service_processes() -> list[ServiceProcessInfo]:
    """The processes of every service present in this checkout, APIs first."""
    apis, workers = [], []
    for service in SERVICES:
        if not _present(f"services.{service}"):
            continue
        if _present(f"services.{service}.__main__"):
            apis.append(ServiceProcessInfo(service, service, f"services.{service}", True))
        if _present(f"services.{service}.worker"):
            workers.append(ServiceProcessInfo(f"{service}-worker", service,
                                              f"services.{service}.worker", False))
    return apis + workers


def subscriptions_of(service: str) -> list[Subscription]:
    """The consumers a service's worker runs (none if it has no worker): its module's
    `subscriptions(settings)`, or its `SUBSCRIPTIONS`."""
    if not _present(f"services.{service}.worker"):
        return []
    worker = import_module(f"services.{service}.worker")
    if hasattr(worker, "subscriptions"):
        from services.runtime.settings import get_settings

        return list(worker.subscriptions(get_settings()))
    return list(worker.SUBSCRIPTIONS)


def consumers_by_service() -> dict[str, list[Subscription]]:
    """Every service that consumes, with its subscriptions."""
    found = {service: subscriptions_of(service) for service in SERVICES
             if _present(f"services.{service}")}
    return {service: subs for service, subs in found.items() if subs}


def owning_services() -> list[str]:
    """The services that keep an event store and publish it through a relay."""
    from events.topics import STREAM_TOPICS

    owners = {topic.split(".")[1] for topic in STREAM_TOPICS.values()}  # casetrack.<owner>.v1
    return [service for service in SERVICES if service in owners]


def release() -> str:
    """The installed casetrack release, as /livez reports it."""
    try:
        return package_version("casetrack")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"

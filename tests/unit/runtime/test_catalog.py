"""The catalog of services: which exist, and what a name without a package runs."""

from __future__ import annotations

import pytest

from services.runtime.catalog import subscriptions_of

pytestmark = pytest.mark.unit


def test_a_service_name_without_a_package_has_no_consumers() -> None:
    assert subscriptions_of("tlogbench") == []


def test_a_consuming_service_lists_its_subscriptions() -> None:
    assert {s.name for s in subscriptions_of("reporting")} >= {"reporting-projector"}

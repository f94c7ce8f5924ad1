"""Builders shared by the event-contract tests: sealed envelopes and whole chains."""

from __future__ import annotations

import pytest

from events import EventEnvelope
from tests.support.chains import ChainBuilder, build_chain


@pytest.fixture(scope="session")
def chain_of() -> ChainBuilder:
    """A builder of sealed chains (session-scoped so hypothesis tests may use it)."""
    return build_chain


@pytest.fixture
def five_event_chain() -> list[EventEnvelope]:
    """A valid five-event stream with Kazakh and Latin text in its payloads."""
    return build_chain(
        [
            {"note": "Обращение зарегистрировано", "n": 1},
            {"note": "Тағайындау жүргізілді", "n": 2, "tags": ["land", "KZ-71"]},
            {"note": "Assigned to the Astana office", "n": 3},
            {"note": "Тексеру аяқталды", "n": 4, "nested": {"ok": True, "none": None}},
            {"note": "Resolved: confirmed", "n": 5},
        ]
    )

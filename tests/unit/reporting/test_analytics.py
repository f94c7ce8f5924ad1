"""The analytics fact: pseudonymous ids, codes and dates, never free text or people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import events
from events.asyncapi import ANALYTICS_FACT_REF
from services.reporting.analytics import analytics_fact, pseudonym
from services.reporting.facts import Fact
from tests.support.timeline import Stream, registered

pytestmark = pytest.mark.unit


def registration() -> Fact:
    case = Stream("case", "case-a1")
    envelope = case.add("case.registered", registered(title="CANARY title"), "2026-04-30 20:00",
                        actor="operator-login")
    return Fact.of(envelope, case.topic)


def test_ids_are_keyed_hashes_and_no_text_or_login_is_carried() -> None:
    record = analytics_fact(registration(), None, key="k" * 32)
    text = str(record)
    assert record["subject"] == pseudonym("case", "case-a1", "k" * 32)
    assert "case-a1" not in text and "CANARY" not in text and "operator-login" not in text
    assert "Bostandyk" not in text and "description" not in record


def test_a_different_key_gives_different_pseudonyms() -> None:
    assert pseudonym("case", "x", "a" * 32) != pseudonym("case", "x", "b" * 32)


def test_the_fact_carries_the_almaty_date_and_codes() -> None:
    record = analytics_fact(registration(), None, key="k" * 32)
    assert record["occurred_on"] == "2026-05-01"
    assert (record["region"], record["sector"], record["source"]) == ("KZ-75", "land", "hotline")


def test_the_fact_has_exactly_the_fields_its_published_schema_allows() -> None:
    schema = json.loads((Path(events.__file__).parent / ANALYTICS_FACT_REF).read_text())
    record = analytics_fact(registration(), None, key="k" * 32)
    assert set(schema["required"]) <= set(record) <= set(schema["properties"])

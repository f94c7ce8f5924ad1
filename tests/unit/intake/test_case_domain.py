"""The Case aggregate: given events, when a command, then events or an error."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from events import GENESIS_HASH, REGISTRY, Actor, EventEnvelope, IntakeSource, Region, Sector
from services.intake.domain.case import CaseState, CaseStatus, RegisterCase, decide_register, fold
from services.intake.domain.errors import IllegalTransition

pytestmark = pytest.mark.unit

REGISTER = RegisterCase(title="Bribe", description="Asked for money", region=Region("KZ-75"),
                        sector=Sector.LAND, source=IntakeSource.HOTLINE, district=None,
                        anonymous=True, reporter=None)


def _sealed(case_id: str, payloads: list) -> list[EventEnvelope]:
    prev, out = GENESIS_HASH, []
    for version, payload in enumerate(payloads, 1):
        event_type, schema_version, body = REGISTRY.encode(payload)
        now = datetime.now(UTC)
        env = EventEnvelope.seal(
            prev_hash=prev, stream_id=case_id, stream_type="case", version=version,
            event_id=uuid.uuid4(), event_type=event_type, schema_version=schema_version,
            occurred_at=now, recorded_at=now, actor=Actor(id="op", role="operator", region="KZ-75"),
            correlation_id=None, causation_id=None, payload=body)
        out.append(env)
        prev = env.hash
    return out


def test_registering_a_new_case_records_case_registered() -> None:
    (event,) = decide_register(CaseState(id="c1"), REGISTER)
    assert event.event_type == "case.registered" and event.title == "Bribe"


def test_a_case_cannot_be_registered_twice() -> None:
    state = fold("c1", _sealed("c1", decide_register(CaseState(id="c1"), REGISTER)))
    with pytest.raises(IllegalTransition):
        decide_register(state, REGISTER)


def test_folding_the_registration_gives_a_registered_case() -> None:
    state = fold("c1", _sealed("c1", decide_register(CaseState(id="c1"), REGISTER)))
    assert state.exists and state.version == 1 and state.status is CaseStatus.REGISTERED
    assert state.region == Region("KZ-75") and state.registered_by == "op"


def test_an_empty_stream_is_a_case_that_does_not_exist() -> None:
    assert not fold("c1", []).exists

"""Each service's /metrics carries the operational figures the alert rules and dashboard use."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.reporting.support import case_body, post
from tests.support.system import RunningSystem, auth

pytestmark = pytest.mark.e2e


async def test_metrics_show_command_timings_relay_backlog_consumer_lag_and_dead_letters(
    system: RunningSystem,
) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        await post(client, f"{system.intake_url}/v1/cases", case_body())
        keyed = await client.post(f"{system.intake_url}/v1/cases", json=case_body(),
                                  headers={**auth(), "Idempotency-Key": uuid.uuid4().hex})
        assert keyed.status_code == 201, keyed.text  # a claimed key: an explicit transaction
        intake = (await client.get(f"{system.intake_url}/metrics")).text
        reporting = (await client.get(f"{system.reporting_url}/metrics")).text
    assert 'casetrack_command_seconds_count{command="case.registered",service="intake"}' in intake
    assert 'casetrack_append_seconds_count{service="intake"}' in intake
    assert 'casetrack_commit_seconds_count{service="intake"}' in intake
    assert 'casetrack_relay_backlog_events{topic="casetrack.intake.v1"}' in intake
    assert 'casetrack_relay_backlog_seconds{topic="casetrack.intake.v1"}' in intake
    assert 'casetrack_consumer_lag_messages{consumer="intake-reactor"' in intake
    assert ('casetrack_consumer_lag_messages{consumer="reporting-projector",partition="0",'
            'topic="casetrack.intake.v1"}') in reporting
    assert 'casetrack_dead_letters_waiting{consumer="reporting-projector"}' in reporting

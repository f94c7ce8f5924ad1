"""`CASETRACK_TLOG_KEEPER=false` (the bench's "without the keeper" side): no background keeper,
and the log routes still sequence and sign on demand."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI

from events.tlog import open_note, parse_checkpoint, parse_verifier_key
from services.review.app import create_app
from tests.integration.tlog.conftest import JWT_SECRET, bearer
from tests.integration.tlog.test_log_api import a_checkpoint, a_group
from tests.support.apps import client_of, running_app

pytestmark = pytest.mark.integration


def keeper_tasks() -> int:
    """Background keepers of review running in this event loop."""
    return sum(1 for task in asyncio.all_tasks() if task.get_name() == "review-tlog")


async def test_a_service_with_the_keeper_turned_off_runs_none_and_signs_on_demand(
        migrated_database_url: str, kafka_bootstrap: str, review_log_app: FastAPI) -> None:
    before = keeper_tasks()
    async with running_app(create_app, migrated_database_url, kafka_bootstrap, JWT_SECRET,
                           CASETRACK_TLOG_KEEPER=False) as app, client_of(app, "review") as http:
        assert keeper_tasks() == before
        keys = (await http.get("/v1/log/keys", headers=bearer("analyst"))).json()
        first = parse_checkpoint(open_note(await a_checkpoint(http),
                                           [parse_verifier_key(keys["current"])])[0].text)
        await a_group(http)
        later = parse_checkpoint(open_note(await a_checkpoint(http),
                                           [parse_verifier_key(keys["current"])])[0].text)
        assert later.size > first.size
    assert keeper_tasks() == before

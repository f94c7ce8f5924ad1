"""The registers filter by the assigned officer (the console's "my work") alongside the rest."""

from __future__ import annotations

import pytest

from events import Role
from services.reporting.queries import case_where, directive_where
from services.runtime.auth import Principal

pytestmark = pytest.mark.unit
OPERATOR = Principal("op-1", Role.OPERATOR, frozenset({"KZ-75"}))


def test_the_case_register_filters_by_assignee_within_the_callers_regions() -> None:
    where = case_where(OPERATOR, {"assignee_id": "op-1", "status": "in_progress"})
    assert "assignee_id = $" in where.sql() and "region = ANY(" in where.sql()
    assert "op-1" in where.args and ["KZ-75"] in where.args


def test_the_directive_register_filters_by_assignee_and_without_it_by_nobody() -> None:
    assert "op-1" in directive_where(OPERATOR, {"assignee_id": "op-1"}).args
    assert "assignee_id" not in directive_where(OPERATOR, {}).sql()

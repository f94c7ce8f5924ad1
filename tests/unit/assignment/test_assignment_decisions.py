"""Deciding on one subject: rules never override a manual choice; manual and hand-over rules."""

from __future__ import annotations

import pytest

from events import AssignmentKind, OfficeKind, SubjectType
from services.assignment.domain.assignment import (
    CLOSED,
    Holder,
    SubjectState,
    decide_automatic,
    decide_handover,
    decide_manual,
    evolve,
)
from services.assignment.domain.rules import Routing
from services.runtime.errors import Conflict, Invalid

pytestmark = pytest.mark.unit

CASE = SubjectState(id="c1", subject_type=SubjectType.CASE, region="KZ-75", sector="land")
TO_A = Routing("case-to-regional-office", "rpo-75", "a", "because")
TO_AGENCY = Routing("critical-risk-to-agency", "agency", "z", "critical")


def held(by: str = "a", office: str = "rpo-75", manual: bool = False) -> SubjectState:
    made = decide_automatic(CASE, Routing("r", office, by, "x"), "test", holder_active=False)
    assert made is not None
    state = evolve(CASE, made.model_copy(update={"kind": AssignmentKind.MANUAL} if manual else {}),
                   1)
    return state


@pytest.mark.parametrize(
    ("state", "routing", "holder_active", "expected_officer"),
    [
        (CASE, TO_A, False, "a"),  # unassigned: assign
        (held("a"), TO_A, True, None),  # same office, active holder: nothing (idempotent)
        (held("b"), TO_A, True, None),  # same office, other officer: load is not a reason to move
        (held("a"), TO_AGENCY, True, "z"),  # routing changed (critical): move
        (held("a"), TO_A, False, "a"),  # holder inactive: route again
        (held("m", manual=True), TO_AGENCY, True, None),  # manual is never overwritten
        (held("m", manual=True), TO_A, False, None),
        (CASE, None, False, None),  # nowhere to route: stays unassigned
    ],
)
def test_automatic_assignment_changes_only_what_routing_changes(
        state: SubjectState, routing: Routing | None, holder_active: bool,
        expected_officer: str | None) -> None:
    made = decide_automatic(state, routing, "case.triaged", holder_active)
    assert (made.officer_id if made else None) == expected_officer
    if made is not None and routing is not None:
        assert made.kind is AssignmentKind.AUTOMATIC and made.rule == routing.rule
        assert made.previous_officer_id == state.officer_id


def test_a_closed_subject_is_not_assigned() -> None:
    closed = SubjectState(id="c", subject_type=SubjectType.CASE, region="KZ-75", status=CLOSED)
    assert decide_automatic(closed, TO_A, "x", False) is None


def _holder(region: str | None = "KZ-75", active: bool = True,
            kind: OfficeKind = OfficeKind.REGIONAL_PROJECT_OFFICE, oid: str = "b") -> Holder:
    return Holder(oid, region, "office", kind, active)


@pytest.mark.parametrize(
    ("holder", "error", "field"),
    [
        (_holder(active=False), Conflict, "officer_id"),
        (_holder(region="KZ-71"), Invalid, "officer_id"),
        (_holder(oid="a"), Conflict, "officer_id"),  # already theirs
    ],
)
def test_a_manual_assignment_needs_an_active_officer_of_the_region(
        holder: Holder, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as raised:
        decide_manual(held("a"), holder, "reason")
    assert getattr(raised.value, "field", None) == field


def test_a_manual_assignment_may_go_to_a_national_agency_unit() -> None:
    made = decide_manual(held("a"), _holder(region=None, kind=OfficeKind.AGENCY_UNIT), "serious")
    assert made.kind is AssignmentKind.MANUAL and made.rule is None and made.reason == "serious"
    assert evolve(held("a"), made, 2).manual is True


def test_handover_moves_only_the_leaving_officers_open_items_manual_or_not() -> None:
    mine = held("m", manual=True)
    made = decide_handover(mine, TO_A, "m")
    assert made is not None and made.kind is AssignmentKind.HANDOVER
    assert made.previous_officer_id == "m" and evolve(mine, made, 2).manual is False
    assert decide_handover(held("other"), TO_A, "m") is None
    assert decide_handover(mine, None, "m") is None

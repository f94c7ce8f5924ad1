"""The roster's rules: offices and officers as folds of their streams."""

from __future__ import annotations

import pytest

from events import OfficeKind, OfficerChanged, Region, Sector
from services.assignment.domain import roster
from services.assignment.domain.roster import OfficerState, OfficeState
from services.runtime.errors import Conflict, Invalid

pytestmark = pytest.mark.unit


def opened(office_id: str = "rpo-75", region: Region | None = Region.ALMATY,
           kind: OfficeKind = OfficeKind.REGIONAL_PROJECT_OFFICE) -> OfficeState:
    state = OfficeState(id=office_id)
    for i, e in enumerate(roster.decide_open_office(state, "Office", region, kind), 1):
        state = roster.evolve_office(state, e, i)
    return state


def enrolled(office: OfficeState | None = None) -> OfficerState:
    state = OfficerState(id="o1")
    for i, e in enumerate(roster.decide_enroll(state, office or opened(), "Aigerim",
                                               [Sector.LAND, Sector.LAND], 10), 1):
        state = roster.evolve_officer(state, e, i)
    return state


@pytest.mark.parametrize(
    ("region", "kind", "error"),
    [
        (None, OfficeKind.REGIONAL_PROJECT_OFFICE, Invalid),
        (Region.ASTANA, OfficeKind.AGENCY_UNIT, Invalid),
    ],
)
def test_regional_offices_have_a_region_and_agency_units_none(
        region: Region | None, kind: OfficeKind, error: type[Exception]) -> None:
    with pytest.raises(error):
        roster.decide_open_office(OfficeState(id="x"), "X", region, kind)


def test_an_office_id_is_opened_once() -> None:
    with pytest.raises(Conflict):
        roster.decide_open_office(opened(), "Again", Region.ALMATY,
                                  OfficeKind.REGIONAL_PROJECT_OFFICE)


def test_an_officer_takes_the_office_region_and_unique_sectors() -> None:
    officer = enrolled()
    assert (officer.region, officer.sectors, officer.active) == (Region.ALMATY, (Sector.LAND,), True)


def test_an_officer_cannot_join_a_closed_or_unknown_office() -> None:
    closed = roster.evolve_office(opened(), roster.decide_close_office(opened(), 0, "merged")[0], 2)
    with pytest.raises(Invalid):
        roster.decide_enroll(OfficerState(id="o"), closed, "A", [Sector.LAND], 5)
    with pytest.raises(Invalid):
        roster.decide_enroll(OfficerState(id="o"), OfficeState(id="nope"), "A", [Sector.LAND], 5)


def test_an_office_with_active_officers_cannot_close() -> None:
    with pytest.raises(Conflict):
        roster.decide_close_office(opened(), 2, "merged")


def test_deactivation_and_reactivation_toggle_and_refuse_repeats() -> None:
    officer = enrolled()
    off = roster.evolve_officer(officer, roster.decide_deactivate(officer, "leave")[0], 2)
    assert off.active is False
    with pytest.raises(Conflict):
        roster.decide_deactivate(off, "again")
    back = roster.evolve_officer(off, roster.decide_reactivate(off, opened(), None)[0], 3)
    assert back.active is True


def test_a_change_records_only_what_differs_and_a_move_takes_the_new_region() -> None:
    officer = enrolled()
    assert roster.decide_change_officer(officer, None, "Aigerim", [Sector.LAND], 10) == []
    astana = opened("rpo-71", Region.ASTANA)
    [change] = roster.decide_change_officer(officer, astana, None, None, 12)
    assert isinstance(change, OfficerChanged)
    moved = roster.evolve_officer(officer, change, 2)
    assert (moved.office_id, moved.region, moved.capacity, moved.name) == (
        "rpo-71", Region.ASTANA, 12, "Aigerim")

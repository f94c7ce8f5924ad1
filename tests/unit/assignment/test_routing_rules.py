"""Rules as data pick the office; the least-loaded active officer handling the sector takes it."""

from __future__ import annotations

import pytest

from events import OfficeKind
from services.assignment.domain.rules import (
    Office,
    Officer,
    RoutingFacts,
    default_rules,
    pick_officer,
    route,
    rules_from_data,
)

pytestmark = pytest.mark.unit

OFFICES = [
    Office("rpo-KZ-75", "KZ-75", OfficeKind.REGIONAL_PROJECT_OFFICE),
    Office("rpo-KZ-71", "KZ-71", OfficeKind.REGIONAL_PROJECT_OFFICE),
    Office("agency-central", None, OfficeKind.AGENCY_UNIT),
    Office("rpo-KZ-79", "KZ-79", OfficeKind.REGIONAL_PROJECT_OFFICE, active=False),
]


def officer(oid: str, office: str, sectors: str, load: int = 0, capacity: int = 10,
            active: bool = True) -> Officer:
    return Officer(oid, office, frozenset(sectors.split(",")), capacity, load, active)


STAFF = [
    officer("alma-1", "rpo-KZ-75", "land,housing", load=3),
    officer("alma-2", "rpo-KZ-75", "land,police", load=1),
    officer("alma-3", "rpo-KZ-75", "health", load=0),
    officer("ast-1", "rpo-KZ-71", "education", load=2),
    officer("agency-1", "agency-central", "police,land,customs", load=5),
    officer("agency-2", "agency-central", "police,land,customs", load=5),
]


@pytest.mark.parametrize(
    ("facts", "rule", "office", "officer_id"),
    [
        # region + sector -> regional office, least-loaded officer handling the sector
        (RoutingFacts("case", "KZ-75", "land"), "case-to-regional-office", "rpo-KZ-75", "alma-2"),
        (RoutingFacts("case", "KZ-75", "housing"), "case-to-regional-office", "rpo-KZ-75",
         "alma-1"),
        # critical risk -> agency unit, ties broken by officer id
        (RoutingFacts("case", "KZ-75", "land", "critical"), "critical-risk-to-agency",
         "agency-central", "agency-1"),
        (RoutingFacts("case", "KZ-75", "land", "low"), "case-to-regional-office", "rpo-KZ-75",
         "alma-2"),
        # nobody handles the sector -> any active officer of the office, least loaded
        (RoutingFacts("case", "KZ-75", "customs"), "case-to-regional-office", "rpo-KZ-75",
         "alma-3"),
        # the region's office is closed -> the fallback rule sends it to the agency unit
        (RoutingFacts("case", "KZ-79", "land"), "fallback-agency-unit", "agency-central",
         "agency-1"),
        # directives have no sector: least-loaded officer of the regional office
        (RoutingFacts("directive", "KZ-71"), "directive-to-regional-office", "rpo-KZ-71", "ast-1"),
    ],
)
def test_the_first_matching_rule_with_an_active_officer_fires(
        facts: RoutingFacts, rule: str, office: str, officer_id: str) -> None:
    routing = route(default_rules(), facts, OFFICES, STAFF)
    assert routing is not None
    assert (routing.rule, routing.office_id, routing.officer_id) == (rule, office, officer_id)
    assert routing.reason.startswith(f"rule {rule} ")


@pytest.mark.parametrize(
    ("staff", "sector", "expected"),
    [
        ([officer("b", "o", "land", 2), officer("a", "o", "land", 2)], "land", "a"),  # tie: by id
        ([officer("a", "o", "land", 5), officer("b", "o", "land", 1)], "land", "b"),  # fewer open
        ([officer("a", "o", "land", 3, capacity=3), officer("b", "o", "land", 7, capacity=20)],
         "land", "b"),  # a full officer is passed over while someone has room
        ([officer("a", "o", "land", 0, active=False), officer("b", "o", "land", 9)], "land", "b"),
        ([officer("a", "o", "health", 4), officer("b", "o", "police", 2)], "land", "b"),
        ([officer("a", "x", "land", 0)], "land", None),  # another office's officer never
        ([], "land", None),
    ],
)
def test_load_balancing_is_least_loaded_and_deterministic(
        staff: list[Officer], sector: str, expected: str | None) -> None:
    chosen, _ = pick_officer(staff, "o", sector)
    assert (chosen.id if chosen else None) == expected


def test_a_leaving_officer_is_excluded_from_their_own_handover() -> None:
    routing = route(default_rules(), RoutingFacts("case", "KZ-75", "land"), OFFICES, STAFF,
                    exclude=frozenset({"alma-2"}))
    assert routing is not None and routing.officer_id == "alma-1"


def test_with_no_active_officer_anywhere_the_subject_stays_unassigned() -> None:
    idle = [officer(o.id, o.office_id, ",".join(o.sectors), active=False) for o in STAFF]
    assert route(default_rules(), RoutingFacts("case", "KZ-75", "land"), OFFICES, idle) is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ([{"id": "r", "match": {"colour": "red"}, "target": "x"}], "unknown match key"),
        ([{"id": "r", "target": "x"}, {"id": "r", "target": "y"}], "unique"),
    ],
)
def test_malformed_rules_are_refused(data: list[dict[str, object]], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        rules_from_data(data)


def test_a_rule_matches_any_of_a_list_of_values() -> None:
    rules = rules_from_data([{"id": "south", "match": {"region": ["KZ-79", "KZ-61"]},
                              "target": "agency_unit"}])
    assert rules[0].matches(RoutingFacts("case", "KZ-61", "land"))
    assert not rules[0].matches(RoutingFacts("case", "KZ-75", "land"))

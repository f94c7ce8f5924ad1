"""The demo roster: every region staffed, loaded through the API, and loading twice adds nothing."""

from __future__ import annotations

import httpx
import pytest

from events import Region, Sector
from services.assignment.seed import demo_roster, seed
from tests.support.system import RunningSystem, auth

pytestmark = pytest.mark.e2e


def test_the_demo_roster_staffs_every_sector_of_every_region_and_an_agency_unit() -> None:
    roster = demo_roster()
    regional = {o["region"]: o["id"] for o in roster["offices"] if o["region"]}
    assert set(regional) == {r.value for r in Region}
    assert any(o["kind"] == "agency_unit" for o in roster["offices"])
    for office_id in regional.values():
        staff = [o for o in roster["officers"] if o["office_id"] == office_id]
        assert 2 <= len(staff) <= 3
        assert {s for o in staff for s in o["sectors"]} == {s.value for s in Sector}


def test_seeding_twice_creates_nothing_new_and_a_new_case_is_assigned(
        system: RunningSystem) -> None:
    with httpx.Client(base_url=system.urls["assignment"], headers=auth(), timeout=30) as client:
        first = seed(client, demo_roster())
        again = seed(client, demo_roster())
        assert again == (0, sum(first))
        offices = client.get("/v1/offices", params={"region": "KZ-47"}).json()
        assert "rpo-KZ-47" in {o["id"] for o in offices}

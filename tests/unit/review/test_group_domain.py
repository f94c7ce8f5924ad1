"""The MonitoringGroup aggregate: members join once, leave once, and stay on record."""

from __future__ import annotations

import pytest

from events import Actor, EventPayload, Region
from services.review.domain.errors import MemberExists, UnknownMember
from services.review.domain.group import (
    GroupState,
    decide_add_member,
    decide_deactivate,
    decide_form,
    fold,
)
from tests.support.envelopes import chained

pytestmark = pytest.mark.unit


def _given(*payloads: EventPayload) -> GroupState:
    return fold("group-1", chained("group-1", "monitoring_group", payloads,
                                 Actor(id="admin", role="admin", region=None)))


FORMED = decide_form("Almaty monitoring group", Region.ALMATY)


def test_a_formed_group_has_its_region_and_no_members() -> None:
    state = _given(*FORMED)
    assert state.exists and state.region is Region.ALMATY and state.members == ()


def test_the_republican_group_has_no_region() -> None:
    assert _given(*decide_form("Republican group", None)).region is None


def test_a_member_is_added_once_and_can_be_deactivated_and_added_again() -> None:
    added = decide_add_member(_given(*FORMED), "mon-1", "Aigerim")
    state = _given(*FORMED, *added)
    assert state.active_member("mon-1") is not None
    with pytest.raises(MemberExists):
        decide_add_member(state, "mon-1", "Aigerim")
    left = decide_deactivate(state, "mon-1", "term ended")
    state = _given(*FORMED, *added, *left)
    assert state.active_member("mon-1") is None and len(state.members) == 1
    assert decide_add_member(state, "mon-1", "Aigerim")


def test_deactivating_someone_who_is_not_an_active_member_is_refused() -> None:
    with pytest.raises(UnknownMember):
        decide_deactivate(_given(*FORMED), "mon-9", "never joined")

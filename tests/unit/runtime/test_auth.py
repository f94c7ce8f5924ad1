"""Principals: roles, regions, and the actor recorded on events."""

from __future__ import annotations

import jwt
import pytest

from events import Role
from services.runtime.auth import AUDIENCE, ISSUER, Principal, issue_token
from services.runtime.problems import Problem

pytestmark = pytest.mark.unit

SECRET = "unit-secret-0123456789-0123456789-01234"


def test_a_wildcard_principal_sees_every_region() -> None:
    assert Principal("a", Role.ANALYST, frozenset({"*"})).can_see("KZ-10")


def test_a_regional_principal_sees_only_its_regions() -> None:
    p = Principal("s", Role.SUPERVISOR, frozenset({"KZ-75", "KZ-79"}))
    assert p.can_see("KZ-75") and not p.can_see("KZ-71") and not p.can_see(None)


def test_the_actor_carries_the_region_acted_in() -> None:
    p = Principal("op", Role.OPERATOR, frozenset({"KZ-75"}))
    actor = p.actor("KZ-75")
    assert (actor.id, actor.role, actor.region) == ("op", "operator", "KZ-75")


def test_require_refuses_other_roles_with_403() -> None:
    with pytest.raises(Problem) as refused:
        Principal("m", Role.MONITOR, frozenset({"*"})).require(Role.OPERATOR)
    assert refused.value.status == 403


def test_issued_tokens_carry_the_contract_claims() -> None:
    claims = jwt.decode(issue_token("op", "operator", ["KZ-75"], secret=SECRET), SECRET,
                        algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    assert claims["role"] == "operator" and claims["regions"] == ["KZ-75"]
    assert claims["exp"] > claims["iat"]

"""Principals: roles, regions, and the actor recorded on events."""

from __future__ import annotations

import time

import jwt
import pytest

from events import Role
from services.runtime.auth import (
    AUDIENCE,
    ISSUER,
    Principal,
    VerificationKeys,
    issue_token,
    jwt_keys,
    principal_of_token,
)
from services.runtime.problems import Problem
from services.runtime.settings import Settings

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


def _keys() -> VerificationKeys:
    return jwt_keys(Settings(CASETRACK_ENV="dev", CASETRACK_JWT_SECRET=SECRET))  # type: ignore[call-arg]


async def test_a_token_names_the_same_principal_on_every_use() -> None:
    keys, token = _keys(), issue_token("op", "operator", ["KZ-75"], secret=SECRET)
    first = await principal_of_token(keys, token)
    assert await principal_of_token(keys, f" {token} ") == first
    assert first == Principal("op", Role.OPERATOR, frozenset({"KZ-75"}))


async def test_a_remembered_token_is_refused_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its principal was remembered, but expiry is checked on every use all the same."""
    keys, token = _keys(), issue_token("op", "operator", ["KZ-75"], secret=SECRET, ttl_seconds=30)
    await principal_of_token(keys, token)
    later = time.time() + 31
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(Problem) as refused:
        await principal_of_token(keys, token)
    assert refused.value.status == 401


async def test_a_token_without_valid_regions_is_refused_on_every_use() -> None:
    now = int(time.time())
    token = jwt.encode({"sub": "x", "role": "operator", "regions": "KZ-75", "iss": ISSUER,
                        "aud": AUDIENCE, "iat": now, "exp": now + 60}, SECRET, algorithm="HS256")
    keys = _keys()
    for _ in range(2):
        with pytest.raises(Problem) as refused:
            await principal_of_token(keys, token)
        assert refused.value.status == 401

"""Bearer JWT: who is calling, in which role, for which regions."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from events import Actor, Role
from services.runtime.problems import Problem
from services.runtime.ratelimit import UNAUTHENTICATED, client_address, limiter_of, route_class
from services.runtime.settings import Settings, get_settings

ISSUER = "casetrack"
AUDIENCE = "casetrack-api"
ALL_REGIONS = "*"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    sub: str
    role: Role
    regions: frozenset[str]

    def can_see(self, region: str | None) -> bool:
        """Whether an object of that region is visible to the caller."""
        return ALL_REGIONS in self.regions or (region is not None and region in self.regions)

    def actor(self, region: str | None = None) -> Actor:
        """The actor recorded on events this caller causes."""
        home = region if region and self.can_see(region) else None
        if home is None and len(self.regions) == 1 and ALL_REGIONS not in self.regions:
            home = next(iter(self.regions))
        return Actor(id=self.sub, role=self.role.value, region=home)

    def require(self, *roles: Role) -> None:
        """Refuse with 403 unless the caller holds one of the roles."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Problem(403, "Forbidden", f"role {self.role.value} may not do this ({allowed})")


VERIFIED_TOKENS = 4096
VERIFIED_FOR_SECONDS = 60.0


class _Keys:
    """Verification keys: the shared HS256 secret, or an RS256 JWKS when configured."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        self._verified: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._principals: dict[str, Principal] = {}

    def decode(self, token: str) -> dict[str, Any]:
        """The claims of a valid token; a token verified in the last minute is not re-verified.

        Verifying a signature is a fifth of a small write's CPU; a clerk sends the same token
        with every request. Expiry is checked on every use all the same, and a cached token is
        verified afresh after VERIFIED_FOR_SECONDS, so a rotated-out key stops working soon.
        """
        now = time.time()
        hit = self._verified.get(token)
        if hit is not None and now - hit[0] < VERIFIED_FOR_SECONDS:
            if float(hit[1]["exp"]) <= now:
                raise jwt.ExpiredSignatureError("Signature has expired")
            self._verified.move_to_end(token)
            return hit[1]
        claims = self._verify(token)
        self._verified[token] = (now, claims)
        while len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return claims

    def principal_of(self, token: str, claims: dict[str, Any]) -> Principal:
        """The principal of a token `decode` has just accepted, read from its claims once: the
        claims are fixed by the signed token, so the same token always names the same caller."""
        principal = self._principals.get(token)
        if principal is None:
            principal = _principal_of_claims(claims)
            if len(self._principals) >= VERIFIED_TOKENS:
                self._principals.clear()
            self._principals[token] = principal
        return principal

    def _verify(self, token: str) -> dict[str, Any]:
        options: Any = {"require": ["exp", "sub", "iss", "aud"]}
        if self.jwks is not None:
            key = self.jwks.get_signing_key_from_jwt(token).key
            return jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE,
                              issuer=ISSUER, options=options)
        return jwt.decode(token, self.settings.jwt_secret, algorithms=["HS256"],
                          audience=AUDIENCE, issuer=ISSUER, options=options)


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"})


async def authenticate(request: Request) -> Principal:
    """The verified caller of a request, within its rate limit (429 past it); a caller without
    a valid token spends its address's unauthenticated budget before hearing 401."""
    limiter = limiter_of(request)
    try:
        principal = await _verify(request)
    except Problem:
        if limiter is not None:
            limiter.check(UNAUTHENTICATED, client_address(request))
        raise
    if limiter is not None:
        limiter.check(route_class(request), principal.sub)
    return principal


async def _verify(request: Request) -> Principal:
    """Read and verify the bearer token of a request (on the event loop: no thread hop)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("a bearer token is required")
    keys: _Keys = request.app.state.jwt_keys  # set by the app's lifespan (composition root)
    return await principal_of_token(keys, token)


async def principal_of_token(keys: _Keys, token: str) -> Principal:
    """Verify a bearer token (without its scheme) and read who it names; 401 Problem if not."""
    token = token.strip()
    try:
        if keys.jwks is not None:  # fetching signing keys blocks: keep it off the loop
            claims = await asyncio.to_thread(keys.decode, token)
        else:
            claims = keys.decode(token)
    except jwt.ExpiredSignatureError:
        raise _unauthorized("the token has expired") from None
    except jwt.PyJWTError as exc:
        raise _unauthorized(f"the token is invalid: {exc}") from None
    return keys.principal_of(token, claims)


def _principal_of_claims(claims: dict[str, Any]) -> Principal:
    """Who verified claims name; 401 Problem when the role or regions are not valid."""
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise _unauthorized("the token has no valid role") from None
    regions = claims.get("regions")
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise _unauthorized("the token has no valid regions claim")
    return Principal(sub=str(claims["sub"]), role=role, regions=frozenset(regions))


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


VerificationKeys = _Keys
"""The verification keys of an app, as `jwt_keys` makes them."""


def jwt_keys(settings: Settings) -> _Keys:
    """The verification keys an app keeps in its state."""
    return _Keys(settings)


def issue_token(
    sub: str, role: str, regions: list[str], *, secret: str, ttl_seconds: int = 8 * 3600
) -> str:
    """An HS256 token for development and tests."""
    now = int(time.time())
    claims = {"sub": sub, "role": Role(role).value, "regions": regions, "iss": ISSUER,
              "aud": AUDIENCE, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


def main() -> None:
    """Print a dev token: python -m services.runtime.auth --role admin --regions '*'."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--sub", default="dev-admin")
    parser.add_argument("--role", default="admin", choices=[r.value for r in Role])
    parser.add_argument("--regions", default="*", help="comma-separated region codes or *")
    parser.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")
    args = parser.parse_args()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    print(issue_token(args.sub, args.role, regions, secret=get_settings().jwt_secret,
                      ttl_seconds=args.ttl))


if __name__ == "__main__":
    main()

"""The catalog of central state bodies a directive can be addressed to, and their clock, as data.

A directive is addressed to a central body when its `addressee_body` is exactly a catalog code
(`GOV-MIA`); any other addressee is a local body, named in free text. The `GOV-` prefix is
reserved for codes, so a mistyped code is refused instead of passing as a local body's name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from events.calendar import kazakhstan_calendar

CODE_PREFIX = "GOV-"
"""Every catalog code starts with it; no local body's name may."""


@dataclass(frozen=True)
class CentralBody:
    """A ministry, agency or committee of the central government."""

    code: str
    names: dict[str, str]
    sectors: tuple[str, ...]

    def label(self, language: str = "en") -> str:
        """The body's name in `en`, `ru` or `kk` (a label, never an identifier)."""
        return self.names[language]


@dataclass(frozen=True)
class CentralBodyCatalog:
    """Every central body by code, and how long each has to acknowledge a directive."""

    bodies: dict[str, CentralBody]
    acknowledgement_working_days: int

    def body_of(self, addressee: str | None) -> CentralBody | None:
        """The central body a directive's addressee names; None for a local body."""
        return self.bodies.get(addressee) if addressee else None

    def acknowledgement_due(self, issued_on: date) -> date:
        """The last day to acknowledge a directive issued on that (Almaty) date."""
        return kazakhstan_calendar().add_working_days(issued_on,
                                                      self.acknowledgement_working_days)

    def canonical_addressee(self, addressee: str) -> str:
        """The addressee as a directive should carry it: a catalog code in its exact spelling,
        or the local body's name unchanged; raises ValueError for an unknown `GOV-` code."""
        code = addressee.strip().upper()
        if code in self.bodies:
            return code
        if code.startswith(CODE_PREFIX):
            raise ValueError(f"{addressee.strip()!r} is not a central body code; known codes: "
                             f"{', '.join(sorted(self.bodies))}")
        return addressee


def catalog_from_data(data: dict[str, Any]) -> CentralBodyCatalog:
    """A catalog from its data (see `events/data/central_bodies.json`)."""
    bodies = {
        str(b["code"]): CentralBody(str(b["code"]), {k: str(b[k]) for k in ("en", "ru", "kk")},
                                    tuple(str(s) for s in b.get("sectors", ())))
        for b in data["bodies"]
    }
    bad = [code for code in bodies if not code.startswith(CODE_PREFIX) or code != code.upper()]
    if bad:
        raise ValueError(f"central body codes must be upper case and start with {CODE_PREFIX}: {bad}")
    return CentralBodyCatalog(bodies, int(data["acknowledgement_working_days"]))


@cache
def central_bodies() -> CentralBodyCatalog:
    """The programme's catalog of central state bodies."""
    text = resources.files("events").joinpath("data", "central_bodies.json").read_text("utf-8")
    return catalog_from_data(json.loads(text))

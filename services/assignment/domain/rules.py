"""Routing rules held as data, and the least-loaded officer who takes the work."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from events import OfficeKind

REGIONAL_OFFICE = "regional_office"
"""Rule target: the regional project office of the subject's region."""
AGENCY_UNIT = "agency_unit"
"""Rule target: the (first, by id) active agency unit."""
MATCH_KEYS = ("subject_type", "region", "sector", "risk_level")


@dataclass(frozen=True)
class Rule:
    """If every listed fact matches (any of its values), route to `target` (office id or alias)."""

    id: str
    target: str
    match: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def matches(self, subject: RoutingFacts) -> bool:
        """Whether the subject has every fact this rule asks for."""
        facts = subject.as_dict()
        return all(facts.get(key) in values for key, values in self.match.items())


@dataclass(frozen=True)
class RoutingFacts:
    """What routing looks at: the subject's type, region, sector and risk level."""

    subject_type: str
    region: str | None
    sector: str | None = None
    risk_level: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """The facts by rule key."""
        return {"subject_type": self.subject_type, "region": self.region,
                "sector": self.sector, "risk_level": self.risk_level}


@dataclass(frozen=True)
class Office:
    """An office as routing sees it."""

    id: str
    region: str | None
    kind: OfficeKind
    active: bool = True


@dataclass(frozen=True)
class Officer:
    """An officer as load balancing sees it: what they handle and how much they hold."""

    id: str
    office_id: str
    sectors: frozenset[str]
    capacity: int
    open_items: int = 0
    active: bool = True


@dataclass(frozen=True)
class Routing:
    """The outcome of routing: the rule that fired, the office and officer, and why."""

    rule: str
    office_id: str
    officer_id: str
    reason: str


def rules_from_data(data: Sequence[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """Parse ordered rules; refuse unknown match keys so a typo cannot silently match all."""
    rules: list[Rule] = []
    for item in data:
        match: dict[str, frozenset[str]] = {}
        for key, value in dict(item.get("match", {})).items():
            if key not in MATCH_KEYS:
                raise ValueError(f"rule {item['id']}: unknown match key {key!r}")
            values = value if isinstance(value, list) else [value]
            match[key] = frozenset(str(v) for v in values)
        rules.append(Rule(id=str(item["id"]), target=str(item["target"]), match=match))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise ValueError("rule ids must be unique")
    return tuple(rules)


@cache
def default_rules() -> tuple[Rule, ...]:
    """The rules shipped in services/assignment/data/rules.json."""
    text = resources.files("services.assignment").joinpath("data", "rules.json").read_text("utf-8")
    return rules_from_data(json.loads(text)["rules"])


def resolve_target(rule: Rule, subject: RoutingFacts, offices: Iterable[Office]) -> Office | None:
    """The active office a rule points at for this subject, if there is one."""
    active = sorted((o for o in offices if o.active), key=lambda o: o.id)
    if rule.target == REGIONAL_OFFICE:
        return next((o for o in active if o.kind is OfficeKind.REGIONAL_PROJECT_OFFICE
                     and o.region == subject.region), None)
    if rule.target == AGENCY_UNIT:
        return next((o for o in active if o.kind is OfficeKind.AGENCY_UNIT), None)
    return next((o for o in active if o.id == rule.target), None)


def _load_key(officer: Officer) -> tuple[bool, int, str]:
    # Officers below capacity first, then fewest open items, then id: deterministic ties.
    return (officer.open_items >= officer.capacity, officer.open_items, officer.id)


def pick_officer(officers: Iterable[Officer], office_id: str, sector: str | None,
                 exclude: frozenset[str] = frozenset()) -> tuple[Officer | None, str]:
    """The least-loaded active officer of an office handling the sector, else any active one."""
    staff = [o for o in officers if o.office_id == office_id and o.active and o.id not in exclude]
    handling = [o for o in staff if sector is None or sector in o.sectors]
    if handling:
        chosen = min(handling, key=_load_key)
        what = f"handling {sector}" if sector else "of the office"
        return chosen, f"least-loaded active officer {what} ({chosen.open_items} open items)"
    if staff:
        chosen = min(staff, key=_load_key)
        return chosen, (f"no active officer handles {sector}; least-loaded active officer of the"
                        f" office ({chosen.open_items} open items)")
    return None, "the office has no active officer"


def route(rules: Sequence[Rule], subject: RoutingFacts, offices: Iterable[Office],
          officers: Iterable[Officer], exclude: frozenset[str] = frozenset()) -> Routing | None:
    """The first matching rule whose office has an active officer; None leaves it unassigned."""
    office_list, officer_list = list(offices), list(officers)
    for rule in rules:
        if not rule.matches(subject):
            continue
        office = resolve_target(rule, subject, office_list)
        if office is None:
            continue
        officer, why = pick_officer(officer_list, office.id, subject.sector, exclude)
        if officer is None:
            continue
        return Routing(rule.id, office.id, officer.id,
                       f"rule {rule.id} routed {_describe(subject)} to {office.id}; {why}")
    return None


def _describe(subject: RoutingFacts) -> str:
    parts = [subject.subject_type, subject.region or "no region"]
    if subject.sector:
        parts.append(subject.sector)
    if subject.risk_level:
        parts.append(f"{subject.risk_level} risk")
    return "/".join(parts)

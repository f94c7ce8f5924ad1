"""Citizen receptions with cases registered at them and a directive requiring them, as facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.reporting.facts import Fact
from tests.support.timeline import Stream, issued, registered

AKIM = {"name": "Nurlan Seitkali", "position": "deputy akim"}


@dataclass(frozen=True)
class ReceptionWorld:
    """The ids and facts of the scenario."""

    held_id: str
    cancelled_id: str
    pending_id: str
    directive_id: str
    case_ids: tuple[str, ...]
    facts: list[Fact]


def scheduled(day: str, district: str = "Alatau", directive_id: str | None = None,
              region: str = "KZ-75") -> dict[str, Any]:
    """A reception.scheduled payload."""
    return {"region": region, "district": district, "scheduled_on": day,
            "place": "District akimat", "officials": [AKIM], "office_id": "office-1",
            "directive_id": directive_id}


def reception_world(suffix: str = "1") -> ReceptionWorld:
    """A directive (v2) requiring 2 receptions; one reception held for it (37 came, two cases
    registered there, one v1 case elsewhere), one cancelled, one still scheduled."""
    directive = Stream("directive", f"dir-r-{suffix}")
    directive.add("directive.issued", {**issued(due="2026-03-31"), "receptions_required": 2},
                  "2026-01-06 04:00", schema_version=2)
    held = Stream("reception", f"rec-held-{suffix}")
    held.add("reception.scheduled", scheduled("2026-01-20", directive_id=directive.stream_id),
             "2026-01-10 04:00")
    held.add("reception.held", {"held_on": "2026-01-20", "officials_present": [AKIM],
                                "attendance": 37}, "2026-01-20 09:00")
    cancelled = Stream("reception", f"rec-cancelled-{suffix}")
    cancelled.add("reception.scheduled", scheduled("2026-01-22", directive_id=directive.stream_id),
                  "2026-01-11 04:00")
    cancelled.add("reception.cancelled", {"reason": "hall closed"}, "2026-01-21 04:00")
    pending = Stream("reception", f"rec-pending-{suffix}")
    pending.add("reception.scheduled", scheduled("2026-02-10", district="Medeu"),
                "2026-01-12 04:00")
    cases = []
    for n in range(2):
        case = Stream("case", f"case-r{n}-{suffix}")
        case.add("case.registered", {**registered(), "source": "citizen_reception",
                                     "reception_id": held.stream_id},
                 "2026-01-20 10:00", schema_version=2)
        cases.append(case)
    other = Stream("case", f"case-r-v1-{suffix}")
    other.add("case.registered", registered(), "2026-01-20 11:00")
    streams = [directive, held, cancelled, pending, *cases, other]
    facts = [Fact.of(e, s.topic) for s in streams for e in s.envelopes]
    return ReceptionWorld(held.stream_id, cancelled.stream_id, pending.stream_id,
                          directive.stream_id, tuple(c.stream_id for c in cases), facts)

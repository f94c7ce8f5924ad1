"""One case and one directive touched by every service, as a shuffleable set of facts."""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.facts import Fact
from tests.support.timeline import (
    Stream,
    assignment_made,
    deadline_set,
    issued,
    registered,
    resolved,
    review_opened,
    verdict,
)


@dataclass(frozen=True)
class Scenario:
    """The ids and the facts of the scenario."""

    case_id: str
    directive_id: str
    review_id: str
    facts: list[Fact]


def scenario(suffix: str = "1") -> Scenario:
    """A case registered, triaged, assigned twice, resolved, reopened, resolved, reviewed;
    a directive issued, extended and reported; a monitoring group; an unknown event type."""
    case = Stream("case", f"case-{suffix}")
    case.add("case.registered", registered(), "2026-01-05 04:00")
    case.add("case.triaged", {"risk_level": "high", "category": "bribery", "notes": "n"},
             "2026-01-05 06:00")
    case.add("case.resolved", resolved("not_confirmed"), "2026-01-20 06:00")
    case.add("case.reopened", {"reason": "r", "review_id": None, "findings": "f", "flags": []},
             "2026-01-21 06:00")
    case.add("case.resolved", resolved("confirmed"), "2026-02-02 06:00")
    case.add("case.shrugged", {"anything": 1}, "2026-02-03 06:00")
    assignment = Stream("assignment", case.stream_id)
    assignment.add("assignment.made", assignment_made(case.stream_id, "officer-a"),
                   "2026-01-05 05:00", actor="system", role="admin")
    assignment.add("assignment.deadline_set", deadline_set(case.stream_id, "2026-01-26"),
                   "2026-01-05 05:00", actor="system", role="admin")
    assignment.add("assignment.made", assignment_made(case.stream_id, "officer-b"),
                   "2026-01-10 05:00", actor="sup-1", role="supervisor")
    review = Stream("review", f"review-{suffix}")
    review.add("review.opened", review_opened(case.stream_id), "2026-02-02 07:00",
               actor="system", role="admin")
    review.add("review.claimed", {"reviewer_id": "mon-1"}, "2026-02-03 07:00", actor="mon-1",
               role="monitor")
    review.add("review.verdict_recorded", verdict(case.stream_id), "2026-02-04 07:00",
               actor="mon-1", role="monitor")
    directive = Stream("directive", f"dir-{suffix}")
    directive.add("directive.issued", issued(due="2026-02-27"), "2026-01-06 04:00")
    directive.add("directive.deadline_extended", {"previous_due_date": "2026-02-27",
                  "new_due_date": "2026-03-13", "reason": "x"}, "2026-02-20 04:00")
    directive.add("directive.completion_reported", {"summary": "done"}, "2026-03-10 04:00")
    group = Stream("monitoring_group", f"group-{suffix}")
    group.add("monitoring_group.formed", {"name": "Almaty SMG", "region": "KZ-75"},
              "2026-01-01 04:00")
    group.add("monitoring_group.member_added", {"monitor_id": "mon-1", "name": "A"},
              "2026-01-01 05:00")
    group.add("monitoring_group.member_added", {"monitor_id": "mon-2", "name": "B"},
              "2026-01-01 05:00")
    group.add("monitoring_group.member_deactivated", {"monitor_id": "mon-2", "reason": "left"},
              "2026-01-02 05:00")
    facts = [Fact.of(e, s.topic) for s in (case, assignment, review, directive, group)
             for e in s.envelopes]
    return Scenario(case.stream_id, directive.stream_id, review.stream_id, facts)

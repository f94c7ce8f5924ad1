"""Cases whose legal clocks ran: extended (notices late, on time, owed), forwarded late and on
time, with assignment's clock events about them, as a shuffleable set of facts."""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.facts import Fact
from tests.support.timeline import Stream, registered


@dataclass(frozen=True)
class ClockScenario:
    """The ids and the facts of the scenario."""

    extended_id: str
    anonymous_id: str
    forwarded_late_id: str
    forwarded_id: str
    facts: list[Fact]


def _extension(previous: str, new: str, notice_due: str) -> dict[str, str]:
    return {"previous_due_date": previous, "new_due_date": new, "reason": "an inspection",
            "notice_due_date": notice_due}


def _deadline(subject: str, due: str, clock: str) -> dict[str, str]:
    return {"subject_id": subject, "subject_type": "case", "due_date": due, "clock": clock,
            "basis_event_id": "evt-basis"}


def clock_scenario(suffix: str = "1") -> ClockScenario:
    """Four cases registered on 30 November 2026 (Almaty) with their clocks."""
    extended = Stream("case", f"case-ext-{suffix}")
    extended.add("case.registered", {**registered(), "anonymous": False, "reporter": {
        "vault_ref": "vault:x", "commitment": "ab" * 32}}, "2026-11-30 04:00")
    extended.add("case.consideration_extended",
                 _extension("2026-12-22", "2027-01-15", "2026-12-21"), "2026-12-15 05:00",
                 actor="sup-1", role="supervisor")
    extended.add("case.reporter_notified", {"channel": "post", "notified_on": "2026-12-23"},
                 "2026-12-23 05:00")  # two days late
    extended.add("case.consideration_extended",
                 _extension("2027-01-15", "2027-01-29", "2027-01-13"), "2027-01-08 05:00",
                 actor="sup-1", role="supervisor")  # its notice is still owed
    plan = Stream("assignment", extended.stream_id)
    plan.add("assignment.deadline_set", _deadline(extended.stream_id, "2026-12-22", "appeal"),
             "2026-11-30 04:01", actor="assignment-planner", role="system")
    plan.add("assignment.deadline_set", _deadline(extended.stream_id, "2027-01-15", "extension"),
             "2026-12-15 05:01", actor="assignment-planner", role="system")
    plan.add("assignment.deadline_set",
             _deadline(extended.stream_id, "2026-12-21", "extension_notice"), "2026-12-15 05:02",
             actor="assignment-planner", role="system")
    plan.add("assignment.escalated", {
        "subject_id": extended.stream_id, "subject_type": "case", "level": "overdue",
        "due_date": "2026-12-21", "clock": "extension_notice",
        "breach": f"{extended.stream_id}:extension_notice:overdue:2026-12-21"},
        "2026-12-22 01:00", actor="assignment-clock", role="system", schema_version=2)

    anonymous = Stream("case", f"case-anon-{suffix}")
    anonymous.add("case.registered", registered(), "2026-11-30 05:00")
    anonymous.add("case.consideration_extended",
                  _extension("2026-12-22", "2027-01-20", "2026-12-21"), "2026-12-15 05:00")
    anonymous.add("case.reporter_notified",
                  {"channel": "not_possible", "notified_on": "2026-12-15"}, "2026-12-15 05:00")

    late = Stream("case", f"case-fwd-late-{suffix}")
    late.add("case.registered", registered(), "2026-11-30 06:00")
    late.add("case.marked_misdirected", {"reason": "Astana's school",
                                         "forward_due_date": "2026-12-03"}, "2026-12-01 06:00")
    late.add("case.forwarded", {"target_kind": "region", "target_region": "KZ-71",
                                "target_body": None, "reason": "Astana's school",
                                "forward_due_date": "2026-12-03"}, "2026-12-07 06:00")
    on_time = Stream("case", f"case-fwd-{suffix}")
    on_time.add("case.registered", registered(region="KZ-71"), "2026-11-30 07:00",
                region="KZ-71")
    on_time.add("case.forwarded", {"target_kind": "body", "target_region": None,
                                   "target_body": "Ministry of Education", "reason": "its own",
                                   "forward_due_date": "2026-12-03"}, "2026-12-02 07:00",
                region="KZ-71")
    streams = (extended, plan, anonymous, late, on_time)
    return ClockScenario(extended.stream_id, anonymous.stream_id, late.stream_id,
                         on_time.stream_id,
                         [Fact.of(e, s.topic) for s in streams for e in s.envelopes])

"""Golden case and directive streams, each event with the status the contract gives after it.

Every stream is a life intake can record; the `status` column is what operators (intake) and
monitors (reporting) must both read after that event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Payload = dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One event of a golden stream and the status after it."""

    event_type: str
    payload: Payload
    status: str


@dataclass(frozen=True)
class GoldenStream:
    """A named stream of one case or directive."""

    name: str
    stream_type: str
    steps: tuple[Step, ...]


def _registered() -> Payload:
    return {"title": "Bribe for a plot", "description": "An official asked for money.",
            "region": "KZ-75", "sector": "land", "source": "hotline", "district": None,
            "anonymous": True, "reporter": None}


def _assigned(n: int, manual: bool = False) -> Payload:
    return {"office_id": "office-1", "officer_id": f"officer-{n}",
            "assignment_event_id": f"assignment-{n}", "manual": manual}


TRIAGED = {"risk_level": "high", "category": "bribery", "notes": None}
PROGRESS = {"note": "visited the akimat", "evidence_refs": []}
RESOLVED = {"outcome": "confirmed", "summary": "confirmed", "measures_taken": ["dismissal"]}
REVIEW = {"review_id": "review-1"}
CLOSED = {"review_id": "review-1", "verdict_event_id": "verdict-1"}
RETURNED = {"reason": "returned by review", "review_id": "review-1", "findings": "thin",
            "flags": ["insufficient_evidence"]}
REOPENED = {"reason": "new evidence", "review_id": None, "findings": None, "flags": []}
ESCALATED = {"review_id": "review-1", "findings": "systemic"}
EXTENDED_CASE = {"previous_due_date": "2026-12-21", "new_due_date": "2027-01-20",
                 "reason": "awaiting an inspection", "notice_due_date": "2026-12-03"}
NOTIFIED = {"channel": "phone", "notified_on": "2026-12-01"}
MISDIRECTED = {"reason": "an Astana school", "forward_due_date": "2026-12-03"}
FORWARDED = {"target_kind": "region", "target_region": "KZ-71", "target_body": None,
             "reason": "an Astana school", "forward_due_date": "2026-12-03"}
IGNORED = {"review_id": "review-1", "verdict": "approved", "verdict_event_id": "verdict-9",
           "reason": "the case is registered, not resolved or under review"}


def _case(name: str, *steps: tuple[str, Payload, str]) -> GoldenStream:
    head = Step("case.registered", _registered(), "registered")
    return GoldenStream(name, "case", (head, *(Step(f"case.{t}", p, s) for t, p, s in steps)))


CASE_STREAMS = (
    _case("auto-assigned at registration, then triaged",
          ("assigned", _assigned(1), "assigned"), ("triaged", TRIAGED, "assigned")),
    _case("reassigned by hand while in progress",
          ("triaged", TRIAGED, "triaged"), ("assigned", _assigned(1), "assigned"),
          ("progress_noted", PROGRESS, "in_progress"),
          ("assigned", _assigned(2, manual=True), "in_progress")),
    _case("returned by review, reopened, approved",
          ("assigned", _assigned(1), "assigned"), ("progress_noted", PROGRESS, "in_progress"),
          ("resolved", RESOLVED, "resolved"), ("review_started", REVIEW, "under_review"),
          ("reopened", RETURNED, "reopened"), ("assigned", _assigned(2), "reopened"),
          ("progress_noted", PROGRESS, "in_progress"), ("resolved", RESOLVED, "resolved"),
          ("review_started", {"review_id": "review-2"}, "under_review"),
          ("closed", CLOSED, "closed")),
    _case("escalated by review is open at the agency until resolved again and closed",
          ("progress_noted", PROGRESS, "in_progress"), ("resolved", RESOLVED, "resolved"),
          ("review_started", REVIEW, "under_review"), ("escalated", ESCALATED, "escalated"),
          ("progress_noted", PROGRESS, "in_progress"), ("resolved", RESOLVED, "resolved"),
          ("review_started", {"review_id": "review-2"}, "under_review"),
          ("closed", CLOSED, "closed")),
    _case("closed, then reopened by an operator",
          ("progress_noted", PROGRESS, "in_progress"), ("resolved", RESOLVED, "resolved"),
          ("closed", CLOSED, "closed"), ("reopened", REOPENED, "reopened"),
          ("triaged", TRIAGED, "reopened")),
    _case("a review opened before resolution keeps the status",
          ("triaged", TRIAGED, "triaged"), ("review_started", REVIEW, "triaged"),
          ("flagged_for_review", {"reason": "media report"}, "triaged"),
          ("verdict_ignored", IGNORED, "triaged")),
    _case("marked a duplicate, then a late assignment",
          ("triaged", TRIAGED, "triaged"),
          ("marked_duplicate", {"original_case_id": "case-original"}, "duplicate"),
          ("assigned", _assigned(1), "duplicate")),
    _case("an original that gained a duplicate",
          ("duplicate_linked", {"duplicate_case_id": "case-dup"}, "registered"),
          ("assigned", _assigned(1), "assigned")),
    _case("withdrawn while in progress, reporter erased",
          ("assigned", _assigned(1), "assigned"), ("progress_noted", PROGRESS, "in_progress"),
          ("withdrawn", {"reason": "reporter withdrew"}, "withdrawn"),
          ("reporter_erased", {"reason": "request"}, "withdrawn")),
    _case("extended twice, the reporter told each time",
          ("triaged", TRIAGED, "triaged"),
          ("consideration_extended", EXTENDED_CASE, "triaged"),
          ("reporter_notified", NOTIFIED, "triaged"), ("assigned", _assigned(1), "assigned"),
          ("progress_noted", PROGRESS, "in_progress"),
          ("consideration_extended", {**EXTENDED_CASE, "previous_due_date": "2027-01-20",
                                      "new_due_date": "2027-01-27"}, "in_progress"),
          ("reporter_notified", NOTIFIED, "in_progress"), ("resolved", RESOLVED, "resolved")),
    _case("marked misdirected, forwarded, then a late assignment",
          ("marked_misdirected", MISDIRECTED, "registered"),
          ("assigned", _assigned(1), "assigned"), ("forwarded", FORWARDED, "forwarded"),
          ("assigned", _assigned(2), "forwarded"),
          ("flagged_for_review", {"reason": "media report"}, "forwarded")),
)

ISSUED = {"title": "Publish land allocation lists", "text": "Publish them monthly.",
          "issuing_authority": "Agency", "addressee_body": "Akimat of Almaty", "region": "KZ-75",
          "due_date": "2026-12-31", "meeting_reference": "M-1"}
EXTENDED = {"previous_due_date": "2026-12-31", "new_due_date": "2027-01-29", "reason": "scope"}


def _directive(name: str, *steps: tuple[str, Payload, str]) -> GoldenStream:
    head = Step("directive.issued", ISSUED, "issued")
    return GoldenStream(name, "directive",
                        (head, *(Step(f"directive.{t}", p, s) for t, p, s in steps)))


DIRECTIVE_STREAMS = (
    _directive("returned once, then verified",
               ("acknowledged", {"note": "seen"}, "acknowledged"),
               ("progress_reported", {"note": "half"}, "in_progress"),
               ("deadline_extended", EXTENDED, "in_progress"),
               ("completion_reported", {"summary": "done"}, "reported"),
               ("review_started", REVIEW, "under_review"),
               ("returned", {"review_id": "review-1", "findings": "thin"}, "returned"),
               ("completion_reported", {"summary": "done again"}, "reported"),
               ("review_started", {"review_id": "review-2"}, "under_review"),
               ("verified", {"review_id": "review-2", "verdict_event_id": "verdict-2"},
                "verified")),
    _directive("extended before acknowledgement, then cancelled",
               ("deadline_extended", EXTENDED, "issued"),
               ("cancelled", {"reason": "superseded"}, "cancelled"),
               ("verdict_ignored", {**IGNORED, "reason": "cancelled"}, "cancelled")),
)

"""Payloads of the directive stream (owned by intake)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Field

from events.fields import Reason, Short, Text
from events.registry import REGISTRY, EventPayload, payload_type
from events.vocabulary import Region

Title = Short


@payload_type("directive.issued", 1)
class DirectiveIssuedV1(EventPayload):
    """v1, read only: a directive with no citizen receptions required."""

    title: Title
    text: Text
    issuing_authority: Short
    addressee_body: Short
    region: Region
    due_date: date
    meeting_reference: Short | None


MAX_RECEPTIONS_REQUIRED = 1_000
"""Citizen receptions one directive may require, at most."""


@payload_type("directive.issued", 2)
class DirectiveIssued(DirectiveIssuedV1):
    """An authority instructed a body of a region to act by a due date.

    v2 adds `receptions_required`: how many citizen receptions the addressee must hold (0: none);
    held receptions naming the directive count towards it.
    """

    receptions_required: Annotated[int, Field(ge=0, le=MAX_RECEPTIONS_REQUIRED)] = 0


def directive_issued_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """A v1 directive required no receptions."""
    return {**payload, "receptions_required": 0}


REGISTRY.register_upcaster("directive.issued", 1, directive_issued_v1_to_v2)


@payload_type("directive.acknowledged", 1)
class DirectiveAcknowledged(EventPayload):
    """The addressee confirmed it received the directive."""

    note: Text | None


@payload_type("directive.progress_reported", 1)
class DirectiveProgressReported(EventPayload):
    """The addressee reported progress."""

    note: Text


@payload_type("directive.completion_reported", 1)
class DirectiveCompletionReported(EventPayload):
    """The addressee reported the directive as carried out."""

    summary: Text


@payload_type("directive.review_started", 1)
class DirectiveReviewStarted(EventPayload):
    """A review of the completion report was opened."""

    review_id: Short


@payload_type("directive.verified", 1)
class DirectiveVerified(EventPayload):
    """The review confirmed the directive was carried out."""

    review_id: Short
    verdict_event_id: Short


@payload_type("directive.returned", 1)
class DirectiveReturned(EventPayload):
    """The review returned the completion report for more work."""

    review_id: Short
    findings: Text | None


@payload_type("directive.escalated", 1)
class DirectiveEscalated(EventPayload):
    """The review flagged the completion unresolved and handed the directive to the agency.

    The directive stays open: its addressee works on and reports again, and that report is
    reviewed again, linked to this review.
    """

    review_id: Short
    verdict_event_id: Short
    findings: Text


@payload_type("directive.deadline_extended", 1)
class DirectiveDeadlineExtended(EventPayload):
    """A supervisor other than the issuer moved the due date, with a reason."""

    previous_due_date: date
    new_due_date: date
    reason: Reason


@payload_type("directive.cancelled", 1)
class DirectiveCancelled(EventPayload):
    """The directive was cancelled, with the reason."""

    reason: Reason


@payload_type("directive.verdict_ignored", 1)
class DirectiveVerdictIgnored(EventPayload):
    """A review verdict arrived that cannot apply to this directive; kept, with the reason."""

    review_id: Short
    verdict: Short
    verdict_event_id: Short
    reason: Reason

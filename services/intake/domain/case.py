"""The Case aggregate: state as a fold of its events, commands decided against it."""

from __future__ import annotations

from dataclasses import replace

from events import (
    CaseAssigned,
    CaseClosed,
    CaseDuplicateLinked,
    CaseEscalated,
    CaseFlaggedForReview,
    CaseMarkedDuplicate,
    CaseProgressNoted,
    CaseRegistered,
    CaseReopened,
    CaseReporterDisclosed,
    CaseReporterErased,
    CaseResolved,
    CaseReviewStarted,
    CaseTriaged,
    CaseVerdictIgnored,
    CaseWithdrawn,
    EventEnvelope,
    EventPayload,
)
from events.lifecycle import next_case_status
from services.intake.domain.case_clocks import decide_clock, evolve_clock
from services.intake.domain.case_state import (
    AWAITING_VERDICT,
    FINAL,
    OPEN,
    CaseState,
    ProgressNote,
    S,
)
from services.intake.domain.commands import (
    CaseCommand,
    DiscloseReporter,
    EraseReporter,
    ExtendConsideration,
    FlagForReview,
    ForwardCase,
    LinkDuplicate,
    MarkDuplicate,
    MarkMisdirected,
    NoteProgress,
    NotifyReporter,
    RecordAssignment,
    RecordVerdict,
    RegisterCase,
    ReopenCase,
    ResolveCase,
    StartReview,
    TriageCase,
    WithdrawCase,
)
from services.intake.domain.errors import InvalidCommand
from services.runtime.aggregate import Aggregate

STREAM_TYPE = "case"


def decide(state: CaseState, command: CaseCommand) -> list[EventPayload]:
    """The events a command causes on a case, or a DomainError."""
    match command:
        case RegisterCase():
            state.require_new("register")
            return [CaseRegistered(
                title=command.title, description=command.description, region=command.region,
                sector=command.sector, source=command.source, district=command.district,
                anonymous=command.anonymous, reporter=command.reporter,
                reception_id=command.reception_id)]
        case RecordAssignment() | StartReview() | RecordVerdict():
            return _decide_reaction(state, command)
    state.require_begun(command)
    match command:
        case TriageCase(risk_level, category, notes):
            state.require("triage")
            return [CaseTriaged(risk_level=risk_level, category=category, notes=notes)]
        case NoteProgress(note, evidence_refs):
            state.require("notes")
            return [CaseProgressNoted(note=note, evidence_refs=list(evidence_refs))]
        case ResolveCase(outcome, summary, measures_taken):
            state.require("resolve")
            return [CaseResolved(outcome=outcome, summary=summary,
                                 measures_taken=list(measures_taken))]
        case ReopenCase(reason):
            state.require("reopen")
            return [CaseReopened(reason=reason, review_id=None, findings=None, flags=[])]
        case MarkDuplicate(original_case_id):
            state.require("duplicate-of")
            if original_case_id == state.id:
                raise InvalidCommand("original_case_id", "a case cannot duplicate itself")
            return [CaseMarkedDuplicate(original_case_id=original_case_id)]
        case LinkDuplicate(duplicate_case_id):
            if state.status is S.DUPLICATE:
                raise InvalidCommand("original_case_id",
                                     f"case {state.id} is itself a duplicate; name its original")
            return [CaseDuplicateLinked(duplicate_case_id=duplicate_case_id)]
        case WithdrawCase(reason):
            state.require("withdraw")
            return [CaseWithdrawn(reason=reason)]
        case FlagForReview(reason):
            state.require("flag-for-review")
            return [CaseFlaggedForReview(reason=reason)]
        case DiscloseReporter(viewer_id, viewer_role, purpose):
            state.require("reporter")
            return [CaseReporterDisclosed(viewer_id=viewer_id, viewer_role=viewer_role,
                                          purpose=purpose)]
        case EraseReporter(reason):
            state.require("erase-reporter")
            return [CaseReporterErased(reason=reason)]
        case ExtendConsideration() | NotifyReporter() | MarkMisdirected() | ForwardCase():
            return decide_clock(state, command)
    raise TypeError(f"not a case command: {command!r}")


def _decide_reaction(
    state: CaseState, command: RecordAssignment | StartReview | RecordVerdict
) -> list[EventPayload]:
    """What other services' events do to a case: never an error, at most a recorded refusal."""
    match command:
        case RecordAssignment():
            if not state.exists or command.assignment_event_id in state.assignment_event_ids:
                return []
            if state.assigned_at is not None and command.occurred_at <= state.assigned_at:
                return []  # an older assignment arriving late never overrides a newer one
            if state.status in FINAL and (state.finished_at is None
                                          or command.occurred_at > state.finished_at):
                return []
            return [CaseAssigned(office_id=command.office_id, officer_id=command.officer_id,
                                 assignment_event_id=command.assignment_event_id,
                                 kind=command.kind)]
        case StartReview(review_id):
            if state.status is S.RESOLVED or (state.status in OPEN
                                               and review_id != state.review_id):
                return [CaseReviewStarted(review_id=review_id)]
            return []
        case RecordVerdict():
            return _decide_verdict(state, command)


def _decide_verdict(state: CaseState, command: RecordVerdict) -> list[EventPayload]:
    if command.verdict_event_id in state.verdicts_seen:
        return []
    if state.status not in AWAITING_VERDICT:
        return [CaseVerdictIgnored(
            review_id=command.review_id, verdict=command.verdict,
            verdict_event_id=command.verdict_event_id,
            reason=f"the case is {state.status}, not resolved or under review")]
    if command.verdict == "approved":
        return [CaseClosed(review_id=command.review_id,
                           verdict_event_id=command.verdict_event_id)]
    if command.verdict == "returned":
        return [CaseReopened(reason="returned by review", review_id=command.review_id,
                             findings=command.findings, flags=list(command.flags))]
    if command.verdict == "escalated":
        return [CaseEscalated(review_id=command.review_id, findings=command.findings)]
    return [CaseVerdictIgnored(review_id=command.review_id, verdict=command.verdict,
                               verdict_event_id=command.verdict_event_id,
                               reason=f"unknown verdict {command.verdict!r}")]


def evolve(state: CaseState, envelope: EventEnvelope, payload: EventPayload) -> CaseState:
    """The state after one stored event."""
    s = state.after(envelope, next_case_status(state.status, envelope.event_type))
    match payload:
        case CaseRegistered():
            return replace(
                s, title=payload.title, description=payload.description,
                region=payload.region, sector=payload.sector, source=payload.source,
                district=payload.district, anonymous=payload.anonymous,
                reporter=payload.reporter, registered_at=envelope.occurred_at,
                registered_by=envelope.actor.id, reception_id=payload.reception_id)
        case CaseTriaged():
            return replace(s, risk_level=payload.risk_level, category=payload.category,
                           triage_notes=payload.notes)
        case CaseAssigned():
            return replace(s, office_id=payload.office_id, officer_id=payload.officer_id,
                           assigned_at=envelope.occurred_at,
                           assignment_event_ids=s.assignment_event_ids
                           | {payload.assignment_event_id})
        case CaseProgressNoted():
            note = ProgressNote(payload.note, tuple(payload.evidence_refs),
                                envelope.occurred_at, envelope.actor.id)
            return replace(s, progress=(*s.progress, note))
        case CaseResolved():
            return replace(s, outcome=payload.outcome, summary=payload.summary,
                           measures_taken=tuple(payload.measures_taken),
                           resolved_by=envelope.actor.id, escalated=False)
        case CaseReviewStarted():
            return replace(s, review_id=payload.review_id)
        case CaseClosed():
            return replace(s, review_id=payload.review_id,
                           finished_at=envelope.occurred_at,
                           verdicts_seen=s.verdicts_seen | {payload.verdict_event_id})
        case CaseReopened():
            return replace(s, reopen_count=s.reopen_count + 1,
                           findings=payload.findings, finished_at=None, escalated=False,
                           review_id=payload.review_id or s.review_id)
        case CaseEscalated():
            return replace(s, escalated=True, findings=payload.findings,
                           review_id=payload.review_id)
        case CaseVerdictIgnored():
            return replace(s, ignored_verdicts=(*s.ignored_verdicts, payload.verdict_event_id),
                           verdicts_seen=s.verdicts_seen | {payload.verdict_event_id})
        case CaseFlaggedForReview():
            return replace(s, flagged_reason=payload.reason)
        case CaseMarkedDuplicate():
            return replace(s, duplicate_of=payload.original_case_id,
                           finished_at=envelope.occurred_at)
        case CaseDuplicateLinked():
            return replace(s, duplicates=(*s.duplicates, payload.duplicate_case_id))
        case CaseWithdrawn():
            return replace(s, withdrawn_reason=payload.reason,
                           finished_at=envelope.occurred_at)
        case CaseReporterDisclosed():
            return replace(s, disclosures=s.disclosures + 1)
        case CaseReporterErased():
            return replace(s, reporter_erased=True)
    return evolve_clock(s, envelope, payload)


CASE = Aggregate(STREAM_TYPE, lambda case_id: CaseState(id=case_id), evolve)
"""A case: the fold of its stream."""
fold = CASE.fold


def decide_register(state: CaseState, command: RegisterCase) -> list[EventPayload]:
    """A case is registered once."""
    return decide(state, command)

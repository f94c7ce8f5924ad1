"""Property: no sequence of commands reaches an invalid case or directive, and the state the API
reports (a fold of the stored, wire-round-tripped stream) always equals evolve over what was decided."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from events import (
    Actor,
    AssignmentKind,
    CaseOutcome,
    EventPayload,
    IntakeSource,
    Region,
    ReporterReference,
    RiskLevel,
    Sector,
)
from events.calendar import add_months, kazakhstan_calendar
from events.lifecycle import CaseStatus, DirectiveStatus
from services.intake.directive_handlers import directive_view
from services.intake.domain import case as cases
from services.intake.domain import directive as directives
from services.intake.domain.commands import (
    AcknowledgeDirective,
    CancelDirective,
    CaseCommand,
    DirectiveCommand,
    DiscloseReporter,
    EraseReporter,
    ExtendDeadline,
    FlagForReview,
    IssueDirective,
    LinkDuplicate,
    MarkDuplicate,
    NoteProgress,
    RecordAssignment,
    RecordVerdict,
    RegisterCase,
    ReopenCase,
    ReportCompletion,
    ReportProgress,
    ResolveCase,
    StartReview,
    TriageCase,
    WithdrawCase,
)
from services.intake.domain.errors import IllegalTransition
from services.intake.handlers import case_view
from services.runtime.errors import DomainError
from tests.unit.intake.streams import OPERATOR, T0, Driven, driven_case

pytestmark = pytest.mark.unit
CommandT = TypeVar("CommandT")

MACHINE_SETTINGS = settings(max_examples=30, stateful_step_count=20, deadline=None)
VERDICTS = st.sampled_from(["approved", "returned", "escalated", "bogus"])
EVENT_IDS = st.sampled_from(["e1", "e2", "e3", "e4"])  # small pool: redeliveries happen
TEXT = st.text(alphabet="abc xyz", min_size=1, max_size=8).filter(lambda s: s.strip())


def step(command: st.SearchStrategy[CommandT], action: str | None = None
         ) -> st.SearchStrategy[tuple[CommandT, str | None]]:
    """A command and the operator action it is (None: another service's event applied)."""
    return st.tuples(command, st.just(action))


CASE_STEPS = st.one_of(
    step(st.builds(TriageCase, st.sampled_from(RiskLevel), TEXT, st.none()), "triage"),
    step(st.builds(NoteProgress, TEXT, st.just(())), "notes"),
    step(st.builds(ResolveCase, st.sampled_from(CaseOutcome), st.just("s"), st.just(())),
         "resolve"),
    step(st.just(ReopenCase("r")), "reopen"),
    step(st.just(MarkDuplicate("case-0")), "duplicate-of"),
    step(st.just(LinkDuplicate("case-9"))),
    step(st.just(WithdrawCase("w")), "withdraw"),
    step(st.just(FlagForReview("f")), "flag-for-review"),
    step(st.just(DiscloseReporter("sup", "supervisor", "call back")), "reporter"),
    step(st.just(EraseReporter("asked")), "erase-reporter"),
    step(st.builds(lambda event_id, hours: RecordAssignment(
        "office", f"officer-{hours}", event_id, AssignmentKind.AUTOMATIC,
        T0 + timedelta(hours=hours)), EVENT_IDS, st.integers(0, 48))),
    step(st.builds(StartReview, st.sampled_from(["r1", "r2"]))),
)
"""What operators and other services ask of a case (verdicts have a rule of their own)."""

DIRECTIVE_STEPS = st.one_of(
    step(st.just(AcknowledgeDirective(None)), "acknowledge"),
    step(st.just(ReportProgress("p")), "progress"),
    step(st.just(ReportCompletion("s")), "report"),
    step(st.just(CancelDirective("c")), "cancel"),
    step(st.just(StartReview("r1"))),
)
"""What is asked of a directive, but for extensions (due dates move) and verdicts."""


class CaseMachine(RuleBasedStateMachine):
    """Drive one case with arbitrary commands, as operators and other services would."""

    def __init__(self) -> None:
        super().__init__()
        self.case = driven_case("case-1")

    def apply(self, command: CaseCommand, action: str | None = None) -> list[EventPayload]:
        allowed = self.case.state.allowed_actions()
        before = self.case.state
        try:
            payloads = self.case.do(command)
        except IllegalTransition as refused:
            assert action is None or action not in allowed
            assert refused.allowed == allowed and refused.state == str(before.status)
            return []
        except DomainError:
            return []
        assert action is None or action in allowed
        return payloads

    @initialize(named=st.booleans())
    def register(self, named: bool) -> None:
        reference = ReporterReference(vault_ref="v", commitment="b" * 64) if named else None
        self.apply(RegisterCase("t", "d", Region("KZ-75"), Sector.LAND,
                                IntakeSource.HOTLINE, None, not named, reference))

    @rule(step=CASE_STEPS)
    def command(self, step: tuple[CaseCommand, str | None]) -> None:
        self.apply(*step)

    @rule(verdict=VERDICTS, event_id=EVENT_IDS)
    def verdict_arrives(self, verdict: str, event_id: str) -> None:
        before = self.case.state
        payloads = self.apply(RecordVerdict("r1", verdict, event_id, None, ()))
        if event_id in before.verdicts_seen:
            assert payloads == []

    @invariant()
    def the_reported_state_is_the_fold_of_the_stored_stream(self) -> None:
        stored = cases.fold("case-1", self.case.stream.envelopes)
        assert stored == self.case.state
        assert case_view(stored) == case_view(self.case.state)

    @invariant()
    def the_state_is_valid(self) -> None:
        s = self.case.state
        assert s.version == len(self.case.stream.envelopes) and s.status is not None
        if s.status in (CaseStatus.RESOLVED, CaseStatus.UNDER_REVIEW, CaseStatus.CLOSED):
            assert s.outcome is not None
        if s.status is CaseStatus.CLOSED:
            assert s.review_id is not None
        if s.status is CaseStatus.IN_PROGRESS:
            assert s.progress
        assert (s.status is CaseStatus.DUPLICATE) == (s.duplicate_of is not None)
        assert (s.status is CaseStatus.WITHDRAWN) == (s.withdrawn_reason is not None)
        assert not (s.reporter_erased and s.reporter is None)
        if s.status in cases.FINAL:
            assert not {"triage", "notes", "resolve", "withdraw"} & set(s.allowed_actions())


class DirectiveMachine(RuleBasedStateMachine):
    """Drive one directive with arbitrary commands and days."""

    def __init__(self) -> None:
        super().__init__()
        self.directive = Driven(directives.DIRECTIVE, directives.decide, "dir-1")

    def apply(self, command: DirectiveCommand, action: str | None = None,
              actor: Actor = OPERATOR) -> None:
        allowed = self.directive.state.allowed_actions()
        try:
            self.directive.do(command, actor)
        except IllegalTransition as refused:
            assert action is None or action not in allowed
            assert refused.allowed == allowed
            return
        except DomainError:
            return
        assert action is None or action in allowed

    @initialize(days=st.integers(1, 90))
    def issue(self, days: int) -> None:
        today = date(2026, 11, 30)
        self.apply(IssueDirective("t", "x", "agency", "body", Region("KZ-75"),
                                  today + timedelta(days=days), None, today))

    @rule(step=DIRECTIVE_STEPS)
    def command(self, step: tuple[DirectiveCommand, str | None]) -> None:
        self.apply(*step)

    @rule(days=st.integers(-5, 80), by=st.sampled_from(["op-1", "sup-2"]))
    def extend(self, days: int, by: str) -> None:
        due = self.directive.state.due_date or date(2026, 12, 1)
        self.apply(ExtendDeadline(due + timedelta(days=days), "r", by), "extend")

    @rule(verdict=VERDICTS, event_id=EVENT_IDS)
    def verdict_arrives(self, verdict: str, event_id: str) -> None:
        self.apply(RecordVerdict("r1", verdict, event_id, None, ()))

    @invariant()
    def the_reported_state_is_the_fold_of_the_stored_stream(self) -> None:
        stored = directives.fold("dir-1", self.directive.stream.envelopes)
        assert stored == self.directive.state
        day = date(2027, 1, 15)
        assert directive_view(stored, day, 0) == directive_view(self.directive.state, day, 0)

    @invariant()
    def the_state_is_valid(self) -> None:
        s = self.directive.state
        assert s.status is not None and s.due_date and s.original_due_date
        assert s.due_date >= s.original_due_date
        assert s.due_date <= add_months(s.original_due_date, 2)
        assert (s.extensions == 0) == (s.due_date == s.original_due_date)
        if s.status in (DirectiveStatus.REPORTED, DirectiveStatus.UNDER_REVIEW):
            assert s.completion_summary and s.reported_on
        for today in (date(2026, 12, 1), date(2027, 3, 1)):
            late = directives.lateness(s, today, kazakhstan_calendar())
            assert late is not None and late.effective_due_date >= s.due_date
            assert kazakhstan_calendar().is_working_day(late.effective_due_date)
            assert late.overdue == (late.days_overdue > 0)


TestCaseMachine = CaseMachine.TestCase
TestCaseMachine.settings = MACHINE_SETTINGS
TestDirectiveMachine = DirectiveMachine.TestCase
TestDirectiveMachine.settings = MACHINE_SETTINGS

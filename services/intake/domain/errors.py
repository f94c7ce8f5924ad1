"""Domain errors: a command refused by the rules, with what the caller can do instead."""

from __future__ import annotations


class DomainError(Exception):
    """A command the rules refuse."""


class IllegalTransition(DomainError):
    """The command does not apply in the subject's current state."""

    def __init__(self, action: str, state: str, allowed: list[str], subject: str = "case") -> None:
        super().__init__(f"cannot {action} a {subject} that is {state}")
        self.action = action
        self.state = state
        self.allowed = allowed


class InvalidCommand(DomainError):
    """The command's values break a rule (e.g. dates in the wrong order); names the field."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field
        self.detail = detail


class FourEyesViolation(DomainError):
    """The same person may not both make and check a decision."""

"""Domain errors: a command refused by the rules, with what the caller can do instead."""

from __future__ import annotations


class DomainError(Exception):
    """A command the rules refuse."""


class IllegalTransition(DomainError):
    """The command does not apply in the subject's current state."""

    def __init__(self, action: str, state: str, allowed: list[str]) -> None:
        super().__init__(f"cannot {action} a case that is {state}")
        self.action = action
        self.state = state
        self.allowed = allowed

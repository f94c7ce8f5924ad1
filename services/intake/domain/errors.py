"""Domain errors: a command refused by the rules, with what the caller can do instead."""

from __future__ import annotations

from services.runtime.errors import Conflict, Forbidden, Invalid


class IllegalTransition(Conflict):
    """The command does not apply in the subject's current state; names the allowed actions."""

    default_title = "Illegal transition"

    def __init__(self, action: str, state: str, allowed: list[str], subject: str = "case") -> None:
        super().__init__(f"cannot {action} a {subject} that is {state}", current_state=state,
                         action=action, allowed_actions=allowed)
        self.action = action
        self.state = state
        self.allowed = allowed


class InvalidCommand(Invalid):
    """The command's values break a rule (e.g. dates in the wrong order); names the field."""

    default_title = "Invalid request"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail, field=field)


class FourEyesViolation(Forbidden):
    """The same person may not both make and check a decision."""

"""Domain errors of assignment: what the rules refuse, and which field is at fault."""

from __future__ import annotations


class DomainError(Exception):
    """A command the rules refuse."""

    status = 409

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotFound(DomainError):
    """The command names something that does not exist (or that the caller may not see)."""

    status = 404


class Invalid(DomainError):
    """The command names something that exists but cannot be used this way."""

    status = 422


class Conflict(DomainError):
    """The command does not apply in the current state."""

    status = 409

"""The one family of refusals that domain and application code raise, whatever the service.

Each kind says what went wrong in the domain's words; the HTTP app maps the kind (not the
service) to problem+json once, in `services.runtime.problems`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A command or query the rules refuse: a kind, a title, a detail, maybe the field at fault."""

    default_title: ClassVar[str] = "Refused"
    default_field: ClassVar[str | None] = None

    def __init__(self, detail: str, *, field: str | None = None, title: str | None = None,
                 **facts: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field or self.default_field
        self.facts = facts
        self.title = title or self.default_title


class NotFound(DomainError):
    """The subject does not exist, or the caller may not know that it does."""

    default_title = "Not Found"


class Conflict(DomainError):
    """The command does not apply in the subject's current state."""

    default_title = "Conflict"


class Forbidden(DomainError):
    """The caller may not do this to this subject (a role, a region, the four-eyes rule)."""

    default_title = "Forbidden"


class Invalid(DomainError):
    """The command's values break a rule; names the field."""

    default_title = "Unprocessable Content"


class Gone(DomainError):
    """What was asked for existed once and was destroyed (an erased reporter contact)."""

    default_title = "Gone"

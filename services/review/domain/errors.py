"""Domain errors: commands the review rules refuse, each a kind of the runtime's DomainError."""

from __future__ import annotations

from services.runtime.errors import Conflict, Forbidden, Invalid, NotFound


class AlreadyDecided(Conflict):
    """The review already has its verdict; a task takes exactly one."""

    default_title = "Review already decided"


class ClaimedByAnother(Conflict):
    """Another monitor has taken the review."""

    default_title = "Review claimed by another monitor"

    def __init__(self, reviewer_id: str) -> None:
        super().__init__(f"the review is claimed by {reviewer_id}")
        self.reviewer_id = reviewer_id


class FourEyesViolation(Forbidden):
    """The monitor resolved, or was assigned to, the subject under review."""

    default_title = "Four-eyes rule"

    def __init__(self, reviewer_id: str, relation: str) -> None:
        super().__init__(f"{reviewer_id} is the subject's {relation} and may not review it")
        self.reviewer_id = reviewer_id
        self.relation = relation


class NotAMember(Forbidden):
    """The monitor is not an active member of the region's (or the republican) group."""

    default_title = "Not a member of the monitoring group"

    def __init__(self, reviewer_id: str, region: str) -> None:
        super().__init__(
            f"{reviewer_id} is not an active member of the monitoring group of {region}"
            " or of the republican group"
        )
        self.reviewer_id = reviewer_id
        self.region = region


class FindingsRequired(Invalid):
    """A returned or escalated verdict must say what is wrong."""

    default_title = "Findings required"
    default_field = "findings"


class GroupExists(Conflict):
    """A group for that region (or the republican group) is already formed."""

    default_title = "Monitoring group exists"
    default_field = "region"


class MemberExists(Conflict):
    """The monitor is already an active member of the group."""

    default_title = "Already a member"
    default_field = "monitor_id"


class UnknownMember(NotFound):
    """The monitor is not an active member of the group."""

    default_title = "Not a member"
    default_field = "monitor_id"

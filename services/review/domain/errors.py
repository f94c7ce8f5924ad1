"""Domain errors: commands the review rules refuse, each naming what went wrong."""

from __future__ import annotations


class ReviewError(Exception):
    """A command the rules refuse."""


class AlreadyDecided(ReviewError):
    """The review already has its verdict; a task takes exactly one."""


class ClaimedByAnother(ReviewError):
    """Another monitor has taken the review."""

    def __init__(self, reviewer_id: str) -> None:
        super().__init__(f"the review is claimed by {reviewer_id}")
        self.reviewer_id = reviewer_id


class FourEyesViolation(ReviewError):
    """The monitor resolved, or was assigned to, the subject under review."""

    def __init__(self, reviewer_id: str, relation: str) -> None:
        super().__init__(f"{reviewer_id} is the subject's {relation} and may not review it")
        self.reviewer_id = reviewer_id
        self.relation = relation


class NotAMember(ReviewError):
    """The monitor is not an active member of the region's (or the republican) group."""

    def __init__(self, reviewer_id: str, region: str) -> None:
        super().__init__(
            f"{reviewer_id} is not an active member of the monitoring group of {region}"
            " or of the republican group"
        )
        self.reviewer_id = reviewer_id
        self.region = region


class FindingsRequired(ReviewError):
    """A returned or escalated verdict must say what is wrong."""


class GroupExists(ReviewError):
    """A group for that region (or the republican group) is already formed."""


class MemberExists(ReviewError):
    """The monitor is already an active member of the group."""


class UnknownMember(ReviewError):
    """The monitor is not an active member of the group."""

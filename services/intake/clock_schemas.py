"""Request models of a case's legal clocks: extension, the reporter's notice, forwarding."""

from __future__ import annotations

from enum import StrEnum

from events import Region
from events.cases import ForwardTargetKind
from services.intake.schemas import Reason, Short, Write
from services.runtime.fields import DueDate


class ExtendConsiderationRequest(Write):
    """POST /v1/cases/{id}/extend-consideration: a supervisor's motivated decision."""

    new_due_date: DueDate
    reason: Reason


class OperatorNoticeChannel(StrEnum):
    """How an operator told the reporter (`not_possible` is intake's own, for no contact)."""

    PHONE = "phone"
    EMAIL = "email"
    POST = "post"
    IN_PERSON = "in_person"
    PORTAL = "portal"


class NotifyReporterRequest(Write):
    """POST /v1/cases/{id}/notify-reporter: the reporter was told of the latest extension."""

    channel: OperatorNoticeChannel
    notified_on: DueDate


class ForwardRequest(Write):
    """POST /v1/cases/{id}/forward: to another region (`target_region`) or body (`target_body`)."""

    target_kind: ForwardTargetKind
    target_region: Region | None = None
    target_body: Short | None = None
    reason: Reason



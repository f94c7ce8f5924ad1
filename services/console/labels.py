"""English msgids for the values the APIs speak (statuses, sectors, verdicts …), translated at render."""

from __future__ import annotations


def N_(message: str) -> str:  # gettext's conventional no-op marker, found by extraction (-k N_)
    """Mark a string for translation without translating it here."""
    return message


VALUE_LABELS: dict[str, str] = {
    # case and directive statuses
    "registered": N_("Registered"), "triaged": N_("Triaged"), "assigned": N_("Assigned"),
    "in_progress": N_("In progress"), "resolved": N_("Resolved"), "under_review": N_("Under review"),
    "closed": N_("Closed"), "reopened": N_("Reopened"), "withdrawn": N_("Withdrawn"),
    "duplicate": N_("Duplicate"), "issued": N_("Issued"), "acknowledged": N_("Acknowledged"),
    "reported": N_("Reported"), "returned": N_("Returned"), "verified": N_("Verified"),
    "cancelled": N_("Cancelled"), "forwarded": N_("Forwarded"),
    # review statuses, reasons, verdicts and flags
    "open": N_("Open"), "claimed": N_("Claimed"), "decided": N_("Decided"),
    "high_risk": N_("High risk"), "sampled": N_("Sampled"), "directive_report": N_("Directive report"),
    "flagged": N_("Flagged"), "approved": N_("Approved"), "escalated": N_("Escalated"),
    "insufficient_evidence": N_("Insufficient evidence"), "missed_deadline": N_("Missed deadline"),
    "conflict_of_interest": N_("Conflict of interest"),
    "procedure_violation": N_("Procedure violation"), "incomplete_measures": N_("Incomplete measures"),
    "reporter_not_informed": N_("Reporter not informed"), "other": N_("Other"),
    # sectors
    "police": N_("Police"), "land": N_("Land"), "housing": N_("Housing"), "health": N_("Health"),
    "education": N_("Education"), "customs": N_("Customs"), "fire_service": N_("Fire service"),
    "akimat_services": N_("Akimat services"),
    # intake sources
    "citizen_reception": N_("Citizen reception"), "hotline": N_("Hotline"),
    "online_portal": N_("Online portal"), "anonymous_survey": N_("Anonymous survey"),
    "monitoring_group_finding": N_("Monitoring group finding"), "media": N_("Media"),
    "inspection": N_("Inspection"),
    # outcomes and risk levels
    "confirmed": N_("Confirmed"), "not_confirmed": N_("Not confirmed"),
    "referred_to_law_enforcement": N_("Referred to law enforcement"),
    "systemic_risk_eliminated": N_("Systemic risk eliminated"),
    "low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "critical": N_("Critical"),
    # roles
    "operator": N_("Operator"), "supervisor": N_("Supervisor"), "monitor": N_("Monitor"),
    "analyst": N_("Analyst"), "admin": N_("Administrator"),
    # directive buckets
    "completed_on_time": N_("Completed on time"), "completed_late": N_("Completed late"),
    "overdue": N_("Overdue"), "pending": N_("Pending"),
}

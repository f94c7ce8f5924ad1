"""One valid request per operation, for the authorization matrix.

`{case}`, `{directive}`, `{reception}`, `{review}`, `{group}`, `{office}`, `{officer}`,
`{original}`, `{wave}` and `{region}` are filled in from the objects the matrix test makes in its
home region, `{tag}`
with a fresh value per request and `{member}` with a monitor the test adds to the group just
before the request. A body must be valid: the role check runs after validation, so
a 422 would say nothing about who may do what. Adding an operation = one entry here and one row
in matrix.csv.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

SOON = (date.today() + timedelta(days=30)).isoformat()
LATER = (date.today() + timedelta(days=40)).isoformat()
REASON = {"reason": "matrix probe"}
PERIOD = {"from": "2026-01-01", "to": "2026-12-31"}
TODAY = date.today().isoformat()
AKIM = {"name": "Matrix official", "position": "deputy akim"}

Sample = tuple[str, dict[str, Any] | None, dict[str, str]]  # path, body, query

SAMPLES: dict[str, Sample] = {
    "intake POST /v1/receptions": ("/v1/receptions", {
        "region": "{region}", "district": "Matrix district", "scheduled_on": TODAY,
        "place": "Matrix hall", "officials": [AKIM]}, {}),
    "intake GET /v1/receptions": ("/v1/receptions", None, {"region": "{region}"}),
    "intake GET /v1/receptions/{reception_id}": ("/v1/receptions/{reception}", None, {}),
    "intake POST /v1/receptions/{reception_id}/hold": ("/v1/receptions/{reception}/hold", {
        "held_on": TODAY, "officials_present": [AKIM], "attendance": 3}, {}),
    "intake POST /v1/receptions/{reception_id}/cancel": (
        "/v1/receptions/{reception}/cancel", REASON, {}),
    "reporting GET /v1/receptions": ("/v1/receptions", None, {"region": "{region}"}),
    "reporting GET /v1/receptions/summary": ("/v1/receptions/summary", None, PERIOD),
    "intake POST /v1/cases": ("/v1/cases", {
        "title": "Matrix probe", "description": "Who may register.", "region": "{region}",
        "sector": "land", "source": "hotline", "reporter": {"name": "Reporter"}}, {}),
    "intake GET /v1/cases/{case_id}": ("/v1/cases/{case}", None, {}),
    "intake POST /v1/cases/{case_id}/triage": (
        "/v1/cases/{case}/triage", {"risk_level": "low", "category": "land"}, {}),
    "intake POST /v1/cases/{case_id}/notes": ("/v1/cases/{case}/notes", {"note": "probe"}, {}),
    "intake POST /v1/cases/{case_id}/resolve": (
        "/v1/cases/{case}/resolve", {"outcome": "confirmed", "summary": "probe"}, {}),
    "intake POST /v1/cases/{case_id}/reopen": ("/v1/cases/{case}/reopen", REASON, {}),
    "intake POST /v1/cases/{case_id}/withdraw": ("/v1/cases/{case}/withdraw", REASON, {}),
    "intake POST /v1/cases/{case_id}/flag-for-review": (
        "/v1/cases/{case}/flag-for-review", REASON, {}),
    "intake POST /v1/cases/{case_id}/duplicate-of": (
        "/v1/cases/{case}/duplicate-of", {"original_case_id": "{original}"}, {}),
    "intake POST /v1/cases/{case_id}/erase-reporter": (
        "/v1/cases/{case}/erase-reporter", REASON, {}),
    "intake POST /v1/cases/{case_id}/extend-consideration": (
        "/v1/cases/{case}/extend-consideration",
        {"new_due_date": "2027-01-15", "reason": "probe"}, {}),
    "intake POST /v1/cases/{case_id}/notify-reporter": (
        "/v1/cases/{case}/notify-reporter", {"channel": "phone", "notified_on": "2026-12-01"},
        {}),
    "intake POST /v1/cases/{case_id}/misdirected": ("/v1/cases/{case}/misdirected", REASON, {}),
    "intake POST /v1/cases/{case_id}/forward": (
        "/v1/cases/{case}/forward",
        {"target_kind": "region", "target_region": "KZ-71", "reason": "probe"}, {}),
    "intake GET /v1/cases/{case_id}/reporter": (
        "/v1/cases/{case}/reporter", None, {"purpose": "matrix probe"}),
    "intake POST /v1/directives": ("/v1/directives", {
        "title": "Matrix probe", "text": "Who may issue.", "issuing_authority": "Agency",
        "addressee_body": "Land department", "region": "{region}", "due_date": SOON}, {}),
    "intake GET /v1/directives/{directive_id}": ("/v1/directives/{directive}", None, {}),
    "intake POST /v1/directives/{directive_id}/acknowledge": (
        "/v1/directives/{directive}/acknowledge", {}, {}),
    "intake POST /v1/directives/{directive_id}/progress": (
        "/v1/directives/{directive}/progress", {"note": "probe"}, {}),
    "intake POST /v1/directives/{directive_id}/report": (
        "/v1/directives/{directive}/report", {"summary": "probe"}, {}),
    "intake POST /v1/directives/{directive_id}/extend": (
        "/v1/directives/{directive}/extend", {"new_due_date": LATER, **REASON}, {}),
    "intake POST /v1/directives/{directive_id}/cancel": (
        "/v1/directives/{directive}/cancel", REASON, {}),
    "intake GET /v1/streams/{stream_id}/events": ("/v1/streams/{case}/events", None, {}),
    "assignment GET /v1/offices": ("/v1/offices", None, {"region": "{region}"}),
    "assignment POST /v1/offices": (
        "/v1/offices", {"id": "office-{tag}", "name": "Probe office", "region": "{region}"}, {}),
    "assignment GET /v1/offices/{office_id}": ("/v1/offices/{office}", None, {}),
    "assignment PATCH /v1/offices/{office_id}": (
        "/v1/offices/{office}", {"name": "Probe office {tag}"}, {}),
    "assignment POST /v1/offices/{office_id}/close": ("/v1/offices/{office}/close", REASON, {}),
    "assignment GET /v1/officers": ("/v1/officers", None, {"region": "{region}"}),
    "assignment POST /v1/officers": ("/v1/officers", {
        "id": "officer-{tag}", "name": "Probe officer", "office_id": "{office}",
        "sectors": ["land"]}, {}),
    "assignment GET /v1/officers/{officer_id}": ("/v1/officers/{officer}", None, {}),
    "assignment PATCH /v1/officers/{officer_id}": ("/v1/officers/{officer}", {"capacity": 21}, {}),
    "assignment POST /v1/officers/{officer_id}/deactivate": (
        "/v1/officers/{officer}/deactivate", REASON, {}),
    "assignment POST /v1/officers/{officer_id}/reactivate": (
        "/v1/officers/{officer}/reactivate", {}, {}),
    "assignment GET /v1/assignments/{subject_id}": ("/v1/assignments/{case}", None, {}),
    "assignment POST /v1/assignments/{subject_id}": (
        "/v1/assignments/{case}", {"officer_id": "{officer}", **REASON}, {}),
    "assignment GET /v1/workload": ("/v1/workload", None, {"region": "{region}"}),
    "assignment GET /v1/streams/{stream_id}/events": ("/v1/streams/{case}/events", None, {}),
    "review GET /v1/reviews": ("/v1/reviews", None, {"region": "{region}"}),
    "review GET /v1/reviews/{review_id}": ("/v1/reviews/{review}", None, {}),
    "review POST /v1/reviews/{review_id}/claim": ("/v1/reviews/{review}/claim", {}, {}),
    "review POST /v1/reviews/{review_id}/verdict": (
        "/v1/reviews/{review}/verdict", {"verdict": "approved"}, {}),
    "review GET /v1/monitoring-groups": ("/v1/monitoring-groups", None, {}),
    "review POST /v1/monitoring-groups": (
        "/v1/monitoring-groups", {"name": "Probe group", "region": "{region}"}, {}),
    "review GET /v1/monitoring-groups/{group_id}": ("/v1/monitoring-groups/{group}", None, {}),
    "review POST /v1/monitoring-groups/{group_id}/members": (
        "/v1/monitoring-groups/{group}/members", {"monitor_id": "mon-{tag}", "name": "M"}, {}),
    "review POST /v1/monitoring-groups/{group_id}/members/{monitor_id}/deactivate": (
        "/v1/monitoring-groups/{group}/members/{member}/deactivate", REASON, {}),
    "review GET /v1/streams/{stream_id}/events": ("/v1/streams/{review}/events", None, {}),
    "reporting GET /v1/cases": ("/v1/cases", None, {"region": "{region}"}),
    "reporting GET /v1/directives": ("/v1/directives", None, {"region": "{region}"}),
    "reporting GET /v1/cases/{case_id}/history": ("/v1/cases/{case}/history", None, {}),
    "reporting GET /v1/directives/{directive_id}/history": (
        "/v1/directives/{directive}/history", None, {}),
    "reporting GET /v1/cases/{case_id}/verify": ("/v1/cases/{case}/verify", None, {}),
    "reporting GET /v1/directives/{directive_id}/verify": (
        "/v1/directives/{directive}/verify", None, {}),
    "reporting GET /v1/reports/summary": (
        "/v1/reports/summary", None, {**PERIOD, "region": "{region}"}),
    "intake GET /v1/central-bodies": ("/v1/central-bodies", None, {}),
    **{f"reporting GET /v1/reports/{name}": (
        f"/v1/reports/{name}", None, {**PERIOD, "region": "{region}"})
       for name in ("period", "period.xlsx", "central-bodies")},
    "reporting GET /v1/monitoring-groups/activity": (
        "/v1/monitoring-groups/activity", None, {"region": "{region}"}),
    "reporting GET /v1/exports/{name}.csv": (
        "/v1/exports/cases.csv", None, {**PERIOD, "region": "{region}"}),
    "reporting GET /v1/exports/{name}.parquet": (
        "/v1/exports/directives.parquet", None, {**PERIOD, "region": "{region}"}),
    "reporting GET /v1/cases/{case_id}/bundle": ("/v1/cases/{case}/bundle", None, {}),
    # No file: a role that may upload gets 415, which still passed the role check.
    "intake POST /v1/surveys/waves": ("/v1/surveys/waves", None, {
        "name": "matrix wave {tag}", "period_start": "2026-03-01", "period_end": "2026-04-30"}),
    "reporting GET /v1/surveys/waves": ("/v1/surveys/waves", None, {}),
    "reporting GET /v1/surveys/waves/{wave_id}/indicators": (
        "/v1/surveys/waves/{wave}/indicators", None, {}),
    "reporting GET /v1/directives/{directive_id}/bundle": (
        "/v1/directives/{directive}/bundle", None, {}),
    **{f"{service} {op}": sample for service in ("intake", "assignment", "review")
       for op, sample in (
           ("GET /v1/log/checkpoint", ("/v1/log/checkpoint", None, {})),
           ("POST /v1/log/checkpoint", ("/v1/log/checkpoint", None, {})),
           ("GET /v1/log/keys", ("/v1/log/keys", None, {})),
           ("GET /v1/log/proofs/inclusion", (
               "/v1/log/proofs/inclusion", None, {"event_id": "{" + service + "_event}"})),
           ("GET /v1/log/proofs/consistency", (
               "/v1/log/proofs/consistency", None, {"from": "1", "to": "1"})),
           # Well-formed but not a cosignature of ours: the role check comes first.
           ("POST /v1/log/cosignatures", ("/v1/log/cosignatures", {
               "checkpoint": "not a checkpoint of ours", "witness_key": "probe+00000000+AAAA"},
               {})),
       )},
}

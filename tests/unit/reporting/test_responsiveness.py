"""Central bodies' responsiveness: acknowledgement on time, report by the due date in force,
days overdue, counted per body and per month (dates worked out in the comments)."""

from __future__ import annotations

from datetime import date

import pytest

from events.central_bodies import central_bodies
from services.reporting.facts import Fact
from services.reporting.kpis import Period
from services.reporting.responsiveness import (
    acknowledgement,
    body_directives,
    days_overdue,
    report_state,
    responsiveness,
)
from tests.support.timeline import Stream, issued

pytestmark = pytest.mark.unit

PERIOD = Period(date(2026, 1, 1), date(2026, 4, 30))
AS_OF = date(2026, 4, 30)


def _directive(sid: str, addressee: str, issued_at: str, due: str,
               events: list[tuple[str, dict[str, str], str]], region: str = "KZ-75") -> list[Fact]:
    stream = Stream("directive", sid)
    stream.add("directive.issued", issued(region=region, addressee=addressee, due=due), issued_at)
    for event_type, payload, when in events:
        stream.add(event_type, payload, when)
    return [Fact.of(e, stream.topic) for e in stream.envelopes]


ACK = ("directive.acknowledged", {"note": "ok"})
DONE = ("directive.completion_reported", {"summary": "done"})


def _extend(previous: str, new: str) -> dict[str, str]:
    return {"previous_due_date": previous, "new_due_date": new, "reason": "r"}


FACTS = [
    # Issued Mon 5 Jan (acknowledge by Fri 9 Jan); acknowledged 8 Jan, reported 20 Feb, due 27 Feb.
    *_directive("d-on-time", "GOV-MIA", "2026-01-05 04:00", "2026-02-27", [
        (*ACK, "2026-01-08 04:00"), (*DONE, "2026-02-20 04:00")]),
    # Acknowledged 12 Jan (late); extended on 25 Feb, before the 27 Feb due date, to 13 Mar;
    # reported 10 Mar: on time by the extended date.
    *_directive("d-extended", "GOV-MIA", "2026-01-05 04:00", "2026-02-27", [
        (*ACK, "2026-01-12 04:00"),
        ("directive.deadline_extended", _extend("2026-02-27", "2026-03-13"), "2026-02-25 04:00"),
        (*DONE, "2026-03-10 04:00")]),
    # Extended on 2 Mar, after the 27 Feb due date had passed: still due 27 Feb; reported 5 Mar:
    # late by 6 days. Never acknowledged: missed.
    *_directive("d-late-extension", "GOV-MIA", "2026-02-02 04:00", "2026-02-27", [
        ("directive.deadline_extended", _extend("2026-02-27", "2026-03-31"), "2026-03-02 04:00"),
        (*DONE, "2026-03-05 04:00")]),
    # Acknowledged in time, never reported, due 31 Mar: overdue by 30 days on 30 Apr.
    *_directive("d-open", "GOV-MOH", "2026-03-02 04:00", "2026-03-31", [(*ACK, "2026-03-03 04:00")]),
    # Issued 28 Apr (acknowledge by 4 May after the 1 May holiday): pending on both counts.
    *_directive("d-new", "GOV-MOH", "2026-04-28 04:00", "2026-05-29", []),
    # A local body's, and one issued before the period: counted elsewhere or not at all.
    *_directive("d-local", "Akimat of Almaty", "2026-02-02 04:00", "2026-02-27", []),
    *_directive("d-old", "GOV-MIA", "2025-12-01 04:00", "2026-01-30", []),
    *_directive("d-cancelled", "GOV-MOH", "2026-03-02 04:00", "2026-03-31", [
        ("directive.cancelled", {"reason": "merged"}, "2026-03-03 04:00")]),
    *_directive("d-elsewhere", "GOV-MOH", "2026-03-02 04:00", "2026-03-31", [], region="KZ-71"),
]


def test_each_directive_is_judged_by_the_deadline_in_force_and_its_acknowledgement_window() -> None:
    catalog = central_bodies()
    found = {d.directive_id: d for d in body_directives(FACTS)}
    states = {sid: (acknowledgement(d, AS_OF, catalog), report_state(d, AS_OF),
                    days_overdue(d, AS_OF)) for sid, d in found.items()}
    assert states["d-on-time"] == ("on_time", "on_time", 0)
    assert states["d-extended"] == ("late", "on_time", 0)
    assert found["d-extended"].due == date(2026, 3, 13)
    assert states["d-late-extension"] == ("missed", "late", 6)
    assert found["d-late-extension"].due == date(2026, 2, 27)
    assert states["d-open"] == ("on_time", "overdue", 30)
    assert states["d-new"] == ("pending", "pending", 0)


def test_counts_per_body_cover_directives_issued_in_the_period_in_the_region() -> None:
    table = responsiveness(body_directives(FACTS), PERIOD, AS_OF, region="KZ-75")
    mia, moh = table["bodies"]["GOV-MIA"], table["bodies"]["GOV-MOH"]
    assert mia["issued"] == 3 and mia["names"]["kk"].endswith("министрлігі")
    assert (mia["acknowledged_on_time"], mia["acknowledged_late"], mia["acknowledgement_missed"]
            ) == (1, 1, 1)
    assert (mia["reported_on_time"], mia["reported_late"], mia["overdue"]) == (2, 1, 0)
    assert mia["reported_on_time_rate"] == 0.6667 and mia["acknowledged_on_time_rate"] == 0.3333
    assert (mia["extended"], mia["extended_after_due"]) == (2, 1)
    assert (mia["days_overdue_total"], mia["days_overdue_max"], mia["days_overdue_mean"]) == (6, 6, 6.0)
    assert (moh["issued"], moh["cancelled"], moh["overdue"], moh["pending"]) == (3, 1, 1, 1)
    assert moh["days_overdue_max"] == 30 and moh["acknowledgement_pending"] == 1
    assert table["local"]["issued"] == 1 and table["local"]["overdue"] == 1
    assert [m["from"] for m in table["months"]] == ["2026-01-01", "2026-02-01", "2026-03-01",
                                                    "2026-04-01"]
    assert table["months"][0]["bodies"]["GOV-MIA"]["issued"] == 2
    assert "GOV-MOH" not in table["months"][1]["bodies"]


def test_what_happens_after_as_of_is_not_yet_counted() -> None:
    early = date(2026, 1, 7)
    table = responsiveness(body_directives(FACTS), Period(date(2026, 1, 1), early), early)
    mia = table["bodies"]["GOV-MIA"]
    assert mia["acknowledgement_pending"] == 2 and mia["pending"] == 2

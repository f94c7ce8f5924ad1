"""The period report's inputs: a cut's text, who reads which region, the section registry."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

from events import Region, Role
from services.reporting import sections
from services.reporting.cut import Cut
from services.reporting.period_api import report_inputs, report_region
from services.runtime.auth import Principal
from services.runtime.errors import Invalid, NotFound
from services.runtime.problems import Problem

pytestmark = pytest.mark.unit


def test_a_cut_reads_back_from_its_own_text() -> None:
    cut = Cut.parse("review:7,intake:120,assignment:0")
    assert cut.positions == {"review": 7, "intake": 120, "assignment": 0}
    assert cut.text() == "assignment:0,intake:120,review:7"
    assert Cut.parse(cut.text()) == cut


@pytest.mark.parametrize("text", ["", "intake", "intake:-1", "intake:1,intake:2", "console:3",
                                  "intake:1;review:2", "intake:1\x00"])
def test_a_malformed_cut_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Cut.parse(text)


def _reader(role: Role, *regions: str) -> Principal:
    return Principal("p", role, frozenset(regions))


def test_a_regional_reader_gets_their_region_and_no_other() -> None:
    assert report_region(_reader(Role.MONITOR, "KZ-75"), None) == "KZ-75"
    assert report_region(_reader(Role.ANALYST, "KZ-75"), Region.ALMATY) == "KZ-75"
    with pytest.raises(NotFound):
        report_region(_reader(Role.ANALYST, "KZ-75"), Region.ASTANA)
    with pytest.raises(Invalid) as refused:
        report_region(_reader(Role.SUPERVISOR, "KZ-75", "KZ-71"), None)
    assert refused.value.field == "region"
    assert report_region(_reader(Role.ADMIN, "*"), None) is None


def test_operators_do_not_read_the_period_report() -> None:
    with pytest.raises(Problem) as refused:
        report_region(_reader(Role.OPERATOR, "*"), None)
    assert refused.value.status == 403


def test_every_registered_section_resolves_to_an_async_section_function() -> None:
    assert set(sections.LIVE_SECTIONS) == {"clocks", "receptions", "surveys"}
    registered = [p for p in sections.LIVE_SECTIONS.values() if p]
    assert len(registered) == 3  # clocks, receptions and surveys are all merged
    for path in registered:
        assert inspect.iscoroutinefunction(sections.resolve(path))


def test_a_path_that_names_no_section_function_is_refused() -> None:
    with pytest.raises(TypeError):
        sections.resolve("services.reporting.cut:owner_of_topic")


def test_a_report_measured_on_a_day_still_to_come_is_refused() -> None:
    start, end, today = date(2026, 1, 1), date(2026, 4, 30), date(2026, 5, 2)
    assert report_inputs(start, end, None, "intake:3", today)[1:] == (today, Cut({"intake": 3}))
    with pytest.raises(Invalid) as refused:
        report_inputs(start, end, date(2026, 5, 3), None, today)
    assert refused.value.field == "as_of"
    with pytest.raises(Invalid) as refused:
        report_inputs(start, end, None, "intake:1,intake:2", today)
    assert refused.value.field == "cut"

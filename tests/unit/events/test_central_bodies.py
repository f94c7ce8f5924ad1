"""The central bodies catalog: data that holds together, codes told from local names, the
acknowledgement deadline on the holiday calendar."""

from __future__ import annotations

from datetime import date

import pytest

from events.central_bodies import CODE_PREFIX, catalog_from_data, central_bodies
from events.vocabulary import Sector

pytestmark = pytest.mark.unit


def test_every_body_has_a_prefixed_code_names_in_three_languages_and_known_sectors() -> None:
    catalog = central_bodies()
    assert len(catalog.bodies) >= 10
    for code, body in catalog.bodies.items():
        assert code == body.code and code.startswith(CODE_PREFIX) and code == code.upper()
        assert all(body.label(language).strip() for language in ("en", "ru", "kk"))
        assert set(body.sectors) <= {s.value for s in Sector}
    assert catalog.body_of("GOV-MIA") is not None
    assert catalog.body_of("GOV-MIA").label("ru").startswith("Министерство внутренних дел")  # type: ignore[union-attr]


def test_a_code_in_any_case_becomes_the_code_and_a_local_name_stays_as_written() -> None:
    catalog = central_bodies()
    assert catalog.canonical_addressee(" gov-moh ") == "GOV-MOH"
    assert catalog.canonical_addressee("Akimat of Almaty") == "Akimat of Almaty"
    assert catalog.body_of("Akimat of Almaty") is None
    assert catalog.body_of("gov-moh") is None  # classification is by the exact code only


def test_an_unknown_code_with_the_reserved_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="GOV-NOPE"):
        central_bodies().canonical_addressee("GOV-NOPE")


def test_the_acknowledgement_deadline_counts_working_days_on_the_holiday_calendar() -> None:
    catalog = central_bodies()
    assert catalog.acknowledgement_working_days == 3
    # Mon 5 Jan 2026: Tue 6 (1), Wed 7 is Orthodox Christmas, Thu 8 (2), Fri 9 (3).
    assert catalog.acknowledgement_due(date(2026, 1, 5)) == date(2026, 1, 9)
    # Fri 6 Mar 2026: the weekend, Mon 9 Mar (8 March moved), then Tue 10, Wed 11, Thu 12.
    assert catalog.acknowledgement_due(date(2026, 3, 6)) == date(2026, 3, 12)


def test_a_catalog_refuses_codes_without_the_prefix() -> None:
    body = {"code": "MIA", "en": "x", "ru": "x", "kk": "x"}
    with pytest.raises(ValueError, match="start with GOV-"):
        catalog_from_data({"acknowledgement_working_days": 3, "bodies": [body]})

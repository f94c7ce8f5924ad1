"""Every label the console shows is translated into Russian and Kazakh; the choice is remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from events import REGION_NAMES
from services.console.i18n import LANGUAGES, compile_catalog, load_languages, pick_language

pytestmark = pytest.mark.unit
CONSOLE = Path(__file__).resolve().parents[3] / "services" / "console"
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]


def shown_messages() -> set[str]:
    """Every msgid in the console's templates and code (what `pybabel extract -k N_` finds)."""
    found = extract_from_dir(str(CONSOLE), METHODS, keywords={"_": None, "gettext": None, "N_": None},
                             options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_shown_message_has_a_translation(language: str) -> None:
    messages = shown_messages()
    assert len(messages) > 150
    catalog = compile_catalog(language)
    untranslated = sorted(m for m in messages if catalog.gettext(m) == m)
    assert untranslated == []


def test_the_remembered_choice_wins_over_the_browser_and_russian_is_the_fallback() -> None:
    assert pick_language("kk", "en-US,en;q=0.9") == "kk"
    assert pick_language(None, "en-US,en;q=0.9") == "en"
    assert pick_language("xx", "de-DE") == "ru"
    assert pick_language(None, None) == "ru"


def test_region_names_render_in_each_language() -> None:
    languages = load_languages()
    region = {code: lang.env.filters["region"] for code, lang in languages.items()}
    assert set(languages) == set(LANGUAGES)
    assert region["kk"]("KZ-59") == REGION_NAMES["KZ-59"]["kk"] == "Солтүстік Қазақстан облысы"
    assert region["ru"]("KZ-59") == "Северо-Казахстанская область"
    assert region["en"]("KZ-59") == "North Kazakhstan Region"

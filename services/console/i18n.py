"""Languages: gettext catalogs (.po, compiled in memory at start) and one Jinja2 environment each."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined

from events import REGION_NAMES
from events.calendar import AGENCY_TIME_ZONE
from services.console.labels import VALUE_LABELS

LANGUAGES: dict[str, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
DEFAULT_LANGUAGE = "ru"
LANG_COOKIE = "casetrack_lang"
DOMAIN = "console"
LOCALE_DIR = Path(__file__).parent / "locale"


def compile_catalog(language: str, locale_dir: Path = LOCALE_DIR) -> Translations:
    """A language's .po compiled to gettext in memory (no .mo to build, commit or go stale)."""
    with (locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The remembered choice, else the browser's first supported language, else Russian."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE


def local_time(moment: datetime | str | None) -> str:
    """A moment as the agency reads it: Almaty wall time to the second."""
    if moment is None or moment == "":
        return ""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(AGENCY_TIME_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def local_date(day: date | str | None) -> str:
    """A calendar date, ISO."""
    return "" if day is None else str(day)[:10]


@dataclass(frozen=True)
class Language:
    """One language's rendering environment."""

    code: str
    env: Environment

    def render(self, template: str, context: dict[str, Any]) -> str:
        """A template rendered in this language (autoescaped)."""
        return self.env.get_template(template).render(context)


def _environment(code: str, translations: Translations) -> Environment:
    env = Environment(loader=PackageLoader("services.console", "templates"), autoescape=True,
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]

    def label(value: object) -> str:
        text = "" if value is None else str(value)
        return translations.gettext(VALUE_LABELS[text]) if text in VALUE_LABELS else text

    def region(code_: object) -> str:
        names = REGION_NAMES.get(str(code_))
        return names[code] if names else str(code_ or "")

    env.filters.update(label=label, region=region, local_time=local_time, local_date=local_date)
    env.globals.update(lang=code, languages=LANGUAGES, region_codes=list(REGION_NAMES))
    return env


def load_languages(locale_dir: Path = LOCALE_DIR) -> dict[str, Language]:
    """Every language, compiled once when the app starts."""
    return {code: Language(code, _environment(code, compile_catalog(code, locale_dir)))
            for code in LANGUAGES}

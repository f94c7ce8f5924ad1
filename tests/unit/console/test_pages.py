"""The templates escape what they show, carry a CSRF token in every form, and flag lateness."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from services.console.i18n import load_languages
from services.console.pages import Paging
from services.console.web import safe_next

pytestmark = pytest.mark.unit
TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "console" / "templates"
PAGE = {"viewer": None, "csrf_token": "t", "csrf_field": "csrf_token", "path": "/", "here": "/",
        "local_sign_in": True, "new_key": lambda: "k"}


def directive(days_overdue: int, title: str = "Publish the queue") -> dict[str, Any]:
    """A directive register row."""
    return {"id": "d-1", "title": title, "region": "KZ-75", "addressee_body": "Akimat",
            "status": "in_progress", "due_date": "2026-11-01", "extensions": 0,
            "days_overdue": days_overdue}


def render_directives(rows: list[dict[str, Any]], lang: str = "en") -> str:
    """The directive register page with these rows."""
    return load_languages()[lang].render("directives.html", {
        **PAGE, "rows": rows, "paging": Paging().of(len(rows)), "query": "", "export": "/x",
        "statuses": (), "filters": {"region": "", "status": "", "addressee": "", "from": "",
                                    "to": ""}})


def test_every_post_form_carries_the_csrf_token() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        forms = re.findall(r'<form[^>]*method="post".*?</form>', text, flags=re.S)
        assert all('name="{{ csrf_field }}" value="{{ csrf_token }}"' in f for f in forms), template


def test_an_overdue_directive_is_highlighted_with_its_days_and_a_timely_one_is_not() -> None:
    late, timely = render_directives([directive(12)]), render_directives([directive(0)])
    assert 'class="overdue"' in late and "Overdue by 12 days" in late
    assert 'class="overdue"' not in timely and "Overdue by" not in timely
    assert "Просрочено на 12 дн." in render_directives([directive(12)], "ru")


def test_text_from_the_apis_is_escaped() -> None:
    html = render_directives([directive(0, "<img src=x onerror=alert(1)>")])
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil", "", None,
                                    "javascript:alert(1)"])
def test_redirects_after_a_form_stay_inside_the_console(target: str | None) -> None:
    assert safe_next(target) == "/"


def test_a_path_inside_the_console_is_kept() -> None:
    assert safe_next("/cases?region=KZ-75") == "/cases?region=KZ-75"

"""CSRF tokens bind a form to the browser whose cookie minted it."""

from __future__ import annotations

import pytest

from services.console.csrf import form_token, new_seed, token_holds

pytestmark = pytest.mark.unit
KEY = b"k" * 32


def test_a_form_token_holds_for_the_browser_that_got_it() -> None:
    seed = new_seed()
    assert token_holds(KEY, seed, form_token(KEY, seed))


def test_another_browsers_token_a_missing_cookie_or_an_empty_token_is_refused() -> None:
    mine, theirs = new_seed(), new_seed()
    assert not token_holds(KEY, mine, form_token(KEY, theirs))
    assert not token_holds(KEY, None, form_token(KEY, mine))
    assert not token_holds(KEY, mine, "")
    assert not token_holds(KEY, mine, None)


def test_a_token_made_with_another_key_is_refused() -> None:
    seed = new_seed()
    assert not token_holds(KEY, seed, form_token(b"x" * 32, seed))

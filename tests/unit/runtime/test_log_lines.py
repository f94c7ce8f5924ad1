"""Log lines are JSON objects whatever a request sends: orjson renders them, the stdlib the rest."""

from __future__ import annotations

import json

import pytest
from structlog.processors import _json_fallback_handler

from services.runtime.logs import render_json_line

pytestmark = pytest.mark.unit


def test_a_request_line_reads_back_as_the_event_it_logged() -> None:
    event = {"event": "http.request", "method": "POST", "path": "/v1/cases/Алматы", "status": 201,
             "duration_ms": 1.23, "correlation_id": "c" * 32, "anonymous": False, "region": None}
    assert json.loads(render_json_line(event, default=_json_fallback_handler)) == event


@pytest.mark.parametrize("value", ["\ud800 lone surrogate", 2**70])
def test_what_orjson_refuses_is_still_logged_as_json(value: object) -> None:
    """A hostile path with a lone surrogate, or an integer past 64 bits, does not break logging."""
    line = render_json_line({"event": "x", "value": value}, default=_json_fallback_handler)
    assert json.loads(line) == {"event": "x", "value": value}


def test_values_without_a_json_form_are_logged_by_their_repr() -> None:
    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    line = render_json_line({"event": "x", "value": Opaque()}, default=_json_fallback_handler)
    assert json.loads(line) == {"event": "x", "value": "<opaque>"}

"""An issued directive's addressee: a central body by its catalog code, a local body by name."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.directive_schemas import IssueDirectiveRequest

pytestmark = pytest.mark.unit


def _request(addressee: str) -> IssueDirectiveRequest:
    body: dict[str, Any] = {"title": "Publish lists", "text": "Monthly.",
                            "issuing_authority": "Agency", "addressee_body": addressee,
                            "region": "KZ-75", "due_date": "2030-01-31"}
    return IssueDirectiveRequest.model_validate(body)


def test_a_catalog_code_is_taken_in_any_case_and_carried_exactly() -> None:
    assert _request("gov-mia").addressee_body == "GOV-MIA"


def test_a_local_body_keeps_its_free_text_name() -> None:
    assert _request("Akimat of Almaty city").addressee_body == "Akimat of Almaty city"


def test_an_unknown_central_code_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        _request("GOV-UNKNOWN")
    (error,) = refused.value.errors()
    assert error["loc"] == ("addressee_body",) and "not a central body code" in error["msg"]

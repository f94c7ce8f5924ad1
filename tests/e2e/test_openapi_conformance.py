"""schemathesis against every service, as admin and as operator: what each service answers is what
its OpenAPI document says (status, content type, headers, body schema), and never a 5xx.

Bounded examples per operation (SCHEMATHESIS_EXAMPLES, default 8) keep it within CI's time; every
failure is collected and reported together rather than stopping at the first.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from tests.support.openapi import api_services, openapi_of
from tests.support.system import RunningSystem, token

pytestmark = pytest.mark.e2e

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
ROLES = {"admin": ["*"], "operator": ["KZ-75"]}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("service", api_services())
def test_every_answer_is_documented_and_none_is_a_server_error(
    system: RunningSystem, service: str, role: str,
) -> None:
    schema = schemathesis.openapi.from_dict(openapi_of(service))
    headers = {"Authorization": f"Bearer {token(role, ROLES[role], sub=f'fuzz-{role}')}"}
    base_url = system.urls[service]
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    session = requests.Session()
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                             operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        def probe(case: Any) -> None:
            try:
                response = case.call_and_validate(base_url=base_url, headers=headers,
                                                  session=session, checks=CHECKS, timeout=30)
                statuses[response.status_code] += 1
            except Exception as exc:  # collected: one report of every failure
                failures.append(f"{case.method} {case.path}: "
                                f"{type(exc).__name__}: {str(exc)[:600]}")

        probe()
    print(f"{service} as {role}: {sum(statuses.values())} requests, statuses {dict(statuses)}")
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures[:20])

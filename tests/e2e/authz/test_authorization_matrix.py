"""The authorization matrix (matrix.csv) holds for every operation, role and region scope.

Each row names an operation as `service METHOD /path`; each role's cell is `own/other/all`: the
answer to a caller of that role holding the object's region, holding only another region, and
holding every region. `ok` means authorized (any answer but 401, 403 and 404: a 409 from the
object's state still passed the check), `403` refused for the role, `404` hidden by region. A
cell with one answer applies to all three scopes. The test fails on any documented operation
missing from the table (or from requests.py), and on any row naming no operation.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.authz.requests import SAMPLES
from tests.support.openapi import operations
from tests.support.system import RunningSystem, auth
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

HOME, ELSEWHERE = "KZ-75", "KZ-79"
ROLES = ("operator", "supervisor", "monitor", "analyst", "admin")
SCOPES = {"own": [HOME], "other": [ELSEWHERE], "all": ["*"]}
MONITOR = "matrix-monitor"
MATRIX_FILE = Path(__file__).with_name("matrix.csv")


def load_matrix() -> dict[str, dict[str, dict[str, str]]]:
    """operation -> role -> scope -> expected answer, from matrix.csv."""
    table: dict[str, dict[str, dict[str, str]]] = {}
    with MATRIX_FILE.open() as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            cells = {}
            for role in ROLES:
                answers = row[role].strip().split("/")
                answers = answers * 3 if len(answers) == 1 else answers
                cells[role] = dict(zip(SCOPES, answers, strict=True))
            table[row["operation"].strip()] = cells
    return table


MATRIX = load_matrix()
DOCUMENTED = sorted(o.key for o in operations() if o.path.startswith("/v1/"))


@dataclass(frozen=True)
class Cell:
    """One operation, one role, one scope, and the answer expected."""

    operation: str
    role: str
    scope: str
    expected: str

    @property
    def writes(self) -> bool:
        return self.operation.split(" ")[1] != "GET"


def _cells() -> list[Cell]:
    cells = [Cell(op, role, scope, MATRIX[op][role][scope])
             for op in DOCUMENTED if op in MATRIX for role in ROLES for scope in SCOPES]
    # Reads first, then writes; refusals before what changes state, so one cell's write does
    # not take away the object another cell acts on.
    return sorted(cells, key=lambda c: (c.writes, c.expected == "ok"))


def test_every_documented_operation_has_a_row_and_a_sample_request() -> None:
    assert sorted(set(DOCUMENTED) - set(MATRIX)) == []
    assert sorted(set(DOCUMENTED) - set(SAMPLES)) == []


def test_every_row_names_a_documented_operation_and_a_known_answer() -> None:
    assert sorted(set(MATRIX) - set(DOCUMENTED)) == []
    answers = {a for row in MATRIX.values() for cells in row.values() for a in cells.values()}
    assert answers <= {"ok", "403", "404"}


async def _make_objects(system: RunningSystem) -> dict[str, str]:
    """A case, an original, a directive, a review, a group, an office and an officer in HOME,
    and a survey wave."""
    tag = uuid.uuid4().hex[:8]
    admin = auth("admin", ["*"], f"matrix-admin-{tag}")
    url = system.urls
    async with httpx.AsyncClient(timeout=30) as http:
        async def post(service: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
            r = await http.post(f"{url[service]}{path}", json=body, headers=admin)
            assert r.status_code in (200, 201), r.text
            answer: dict[str, Any] = r.json()
            return answer

        case_body = {"title": "Matrix case", "description": "d", "region": HOME,
                     "sector": "land", "source": "hotline", "reporter": {"name": "R"}}
        case = (await post("intake", "/v1/cases", case_body))["id"]
        original = (await post("intake", "/v1/cases", case_body))["id"]
        directive = (await post("intake", "/v1/directives", {
            "title": "Matrix directive", "text": "t", "issuing_authority": "Agency",
            "addressee_body": "Dept", "region": HOME,
            "due_date": SAMPLES["intake POST /v1/directives"][1]["due_date"]}))["id"]  # type: ignore[index]
        reception = (await post("intake", "/v1/receptions", _fill(
            SAMPLES["intake POST /v1/receptions"][1], {"region": HOME})))["id"]
        made = await http.post(f"{url['intake']}/v1/surveys/waves", headers={
            **admin, "Content-Type": "text/csv"}, params={
            "name": f"matrix wave {tag}", "period_start": "2026-03-01", "period_end": "2026-04-30"},
            content=f"region,institution_type,sector,answer,comment\n{HOME},college,land,none,{tag}\n"
            .encode())
        assert made.status_code == 201, made.text
        wave = made.json()["id"]
        groups = (await http.get(f"{url['review']}/v1/monitoring-groups", headers=admin)).json()
        group = next((g["id"] for g in groups["items"] if g["region"] == HOME), None)
        if group is None:
            group = (await post("review", "/v1/monitoring-groups",
                                {"name": "Matrix group", "region": HOME}))["id"]
        await add_member(http, system, group, MONITOR)
        office = (await post("assignment", "/v1/offices", {
            "id": f"matrix-office-{tag}", "name": "Matrix office", "region": HOME}))["id"]
        officer = (await post("assignment", "/v1/officers", {
            "id": f"matrix-officer-{tag}", "name": "Matrix officer", "office_id": office,
            "sectors": ["land"]}))["id"]
        await post("intake", f"/v1/cases/{case}/flag-for-review", {"reason": "matrix"})

        async def review() -> str | None:
            r = await http.get(f"{url['review']}/v1/reviews", headers=admin,
                               params={"subject_id": case})
            items = r.json()["items"]
            return str(items[0]["id"]) if items else None

        async def known(service: str, path: str) -> bool:
            return (await http.get(f"{url[service]}{path}", headers=admin)).status_code == 200

        found = await eventually(review, what="the flagged case's review")
        for service, path in (("assignment", f"/v1/assignments/{case}"),
                              ("reporting", f"/v1/cases/{case}/history"),
                              ("reporting", f"/v1/directives/{directive}/history"),
                              ("reporting", f"/v1/surveys/waves/{wave}/indicators")):
            await eventually(lambda s=service, p=path: known(s, p), what=path)
        logged = {service: await _sequenced_event(http, url[service], stream, admin)
                  for service, stream in (("intake", case), ("assignment", case),
                                          ("review", found))}
    return {"case": case, "original": original, "directive": directive, "review": found,
            "reception": reception,
            "group": group, "office": office, "officer": officer, "region": HOME, "wave": wave,
            **{f"{service}_event": event for service, event in logged.items()}}


async def _sequenced_event(http: httpx.AsyncClient, base: str, stream: str,
                           admin: dict[str, str]) -> str:
    """The first event of a stream, once it is in a checkpoint of its service's log."""

    async def proved() -> str | None:
        r = await http.get(f"{base}/v1/streams/{stream}/events", headers=admin)
        if r.status_code != 200:
            return None
        event = str(r.json()["events"][0]["event_id"])
        proof = await http.get(f"{base}/v1/log/proofs/inclusion", headers=admin,
                               params={"event_id": event})
        return event if proof.status_code == 200 else None

    return await eventually(proved, what=f"{stream} in {base}'s log")


async def add_member(http: httpx.AsyncClient, system: RunningSystem, group: str,
                     member: str) -> None:
    """Make a monitor an active member of the group."""
    r = await http.post(f"{system.urls['review']}/v1/monitoring-groups/{group}/members",
                        json={"monitor_id": member, "name": member},
                        headers=auth("admin", ["*"], "matrix-admin"))
    assert r.status_code in (200, 409), r.text


def _fill(value: Any, objects: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**objects, tag=uuid.uuid4().hex[:8])
    if isinstance(value, dict):
        return {k: _fill(v, objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, objects) for v in value]
    return value


def _answer(status: int) -> str:
    return str(status) if status in (401, 403, 404) else "ok"


async def test_each_role_and_region_scope_gets_the_answer_the_matrix_names(
    system: RunningSystem,
) -> None:
    objects = await _make_objects(system)
    wrong: list[str] = []
    async with httpx.AsyncClient(timeout=30) as http:
        for cell in _cells():
            service, method, _ = cell.operation.split(" ", 2)
            path, body, query = SAMPLES[cell.operation]
            if "{member}" in path:
                objects["member"] = f"matrix-spare-{uuid.uuid4().hex[:8]}"
                await add_member(http, system, objects["group"], objects["member"])
            sub = MONITOR if cell.role == "monitor" else f"matrix-{cell.role}"
            response = await http.request(
                method, f"{system.urls[service]}{_fill(path, objects)}",
                params=_fill(query, objects), json=_fill(body, objects),
                headers=auth(cell.role, SCOPES[cell.scope], sub))
            got = _answer(response.status_code)
            if got != cell.expected:
                wrong.append(f"{cell.operation} as {cell.role} ({cell.scope}): expected "
                             f"{cell.expected}, got {response.status_code} {response.text[:160]}")
    assert not wrong, f"{len(wrong)} cells differ:\n" + "\n".join(wrong)

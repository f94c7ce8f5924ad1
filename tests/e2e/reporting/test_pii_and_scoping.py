"""No reporter data anywhere on the read side; every list, report and export is region-scoped."""

from __future__ import annotations

import csv
import io
import json
import uuid

import asyncpg
import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from events import ANALYTICS_TOPIC
from services.reporting.exports import cell
from services.runtime.kafka import header_value
from tests.e2e.reporting.support import at_rest, case_body, directive_body, post, projected
from tests.support.kafka import read_topic
from tests.support.system import RunningSystem, auth

pytestmark = pytest.mark.e2e

PERIOD = {"from": "2020-01-01", "to": "2035-12-31"}
TABLES = ("history", "case_register", "directive_register", "review_register",
          "monitoring_groups", "analytics_outbox")


async def test_a_canary_reporter_never_reaches_a_table_an_export_or_the_analytics_topic(
    system: RunningSystem, db: asyncpg.Connection,
) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    async with httpx.AsyncClient() as client:
        case = await post(client, f"{system.intake_url}/v1/cases",
                          case_body(reporter={"name": canary, "email": f"{canary}@example.kz"}))
        history = await projected(client, system, "cases", case["id"])
        registered_id = history["events"][0]["event_id"]
        exported = [await client.get(f"{system.reporting_url}/v1/exports/{name}.csv",
                                     params=PERIOD, headers=auth())
                    for name in ("cases", "directives", "history", "summary")]
    for table in TABLES:
        leaked = await db.fetchval(f"SELECT count(*) FROM reporting.{table} t WHERE t::text LIKE $1",
                                   f"%{canary}%")
        assert leaked == 0, table
    assert all(r.status_code == 200 and canary not in r.text for r in exported)
    assert case["id"] in exported[0].text
    records = await read_topic(
        system.bootstrap, ANALYTICS_TOPIC,
        lambda got: any(header_value(r.headers, "event_id") == registered_id for r in got))
    mine = [r for r in records if header_value(r.headers, "event_id") == registered_id]
    assert mine, "the registration's analytics fact was not published"
    fact = json.loads(mine[0].value)
    assert fact["subject"] != case["id"] and fact["event_type"] == "case.registered"
    assert all(canary.encode() not in (r.value or b"") for r in records)
    assert all(case["id"].encode() not in (r.value or b"") for r in records)


def column(text: str, name: str) -> set[str]:
    return {row[name] for row in csv.DictReader(io.StringIO(text))}


async def test_every_list_report_and_export_is_scoped_to_the_callers_regions(
    system: RunningSystem,
) -> None:
    analyst = auth("analyst", ["KZ-11"])
    async with httpx.AsyncClient() as client:
        mine = await post(client, f"{system.intake_url}/v1/cases", case_body("KZ-11"))
        other = await post(client, f"{system.intake_url}/v1/cases", case_body("KZ-75"))
        my_directive = await post(client, f"{system.intake_url}/v1/directives",
                                  directive_body("KZ-11"))
        other_directive = await post(client, f"{system.intake_url}/v1/directives",
                                     directive_body("KZ-75"))
        for kind, subject in (("cases", mine), ("cases", other), ("directives", my_directive),
                              ("directives", other_directive)):
            await projected(client, system, kind, subject["id"])
        base = system.reporting_url

        cases = (await client.get(f"{base}/v1/cases", params={"limit": 500},
                                  headers=analyst)).json()
        assert {c["region"] for c in cases["items"]} == {"KZ-11"}
        asked_other = (await client.get(f"{base}/v1/cases", params={"region": "KZ-75"},
                                        headers=analyst)).json()
        assert asked_other["total"] == 0
        directives = (await client.get(f"{base}/v1/directives", params={"limit": 500},
                                       headers=analyst)).json()
        assert {d["region"] for d in directives["items"]} == {"KZ-11"}
        assert my_directive["id"] in {d["id"] for d in directives["items"]}

        for path in (f"cases/{other['id']}/history", f"cases/{other['id']}/verify",
                     f"directives/{other_directive['id']}/history"):
            assert (await client.get(f"{base}/v1/{path}", headers=analyst)).status_code == 404
        assert (await client.get(f"{base}/v1/cases/{mine['id']}/verify",
                                 headers=analyst)).json()["verified"] is True

        summary = (await client.get(f"{base}/v1/reports/summary", params=PERIOD,
                                    headers=analyst)).json()
        assert set(summary["by_region"]) == {"KZ-11"} and summary["registered"] >= 1
        everywhere = (await client.get(f"{base}/v1/reports/summary", params=PERIOD,
                                       headers=auth())).json()
        assert {"KZ-11", "KZ-75"} <= set(everywhere["by_region"])

        exported = {name: (await client.get(f"{base}/v1/exports/{name}.csv", params=PERIOD,
                                            headers=analyst)).text
                    for name in ("cases", "directives", "history", "summary")}
    assert column(exported["cases"], "region") == {"KZ-11"}
    assert column(exported["directives"], "region") == {"KZ-11"}
    assert column(exported["history"], "subject_region") == {"KZ-11"}
    assert {s for s in column(exported["summary"], "scope") if s.startswith("region:")} == {
        "region:KZ-11"}
    assert other["id"] not in "".join(exported.values())
    assert other_directive["id"] not in "".join(exported.values())


async def test_a_parquet_export_holds_the_csv_exports_rows_with_typed_columns(
    system: RunningSystem,
) -> None:
    analyst = auth("analyst", ["KZ-11"])
    scope = {**PERIOD, "region": "KZ-11"}
    mine_only = {"cases": "case_id", "history": "subject_id"}
    schemas: dict[str, pa.Schema] = {}
    async with httpx.AsyncClient() as client:
        mine = await post(client, f"{system.intake_url}/v1/cases", case_body("KZ-11"))
        await at_rest(client, system, "cases", mine["id"])  # its row no longer changes
        base = f"{system.reporting_url}/v1/exports"
        for name in ("cases", "directives", "history", "summary"):
            as_csv = await client.get(f"{base}/{name}.csv", params=scope, headers=analyst)
            as_parquet = await client.get(f"{base}/{name}.parquet", params=scope, headers=analyst)
            assert as_parquet.status_code == 200, as_parquet.text
            assert as_parquet.headers["content-type"] == "application/vnd.apache.parquet"
            table = pq.read_table(pa.BufferReader(as_parquet.content))
            schemas[name] = table.schema
            assert table.column_names == as_csv.text.splitlines()[0].split(","), name
            if name not in mine_only:  # other tests' subjects may move between the two reads
                continue
            key = mine_only[name]
            expected = [r for r in csv.DictReader(io.StringIO(as_csv.text))
                        if r[key] == mine["id"]]
            got = [{k: cell(v) for k, v in row.items()} for row in table.to_pylist()
                   if row[key] == mine["id"]]
            assert got == expected and expected, name
    cases, summary = schemas["cases"], schemas["summary"]
    assert cases.field("registered_at").type == pa.timestamp("us", tz="UTC")
    assert (cases.field("overdue").type, cases.field("due_date").type) == (pa.bool_(), pa.date32())
    assert (summary.field("period_from").type, summary.field("value").type) == (
        pa.date32(), pa.float64())

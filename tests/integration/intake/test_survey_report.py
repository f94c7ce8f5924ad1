"""From upload to report: two waves through intake, its relay and the broker into reporting's
read model, where the indicators compare them; free text reaches neither topic nor reporting;
the projection, whatever the delivery order, equals the rebuild. (Logs: tests/e2e.)"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date

import asyncpg
import httpx
import pytest
from aiokafka.structs import ConsumerRecord

from events import INTAKE_TOPIC, EventEnvelope
from services.reporting import surveys
from services.reporting.facts import Fact
from services.reporting.projections import Projector
from services.reporting.rebuild import build_shadow, compare, create_tables
from tests.integration.intake.conftest import HEADER, post
from tests.support.kafka import read_topic
from tests.support.schemas import ThrowawaySchemas

pytestmark = pytest.mark.integration

def wave(rows: list[tuple[str, str, str, str, int]], marker: str) -> bytes:
    """A file of (region, institution type, sector, answer, how many) rows; every comment
    carries the marker."""
    lines = [f"{r},{i},{s},{a},{marker} said: {n}" for r, i, s, a, k in rows for n in range(k)]
    return (HEADER + "\n".join(lines) + "\n").encode()


async def published(bootstrap: str, wave_ids: set[str]
                    ) -> tuple[list[Fact], list[ConsumerRecord[bytes, bytes]]]:
    """The intake topic's records up to these waves' (as facts), once all are there."""
    def facts(records: list[ConsumerRecord[bytes, bytes]]) -> list[Fact]:
        # Only the waves' own records: other tests put poison on the topic too.
        found = [EventEnvelope.from_wire(r.value) for r in records
                 if r.value is not None and r.key is not None and r.key.decode() in wave_ids]
        return [Fact.of(e, INTAKE_TOPIC) for e in found]

    records = await read_topic(bootstrap, INTAKE_TOPIC,
                               lambda got: len(facts(got)) >= len(wave_ids))
    return facts(records), records


async def projected(conn: asyncpg.Connection, throwaway: ThrowawaySchemas, facts: list[Fact],
                    rng: random.Random) -> str:
    schema = throwaway.new("rs")
    await create_tables(conn, schema)
    delivered = facts + rng.sample(facts, k=1)
    rng.shuffle(delivered)
    for fact in delivered:
        async with conn.transaction():
            await Projector(schema).project(conn, fact.envelope(), fact.topic)
    return schema


async def test_two_waves_are_reported_compared_and_suppressed_with_no_free_text_anywhere(
        client: httpx.AsyncClient, conn: asyncpg.Connection, throwaway: ThrowawaySchemas,
        kafka_bootstrap: str) -> None:
    marker = f"free-{uuid.uuid4().hex}"
    tag = uuid.uuid4().hex[:6]
    spring = await post(client, wave([("KZ-75", "university", "police", "experienced", 2),
                                      ("KZ-75", "university", "police", "none", 8),
                                      ("KZ-75", "college", "land", "witnessed", 3)], marker),
                        f"spring-{tag}")
    autumn = await post(client, wave([("KZ-75", "university", "police", "experienced", 5),
                                      ("KZ-75", "university", "police", "none", 5),
                                      ("KZ-75", "college", "land", "none", 9)], marker),
                        f"autumn-{tag}", period=("2026-09-01", "2026-10-31"))
    assert (spring.status_code, autumn.status_code) == (201, 201), autumn.text
    ids = {spring.json()["id"], autumn.json()["id"]}

    facts, records = await published(kafka_bootstrap, ids)
    assert len(facts) == 2
    assert all(marker.encode() not in (r.value or b"") for r in records)

    schema = await projected(conn, throwaway, facts, random.Random(3))
    ordered = [w for w in await surveys.waves(conn, schema) if w.id in ids]
    assert [w.name for w in ordered] == [f"spring-{tag}", f"autumn-{tag}"]
    body = surveys.wave_indicators(ordered, autumn.json()["id"], None)
    assert body is not None
    assert body["previous_wave"]["id"] == spring.json()["id"]
    police = next(c for c in body["cells"] if c["sector"] == "police")
    assert (police["n"], police["share_experienced"]) == (10, 0.5)
    # spring's police cell (10) would give its land cell (3) away from their region's 13
    assert police["previous"]["suppressed"] and police["delta_experienced"] is None
    region = body["by_region"][0]
    assert (region["n"], region["share_experienced"]) == (19, round(5 / 19, 4))
    assert region["previous"] == {"suppressed": False, "n": 13,
                                  "share_experienced": round(2 / 13, 4),
                                  "share_witnessed": round(3 / 13, 4)}
    assert region["delta_experienced"] == round(round(5 / 19, 4) - round(2 / 13, 4), 4)
    spring_body = surveys.wave_indicators(ordered, spring.json()["id"], None)
    assert spring_body is not None
    land = next(c for c in spring_body["cells"] if c["sector"] == "land")
    assert land["suppressed"] and land["n"] is None  # 3 responses: withheld
    dump = await conn.fetchval(f"SELECT json_agg(h)::text FROM {schema}.history h")
    assert marker not in dump and marker not in json.dumps(body)

    section = await surveys.surveys_for_period(conn, date(2026, 9, 15), date(2026, 12, 31),
                                               "KZ-75", schema=schema)
    assert [w["wave"]["name"] for w in section["waves"]] == [f"autumn-{tag}"]
    assert section["waves"][0]["by_region"] == body["by_region"]
    assert section["waves"][0]["total"] is None  # one region asked: no national figure

    shadow = throwaway.new("rb")
    await build_shadow(conn, facts, shadow)
    rebuilt = [w for w in await surveys.waves(conn, shadow) if w.id in ids]
    assert rebuilt == ordered
    assert [surveys.wave_indicators(rebuilt, w.id, None) for w in rebuilt] == \
        [surveys.wave_indicators(ordered, w.id, None) for w in ordered]
    assert await compare(conn, shadow, schema) == []
    partial = await projected(conn, throwaway, facts[:1], random.Random(5))
    assert [d.split(":")[0] for d in await compare(conn, shadow, partial)] == ["survey waves differ"]



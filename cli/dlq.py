"""`casetrack dlq list|show|replay`: what each consumer set aside, and applying it after a fix."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated, Any

import asyncpg
import typer

from cli.output import print_json, table
from services.runtime.catalog import consumers_by_service
from services.runtime.consumer import ProcessedOnce
from services.runtime.db import create_pool, database_url_for
from services.runtime.deadletters import (
    DeadLetter,
    dlq_topic_id,
    read_dead_letters,
    replay,
    replayed,
    subscription_named,
)
from services.runtime.kafka import create_producer
from services.runtime.settings import get_settings

app = typer.Typer(help="Dead letters: list them, show one, replay them into their consumer.",
                  no_args_is_help=True)

Consumer = Annotated[str, typer.Argument(help="consumer name, e.g. reporting-projector")]
AsJson = Annotated[bool, typer.Option("--json", help="one JSON document instead of tables")]


def _service_of(consumer: str) -> str:
    try:
        service, _ = subscription_named(consumers_by_service(), consumer)
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="CONSUMER") from exc
    return service


async def _letters(consumer: str) -> tuple[list[DeadLetter], dict[int, str], str | None]:
    settings = get_settings()
    service = _service_of(consumer)
    letters = await read_dead_letters(settings.kafka_bootstrap_servers, consumer)
    dlq_id = await dlq_topic_id(settings.kafka_bootstrap_servers, consumer)
    conn = await asyncpg.connect(settings.database_url)
    try:
        outcomes = await replayed(conn, service, consumer, dlq_id)
    finally:
        await conn.close()
    return letters, outcomes, dlq_id


@app.command("list")
def list_letters(consumer: Consumer, as_json: AsJson = False) -> None:
    """Every letter of a consumer's dead-letter topic: origin, event id, error, replay outcome."""
    letters, outcomes, _ = asyncio.run(_letters(consumer))
    rows = [{**x.summary(), "replay": outcomes.get(x.offset)} for x in letters]
    if as_json:
        print_json(rows)
        return
    table(f"dead letters of {consumer}",
          ["offset", "origin", "event id", "error", "replay"],
          [(r["offset"], f"{r['origin_topic']}[{r['origin_partition']}]@{r['origin_offset']}",
            r["event_id"], r["error"][:120], r["replay"] or "waiting") for r in rows])


@app.command()
def show(consumer: Consumer, offset: Annotated[int, typer.Argument(help="the letter's offset")],
         as_json: AsJson = False) -> None:
    """One letter in full: headers and body (bodies are PII-free: events carry no contacts)."""
    letters, outcomes, _ = asyncio.run(_letters(consumer))
    letter = _find(letters, offset)
    body: Any = (letter.value or b"").decode("utf-8", "replace")
    with contextlib.suppress(ValueError):  # else shown as the text it is: maybe why it failed
        body = json.loads(body)
    data = {**letter.summary(), "replay": outcomes.get(offset),
            "key": (letter.key or b"").decode("utf-8", "replace"),
            "headers": {k: v.decode("utf-8", "replace") for k, v in letter.headers},
            "value": body}
    if as_json:
        print_json(data)
        return
    table(f"dead letter {consumer}@{offset}", ["field", "value"],
          [(k, json.dumps(v, indent=2, ensure_ascii=False) if k in ("headers", "value") else v)
           for k, v in data.items()])


def _find(letters: list[DeadLetter], offset: int) -> DeadLetter:
    for letter in letters:
        if letter.offset == offset:
            return letter
    raise typer.BadParameter(f"no letter at offset {offset}; offsets held: "
                             f"{', '.join(str(x.offset) for x in letters) or 'none'}",
                             param_hint="OFFSET")


@app.command("replay")
def replay_letters(
    consumer: Consumer,
    offset: Annotated[int | None, typer.Argument(help="one letter's offset; omit with --all")] = None,
    every: Annotated[bool, typer.Option("--all", help="every letter still waiting")] = False,
    as_json: AsJson = False,
) -> None:
    """Apply letters through their consumer (once per event, as always); exit 1 if any is still
    unreadable."""
    if (offset is None) == (not every):
        raise typer.BadParameter("give an OFFSET or --all, not both", param_hint="OFFSET")
    results = asyncio.run(_replay(consumer, offset, every))
    if as_json:
        print_json(results)
    else:
        table(f"replayed into {consumer}", ["offset", "event id", "outcome"],
              [(r["offset"], r["event_id"], r["outcome"]) for r in results])
    if any(r["outcome"].startswith("unreadable") for r in results):
        raise typer.Exit(1)


async def _replay(consumer: str, offset: int | None, every: bool) -> list[dict[str, Any]]:
    settings = get_settings()
    letters, outcomes, dlq_id = await _letters(consumer)
    if dlq_id is None:
        raise typer.BadParameter(f"the broker does not describe {consumer}'s dead-letter topic")
    chosen = ([x for x in letters if outcomes.get(x.offset) not in ("applied", "duplicate")]
              if every else [_find(letters, offset or 0)])
    service, sub = subscription_named(consumers_by_service(), consumer)
    pool = await create_pool(database_url_for(service, settings.database_url), service, max_size=2)
    producer = create_producer(settings, f"casetrack-{service}-dlq-replay")
    await producer.start()
    try:
        target = ProcessedOnce(sub.name, service, pool, sub.handler, producer)
        return [{"offset": x.offset, "event_id": x.event_id,
                 "outcome": await replay(target, x, dlq_id)} for x in chosen]
    finally:
        await producer.stop()
        await pool.close()

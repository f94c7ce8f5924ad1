"""`casetrack status`: every service's readiness, release, relay and consumer lag, dead letters."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from cli.output import print_json, table
from infra.local.processes import REPLICA_PORT_STEP
from services.runtime.catalog import consumers_by_service, owning_services, service_processes
from services.runtime.deadletters import dlq_topic_id, read_dead_letters, replayed, waiting
from services.runtime.lag import consumer_lags, relay_backlogs
from services.runtime.settings import Settings


async def _service(http: httpx.AsyncClient, service: str, url: str) -> dict[str, Any]:
    found: dict[str, Any] = {"service": service, "url": url, "ready": False, "version": None,
                             "problems": []}
    try:
        live = await http.get(f"{url}/livez")
        found["version"] = live.json().get("version")
        ready = await http.get(f"{url}/readyz")
        found["ready"] = ready.status_code == 200
        found["problems"] = ready.json().get("problems", [])
    except (httpx.HTTPError, ValueError) as exc:
        found["problems"] = [f"not answering: {exc!r}"]
    return found


async def _guarded(what: str, work: Any) -> tuple[Any, str | None]:
    """Run one probe; a failure becomes a line of the report, not the end of it."""
    try:
        return await work, None
    except Exception as exc:
        return None, f"{what}: {exc!r}"


async def gather(settings: Settings) -> dict[str, Any]:
    """What `status` reports, as plain data."""
    apis = [p.service for p in service_processes() if p.api]
    subscriptions = consumers_by_service()
    report: dict[str, Any] = {"services": [], "relays": [], "consumers": [], "members": [],
                              "dead_letters": [], "errors": []}
    async with httpx.AsyncClient(timeout=5) as http:
        report["services"] = list(await asyncio.gather(
            *(_service(http, s, url) for s in apis for url in replica_urls(settings, s))))
    conn, error = await _guarded("database", asyncpg.connect(settings.database_url, timeout=5))
    if conn is None:
        report["errors"].append(error)
        return report
    bootstrap = settings.kafka_bootstrap_servers
    try:
        for service in owning_services():
            relays, error = await _guarded(f"{service} relay", relay_backlogs(conn, service))
            report["relays"] += [r.as_dict() for r in relays or []]
            report["errors"] += [error] if error else []
        for service, subs in subscriptions.items():
            lags, error = await _guarded(f"{service} consumers", consumer_lags(
                conn, service, {s.name: s.topics for s in subs}, bootstrap))
            report["consumers"] += [{"service": service, **x.as_dict()} for x in lags or []]
            report["errors"] += [error] if error else []
            members, error = await _guarded(f"{service} members", _members(conn, service))
            report["members"] += members or []
            report["errors"] += [error] if error else []
            for sub in subs:
                letters, error = await _guarded(f"{sub.name} dead letters",
                                                _dead_letters(conn, bootstrap, service, sub.name))
                report["dead_letters"] += [letters] if letters else []
                report["errors"] += [error] if error else []
    finally:
        await conn.close()
    return report


def replica_urls(settings: Settings, service: str) -> list[str]:
    """Each replica's base URL: an explicit <SERVICE>_URL, else `make run`'s ports (+10 each)."""
    if getattr(settings, f"{service}_url", None):
        return [settings.url_of(service)]
    port = settings.port_of(service)
    return [f"http://{settings.host}:{port + REPLICA_PORT_STEP * r}" for r in range(settings.replicas)]


async def _members(conn: asyncpg.Connection, service: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT consumer, member, partitions,
                   extract(epoch FROM lease_until - now()) AS lease_left
            FROM {service}.consumer_members ORDER BY consumer, member""")
    return [{"consumer": r["consumer"], "member": r["member"], "partitions": list(r["partitions"]),
             "lease_seconds_left": round(float(r["lease_left"]), 1)} for r in rows]


async def _dead_letters(conn: asyncpg.Connection, bootstrap: str, service: str, consumer: str
                        ) -> dict[str, Any]:
    letters = await read_dead_letters(bootstrap, consumer)
    outcomes = await replayed(conn, service, consumer, await dlq_topic_id(bootstrap, consumer))
    return {"consumer": consumer, "held": len(letters), "waiting": len(waiting(letters, outcomes))}


def show(report: dict[str, Any], as_json: bool) -> None:
    """Print the report as tables, or as one JSON document."""
    if as_json:
        print_json(report)
        return
    table("services", ["service", "url", "ready", "version", "problems"],
          [(s["service"], s["url"], "yes" if s["ready"] else "NO", s["version"],
            "; ".join(s["problems"]) or None) for s in report["services"]])
    table("relays (committed but not published)",
          ["service", "topic", "published up to", "log head", "lag events", "lag seconds"],
          [(r["service"], r["topic"], r["position"], r["head"], r["events"], f"{r['seconds']:.1f}")
           for r in report["relays"]])
    table("consumer lag (end offset - stored position)",
          ["consumer", "topic", "partition", "position", "end", "lag"],
          [(c["consumer"], c["topic"], c["partition"], c["position"], c["end"], c["lag"])
           for c in report["consumers"]])
    table("consumer replicas (partitions each reads)",
          ["consumer", "member", "partitions", "lease left (s)"],
          [(m["consumer"], m["member"], len(m["partitions"]), m["lease_seconds_left"])
           for m in report["members"]])
    table("dead letters", ["consumer", "held", "waiting"],
          [(d["consumer"], d["held"], d["waiting"]) for d in report["dead_letters"]])
    for error in report["errors"]:
        table("could not look", ["what"], [(error,)])

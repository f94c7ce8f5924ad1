"""The operator commands beside status and dlq: rebuild, export, token, seed, case verify."""

from __future__ import annotations

import csv
import subprocess
import sys
from enum import StrEnum
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from cli.output import errors, print_json, table
from events import Role
from services.runtime.auth import issue_token
from services.runtime.catalog import SERVICES
from services.runtime.settings import get_settings

AsJson = Annotated[bool, typer.Option("--json", help="one JSON document instead of tables")]
TokenOption = Annotated[str | None, typer.Option(
    envvar="CASETRACK_TOKEN", help="bearer token; default: an admin dev token from CASETRACK_JWT_SECRET")]

case_app = typer.Typer(help="One case: verify its whole history.", no_args_is_help=True)


def admin_token(given: str | None) -> str:
    """The token to call the APIs with: the one given, else a short-lived admin dev token."""
    if given:
        return given
    return issue_token("casetrack-cli", Role.ADMIN.value, ["*"], secret=get_settings().jwt_secret,
                       ttl_seconds=600)


def rebuild(
    service: Annotated[str, typer.Argument(help=f"one of {', '.join(SERVICES)}")],
    check: Annotated[bool, typer.Option(
        help="rebuild into shadow tables and compare with the live ones; exit 1 on a difference")
    ] = False,
) -> None:
    """Replay the topics into a service's read tables (progress bar and ETA on stderr)."""
    if service not in SERVICES:
        raise typer.BadParameter(f"no service {service!r}; one of {', '.join(SERVICES)}",
                                 param_hint="SERVICE")
    module = f"services.{service}.rebuild"
    if find_spec(f"services.{service}") is None or find_spec(module) is None:
        errors.print(f"rebuild is not available for {service}: it has no rebuild of read tables "
                     f"(no {module} module)")
        raise typer.Exit(2)
    # Its own process, as `python -m`: each service's rebuild owns its arguments and exit code.
    done = subprocess.run([sys.executable, "-m", module, *(["--check"] if check else [])],
                          check=False)
    raise typer.Exit(done.returncode)


class ExportFormat(StrEnum):
    """What `export` writes."""

    CSV = "csv"
    PARQUET = "parquet"


def export(
    name: Annotated[str, typer.Argument(help="cases, directives, history, summary or receptions")],
    out: Annotated[Path, typer.Option(help="file to write")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or parquet")] = ExportFormat.CSV,
    start: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    region: Annotated[str | None, typer.Option(help="ISO 3166-2:KZ code")] = None,
    sector: Annotated[str | None, typer.Option()] = None,
    token: TokenOption = None,
) -> None:
    """Download one of reporting's exports (the same rows, filters and scoping as the API)."""
    params = {k: v for k, v in (("from", start), ("to", end), ("region", region),
                                ("sector", sector)) if v is not None}
    url = get_settings().url_of("reporting")
    out.parent.mkdir(parents=True, exist_ok=True)
    with httpx.Client(base_url=url, timeout=300,
                      headers={"Authorization": f"Bearer {admin_token(token)}"}) as client, \
            client.stream("GET", f"/v1/exports/{name}.{fmt.value}", params=params) as reply:
        if reply.status_code != 200:
            errors.print(f"reporting answered {reply.status_code}: {reply.read()[:500]!r}")
            raise typer.Exit(1)
        with out.open("wb") as file:
            for piece in reply.iter_bytes():
                file.write(piece)
    errors.print(f"{name}: {_rows_in(out, fmt)} rows written to {out} ({fmt.value})")


def _rows_in(path: Path, fmt: ExportFormat) -> int:
    if fmt is ExportFormat.PARQUET:
        from pyarrow import parquet

        return int(parquet.ParquetFile(path).metadata.num_rows)
    with path.open(newline="", encoding="utf-8") as file:
        return max(sum(1 for _ in csv.reader(file)) - 1, 0)


def token(
    role: Annotated[str, typer.Option(help=", ".join(r.value for r in Role))] = Role.ADMIN.value,
    regions: Annotated[str, typer.Option(help="comma-separated region codes, or *")] = "*",
    sub: Annotated[str | None, typer.Option(help="subject; default dev-<role>")] = None,
    ttl: Annotated[int, typer.Option(help="seconds")] = 8 * 3600,
) -> None:
    """Print a development token signed with CASETRACK_JWT_SECRET."""
    if role not in {r.value for r in Role}:
        raise typer.BadParameter(f"no role {role!r}", param_hint="--role")
    chosen = [r.strip() for r in regions.split(",") if r.strip()]
    typer.echo(issue_token(sub or f"dev-{role}", role, chosen, secret=get_settings().jwt_secret,
                           ttl_seconds=ttl))


def seed(token: TokenOption = None, as_json: AsJson = False) -> None:
    """Load the demo roster into assignment (idempotent: what exists is left alone)."""
    from services.assignment.seed import demo_roster
    from services.assignment.seed import seed as load

    url = get_settings().url_of("assignment")
    with httpx.Client(base_url=url, timeout=30,
                      headers={"Authorization": f"Bearer {admin_token(token)}"}) as client:
        created, existing = load(client, demo_roster())
    if as_json:
        print_json({"created": created, "existing": existing})
    else:
        table("demo roster", ["created", "already there"], [(created, existing)])


@case_app.command("verify")
def verify_case(
    case_id: Annotated[str, typer.Argument(help="the case's id")],
    directive: Annotated[bool, typer.Option(help="the id is a directive's")] = False,
    token: TokenOption = None,
    as_json: AsJson = False,
) -> None:
    """Re-verify every stream about a case (chains, proofs, reporting's copy); exit 1 if any fails.

    Online, through reporting; `casetrack verify BUNDLE` checks a downloaded bundle offline."""
    kind = "directives" if directive else "cases"
    with httpx.Client(base_url=get_settings().url_of("reporting"), timeout=60,
                      headers={"Authorization": f"Bearer {admin_token(token)}"}) as client:
        reply = client.get(f"/v1/{kind}/{case_id}/verify")
    if reply.status_code != 200:
        errors.print(f"reporting answered {reply.status_code}: {reply.text[:500]}")
        raise typer.Exit(1)
    body: dict[str, Any] = reply.json()
    if as_json:
        print_json(body)
    else:
        table(f"{kind[:-1]} {case_id}: {'HOLDS' if body['verified'] else 'BROKEN'}",
              ["service", "stream", "received", "held", "chain", "copy", "holds", "detail"],
              [(s["service"], f"{s['stream_type']} {s['stream_id']}", s["events_received"],
                s["events_held"], s["received_chain_ok"], s["copy_matches"], s["holds"],
                s["detail"] or (s["first_broken"] and str(s["first_broken"])))
               for s in body["streams"]])
    if not body["verified"]:
        raise typer.Exit(1)

"""`casetrack`: the project's command line: the operator's commands (status, rebuild, case verify,
export, dlq, token, seed, survey import) and the log's (witness, verify a bundle offline, keygen)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import httpx
import typer

from cli import dlq, ops, survey
from events.tlog.bundle import Bundle, verify_bundle
from events.tlog.cosignature import Cosigner
from events.tlog.note import NoteError, signer_from_key

app = typer.Typer(help="casetrack: operate the services (status, rebuild, dlq, export, ...), "
                       "witness a log, verify a case bundle offline, make keys.",
                  no_args_is_help=True)
app.add_typer(dlq.app, name="dlq")
app.add_typer(ops.case_app, name="case")
app.add_typer(survey.app, name="survey")
app.command()(ops.rebuild)
app.command()(ops.export)
app.command()(ops.token)
app.command()(ops.seed)


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="one JSON document")] = False
           ) -> None:
    """Readiness, release, relay backlog, consumer lag per partition, dead letters waiting.

    Read from Postgres and the broker, so a dead process still shows its lag."""
    import asyncio

    from cli.status import gather, show
    from services.runtime.settings import get_settings

    show(asyncio.run(gather(get_settings())), as_json)


@app.command()
def witness(
    log: Annotated[str, typer.Option(help="base URL of the owning service, e.g. http://127.0.0.1:8001")],
    key: Annotated[Path, typer.Option(help="the witness's signer-key file (see `casetrack keygen`)")],
    state: Annotated[Path, typer.Option(help="JSON file remembering the last checkpoint cosigned")],
    log_key: Annotated[list[str], typer.Option(
        help="trusted log verifier key, or a file of them (repeatable)")],
    token: Annotated[str, typer.Option(envvar="CASETRACK_TOKEN", help="bearer token (monitor role)")],
    every: Annotated[float, typer.Option(help="repeat every N seconds (0: once)")] = 0.0,
) -> None:
    """Cosign the log's checkpoint only if it extends the last one seen; refuse a fork loudly."""
    from cli.witness import ForkDetected, Witness, log_keys_from

    cosigner = Cosigner.from_key(key.read_text("utf-8"))
    keys = log_keys_from(log_key)
    if not keys:
        raise typer.BadParameter("no log verifier key given", param_hint="--log-key")
    with httpx.Client(base_url=log, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        runner = Witness(client, cosigner, keys, state)
        while True:
            try:
                checkpoint = runner.run_once()
            except ForkDetected as exc:
                typer.secho(f"REFUSED: FORK OR REWRITE DETECTED: {exc}", err=True, fg="red", bold=True)
                typer.secho(f"evidence kept beside {state}; nothing was cosigned", err=True, fg="red")
                raise typer.Exit(2) from exc
            except (NoteError, httpx.HTTPError) as exc:
                typer.secho(f"not cosigned: {exc}", err=True, fg="yellow")
                if not every:
                    raise typer.Exit(1) from exc
            else:
                typer.echo(f"cosigned {checkpoint.origin} at size {checkpoint.size}")
            if not every:
                return
            time.sleep(every)


@app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="bundle.json from GET /v1/cases/{id}/bundle")],
    trust: Annotated[Path, typer.Option(help="verifier keys: logs (type 0x01) and witnesses (0x04)")],
    witnesses: Annotated[int, typer.Option(help="witness cosignatures each checkpoint needs")] = 1,
) -> None:
    """Check a case bundle with no network; name the first event that fails and why."""
    from cli.trust import read_trust

    started = time.perf_counter()
    try:
        trusted = read_trust(trust, witnesses)
    except NoteError as exc:
        raise typer.BadParameter(str(exc), param_hint="--trust") from exc
    parsed = Bundle.model_validate_json(bundle.read_bytes())
    report = verify_bundle(parsed, trusted)
    elapsed = time.perf_counter() - started
    for (service, size), count in sorted(report.checkpoints.items()):
        typer.echo(f"checkpoint {service} size {size}: log signature ok, {count} trusted witness(es)")
    if report.ok:
        typer.echo(f"OK: {report.events_verified} events in {len(parsed.streams)} streams verified"
                   f" in {elapsed:.3f} s")
        return
    first = report.first_failure
    typer.secho(f"FAIL: {first.describe() if first else 'events left unverified'}", err=True, fg="red")
    for other in report.failures[1:]:
        typer.secho(f"  also: {other.describe()}", err=True)
    raise typer.Exit(1)


@app.command()
def keygen(
    name: Annotated[str, typer.Option(help="key name, e.g. monitors.example/kz-75")],
    out: Annotated[Path, typer.Option(help="where to write the private key (mode 0600)")],
    witness_key: Annotated[bool, typer.Option(
        "--witness/--log", help="a witness cosignature key (0x04) or a log key (0x01)")] = True,
) -> None:
    """Make a key; prints its verifier key for others' trust files."""
    from services.runtime.tlog.keys import write_new_key

    if witness_key:
        text = Cosigner.generate(name)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.touch(mode=0o600, exist_ok=False)
        out.write_text(text + "\n", "utf-8")
        typer.echo(Cosigner.from_key(text).verifier().vkey())
    else:
        write_new_key(out, name)
        typer.echo(signer_from_key(out.read_text("utf-8")).verifier().vkey())


def run() -> None:
    """Entry point for `python -m cli`."""
    app(prog_name="casetrack")


if __name__ == "__main__":
    run()

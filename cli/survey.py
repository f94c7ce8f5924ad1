"""`casetrack survey import`: upload a wave's file to intake with a progress bar, then show the
wave it made, or every row the server refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from cli.ops import AsJson, TokenOption, admin_token
from cli.output import errors, print_json, table
from services.runtime.media import CSV, XLSX
from services.runtime.settings import get_settings

app = typer.Typer(help="Anonymous survey waves: import a wave's CSV or XLSX file.",
                  no_args_is_help=True)

MEDIA_TYPES = {".csv": CSV, ".xlsx": XLSX}
CHUNK = 256 * 1024


def _chunks(file: Path, progress: Progress, task: Any) -> Iterator[bytes]:
    """The file in chunks, advancing the bar as each is sent; then the server's turn."""
    with file.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk
            progress.advance(task, len(chunk))
    progress.update(task, description="importing (the server validates and stores every row)")


@app.command("import")
def import_wave(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="the wave's .csv or .xlsx file")],
    wave: Annotated[str, typer.Option("--wave", help="the wave's name (unique)")],
    start: Annotated[str, typer.Option("--from", help="first day of the wave's period, YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="last day of the wave's period, YYYY-MM-DD")],
    token: TokenOption = None,
    as_json: AsJson = False,
) -> None:
    """Upload a wave (progress on stderr); exit 1 if intake refuses it, listing each bad row."""
    media = MEDIA_TYPES.get(file.suffix.lower())
    if media is None:
        raise typer.BadParameter("the file must end in .csv or .xlsx", param_hint="FILE")
    size = file.stat().st_size
    url = get_settings().url_of("intake")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=errors, transient=True) as progress, httpx.Client(
            base_url=url, timeout=httpx.Timeout(600, connect=10),
            headers={"Authorization": f"Bearer {admin_token(token)}"}) as client:
        task = progress.add_task(f"uploading {file.name}", total=size)
        reply = client.post("/v1/surveys/waves", content=_chunks(file, progress, task),
                            params={"name": wave, "period_start": start, "period_end": end},
                            headers={"Content-Type": media, "Content-Length": str(size)})
    body: dict[str, Any] = reply.json() if reply.content else {}
    if as_json:
        print_json({"status": reply.status_code, **body})
    if reply.status_code in (200, 201):
        if not as_json:
            _show_wave(body, again=reply.status_code == 200)
        return
    if not as_json:
        errors.print(f"intake refused the wave ({reply.status_code}): {body.get('detail', reply.text[:500])}")
        if body.get("problems"):
            table(f"{body.get('problem_count')} problem(s), the first {len(body['problems'])}:",
                  ("row", "column", "problem"),
                  ((p["row"], p["column"], p["problem"]) for p in body["problems"]))
    raise typer.Exit(1)


def _show_wave(body: dict[str, Any], again: bool) -> None:
    title = "already imported: the wave this file made" if again else "imported"
    table(title, ("id", "name", "period", "format", "responses", "cells"),
          [(body["id"], body["name"], f"{body['period_start']} .. {body['period_end']}",
            body["file_format"], body["responses"], body["cells"])])

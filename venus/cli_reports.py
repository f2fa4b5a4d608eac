"""`venus report`: an operations report to a file, from a running server or the data directory."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from venus.cli_common import ConfigOpt, DataDirOpt, UrlOpt, _fail, _settings, err
from venus.errors import VenusError


def report_command(
        since: Annotated[str, typer.Option(help="start: ISO time, or 1d, 7d… ago")] = "1d",
        until: Annotated[str | None, typer.Option(help="end (default now)")] = None,
        query: Annotated[str, typer.Option("--query", "-q", help="only the lines matching this query, "
                                           "e.g. 'host:cmp*' or 'service:nova'")] = "",
        fmt: Annotated[str, typer.Option("--format", "-f", help="html, pdf or json")] = "html",
        language: Annotated[str, typer.Option(help="en or zh")] = "en",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")] = None,
        url: UrlOpt = None, config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """An operations report of a time range against the one before it: volume, errors, typical
    errors, API latency, anomalies, alerts, silent hosts, storage."""
    from venus.client import connect

    try:
        backend = connect(_settings(config, data_dir), url, role="venus report")
        try:
            body = backend.report({"since": since, "until": until, "q": query, "format": fmt, "language": language})
        finally:
            backend.close()
    except VenusError as exc:
        _fail(exc)
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    err.print(f"{output}: {len(body):,} bytes", markup=False)

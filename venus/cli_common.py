"""What every `venus` command shares: the consoles, the common options, reading the settings,
how an error ends a command, and calling a running server's API and printing its answer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from venus.config import Settings, load_settings
from venus.errors import VenusError
from venus.jsonfmt import dumps

err = Console(stderr=True, soft_wrap=True, highlight=False)
out = Console(highlight=False, soft_wrap=True)

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", help="venus.conf to read")]
DataDirOpt = Annotated[Optional[Path], typer.Option("--data-dir", help="data directory (overrides data_dir)")]
UrlOpt = Annotated[Optional[str], typer.Option("--url", help="Venus server (default: $VENUS_URL, "
                                               "else http://127.0.0.1:10010 when it answers)")]


def _settings(config: Path | None, data_dir: Path | None = None, **api: object) -> Settings:
    overrides: dict = {("DEFAULT", "data_dir"): str(data_dir) if data_dir else None}
    overrides.update({("api", k): v for k, v in api.items()})
    return load_settings(config).with_overrides(overrides)


def _fail(exc: VenusError) -> None:
    err.print(f"[red]error:[/red] {escape(exc.message)}", markup=True, highlight=False)
    raise typer.Exit(2)


JsonOpt = Annotated[bool, typer.Option("--json", help="print the API's JSON")]


def _call(url: str | None, config: Path | None, method: str, path: str, **kw: Any) -> dict:
    from venus.client import connect_server

    try:
        backend = connect_server(_settings(config), url)
        try:
            return backend.call(method, path, **kw)
        finally:
            backend.close()
    except VenusError as exc:
        _fail(exc)
        raise  # _fail exits


def _print(data: Any) -> None:
    sys.stdout.write(dumps(data).decode() + "\n")


def _table(columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(*columns, box=None, pad_edge=False)
    for row in rows:
        table.add_row(*("" if v is None else escape(str(v)) for v in row))  # a log's [brackets] are not markup
    out.print(table)

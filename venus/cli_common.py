"""What every `venus` command shares: the consoles, the common options, reading the settings,
and how an error ends a command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

from venus.config import Settings, load_settings
from venus.errors import VenusError

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

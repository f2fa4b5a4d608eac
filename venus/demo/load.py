"""`venus serve --demo`: fill an empty store with generated logs, in the background."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from fastapi import FastAPI

from venus.client import LocalBackend
from venus.demo.generator import DemoCloud
from venus.errors import StoreUnavailable
from venus.ingest.files import expand_paths, import_file
from venus.parse.paths import describe_path
from venus.store.clickhouse import ClosedError

log = logging.getLogger(__name__)

DEMO_LINES = 200_000


def load_demo_when_empty(app: FastAPI, lines: int = DEMO_LINES) -> None:
    app.state.startup_hooks.append(lambda a: _start(a, lines))


def _start(app: FastAPI, lines: int) -> None:
    store = app.state.store
    if store.disk_usage()["rows"]:
        log.info("demo: the store has logs already; not loading demo data")
        return
    settings = app.state.settings
    directory = Path(settings.data_path) / "demo-logs"
    app.state.demo_loader = threading.Thread(target=_load, args=(app, directory, lines), name="demo-loader",
                                             daemon=True)
    app.state.demo_loader.start()


def _load(app: FastAPI, directory: Path, lines: int) -> None:
    try:
        if not directory.exists():
            DemoCloud().write_tree(directory, lines)
        settings = app.state.settings
        target = LocalBackend(app.state.store, settings, app.state.importer)  # the server's, left open
        files, _ = expand_paths([str(directory)])
        for f in files:
            import_file(f, describe_path(str(f.path)), settings.import_.chunk_bytes, target)
        log.info("demo: loaded %d files from %s", len(files), directory)
    except (ClosedError, StoreUnavailable) as exc:
        # Stopped while loading (Ctrl-C soon after start): what was committed stays; no failure.
        log.info("demo: loading stopped: %s", exc)
    except Exception:  # a failed demo load must not take the server down
        log.exception("demo: loading demo data failed")

"""`venus serve --demo`: fill an empty store with generated logs, in the background."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from fastapi import FastAPI

from venus.demo.generator import DemoCloud
from venus.ingest.files import expand_paths, send_file
from venus.parse.paths import describe_path

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
    threading.Thread(target=_load, args=(app, directory, lines), name="demo-loader", daemon=True).start()


def _load(app: FastAPI, directory: Path, lines: int) -> None:
    try:
        if not directory.exists():
            DemoCloud().write_tree(directory, lines)
        importer = app.state.importer
        files, _ = expand_paths([str(directory)])
        for f in files:
            source = describe_path(str(f.path))
            fp = f.fingerprint()
            with f.open() as fh:
                send_file(fh, importer.store.checkpoint(source.host, source.path, fp), 8 << 20,
                          lambda off, data, final, s=source, fp=fp, m=f.mtime:
                          importer.import_chunk(s, fp, off, data, final, m).committed_offset)
        log.info("demo: loaded %d files from %s", len(files), directory)
    except Exception:  # a failed demo load must not take the server down
        log.exception("demo: loading demo data failed")

"""The agent's memory across restarts: each followed file's identity and committed offset, in
`state.json`, replaced atomically (a killed agent leaves the previous version, never half a file)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from venus.agent.tailed import TailedFile

log = logging.getLogger("venus.agent")

STATE_NAME = "state.json"
VERSION = 1


def load_state(state_dir: Path) -> list[TailedFile]:
    path = state_dir / STATE_NAME
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        # The server's checkpoints still know what it has: files are sent again from there.
        log.error("%s cannot be read (%s); starting from the server's checkpoints", path, exc)
        return []
    files = []
    for entry in state.get("files", []):
        try:
            files.append(TailedFile.from_state(entry))
        except (KeyError, TypeError, ValueError):
            log.error("%s: skipping a broken entry %r", path, entry)
    return files


def save_state(state_dir: Path, files: list[TailedFile]) -> None:
    path = state_dir / STATE_NAME
    tmp = path.with_suffix(".tmp")
    data = json.dumps({"version": VERSION, "files": [f.to_state() for f in files]}, indent=1)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)

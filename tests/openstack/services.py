"""The OpenStack services the tests run (Keystone under gunicorn, Horizon under runserver): each
one's virtual environment, built once into the test cache and again when what it is built from
changes; waiting until one answers; stopping it with its workers."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

CACHE = Path(os.environ.get("VENUS_TEST_CACHE", Path.home() / ".cache" / "venus-tests"))


def cached_environment(name: str, made_from: list[Path], install: Callable[[Path], None]) -> Path:
    """The Python of `name`'s environment, keyed by the files it is made from: built with
    `install(python)` when missing (about a minute), and marked ready only once that succeeded."""
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in made_from)).hexdigest()[:12]
    venv = CACHE / f"{name}-{digest}"
    python = venv / "bin" / "python"
    if not (venv / "ready").exists():
        shutil.rmtree(venv, ignore_errors=True)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install(python)
        (venv / "ready").write_text("built\n")
    return python


def wait_until_answers(proc: subprocess.Popen, url: str, log: Path, name: str, timeout: float,
                       request_timeout: float = 2) -> None:
    """Until `url` answers 200; a RuntimeError with the end of its log if it exits or never does.
    Every request is bounded: a server that accepts and never answers must not hang the tests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=request_timeout).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer within {timeout:g} s")


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group (a master and its workers), SIGKILL after 30 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

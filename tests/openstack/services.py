"""The OpenStack services the tests run (Keystone under gunicorn, Horizon under runserver): waiting
until one answers, and stopping it with its workers."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx


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

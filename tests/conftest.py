"""Shared fixtures: a real chdb store on a temporary directory, a real server in a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from venus.config import load_settings
from venus.ingest.importer import Importer
from venus.ingest.workers import ParsePool
from venus.parse.lines import parse_text
from venus.parse.paths import describe_path
from venus.parse.timestamps import now_us
from venus.store import open_store

LOGHUB = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub"
if not LOGHUB.is_dir():  # CI clones main/ next to shared/
    LOGHUB = Path(os.environ.get("VENUS_LOGHUB", "../shared/data/loghub")).resolve()


def loghub(name: str) -> Path:
    path = LOGHUB / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (the shared Loghub samples are read, never copied)")
    return path


def settings_for(data_dir: Path, **env: str):
    return load_settings(environ={"VENUS_DATA_DIR": str(data_dir), **env})


@pytest.fixture
def store(tmp_path: Path) -> Iterator:
    st = open_store(settings_for(tmp_path / "data"), role="pytest")
    yield st
    st.close()


@pytest.fixture
def meta(tmp_path: Path) -> Iterator:
    """A real SQLite metadata store, upgraded to the newest revision."""
    from venus.meta.store import MetadataStore

    m = MetadataStore(f"sqlite:///{tmp_path / 'meta.sqlite'}")
    m.upgrade()
    yield m
    m.close()


@pytest.fixture
def importer(store) -> Iterator[Importer]:
    pool = ParsePool(1)
    yield Importer(store, pool)
    pool.close()


def insert_text(store, text: str, path: str = "/var/log/nova/nova-compute.log", host: str = "cmp1") -> None:
    table, _ = parse_text(text, describe_path(path, host), received_us=now_us())
    store.insert(table)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`venus serve` as a real subprocess on a free loopback port."""

    def __init__(self, data_dir: Path, *extra: str, env: dict | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.env = {**os.environ, "VENUS_DATA_DIR": str(data_dir), **(env or {})}
        # The server's log goes to a file: a pipe nobody reads would stop the server once full.
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir.parent / f"{data_dir.name}-server-{self.port}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "venus", "serve", "--port", str(self.port), *extra],
                env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"venus serve exited: {self.log}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code in (200, 401):
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("venus serve did not answer within 60 s")

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return run_cli(*args, "--url", self.url, env=self.env, check=check) if args[0] in (
            "import", "search", "context", "chain") else run_cli(*args, env=self.env, check=check)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.output = self.log
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing flushed, as a crash."""
        self.proc.kill()
        self.proc.wait()

    @property
    def log(self) -> str:
        """What the server has logged so far."""
        return self.log_path.read_text(errors="replace")


def search_hits(server: Server, query: str, expected: int = 0, timeout: float = 20.0) -> list[dict]:
    """The lines matching `query`, ordered by message; with `expected`, once there are that many
    (receivers that do not acknowledge commit in the background), or at the timeout."""
    deadline = time.time() + timeout
    while True:
        found = httpx.get(f"{server.url}/api/v1/search", params={"q": query, "limit": 1000}).json()["hits"]
        if len(found) >= expected or time.time() > deadline:
            return sorted(found, key=lambda h: h["message"])
        time.sleep(0.1)


def run_cli(*args: str, env: dict | None = None, check: bool = True,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "venus", *args], env=env or dict(os.environ),
                            capture_output=True, text=True, timeout=300, input=stdin)
    if check and result.returncode != 0:
        raise AssertionError(f"venus {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("server") / "data")
    yield srv
    srv.stop()


# -- the test cloud: one real Keystone per test session, and the Venus its catalog names ---------


@pytest.fixture(scope="session")
def keystone(tmp_path_factory):
    """A real Keystone (tests/openstack/keystone_env.py) whose catalog's log-management endpoint is
    the `cloud_venus` server's port."""
    from tests.openstack.keystone_env import Keystone
    venus_port = free_port()
    ks = Keystone(tmp_path_factory.mktemp("keystone"), f"http://127.0.0.1:{venus_port}")
    ks.venus_port = venus_port
    yield ks
    ks.stop()


@pytest.fixture(scope="session")
def cloud_venus(keystone, tmp_path_factory):
    """Venus as a cloud runs it: Keystone tokens, tenant scoping on, the lines of
    tests/openstack/cloud_logs.py (the demo project's, the other project's, the system's)."""
    from tests.openstack.cloud_logs import cloud_lines
    data = tmp_path_factory.mktemp("cloud") / "data"
    env = {**keystone.venus_settings(), "VENUS_API_TENANT_SCOPING": "true"}
    made = run_cli("tokens", "create", "loader", "--role", "admin", "--json",
                   env={**os.environ, "VENUS_DATA_DIR": str(data), **env})
    server = Server(data, env=env, port=keystone.venus_port)
    lines = cloud_lines(keystone.ids["projects"]["demo"], keystone.ids["projects"]["other"])
    headers = {"Authorization": f"Bearer {json.loads(made.stdout)['secret']}"}
    sent = httpx.post(f"{server.url}/api/v1/ingest", headers=headers, timeout=60,
                      content="\n".join(json.dumps(line) for line in lines))
    assert sent.json()["accepted"] == len(lines), sent.text
    deadline = time.time() + 30
    while time.time() < deadline:
        counted = httpx.get(f"{server.url}/api/v1/count", params={"since": "2h"}, headers=headers).json()
        if counted["count"] == len(lines):
            break
        time.sleep(0.2)
    yield server
    server.stop()

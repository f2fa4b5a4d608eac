"""Live tail: the newest lines, then each new match once, over Server-Sent Events and `venus tail`."""

import contextlib
import http.client
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import httpx
import orjson
import pytest

from tests.conftest import Server
from venus.parse.lines import parse_text
from venus.parse.paths import describe_path
from venus.query.search import Filter
from venus.query.tail import poll_tail, start_tail

NOW = datetime.now(timezone.utc)


def oslo(i: int, level: str = "INFO") -> str:
    return f"2026-05-06 18:06:{i % 60:02d}.{i:03d} 23 {level} nova.compute.manager [-] tail line {i}\n"


def insert(store, text: str, received: datetime) -> None:
    table, _ = parse_text(text, describe_path("/var/log/kolla/nova/nova-compute.log", "cmp1"),
                          received_us=int(received.timestamp() * 1_000_000))
    store.insert(table)


def messages(hits: list[dict]) -> list[str]:
    return [h["message"] for h in hits]


def test_a_tail_starts_with_the_newest_matches_oldest_first(store):
    insert(store, "".join(oslo(i) for i in range(5)), NOW - timedelta(minutes=5))
    _, hits = start_tail(store, Filter.parse("tail"), 3, NOW)
    assert messages(hits) == ["tail line 2", "tail line 3", "tail line 4"]


def test_a_poll_returns_each_new_match_once_in_the_order_stored(store):
    cursor, _ = start_tail(store, Filter.parse("level:ERROR"), 0, NOW)
    insert(store, oslo(1, "ERROR") + oslo(2) + oslo(3, "ERROR"), NOW + timedelta(seconds=1))
    assert messages(poll_tail(store, Filter.parse("level:ERROR"), cursor)) == ["tail line 1", "tail line 3"]
    assert poll_tail(store, Filter.parse("level:ERROR"), cursor) == []


def test_lines_stamped_before_the_last_poll_but_committed_after_it_are_not_missed(store):
    flt = Filter.parse("tail")
    cursor, _ = start_tail(store, flt, 0, NOW)
    insert(store, oslo(1), NOW + timedelta(seconds=5))
    assert messages(poll_tail(store, flt, cursor)) == ["tail line 1"]
    insert(store, oslo(2), NOW + timedelta(seconds=3))  # parsed earlier, committed later
    assert messages(poll_tail(store, flt, cursor)) == ["tail line 2"]


def test_lines_stored_before_the_tail_began_are_not_sent_as_new(store):
    insert(store, oslo(1), NOW - timedelta(seconds=1))
    cursor, first = start_tail(store, Filter.parse("tail"), 1, NOW)
    assert messages(first) == ["tail line 1"]
    assert poll_tail(store, Filter.parse("tail"), cursor) == []


@pytest.fixture(scope="module")
def tails(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("tail") / "data", env={"VENUS_SEARCH_MAX_TAILS": "2"})
    yield srv
    srv.stop()


def ingest(server, *messages: str) -> None:
    body = b"".join(orjson.dumps({"message": m}) + b"\n" for m in messages)
    assert httpx.post(f"{server.url}/api/v1/ingest", params={"source": "tail-test"}, content=body).status_code == 200


class EventReader:
    """Reads a tail's `data:` events in a thread, as a browser's EventSource would; `close()`
    shuts the socket, as a closed browser tab does."""

    def __init__(self, server, q: str, lines: int = 10) -> None:
        self.events: list[dict] = []
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        self.conn.request("GET", "/api/v1/tail?" + urlencode({"q": q, "lines": lines}))
        self.response = self.conn.getresponse()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for line in self.response:
                if line.startswith(b"data: "):
                    self.events.append(orjson.loads(line[6:]))
        except Exception:  # noqa: BLE001, S110 -- close() pulls the socket from under the read, which may fail anyhow
            pass

    def wait_for(self, count: int, timeout: float = 15) -> list[str]:
        deadline = time.time() + timeout
        while len(self.events) < count and time.time() < deadline:
            time.sleep(0.05)
        return [e["message"] for e in self.events]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()
        self.thread.join(5)


def test_sse_tail_sends_the_newest_line_then_new_matches_only(tails):
    ingest(tails, "sse before")
    reader = EventReader(tails, '"sse"', lines=1)
    try:
        assert reader.wait_for(1) == ["sse before"]
        assert reader.response.getheader("content-type").startswith("text/event-stream")
        ingest(tails, "sse after one", "not matching", "sse after two")
        assert reader.wait_for(3) == ["sse before", "sse after one", "sse after two"]
        time.sleep(1.5)
        assert len(reader.events) == 3
    finally:
        reader.close()


def test_a_tail_with_a_bad_query_is_a_400_naming_q(tails):
    resp = httpx.get(f"{tails.url}/api/v1/tail", params={"q": "level:("})
    assert resp.status_code == 400 and resp.json()["field"] == "q"


def test_tails_beyond_max_tails_are_refused_with_429_until_one_ends(tails):
    readers = [EventReader(tails, "x", lines=0) for _ in range(2)]
    try:
        time.sleep(0.5)
        resp = httpx.get(f"{tails.url}/api/v1/tail", params={"q": "x"})
        assert resp.status_code == 429 and resp.json()["field"] == "tail"
    finally:
        for reader in readers:
            reader.close()
    deadline = time.time() + 10
    while time.time() < deadline:  # a tail whose client left is noticed at its next poll
        with httpx.stream("GET", f"{tails.url}/api/v1/tail", params={"q": "x", "lines": 0}) as resp:
            if resp.status_code == 200:
                break
        time.sleep(0.2)
    assert resp.status_code == 200
    time.sleep(1.5)  # and this one ends too


def test_cli_tail_prints_new_matches_as_json(tails):
    with subprocess.Popen([sys.executable, "-m", "venus", "tail", "--json", "-n", "0", "--url", tails.url,
                           '"cli tail"'], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        try:
            time.sleep(2)  # connected and following
            ingest(tails, "cli tail one", "cli tail two")
            got = [orjson.loads(proc.stdout.readline() or b"null") for _ in range(2)]
        finally:
            proc.terminate()
            _, stderr = proc.communicate(timeout=10)
    assert None not in got, stderr.decode()
    assert [g["message"] for g in got] == ["cli tail one", "cli tail two"]


def test_stopping_the_server_ends_open_tails_at_once(tmp_path):
    srv = Server(tmp_path / "data")
    reader = EventReader(srv, "anything", lines=0)
    started = time.time()
    try:
        time.sleep(0.5)
        srv.stop()
        assert time.time() - started < 10  # not uvicorn's 30 s graceful shutdown timeout
        reader.thread.join(5)
        assert not reader.thread.is_alive()  # the server ended the stream
    finally:
        reader.close()

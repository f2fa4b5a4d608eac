"""Receiver benchmark: sustained ingest through `_bulk` and through Forward into a real server on loopback.

    python benchmarks/ingest.py --seconds 60

Documents are what kolla's fluentd sends: the demo cloud's oslo.log lines split by kolla's own
regex (reference/protocols.md §1.1) into Timestamp, Pid, log_level, python_module, the context
fields and Payload. Requests of 5,000 documents are serialised before the clock starts (the
figure is the server's, not the Python client's), then sent by a few concurrent connections for
`--seconds` each:

* `_bulk`: NDJSON bodies; a line counts once its request was answered 200 (committed).
* Forward: PackedForward messages with a `chunk`, as fluentd's out_forward sends them with
  `require_ack_response`; a line counts once its chunk was acknowledged (committed).

Prints JSON per protocol: lines/s, MB/s sent, the server's peak RSS (with its parse workers).
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import msgpack
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench import RssWatch, free_port, start_server, tree_for  # noqa: E402

# kolla-ansible's fluentd oslo.log regex (ansible/roles/fluentd/templates/conf/input/00-global.conf.j2).
KOLLA_OSLO = re.compile(
    r"^(?P<Timestamp>\S+ \S+) (?P<Pid>\d+) (?P<log_level>\S+) (?P<python_module>\S+) "
    r"((?:\[)(?:None|req-)(?P<global_request_id>\S+)? (?:None|req-)(?P<request_id>\S+) (?P<user_id>\S+) "
    r"(?P<tenant_id>\S+) (?P<domain_id>\S+) (?P<system_scope>\S+) (?P<user_domain>\S+) (?P<project_domain>\S+)"
    r"(?:\]))?(?P<Payload>.*)?$")
DOCS_PER_BODY = 5000


def kolla_bodies(tree: Path, limit: int) -> tuple[list[bytes], int]:
    """NDJSON bodies of kolla documents from the tree's OpenStack files; and how many documents."""
    lines: list[bytes] = []
    for path in sorted(tree.rglob("*.log")):
        parts = path.relative_to(tree).parts
        if "kolla" not in parts or len(lines) >= limit:
            continue
        host, service, program = parts[0], parts[-2], path.stem
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                m = KOLLA_OSLO.match(line.rstrip("\n"))
                if m is None:
                    continue  # a traceback line: fluentd's multiline joins it to the record before
                doc = {k: v for k, v in m.groupdict().items() if v is not None}
                doc.update(Hostname=host, Logger=f"openstack.{service}", programname=program,
                           **{"@timestamp": doc["Timestamp"].replace(" ", "T") + "000000+00:00"})
                lines.append(b'{"create":{"_index":"flog-bench"}}\n' + orjson.dumps(doc) + b"\n")
                if len(lines) >= limit:
                    break
    bodies = [b"".join(lines[i:i + DOCS_PER_BODY]) for i in range(0, len(lines), DOCS_PER_BODY)]
    return bodies, len(lines)


def kolla_forward_messages(bodies: list[bytes]) -> list[tuple[bytes, int]]:
    """The same documents as PackedForward messages (msgpack, EventTime, a chunk id each), with
    the number of events of each."""
    messages = []
    for number, body in enumerate(bodies):
        docs = [orjson.loads(line) for line in body.split(b"\n")[1::2] if line]
        entries = b"".join(msgpack.packb([msgpack.ExtType(0, struct.pack(">II", int(time.time()), 0)), doc])
                           for doc in docs)
        tag = f"kolla.var.log.kolla.{docs[0]['Logger'].removeprefix('openstack.')}.{docs[0]['programname']}.log"
        messages.append((msgpack.packb([tag, entries, {"chunk": f"bench-{number}", "size": len(docs)}]), len(docs)))
    return messages


def run_ingest_benchmark(tree: Path, work: Path, seconds: float, connections: int = 4) -> dict:
    bodies, docs = kolla_bodies(tree, 400_000)
    report = run_bulk(bodies, docs, work, seconds, connections)
    report.update(run_forward(kolla_forward_messages(bodies), work, seconds, connections))
    return report


def run_senders(connections: int, seconds: float, send: Callable[[int, float, dict], None]) -> tuple[float, dict]:
    """`send(worker, deadline, counts)` in `connections` threads until the deadline; the seconds it
    took and the counts they added up (under counts["lock"])."""
    counts: dict = {"lines": 0, "bytes": 0, "retries": 0, "lock": threading.Lock()}
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    threads = [threading.Thread(target=send, args=(w, deadline, counts)) for w in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, counts


def measured(server_settings: dict, work: Path, count_query: str,
             run: Callable[[str], tuple[float, dict]]) -> tuple[float, dict, int, int]:
    """A fresh server with `server_settings`, `run(url)` against it while its RSS is watched: the
    seconds, the counts, the lines stored (`count_query`) and the peak RSS in MB."""
    server, url, _ = start_server(work / "ingest-store", **server_settings)
    try:
        watch = RssWatch(server.pid)
        watch.start()
        elapsed, counts = run(url)
        watch.stop.set()
        stored = httpx.get(f"{url}/api/v1/count", params={"q": count_query}, timeout=120).json()["count"]
        return elapsed, counts, stored, round(watch.peak / 2**20)
    finally:
        server.terminate()
        server.wait(60)


def run_forward(messages: list[tuple[bytes, int]], work: Path, seconds: float, connections: int) -> dict:
    port = free_port()

    def send(worker: int, deadline: float, counts: dict) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=300) as conn:
            answers = msgpack.Unpacker(raw=False)
            i = worker
            while time.perf_counter() < deadline:
                message, events = messages[i % len(messages)]
                conn.sendall(message)
                ack = None
                while ack is None:
                    answers.feed(conn.recv(4096))
                    ack = next(answers, None)
                assert ack == {"ack": f"bench-{i % len(messages)}"}, ack
                with counts["lock"]:
                    counts["lines"] += events
                    counts["bytes"] += len(message)
                i += connections

    elapsed, counts, stored, rss = measured({"VENUS_RECEIVERS_FORWARD_PORT": str(port)}, work, "source:forward",
                                            lambda url: run_senders(connections, seconds, send))
    return {"forward": {"seconds": round(elapsed, 1), "lines": counts["lines"], "stored": stored,
                        "lines_per_s": round(counts["lines"] / elapsed),
                        "mb_per_s": round(counts["bytes"] / elapsed / 1e6, 1), "connections": connections,
                        "events_per_chunk": DOCS_PER_BODY, "server_peak_rss_mb": rss}}


def run_bulk(bodies: list[bytes], docs: int, work: Path, seconds: float, connections: int) -> dict:
    def senders(url: str) -> tuple[float, dict]:
        def send(worker: int, deadline: float, counts: dict) -> None:
            with httpx.Client(base_url=url, timeout=120, headers={"Content-Type": "application/x-ndjson"}) as http:
                i = worker
                while time.perf_counter() < deadline:
                    body = bodies[i % len(bodies)]
                    resp = http.post("/elasticsearch/_bulk", content=body)
                    if resp.status_code == 429:
                        with counts["lock"]:
                            counts["retries"] += 1
                        time.sleep(float(resp.headers.get("retry-after", "1")))
                        continue
                    resp.raise_for_status()
                    with counts["lock"]:
                        counts["lines"] += body.count(b"\n") // 2
                        counts["bytes"] += len(body)
                    i += connections

        return run_senders(connections, seconds, send)

    elapsed, counts, stored, rss = measured({}, work, "attrs.index:flog-bench", senders)
    return {"bulk": {"seconds": round(elapsed, 1), "lines": counts["lines"], "stored": stored,
                     "lines_per_s": round(counts["lines"] / elapsed), "mb_per_s": round(counts["bytes"] / elapsed / 1e6, 1),
                     "connections": connections, "docs_per_request": DOCS_PER_BODY, "distinct_docs": docs,
                     "retries_429": counts["retries"], "server_peak_rss_mb": rss}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000, help="size of the generated tree the documents come from")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--work", type=Path, default=ROOT / "bench-data")
    args = ap.parse_args()
    args.work.mkdir(exist_ok=True)
    tree, _ = tree_for(args.lines, args.seed, args.work)
    print(json.dumps(run_ingest_benchmark(tree, args.work, args.seconds, args.connections), indent=2))


if __name__ == "__main__":
    main()

"""Durability: while 200 000 lines flow from `venus agent` and from a Forward client, the server
is killed with SIGKILL twice (and the agent once) and restarted. Afterwards every acknowledged
Forward line is stored, and every line of the agent's files is stored exactly once."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import msgpack

from tests.conftest import Server, free_port

AGENT_LINES = 100_000
FORWARD_LINES = 100_000
FORWARD_CHUNK = 1000  # events per Forward message
LINE = "2026-05-06 18:{m:02d}:{s:02d}.{ms:03d} 23 INFO nova.compute.manager [-] agent line {i}\n"


def write_agent_file(log_dir, stop_at):
    """Append the agent's lines in batches, rotating the file (rename) half-way."""
    log = log_dir / "nova-compute.log"
    batch = 2000
    for start in range(0, AGENT_LINES, batch):
        if start == AGENT_LINES // 2:
            os.rename(log, log_dir / "nova-compute.log.1")
        with open(log, "a") as fh:
            fh.write("".join(LINE.format(m=i // 60000 % 60, s=i // 1000 % 60, ms=i % 1000, i=i)
                             for i in range(start, start + batch)))
        time.sleep(stop_at / (AGENT_LINES / batch))


class ForwardClient:
    """Sends PackedForward chunks and waits for each one's ack; on a broken connection it
    connects again and sends the unacknowledged chunk again, as fluentd does."""

    def __init__(self, port):
        self.port = port
        self.acked: list[int] = []
        self.resent = 0

    def run(self, pause):
        conn = None
        for start in range(0, FORWARD_LINES, FORWARD_CHUNK):
            events = range(start, start + FORWARD_CHUNK)
            entries = b"".join(msgpack.packb([1778090817 + i // 1000, {"message": f"forward line {i}"}])
                               for i in events)
            message = msgpack.packb(["crash.forward", entries, {"chunk": f"c{start}", "size": FORWARD_CHUNK}])
            while True:
                try:
                    if conn is None:
                        conn = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                    conn.sendall(message)
                    if msgpack.unpackb(conn.recv(1024)) == {"ack": f"c{start}"}:
                        self.acked.extend(events)
                        break
                    raise OSError("no ack")
                except (OSError, ValueError):
                    if conn is not None:
                        conn.close()
                    conn = None
                    self.resent += 1
                    time.sleep(0.2)
            time.sleep(pause)
        conn.close()


def start_agent(conf, log_path):
    with open(log_path, "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "venus", "agent", "-c", str(conf)],
                                stdout=log, stderr=subprocess.STDOUT)


def exported(server, query):
    resp = httpx.get(f"{server.url}/api/v1/export", params={"q": query, "format": "ndjson", "limit": 1_000_000},
                     timeout=120)
    return [json.loads(line)["message"] for line in resp.text.splitlines()]


def count(server, query):
    return httpx.get(f"{server.url}/api/v1/count", params={"q": query}, timeout=30).json()["count"]


def test_kill_9_of_the_server_and_the_agent_loses_no_acknowledged_line_and_duplicates_none(tmp_path):
    forward_port, api_port = free_port(), free_port()
    data = tmp_path / "data"
    env = {"VENUS_RECEIVERS_FORWARD_PORT": str(forward_port)}
    server = Server(data, env=env, port=api_port)
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    conf = tmp_path / "agent.conf"
    conf.write_text(f"[agent]\nurl = {server.url}\nhost = crash-agent\nstate_dir = {tmp_path / 'state'}\n"
                    f"paths = {log_dir}/*.log\nscan_interval = 0.2\nmultiline_timeout = 1\n"
                    "retry_max_seconds = 1\nbatch_bytes = 262144\n")
    agent_log = tmp_path / "agent.log"
    agent = start_agent(conf, agent_log)
    forward = ForwardClient(forward_port)
    writer = threading.Thread(target=write_agent_file, args=(log_dir, 12.0))
    sender = threading.Thread(target=forward.run, args=(0.1,))
    writer.start()
    sender.start()
    try:
        time.sleep(3)
        server.kill()
        server = Server(data, env=env, port=api_port)
        time.sleep(2)
        agent.send_signal(signal.SIGKILL)
        agent.wait()
        agent = start_agent(conf, agent_log)
        time.sleep(2)
        server.kill()
        server = Server(data, env=env, port=api_port)
        writer.join(120)
        sender.join(180)
        deadline = time.time() + 120
        while count(server, 'host:"crash-agent"') < AGENT_LINES and time.time() < deadline:
            time.sleep(0.5)
        agent_lines = exported(server, 'host:"crash-agent"')
        forward_lines = set(exported(server, 'attrs.tag:"crash.forward"'))
    finally:
        agent.terminate()
        agent.wait(30)
        server.stop()
    assert forward.resent >= 2  # the kills were felt
    missing_agent = sorted({f"agent line {i}" for i in range(AGENT_LINES)} - set(agent_lines))
    assert missing_agent == [], agent_log.read_text()[-3000:]
    assert len(agent_lines) == AGENT_LINES
    missing = [i for i in forward.acked if f"forward line {i}" not in forward_lines]
    assert len(forward.acked) == FORWARD_LINES and missing == []

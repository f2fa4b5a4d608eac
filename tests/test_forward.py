"""The Forward receiver, against the real server: fluent-logger and oslo.log's FluentFormatter send
through it; the modes fluent-logger does not speak (PackedForward, compression, acks, the handshake)
are sent as fluentd's out_forward sends them, by the spec (reference/protocols.md §4a)."""

import gzip
import hashlib
import json
import logging
import os
import socket
import struct
import time
import uuid

import httpx
import msgpack
import pytest
import zstandard
from fluent import handler as fluent_handler
from fluent import sender as fluent_sender
from oslo_context import context as oslo_context
from oslo_log import formatters as oslo_formatters

from tests.conftest import Server, free_port, run_cli, search_hits
from venus.ingest.forward import EventTime, ForwardError, event_time_us, read_message, tag_fields

pytestmark = pytest.mark.server

REQ, GREQ = "5b6c791d-5709-4f36-8fbe-c3e02869e35d", "8c4b3c6e-1a0b-4b9e-9d2f-0f5a2c1d3e4f"
T0 = 1_778_090_817  # 2026-05-06 18:06:57 UTC


@pytest.fixture(scope="module")
def forward(tmp_path_factory):
    port = free_port()
    srv = Server(tmp_path_factory.mktemp("forward") / "data", env={"VENUS_RECEIVERS_FORWARD_PORT": str(port)})
    srv.forward_port = port
    yield srv
    srv.stop()


def tag():
    return f"test.{uuid.uuid4().hex[:12]}"


def event_time(seconds, nanoseconds=0):
    return msgpack.ExtType(0, struct.pack(">II", seconds, nanoseconds))


def connect(server):
    return socket.create_connection(("127.0.0.1", server.forward_port), timeout=30)


def read_answer(conn):
    reader = msgpack.Unpacker(raw=False)
    while True:
        data = conn.recv(65536)
        if not data:
            return None
        reader.feed(data)
        for value in reader:
            return value


def closed_by_server(conn):
    """Whether the server ends the connection (a reset too: it closed with our bytes unread)."""
    try:
        return conn.recv(10) == b""
    except ConnectionResetError:
        return True


def packed(entries):
    return b"".join(msgpack.packb(e) for e in entries)


def test_fluent_logger_events_arrive_with_their_fields_and_tag(forward):
    name = tag()
    sender = fluent_sender.FluentSender(name.split(".")[0], port=forward.forward_port)
    sub = name.split(".", 1)[1]
    assert sender.emit_with_time(sub, T0, {"message": "first event", "host": "ctl1", "level": "warning"})
    assert sender.emit_with_time(sub, T0 + 1, {"message": "second event", "program": "nova-api"})
    sender.close()
    found = search_hits(forward, f'attrs.tag:"{name}"', 2)
    assert [(h["ts"], h["host"], h["level"], h["program"], h["service"], h["message"]) for h in found] == [
        ("2026-05-06T18:06:57Z", "ctl1", "WARNING", "", "", "first event"),
        ("2026-05-06T18:06:58Z", "", "INFO", "nova-api", "nova", "second event")]
    assert found[0]["source"] == "forward" and found[0]["attrs"] == {"tag": name}


def test_event_time_keeps_microseconds(forward):
    name = tag()
    sender = fluent_sender.FluentSender(name, port=forward.forward_port, nanosecond_precision=True)
    assert sender.emit_with_time(None, T0 + 0.123456, {"message": "precise"})
    sender.close()
    [hit] = search_hits(forward, f'attrs.tag:"{name}"', 1)
    assert hit["ts"] == "2026-05-06T18:06:57.123456Z"


def test_oslo_log_fluent_formatter_records_carry_request_ids_logger_and_traceback(forward):
    """What an OpenStack service sends with oslo.log's FluentFormatter on fluent-logger's handler."""
    name = f"openstack.nova.{uuid.uuid4().hex[:8]}"
    handler = fluent_handler.FluentHandler(name, port=forward.forward_port)
    handler.setFormatter(oslo_formatters.FluentFormatter())
    logger = logging.getLogger("nova.compute.manager")
    logger.addHandler(handler)
    logger.propagate = False
    context = oslo_context.RequestContext(request_id=f"req-{REQ}", global_request_id=f"req-{GREQ}",
                                          user_id="u1", project_id="p1", overwrite=False)
    try:
        logger.warning("Instance failed to spawn", extra={"context": context})
        try:
            raise RuntimeError("libvirt said no")
        except RuntimeError:
            logger.exception("Build of instance aborted", extra={"context": context})
    finally:
        logger.removeHandler(handler)
        handler.close()
    # Sent within the same second (fluent-logger's time is whole seconds): ordered by message.
    found = sorted(search_hits(forward, f'attrs.tag:"{name}"', 2), key=lambda h: h["message"])
    assert [(h["level"], h["logger"], h["service"], h["request_id"], h["global_request_id"], h["user_id"],
             h["project_id"], h["host"]) for h in found] == [
        (level, "nova.compute.manager", "nova", REQ, GREQ, "u1", "p1", socket.gethostname())
        for level in ("ERROR", "WARNING")]
    assert found[1]["message"] == "Instance failed to spawn"
    first, *trace = found[0]["message"].split("\n")
    assert first == "Build of instance aborted"
    assert trace[0] == "Traceback (most recent call last):" and trace[-1] == "RuntimeError: libvirt said no"
    assert found[0]["attrs"]["funcname"] == "test_oslo_log_fluent_formatter_records_carry_request_ids_logger_and_traceback"


@pytest.mark.parametrize("mode", ["forward", "packed", "gzip", "zstd"])
def test_each_mode_is_acknowledged_once_its_events_are_searchable(forward, mode):
    name = tag()
    entries = [[event_time(T0, i * 1000), {"message": f"{mode} event {i}", "log_level": "ERROR"}] for i in range(500)]
    chunk = uuid.uuid4().hex
    if mode == "forward":
        message = [name, entries, {"chunk": chunk, "size": 500}]
    elif mode == "packed":
        message = [name, packed(entries), {"chunk": chunk, "size": 500}]
    elif mode == "gzip":  # fluentd's out_forward appends one gzip member per event stream written
        body = gzip.compress(packed(entries[:200])) + gzip.compress(packed(entries[200:]))
        message = [name, body, {"chunk": chunk, "size": 500, "compressed": "gzip"}]
    else:
        message = [name, zstandard.ZstdCompressor().compress(packed(entries)),
                   {"chunk": chunk, "size": 500, "compressed": "zstd"}]
    with connect(forward) as conn:
        conn.sendall(msgpack.packb(message, use_bin_type=True))
        assert read_answer(conn) == {"ack": chunk}
    # Acknowledged means committed: every event is there at once, no waiting.
    response = httpx.get(f"{forward.url}/api/v1/count", params={"q": f'attrs.tag:"{name}"'}).json()
    assert response["count"] == 500
    found = search_hits(forward, f'attrs.tag:"{name}" AND "{mode} event 499"', 1)
    assert [(h["ts"], h["level"]) for h in found] == [("2026-05-06T18:06:57.000499Z", "ERROR")]


def test_kolla_tag_names_service_and_program(forward):
    name = f"kolla.var.log.kolla.neutron.neutron-server-{uuid.uuid4().hex[:6]}.log"
    with connect(forward) as conn:
        conn.sendall(msgpack.packb([name, T0, {"Payload": "port bound", "log_level": "INFO",
                                               "python_module": "neutron.plugins.ml2"}, {"chunk": "c1"}]))
        assert read_answer(conn) == {"ack": "c1"}
    [hit] = search_hits(forward, f'attrs.tag:"{name}"', 1)
    assert (hit["service"], hit["program"], hit["logger"]) == ("neutron", name.split(".")[-2], "neutron.plugins.ml2")


def test_fluent_bit_metadata_time_and_non_log_signals(forward):
    """Fluent Bit 2 sends [[time, metadata], record]; its metrics (fluent_signal 1) are not logs."""
    name = tag()
    with connect(forward) as conn:
        conn.sendall(msgpack.packb([name, [[[event_time(T0), {"otlp": {}}], {"log": "from fluent bit"}]],
                                    {"chunk": "a", "fluent_signal": 0}]))
        assert read_answer(conn) == {"ack": "a"}
        conn.sendall(msgpack.packb([name, [[event_time(T0), {"metric": 1}]], {"chunk": "b", "fluent_signal": 1}]))
        assert read_answer(conn) == {"ack": "b"}
    assert [(h["ts"], h["message"]) for h in search_hits(forward, f'attrs.tag:"{name}"', 2, timeout=2)] == [
        ("2026-05-06T18:06:57Z", "from fluent bit")]


def test_events_that_are_not_time_and_record_are_stored_raw(forward):
    name = tag()
    with connect(forward) as conn:
        conn.sendall(msgpack.packb([name, [[T0, "a string, not a map"], ["just one element"], [T0, {"x": 1}]],
                                    {"chunk": "r"}]))
        assert read_answer(conn) == {"ack": "r"}
    found = search_hits(forward, f'attrs.tag:"{name}"', 3)
    assert sorted((h["level"], h["message"]) for h in found) == [
        ("UNKNOWN", '["just one element"]'), ("UNKNOWN", '[1778090817,"a string, not a map"]'),
        ("UNKNOWN", '{"x":1}')]


def test_json_messages_are_answered_in_json(forward):
    name = tag()
    with connect(forward) as conn:
        conn.sendall(json.dumps([name, T0, {"message": "sent as json"}, {"chunk": "j1"}]).encode())
        assert json.loads(conn.recv(100)) == {"ack": "j1"}
    [hit] = search_hits(forward, f'attrs.tag:"{name}"', 1)
    assert hit["message"] == "sent as json"


def test_udp_heartbeat_is_answered(forward):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(5)
        udp.sendto(b"\0", ("127.0.0.1", forward.forward_port))
        assert udp.recv(10) == b"\0"


def test_tcp_heartbeat_and_events_in_one_stream(forward):
    name = tag()
    with connect(forward) as conn:
        conn.sendall(msgpack.packb(None) + msgpack.packb([name, T0, {"message": "after heartbeat"}, {"chunk": "h"}]))
        assert read_answer(conn) == {"ack": "h"}


def test_truncated_msgpack_keeps_what_came_before_and_the_server_goes_on(forward):
    name = tag()
    good = msgpack.packb([name, T0, {"message": "complete event"}])
    cut = msgpack.packb([name, T0, {"message": "this event is cut " * 50}])[:-40]
    with connect(forward) as conn:
        conn.sendall(good + cut)
    assert [h["message"] for h in search_hits(forward, f'attrs.tag:"{name}"', 1)] == ["complete event"]
    assert "ended in the middle of a message" in wait_log(forward, "ended in the middle of a message")


def test_a_message_that_is_not_forward_protocol_ends_the_connection(forward):
    name = tag()
    with connect(forward) as conn:
        conn.sendall(msgpack.packb([name, T0, {"message": "before the garbage"}]) + msgpack.packb(42))
        assert closed_by_server(conn)
    assert [h["message"] for h in search_hits(forward, f'attrs.tag:"{name}"', 1)] == ["before the garbage"]
    assert "expected a message [tag, ...], got int" in wait_log(forward, "got int")
    assert httpx.get(f"{forward.url}/healthz").status_code == 200


def test_a_gzip_bomb_is_refused_and_acknowledged(forward):
    """64 MiB of zeros in 64 KiB: over [api] max_body_bytes once opened; not stored, acknowledged so
    that the sender does not send it forever."""
    name = tag()
    bomb = gzip.compress(b"\0" * (65 << 20), compresslevel=9)
    with connect(forward) as conn:
        conn.sendall(msgpack.packb([name, bomb, {"chunk": "bomb", "compressed": "gzip"}]))
        assert read_answer(conn) == {"ack": "bomb"}
        conn.sendall(msgpack.packb([name, T0, {"message": "after the bomb"}, {"chunk": "next"}]))
        assert read_answer(conn) == {"ack": "next"}
    assert [h["message"] for h in search_hits(forward, f'attrs.tag:"{name}"', 1)] == ["after the bomb"]
    assert "over 67108864 bytes once decompressed" in wait_log(forward, "once decompressed")


def wait_log(server, text, timeout=10.0):
    deadline = time.time() + timeout
    while text not in server.log and time.time() < deadline:
        time.sleep(0.1)
    return server.log


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    port = free_port()
    srv = Server(tmp_path_factory.mktemp("forward-key") / "data",
                 env={"VENUS_RECEIVERS_FORWARD_PORT": str(port), "VENUS_RECEIVERS_FORWARD_SHARED_KEY": "s3cret"})
    srv.forward_port = port
    yield srv
    srv.stop()


def handshake(conn, key):
    helo = read_answer(conn)
    assert helo[0] == "HELO" and helo[1]["keepalive"] is True
    nonce = helo[1]["nonce"]
    salt = b"0123456789abcdef"
    digest = hashlib.sha512(salt + b"client1" + nonce + key).hexdigest()
    conn.sendall(msgpack.packb(["PING", "client1", salt, digest, "", ""], use_bin_type=True))
    return read_answer(conn), salt, nonce


def test_shared_key_handshake_lets_a_client_with_the_key_send(secured):
    name = tag()
    with connect(secured) as conn:
        pong, salt, nonce = handshake(conn, b"s3cret")
        assert pong[:3] == ["PONG", True, ""]
        # Mutual: the server proves it has the key too.
        assert pong[4] == hashlib.sha512(salt + pong[3].encode() + nonce + b"s3cret").hexdigest()
        conn.sendall(msgpack.packb([name, T0, {"message": "authenticated"}, {"chunk": "k"}]))
        assert read_answer(conn) == {"ack": "k"}
    assert [h["message"] for h in search_hits(secured, f'attrs.tag:"{name}"', 1)] == ["authenticated"]


def test_a_wrong_shared_key_is_refused_and_nothing_is_stored(secured):
    name = tag()
    with connect(secured) as conn:
        pong, _, _ = handshake(conn, b"wrong")
        assert pong == ["PONG", False, "shared key mismatch", "", ""]
        try:
            conn.sendall(msgpack.packb([name, T0, {"message": "should not be stored"}]))
        except ConnectionResetError:
            pass
        assert closed_by_server(conn)
    assert search_hits(secured, f'attrs.tag:"{name}"', 1, timeout=1) == []


def test_refuses_forward_beyond_loopback_without_a_shared_key(tmp_path):
    result = run_cli("serve", "--host", "0.0.0.0", "--port", "1", check=False, env={
        **os.environ, "VENUS_DATA_DIR": str(tmp_path), "VENUS_API_AUTH_TOKEN": "t",
        "VENUS_RECEIVERS_FORWARD_PORT": "24224"})
    assert result.returncode == 2
    assert "refusing to receive Forward on 0.0.0.0 without authentication" in result.stderr


def test_a_message_over_the_size_limit_ends_the_connection(tmp_path):
    port = free_port()
    srv = Server(tmp_path / "data", env={"VENUS_RECEIVERS_FORWARD_PORT": str(port), "VENUS_API_MAX_BODY_BYTES": "100000"})
    srv.forward_port = port
    try:
        with connect(srv) as conn:
            conn.sendall(msgpack.packb(["big", T0, {"message": "x" * 200_000}]))
            assert closed_by_server(conn)
        assert "a message is over 100,000 bytes ([api] max_body_bytes)" in wait_log(srv, "max_body_bytes")
    finally:
        srv.stop()


# The pure part: modes and times as read_message and event_time_us see them.

def test_read_message_tells_the_modes_apart():
    entries = [[T0, {"a": 1}]]
    assert read_message(["t", T0, {"a": 1}]).entries == entries
    assert read_message(["t", entries, {"chunk": "c"}]).chunk == "c"
    assert read_message(["t", b"\x92\x01\x80", {"compressed": "gzip"}]).compressed == "gzip"
    assert read_message(["t", b"\x92\x01\x80", {"compressed": "text"}]).compressed == ""
    assert read_message(None) is None


@pytest.mark.parametrize(("message", "error"), [
    (42, "expected a message [tag, ...], got int"),
    ([1, T0, {}], "the tag should be text, got int"),
    (["t", T0], "a Message mode message needs [tag, time, record]"),
    (["t", b"x", {"compressed": "lz4"}], "option.compressed 'lz4' is not supported: gzip, zstd or text"),
    (["t", [], {"compressed": "gzip"}], "option.compressed is set but the entries are not packed"),
])
def test_read_message_names_what_is_wrong(message, error):
    with pytest.raises(ForwardError) as caught:
        read_message(message)
    assert caught.value.message == error


@pytest.mark.parametrize(("value", "expected"), [
    (EventTime(T0, 123_456_789), T0 * 1_000_000 + 123_456),
    (T0, T0 * 1_000_000), (T0 + 0.5, T0 * 1_000_000 + 500_000),
    ("1778090817", None), (None, None), (True, None), (-5, None),
])
def test_event_time_us(value, expected):
    assert event_time_us(value) == expected


@pytest.mark.parametrize(("tag", "expected"), [
    ("kolla.var.log.kolla.nova.nova-api.log", {"service": "nova", "program": "nova-api"}),
    ("openstack.neutron", {"service": "neutron"}),
    ("syslog.local1", {}),
])
def test_tag_fields(tag, expected):
    assert tag_fields(tag) == expected


def test_invalid_utf8_is_kept_as_escapes(forward):
    name = tag()
    # A str that is not UTF-8, in the message and in an extra field (attrs).
    bad = b"\xa0\xa1".join([b"disk", b"full"])
    raw = b"\x94" + msgpack.packb(name) + msgpack.packb(T0) + b"\x82" + msgpack.packb("message") + \
        bytes([0xA0 | len(bad)]) + bad + msgpack.packb("extra") + b"\xa2\xff\xfe" + msgpack.packb({"chunk": "u"})
    with connect(forward) as conn:
        conn.sendall(raw)
        assert read_answer(conn) == {"ack": "u"}
    [hit] = search_hits(forward, f'attrs.tag:"{name}"', 1)
    assert (hit["message"], hit["attrs"]["extra"]) == ("disk\\xa0\\xa1full", "\\xff\\xfe")


def test_an_idle_connection_does_not_hold_the_server_at_shutdown(tmp_path):
    port = free_port()
    srv = Server(tmp_path / "data", env={"VENUS_RECEIVERS_FORWARD_PORT": str(port)})
    srv.forward_port = port
    with connect(srv) as conn:
        conn.sendall(msgpack.packb(["idle", T0, {"message": "one"}, {"chunk": "i"}]))
        assert read_answer(conn) == {"ack": "i"}
        started = time.monotonic()
        srv.stop()  # the connection stays open, waiting for its next batch
        assert time.monotonic() - started < 10
    assert "store closed" in srv.output


def test_json_messages_cut_by_reads_keep_their_characters(forward):
    """A read may end inside a message, even inside a character."""
    name = tag()
    data = (json.dumps([name, T0, {"message": "café one"}], ensure_ascii=False) +
            json.dumps([name, T0, {"message": "café two"}, {"chunk": "j2"}], ensure_ascii=False)).encode()
    cut = data.index("é".encode()) + 1
    with connect(forward) as conn:
        conn.sendall(data[:cut])
        time.sleep(0.3)  # so that the server reads the first part alone
        conn.sendall(data[cut:])
        assert json.loads(conn.recv(100)) == {"ack": "j2"}
    assert [h["message"] for h in search_hits(forward, f'attrs.tag:"{name}"', 2)] == ["café one", "café two"]


def test_events_sent_with_the_ping_are_not_lost(secured):
    """A client that does not wait for PONG before its first event (one write for both)."""
    name = tag()
    with connect(secured) as conn:
        nonce = read_answer(conn)[1]["nonce"]
        salt = b"fedcba9876543210"
        digest = hashlib.sha512(salt + b"client2" + nonce + b"s3cret").hexdigest()
        conn.sendall(msgpack.packb(["PING", "client2", salt, digest, "", ""], use_bin_type=True) +
                     msgpack.packb([name, T0, {"message": "right after the ping"}, {"chunk": "p"}]))
        answers = msgpack.Unpacker(raw=False)
        replies = []
        while len(replies) < 2:
            answers.feed(conn.recv(65536))
            replies.extend(answers)
        assert replies[0][:2] == ["PONG", True] and replies[1] == {"ack": "p"}
    assert [h["message"] for h in search_hits(secured, f'attrs.tag:"{name}"', 1)] == ["right after the ping"]


def test_packed_entries_cut_short_keep_the_events_before_the_cut(forward):
    name = tag()
    entries = packed([[T0, {"message": f"packed {i}"}] for i in range(3)])
    with connect(forward) as conn:
        conn.sendall(msgpack.packb([name, entries[:-5], {"chunk": "cut"}]))
        assert read_answer(conn) == {"ack": "cut"}
    assert [h["message"] for h in search_hits(forward, f'attrs.tag:"{name}"', 2)] == ["packed 0", "packed 1"]
    assert "the packed entries end in the middle of an event (the 2 events before are stored)" in \
        wait_log(forward, "events before are stored")

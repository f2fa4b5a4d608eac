"""The syslog receiver, against the real server: Python's SysLogHandler over UDP and TCP, and the
lines rsyslog and HAProxy send (RFC 3164, RFC 5424, octet counting)."""

import logging
import logging.handlers
import os
import socket
import time
import uuid

import httpx
import pytest

from tests.conftest import Server, free_port, run_cli, search_hits
from venus.ingest.syslog import FramingError, split_frames

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def syslog(tmp_path_factory):
    port = free_port()
    srv = Server(tmp_path_factory.mktemp("syslog") / "data", env={"VENUS_RECEIVERS_SYSLOG_PORT": str(port)})
    srv.syslog_port = port
    yield srv
    srv.stop()


def marker():
    return uuid.uuid4().hex[:12]


@pytest.mark.parametrize("socktype", [socket.SOCK_DGRAM, socket.SOCK_STREAM], ids=["udp", "tcp"])
def test_syslog_handler_messages_arrive_with_level_facility_and_sender(syslog, socktype):
    word = marker()
    handler = logging.handlers.SysLogHandler(("127.0.0.1", syslog.syslog_port),
                                             logging.handlers.SysLogHandler.LOG_LOCAL1, socktype)
    handler.ident = "nova-api: "
    logger = logging.getLogger(f"syslog-test-{word}")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        logger.error("volume %s failed", word)
        logger.info("volume %s attached", word)
    finally:
        handler.close()
    found = search_hits(syslog, word, 2)
    assert [(h["level"], h["program"], h["service"], h["host"], h["attrs"], h["message"]) for h in found] == [
        ("INFO", "nova-api", "nova", "127.0.0.1", {"facility": "local1"}, f"volume {word} attached"),
        ("ERROR", "nova-api", "nova", "127.0.0.1", {"facility": "local1"}, f"volume {word} failed")]
    assert found[0]["source"] == "syslog"


def send_tcp(server, data: bytes):
    with socket.create_connection(("127.0.0.1", server.syslog_port), timeout=10) as conn:
        conn.sendall(data)


def test_rfc5424_with_octet_counting_over_tcp(syslog):
    word = marker()
    messages = [f'<165>1 2026-05-06T18:06:57.123456Z ctl1 nova-compute 4242 ID47 [meta@1 a="1"] {word} one',
                f"<163>1 2026-05-06T18:06:58Z ctl1 nova-compute - - - {word} two\nwith a newline inside"]
    send_tcp(syslog, b"".join(f"{len(m.encode())} {m}".encode() for m in messages))
    found = search_hits(syslog, word, 2)
    assert [(h["ts"], h["host"], h["program"], h["pid"], h["level"], h["message"]) for h in found] == [
        ("2026-05-06T18:06:57.123456Z", "ctl1", "nova-compute", 4242, "NOTICE", f"{word} one"),
        ("2026-05-06T18:06:58Z", "ctl1", "nova-compute", 0, "ERROR", f"{word} two\nwith a newline inside")]
    assert found[0]["attrs"] == {"facility": "local4", "msgid": "ID47", "structured_data": '[meta@1 a="1"]'}


def test_haproxy_lines_fill_the_http_fields(syslog):
    """kolla's HAProxy logs to syslog with facility local1 (reference/protocols.md §1.1)."""
    word = marker()
    line = (f"<142>May  6 18:06:57 ctl1 haproxy[77]: 10.0.0.9:51234 [06/May/2026:18:06:57.123] nova_api "
            f"nova_api_back/ctl1 0/0/1/80/81 503 212 - - ---- 12/3/0/0/0 0/0 \"GET /v2.1/{word} HTTP/1.1\"")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.sendto(line.encode(), ("127.0.0.1", syslog.syslog_port))
    [hit] = search_hits(syslog, f'http_path:"/v2.1/{word}"', 1)
    assert (hit["program"], hit["host"], hit["http_method"], hit["http_status"], hit["http_time_ms"]) == (
        "haproxy", "ctl1", "GET", 503, 81.0)


def test_garbage_is_stored_raw_and_the_server_goes_on(syslog):
    word = marker()
    garbage = [b"\xff\xfe not syslog " + word.encode(), b"<999>also " + word.encode(), b"\x00\x00<<<" + word.encode()]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for datagram in garbage:
            udp.sendto(datagram, ("127.0.0.1", syslog.syslog_port))
    found = search_hits(syslog, word, 3)
    assert sorted(h["message"] for h in found) == [
        f"\x00\x00<<<{word}", f"<999>also {word}", f"\\xff\\xfe not syslog {word}"]
    assert {h["level"] for h in found} == {"UNKNOWN"}
    assert httpx.get(f"{syslog.url}/healthz").status_code == 200


def test_a_line_without_its_newline_counts_when_the_sender_closes(syslog):
    word = marker()
    send_tcp(syslog, f"<13>May  6 18:06:57 ctl1 cron[1]: first {word}\n<13>May  6 18:06:58 ctl1 cron[1]: last {word}"
             .encode())
    assert [h["message"] for h in search_hits(syslog, word, 2)] == [f"first {word}", f"last {word}"]


def test_senders_outside_the_allowed_networks_are_refused(tmp_path):
    port = free_port()
    srv = Server(tmp_path / "data", env={"VENUS_RECEIVERS_SYSLOG_PORT": str(port),
                                         "VENUS_RECEIVERS_SYSLOG_ALLOWED_NETWORKS": "10.0.0.0/8"})
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(b"<13>refused line", ("127.0.0.1", port))
        deadline = time.time() + 10
        while "refused" not in srv.log and time.time() < deadline:
            time.sleep(0.1)
        assert "syslog from 127.0.0.1 refused: not in [receivers] syslog_allowed_networks" in srv.log
        assert httpx.get(f"{srv.url}/api/v1/count").json()["count"] == 0
    finally:
        srv.stop()


def test_a_bad_allowed_network_stops_start_up(tmp_path):
    result = run_cli("serve", "--port", "1", check=False, env={
        **os.environ, "VENUS_DATA_DIR": str(tmp_path), "VENUS_RECEIVERS_SYSLOG_PORT": "5140",
        "VENUS_RECEIVERS_SYSLOG_ALLOWED_NETWORKS": "10.0.0.0/8, ten"})
    assert result.returncode == 2
    assert "[receivers] syslog_allowed_networks: 'ten' is not an address or a network" in result.stderr


# Framing, as split_frames cuts a TCP stream.

def test_frames_by_lf_crlf_nul_and_octet_count():
    stream = b"<1>a\n<2>b\r\n<3>c\x0010 <4>d e f g<5>rest"
    assert split_frames(stream, 1000) == ([b"<1>a", b"<2>b", b"<3>c", b"<4>d e f g"], b"<5>rest")


def test_a_count_or_message_cut_by_the_read_waits_for_the_next():
    assert split_frames(b"12", 1000) == ([], b"12")
    assert split_frames(b"12 <1>abc", 1000) == ([], b"12 <1>abc")


def test_digits_without_a_count_are_a_message():
    assert split_frames(b"2026-05-06 a line\n", 1000) == ([b"2026-05-06 a line"], b"")


def test_a_long_unframed_message_is_cut_not_dropped():
    assert split_frames(b"x" * 25, 10) == ([b"x" * 10, b"x" * 10], b"x" * 5)


def test_an_octet_count_over_the_limit_ends_the_stream():
    with pytest.raises(FramingError) as caught:
        split_frames(b"99999 <1>x", 1000)
    assert caught.value.message == "a message of 99,999 bytes is over the limit of 1,000 ([import] max_line_bytes)"

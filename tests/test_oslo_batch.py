"""The column-wise oslo.log path gives exactly what the line-by-line reference gives, or steps aside."""

from pathlib import Path

import pytest

from venus.demo.generator import DemoCloud
from venus.ingest.chunks import parse_chunk_by_line
from venus.parse.oslo_batch import parse_oslo_chunk
from venus.parse.paths import describe_path
from venus.parse.timestamps import TimestampReader, zone

SRC = describe_path("/var/log/kolla/nova/nova-compute.log", "cmp1")
RECEIVED = 1_778_000_000_000_000
HEAD = "2026-05-06 18:06:57.123 4242 ERROR nova.compute.manager"
CTX = "[req-5b6c791d-5709-4f36-8fbe-c3e02869e35d req-0a6be26c-fe8b-4b79-aada-79478b5230ed " \
      "e4b06ce6 ad45f23d - default default default]"


def both(text: str | bytes, final: bool = True, start: int = 0, source=SRC, tz: str = "UTC"):
    data = text.encode() if isinstance(text, str) else text
    fast = parse_oslo_chunk(data, start, final, source, TimestampReader(zone(tz)), RECEIVED, 4 << 20)
    slow = parse_chunk_by_line(source, data, start, final, TimestampReader(zone(tz)), RECEIVED, 4 << 20)
    return fast, slow


def assert_same(text: str | bytes, final: bool = True, **kw) -> None:
    fast, slow = both(text, final, **kw)
    assert fast is not None, "the column-wise path stepped aside"
    table, stats, end = fast
    assert (stats, end) == (slow.stats, slow.end)
    assert table.to_pylist() == slow.table.to_pylist()


def lines(*items: str) -> str:
    return "\n".join(items) + "\n"


@pytest.fixture(scope="module")
def demo_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    DemoCloud(seed=3).write_tree(root, 30_000, 2.0, 1_778_000_000)
    return root


def test_every_oslo_file_of_the_demo_cloud_parses_as_the_reference_does(demo_tree):
    files = [p for p in demo_tree.rglob("*.log")
             if p.parent.name in ("nova", "neutron", "cinder", "glance", "keystone", "placement")
             and "uwsgi" not in p.name]
    assert len(files) >= 10
    for path in files:
        data = path.read_bytes()
        source = describe_path(str(path))
        assert_same(data, source=source)
        assert_same(data, final=False, start=1000, source=source)


def test_prefixed_traceback_lines_join_their_record():
    assert_same(lines(f"{HEAD} {CTX} Instance failed to spawn",
                      f"{HEAD} [instance: 5B6C791D-5709-4f36-8fbe-c3e02869e35d] Traceback (most recent call last):",
                      f'{HEAD} [instance: 5b6c791d-5709-4f36-8fbe-c3e02869e35d]   File "x.py", line 1, in f',
                      f"{HEAD} ValueError: boom",
                      f"{HEAD} [-] a record of its own",
                      f"{HEAD} [instance: 5b6c791d-5709-4f36-8fbe-c3e02869e35d] [-] also its own"))


def test_bare_continuation_and_blank_lines_join_their_record():
    assert_same(lines(f"{HEAD} {CTX} Unexpected error", "Traceback (most recent call last):",
                      '  File "x.py", line 1, in f', "", "\tRuntimeError: boom", f"{HEAD} [-] next"))


def test_context_blocks_of_every_width_and_odd_brackets():
    assert_same(lines(f"{HEAD} [req-5b6c791d-5709-4f36-8fbe-c3e02869e35d u p - default default] legacy",
                      f"{HEAD} [None req-5b6c791d-5709-4f36-8fbe-c3e02869e35d admin demo] devstack",
                      f"{HEAD} [None req-5b6c791d-5709-4f36-8fbe-c3e02869e35d - - - - - -] none",
                      f"{HEAD} [- u] dash and user", f"{HEAD} [None] none alone", f"{HEAD} [req-1 req-2] ids only",
                      f"{HEAD} [status ok] a bracket that is not a context", f"{HEAD} [] empty",
                      f"{HEAD} [-] plain", f"{HEAD} no context at all", f"{HEAD}"))


def test_debug_suffixes_and_access_fields():
    assert_same(lines(
        "2026-05-06 18:06:57.1 7 DEBUG oslo_concurrency.lockutils [-] Lock acquired inner "
        "/usr/lib/python3/oslo_concurrency/lockutils.py:404",
        "2026-05-06 18:06:57.123456789 7 DEBUG nova.x [-] ends in a number 42",
        "2026-05-06 18:06:57,5 7 DEBUG nova.x [-] not a suffix f x.py:3",
        f'2026-05-06 18:06:57.200 7 INFO nova.api.openstack.requestlog {CTX} 10.0.0.1 "GET /v2.1/servers?limit=1" '
        "status: 200 len: 1834 microversion: 2.1 time: 0.081234",
        '2026-05-06 18:06:57.300 7 INFO nova.wsgi [-] 10.0.0.2 "DELETE /v2.1/x HTTP/1.1" status: 204  len: - time: 1',
        '2026-05-06 18:06:57.400 7 INFO placement.requestlog [-] 10.0.0.3 "GET /" status: 200 len: 10 microversion: 1.0',
        "2026-05-06 18:06:57.500 7 AUDIT nova.x [-] an old level", "2026-05-06 18:06:57.600 7 WARN nova.x [-] short"))


def test_a_record_open_at_the_end_is_held_back_unless_final():
    text = lines(f"{HEAD} {CTX} first", f"{HEAD} {CTX} second", f"{HEAD} Traceback (most recent call last):")
    assert_same(text, final=False, start=500)
    fast, _ = both(text, final=False, start=500)
    assert fast[1].records == 1 and fast[2] == 500 + len(lines(f"{HEAD} {CTX} first"))
    assert_same(lines(f"{HEAD} {CTX} only"), final=False)


@pytest.mark.parametrize("text", [
    lines("2026-05-06T18:06:57.123 7 INFO nova.x [-] T between date and time"),
    lines("May  6 18:06:57 cmp1 sshd[7]: a syslog line first"),
    lines(f"{HEAD} [-] oslo", "May  6 18:06:57 cmp1 sshd[7]: then a syslog line"),
    lines("nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.x [-] file prefix"),
    lines("2026-05-06 18:06:57.123 7 INFO nova.é [-] a logger Python's \\w reads further"),
    lines("2026-05-06 18:06:57.123 7 INFO nova.x [None req-1 ádmin demo] a non-ASCII context"),
    lines("2026-05-06 18:06:57.123 7 NOTALEVEL nova.x [-] no level"),
    lines("2026-02-30 18:06:57.123 7 INFO nova.x [-] the 30th of February"),
    lines("2026-05-06 18:06:57.123 99999999999 INFO nova.x [-] a pid too large"),
    lines('2026-05-06 18:06:57.1 7 INFO nova.x [-] 1.1.1.1 "GET /é" status: 200 len: 5 time: 1'),
    "2026-05-06 18:06:57.123 7 INFO nova.x [-] invalid \xff UTF-8".encode("latin-1"),
], ids=["T", "syslog-first", "syslog-later", "file-prefix", "unicode-logger", "unicode-context", "no-level",
        "feb-30", "big-pid", "unicode-access", "invalid-utf8"])
def test_odd_lines_are_read_as_the_reference_reads_them_or_left_to_it(text):
    fast, slow = both(text)
    assert slow.stats.records >= 1
    if fast is not None:
        table, stats, end = fast
        assert (table.to_pylist(), stats, end) == (slow.table.to_pylist(), slow.stats, slow.end)


def test_steps_aside_outside_utc():
    fast, _ = both(lines(f"{HEAD} [-] local time"), tz="Europe/Paris")
    assert fast is None

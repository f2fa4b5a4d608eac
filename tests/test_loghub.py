"""The real Loghub samples import completely, with fields filled wherever the line has them.

Expected counts come from independent regular expressions over the raw file (not from Venus's
parsers), and from no labelled data."""

import re

import pytest

from tests.conftest import loghub
from venus.ingest.importer import fingerprint
from venus.parse.paths import describe_path


def import_file(importer, path, host="loghub"):
    data = path.read_bytes()
    source = describe_path(str(path), host)
    result = importer.import_chunk(source, fingerprint(data), 0, data, final=True)
    return data, result


def count(store, where):
    return store.query(f"SELECT count() FROM logs WHERE {where}").rows[0][0]


def test_openstack_sample_fills_every_field_the_lines_carry(store, importer):
    data, result = import_file(importer, loghub("OpenStack_2k.log"))
    lines = data.decode().splitlines()
    assert len(lines) == 2000
    assert result.stats.lines == 2000 and result.stats.raw == 0

    def grep(pattern):
        return sum(1 for line in lines if re.search(pattern, line))

    header = r"^\S+ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \d+ (INFO|WARNING|ERROR|DEBUG|CRITICAL) \S+ "
    assert count(store, "level IN ('INFO','WARNING','ERROR','DEBUG','CRITICAL')") == grep(header)
    assert count(store, "pid > 0") == grep(header)
    assert count(store, "logger != ''") == grep(header)
    assert count(store, "request_id != ''") == grep(r"\[req-[0-9a-f-]{36} ")
    assert count(store, "user_id != ''") == grep(r"\[req-\S+ [0-9a-f]{32} ")
    assert count(store, "project_id != ''") == grep(r"\[req-\S+ \S+ [0-9a-f]{32} ")
    assert count(store, "instance_id != ''") == grep(r"\] \[instance: [0-9a-f-]{36}\]")
    assert count(store, "http_status > 0") == grep(r'" status: \d{3} len: ')
    assert count(store, "http_method != '' AND http_path LIKE '/%'") == grep(r'"[A-Z]+ /\S* HTTP/1\.[01]" status:')
    assert count(store, "http_time_ms IS NOT NULL") == grep(r" time: \d+\.\d+$")
    assert count(store, "http_bytes IS NOT NULL") == grep(r" len: \d+ ")
    assert count(store, "program = 'nova-compute'") == grep(r"^nova-compute\.log")
    # Spot check one line end to end.
    rid, user, status, ms = store.query("SELECT request_id, user_id, http_status, http_time_ms FROM logs "
                                        "ORDER BY ts, offset LIMIT 1").rows[0]
    assert (rid, user, status, round(ms, 3)) == (
        "38101a0b-2096-447d-96ea-a692162415ae", "113d3a99c3da401fbd62cc2caa5b96d2", 200, 247.783)


@pytest.mark.parametrize("name", ["Linux_2k.log", "Apache_2k.log", "HDFS_2k.log", "OpenSSH_2k.log",
                                  "Zookeeper_2k.log"])
def test_other_samples_import_without_losing_a_line(store, importer, name):
    data, result = import_file(importer, loghub(name))
    lines = data.decode("utf-8", "backslashreplace").splitlines()
    assert result.stats.lines + result.stats.blank == len(lines) == 2000
    assert count(store, "1") == result.stats.records
    stored = "\n".join(r[0] for r in store.query("SELECT message FROM logs ORDER BY offset").rows)
    missing = [line for line in lines if line.strip() and _tail(line) not in stored]
    assert missing == []


def _tail(line: str) -> str:
    # The header (time, host, level) moves to columns; the last word always stays in the message.
    return line.split()[-1]

"""`venus parse` and POST /api/v1/parse: how import reads lines, shown record by record, nothing stored."""

import json
from datetime import datetime

import httpx
import pytest

from tests.conftest import loghub, run_cli

U = "5c1d0a9e-6f3b-4c8e-9d2a-0b1c2d3e4f50"
G = "0f6e5d4c-3b2a-4918-8765-4321fedcba98"
INSTANCE = "3f0c2f7e-9a51-4a43-8b1e-7a3b6f0d2c11"
USER, PROJECT = "8d9e0f1a2b3c4d5e6f708192a3b4c5d6", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
H = "2026-05-06 18:06:57.671 23"
IDS = {"request_id": U, "user_id": USER, "project_id": PROJECT}
OSLO = {"ts": "2026-05-06T18:06:57.671000Z", "pid": 23, "level": "INFO", "format": "oslo"}
NOVA = {"service": "nova", "program": "nova-compute", "source": "/var/log/kolla/nova/nova-compute.log"}
TRACEBACK = [f"2026-05-06 18:06:59.100 23 ERROR nova.compute.manager [req-{U} - - - - -] Error during update",
             "2026-05-06 18:06:59.100 23 ERROR nova.compute.manager Traceback (most recent call last):",
             "2026-05-06 18:06:59.100 23 ERROR nova.compute.manager oslo_messaging.exceptions.MessagingTimeout: "
             "Timed out"]
BARE = ["2026-05-06 18:07:00.000 23 WARNING nova.virt.libvirt.driver [-] bare traceback follows",
        "Traceback (most recent call last):", '  File "/usr/lib/python3/x.py", line 1, in <module>',
        "ValueError: boom"]

# Every shape the parsers know, as files in a <host>/var/log tree: (path, lines, the records'
# non-empty fields but host, raw and received). A record's ts is None where the line has no time
# (it gets the time it was read).
SHAPES = [
    ("kolla/nova/nova-compute.log", [
        f"{H} INFO nova.compute.manager [None req-{U} {USER} {PROJECT} - default default] [instance: {INSTANCE}] "
        "Took 2.31 seconds to spawn the instance on the hypervisor.",
        f"{H} INFO nova.compute.manager [req-{G} req-{U} {USER} {PROJECT} - - default default] Attaching volume",
        f"{H} INFO nova.compute.manager [req-{U} {USER} {PROJECT} - default default] legacy context",
        f"{H} INFO nova.compute.manager [-] Starting compute node (version 29.0.0)",
        '2026-05-06 18:06:58.001 23 DEBUG oslo_concurrency.lockutils [-] Lock "compute_resources" acquired by '
        '"nova.compute.resource_tracker.ResourceTracker._update_available_resource" :: waited 0.000s inner '
        "/usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:390",
        *TRACEBACK, *BARE,
    ], [
        {**OSLO, **NOVA, **IDS, "logger": "nova.compute.manager", "user_domain": "default",
         "project_domain": "default", "instance_id": INSTANCE,
         "message": "Took 2.31 seconds to spawn the instance on the hypervisor."},
        {**OSLO, **NOVA, **IDS, "offset": 293, "logger": "nova.compute.manager", "global_request_id": G,
         "user_domain": "default", "project_domain": "default", "message": "Attaching volume"},
        {**OSLO, **NOVA, **IDS, "offset": 533, "logger": "nova.compute.manager", "user_domain": "default",
         "project_domain": "default", "message": "legacy context"},
        {**OSLO, **NOVA, "offset": 728, "logger": "nova.compute.manager",
         "message": "Starting compute node (version 29.0.0)"},
        {**OSLO, **NOVA, "ts": "2026-05-06T18:06:58.001000Z", "offset": 824, "level": "DEBUG",
         "logger": "oslo_concurrency.lockutils",
         "message": 'Lock "compute_resources" acquired by '
                    '"nova.compute.resource_tracker.ResourceTracker._update_available_resource" :: waited 0.000s',
         "attrs": {"code_func": "inner", "code_file": "/usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:390"}},
        {**OSLO, **NOVA, "ts": "2026-05-06T18:06:59.100000Z", "offset": 1088, "level": "ERROR", "request_id": U,
         "logger": "nova.compute.manager", "message": "Error during update\nTraceback (most recent call last):\n"
                                                      "oslo_messaging.exceptions.MessagingTimeout: Timed out"},
        {**OSLO, **NOVA, "ts": "2026-05-06T18:07:00.000000Z", "offset": 1412, "level": "WARNING",
         "logger": "nova.virt.libvirt.driver", "message": "\n".join(["bare traceback follows", *BARE[1:]])},
    ]),
    ("kolla/nova/nova-api.log", [
        f"{H} INFO nova.api.openstack.requestlog [None req-{U} {USER} {PROJECT} - default default] 10.0.0.5 "
        '"GET /v2.1/servers/detail" status: 200 len: 1834 microversion: 2.1 time: 0.081234',
        f"{H} INFO nova.osapi_compute.wsgi.server [req-{U} {USER} {PROJECT} - - -] 10.0.0.5 "
        '"GET /v2.1/flavors HTTP/1.1" status: 200  len: 413 time: 0.0123000',
    ], [
        {**OSLO, **IDS, "service": "nova", "program": "nova-api", "source": "/var/log/kolla/nova/nova-api.log",
         "logger": "nova.api.openstack.requestlog", "user_domain": "default", "project_domain": "default",
         "message": '10.0.0.5 "GET /v2.1/servers/detail" status: 200 len: 1834 microversion: 2.1 time: 0.081234',
         "http_method": "GET", "http_path": "/v2.1/servers/detail", "http_status": 200, "http_bytes": 1834,
         "http_time_ms": pytest.approx(81.234), "attrs": {"client_ip": "10.0.0.5"}},
        {**OSLO, **IDS, "service": "nova", "program": "nova-api", "source": "/var/log/kolla/nova/nova-api.log",
         "offset": 285, "logger": "nova.osapi_compute.wsgi.server",
         "message": '10.0.0.5 "GET /v2.1/flavors HTTP/1.1" status: 200  len: 413 time: 0.0123000',
         "http_method": "GET", "http_path": "/v2.1/flavors", "http_status": 200, "http_bytes": 413,
         "http_time_ms": pytest.approx(12.3), "attrs": {"client_ip": "10.0.0.5"}},
    ]),
    ("kolla/placement/placement-api.log", [
        f"{H} INFO placement.requestlog [None req-{U} {USER} {PROJECT} - default default] 10.0.0.6 "
        f'"GET /resource_providers/{INSTANCE}/allocations" status: 200 len: 54 microversion: 1.0',
    ], [
        {**OSLO, **IDS, "service": "placement", "program": "placement-api",
         "source": "/var/log/kolla/placement/placement-api.log", "logger": "placement.requestlog",
         "user_domain": "default", "project_domain": "default",
         "message": f'10.0.0.6 "GET /resource_providers/{INSTANCE}/allocations" status: 200 len: 54 microversion: 1.0',
         "http_method": "GET", "http_path": f"/resource_providers/{INSTANCE}/allocations", "http_status": 200,
         "http_bytes": 54, "attrs": {"client_ip": "10.0.0.6"}},
    ]),
    ("kolla/keystone/keystone-uwsgi.log", [
        "[pid: 25|app: 0|req: 1/1] 10.0.0.9 () {56 vars in 1183 bytes} [Wed May  6 18:06:57 2026] POST /v3/auth/tokens "
        "=> generated 7645 bytes in 112 msecs (HTTP/1.1 201) 7 headers in 285 bytes (1 switches on core 0)",
    ], [
        {"ts": "2026-05-06T18:06:57.000000Z", "service": "keystone", "program": "keystone-uwsgi",
         "source": "/var/log/kolla/keystone/keystone-uwsgi.log", "pid": 25, "level": "INFO",
         "message": "[pid: 25|app: 0|req: 1/1] 10.0.0.9 () {56 vars in 1183 bytes} [Wed May  6 18:06:57 2026] "
                    "POST /v3/auth/tokens => generated 7645 bytes in 112 msecs (HTTP/1.1 201) 7 headers in 285 bytes "
                    "(1 switches on core 0)",
         "http_method": "POST", "http_path": "/v3/auth/tokens", "http_status": 201, "http_bytes": 7645,
         "http_time_ms": 112.0, "attrs": {"client_ip": "10.0.0.9"}, "format": "uwsgi"},
    ]),
    ("kolla/horizon/horizon-access.log", [
        '10.0.0.9 - - [06/May/2026:18:06:57 +0000] "GET /dashboard/project/ HTTP/1.1" 200 1234 "-" "Mozilla/5.0" 11234',
    ], [
        {"ts": "2026-05-06T18:06:57.000000Z", "service": "horizon", "program": "horizon-access",
         "source": "/var/log/kolla/horizon/horizon-access.log", "level": "INFO",
         "message": '10.0.0.9 - - [06/May/2026:18:06:57 +0000] "GET /dashboard/project/ HTTP/1.1" 200 1234 "-" '
                    '"Mozilla/5.0" 11234',
         "http_method": "GET", "http_path": "/dashboard/project/", "http_status": 200, "http_bytes": 1234,
         "http_time_ms": pytest.approx(11.234), "attrs": {"client_ip": "10.0.0.9"}, "format": "apache_access"},
    ]),
    ("kolla/haproxy/haproxy.log", [
        "May  6 18:06:57 ctl1 haproxy[1234]: 10.0.0.9:51234 [06/May/2026:18:06:57.123] nova_api nova_api_back/ctl1 "
        '0/0/1/80/81 200 1834 - - ---- 12/3/0/0/0 0/0 "GET /v2.1/servers HTTP/1.1"',
        "May  6 18:06:58 ctl1 haproxy[1234]: 10.0.0.9:51235 [06/May/2026:18:06:58.200] mariadb mariadb_back/ctl2 "
        "1/0/3012 5120 -- 4/2/1/1/0 0/0",
    ], [
        {"ts": "2026-05-06T18:06:57.000000Z", "service": "haproxy", "program": "haproxy",
         "source": "/var/log/kolla/haproxy/haproxy.log", "pid": 1234, "level": "INFO",
         "message": "10.0.0.9:51234 [06/May/2026:18:06:57.123] nova_api nova_api_back/ctl1 0/0/1/80/81 200 1834 - - "
                    '---- 12/3/0/0/0 0/0 "GET /v2.1/servers HTTP/1.1"',
         "http_method": "GET", "http_path": "/v2.1/servers", "http_status": 200, "http_bytes": 1834,
         "http_time_ms": 81.0, "format": "syslog",
         "attrs": {"client_ip": "10.0.0.9", "frontend": "nova_api", "backend": "nova_api_back", "server": "ctl1"}},
        {"ts": "2026-05-06T18:06:58.000000Z", "service": "haproxy", "program": "haproxy",
         "source": "/var/log/kolla/haproxy/haproxy.log", "offset": 180, "pid": 1234, "level": "INFO",
         "message": "10.0.0.9:51235 [06/May/2026:18:06:58.200] mariadb mariadb_back/ctl2 1/0/3012 5120 -- 4/2/1/1/0 0/0",
         "http_bytes": 5120, "http_time_ms": 3012.0, "format": "syslog",
         "attrs": {"client_ip": "10.0.0.9", "frontend": "mariadb", "backend": "mariadb_back", "server": "ctl2"}},
    ]),
    ("messages", [
        f"May  6 18:06:57 ctl1 nova-compute[23]: {H} INFO nova.compute.manager [None req-{U} - - - - - -] journald line",
        "May  6 18:06:58 ctl1 kernel: EXT4-fs (sda1): error mounting",
    ], [
        {**OSLO, "service": "nova", "program": "nova-compute", "source": "/var/log/messages", "request_id": U,
         "logger": "nova.compute.manager", "message": "journald line", "format": "syslog"},
        {"ts": "2026-05-06T18:06:58.000000Z", "service": "kernel", "program": "kernel", "source": "/var/log/messages",
         "offset": 166, "level": "ERROR", "message": "EXT4-fs (sda1): error mounting", "format": "syslog"},
    ]),
    ("secure", [
        "May  6 18:06:57 ctl1 sshd[4242]: Accepted publickey for root from 10.0.0.1 port 50022 ssh2",
    ], [
        {"ts": "2026-05-06T18:06:57.000000Z", "service": "sshd", "program": "sshd", "source": "/var/log/secure",
         "pid": 4242, "level": "INFO", "message": "Accepted publickey for root from 10.0.0.1 port 50022 ssh2",
         "format": "syslog"},
    ]),
    ("cron", [
        "May  6 18:07:01 ctl1 CROND[5151]: (root) CMD (run-parts /etc/cron.hourly)",
    ], [
        {"ts": "2026-05-06T18:07:01.000000Z", "service": "CROND", "program": "CROND", "source": "/var/log/cron",
         "pid": 5151, "level": "INFO", "message": "(root) CMD (run-parts /etc/cron.hourly)", "format": "syslog"},
    ]),
    ("dmesg", [
        "[    4.123456] EXT4-fs (sda1): mounted filesystem with ordered data mode.",
    ], [
        {"ts": None, "service": "kernel", "program": "kernel", "source": "/var/log/dmesg", "level": "INFO",
         "message": "EXT4-fs (sda1): mounted filesystem with ordered data mode.", "attrs": {"uptime": "4.123456"},
         "format": "dmesg"},
    ]),
    ("kolla/mariadb/mariadb.log", [
        "2026-05-06 18:06:57 0 [Note] InnoDB: Buffer pool(s) load completed at 260506 18:06:57",
    ], [
        {"ts": "2026-05-06T18:06:57.000000Z", "service": "mariadb", "program": "mariadb",
         "source": "/var/log/kolla/mariadb/mariadb.log", "level": "NOTICE",
         "message": "InnoDB: Buffer pool(s) load completed at 260506 18:06:57", "attrs": {"thread": "0"},
         "format": "mariadb"},
    ]),
    ("kolla/rabbitmq/rabbit@ctl1.log", [
        "2026-05-06 18:06:57.123456+00:00 [error] <0.230.0> closing AMQP connection <0.1234.0> "
        "(10.0.0.9:51234 -> 10.0.0.2:5672)",
    ], [
        {"ts": "2026-05-06T18:06:57.123456Z", "service": "rabbitmq", "program": "rabbitmq",
         "source": "/var/log/kolla/rabbitmq/rabbit@ctl1.log", "level": "ERROR",
         "message": "closing AMQP connection <0.1234.0> (10.0.0.9:51234 -> 10.0.0.2:5672)",
         "attrs": {"erlang_pid": "<0.230.0>"}, "format": "rabbitmq"},
    ]),
    ("kolla/libvirt/libvirtd.log", [
        "2026-05-06 18:06:57.123+0000: 4242: error : qemuMonitorIO:620 : internal error: End of file from qemu monitor",
    ], [
        {"ts": "2026-05-06T18:06:57.123000Z", "service": "libvirt", "program": "libvirtd",
         "source": "/var/log/kolla/libvirt/libvirtd.log", "level": "ERROR", "logger": "qemuMonitorIO",
         "message": "internal error: End of file from qemu monitor", "attrs": {"thread": "4242"}, "format": "libvirt"},
    ]),
    ("kolla/nova/nova-conductor.log", [
        "something no parser reads",
    ], [
        {"ts": None, "service": "nova", "program": "nova-conductor", "source": "/var/log/kolla/nova/nova-conductor.log",
         "level": "UNKNOWN", "message": "something no parser reads", "format": "raw"},
    ]),
]


def parse_cli(*args: str, stdin: str | None = None) -> list[dict]:
    result = run_cli("parse", *args, stdin=stdin)
    return [json.loads(line) for line in result.stdout.splitlines()]


def filled(record: dict) -> dict:
    """The fields a line gave: what is not empty, without host, raw and received. A time that is the
    receive time (the line had none) is None."""
    out = {k: v for k, v in record.items() if v not in ("", 0, None, {}) and k not in ("host", "raw", "received")}
    out["ts"] = None if record["ts"][:19] == record["received"][:19] else record["ts"]
    return out


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes") / "ctl1" / "var" / "log"
    for name, lines, _ in SHAPES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("\n".join(lines) + "\n")
    records = parse_cli(str(root))
    by_source: dict[str, list[dict]] = {}
    for r in records:
        by_source.setdefault(r["source"], []).append(r)
    return by_source


@pytest.mark.parametrize("name,lines,expected", SHAPES, ids=[s[0] for s in SHAPES])
def test_every_parser_shape_comes_back_with_its_fields(shapes, name, lines, expected):
    records = shapes[f"/var/log/{name}"]
    assert [filled(r) for r in records] == expected
    assert {r["host"] for r in records} == {"ctl1"}


def test_raw_is_the_record_original_text_with_its_joined_lines(shapes):
    records = shapes["/var/log/kolla/nova/nova-compute.log"]
    assert records[-2]["raw"] == "\n".join(TRACEBACK)
    assert records[-1]["raw"] == "\n".join(BARE)


def test_lines_without_a_time_get_the_time_they_were_read(shapes):
    record = shapes["/var/log/kolla/nova/nova-conductor.log"][0]
    assert record["ts"][:19] == record["received"][:19]


def test_ts_is_iso_8601_with_microseconds_and_zone(shapes):
    ts = shapes["/var/log/kolla/mariadb/mariadb.log"][0]["ts"]
    assert ts == "2026-05-06T18:06:57.000000Z"
    assert datetime.fromisoformat(ts).utcoffset().total_seconds() == 0


# Line 1000 of each Loghub sample (every line of these files is one record). Syslog lines carry
# no year: it comes from the file's time, so only the rest of their ts is checked.
LOGHUB_LINES = {
    "Apache_2k.log": {"ts": "2005-12-04T20:34:20.000000Z", "service": "Apache", "program": "Apache_2k",
                      "offset": 84796, "level": "NOTICE", "format": "apache_error",
                      "message": "jk2_init() Found child 2007 in scoreboard slot 8"},
    "HDFS_2k.log": {"ts": "2008-11-10T22:06:56.000000Z", "service": "HDFS", "program": "HDFS_2k", "offset": 139465,
                    "pid": 32, "level": "INFO", "logger": "dfs.FSNamesystem", "format": "hadoop",
                    "message": "BLOCK* NameSystem.delete: blk_-8353423262983821010 is added to invalidSet of "
                               "10.251.39.209:50010"},
    "Linux_2k.log": {"ts": "-07-09T12:16:51.000000Z", "host": "combo", "service": "ftpd", "program": "ftpd",
                     "offset": 106544, "pid": 23154, "level": "INFO", "format": "syslog",
                     "message": "connection from 211.167.68.59 () at Sat Jul  9 12:16:51 2005 "},
    "OpenSSH_2k.log": {"ts": "-12-10T10:14:13.000000Z", "host": "LabSZ", "service": "sshd", "program": "sshd",
                       "offset": 110694, "pid": 24833, "level": "ERROR", "format": "syslog",
                       "message": "Failed password for invalid user admin from 119.4.203.64 port 2191 ssh2"},
    "OpenStack_2k.log": {
        "ts": "2017-05-16T00:07:25.394000Z", "service": "nova", "program": "nova-api", "offset": 296771, "pid": 25746,
        "level": "INFO", "logger": "nova.osapi_compute.wsgi.server", "request_id": "3bc17f6d-1354-46d7-9366-675d3c38eba9",
        "user_id": "113d3a99c3da401fbd62cc2caa5b96d2", "project_id": "54fadb412c4e40cdbaed9335e4c35a9e",
        "message": '10.11.10.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/d54b44eb-2d1a-4aa2-ba6b-074d35f8f12c '
                   'HTTP/1.1" status: 200 len: 1572 time: 0.2030520',
        "http_method": "GET", "http_path": "/v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/"
                                           "d54b44eb-2d1a-4aa2-ba6b-074d35f8f12c",
        "http_status": 200, "http_bytes": 1572, "http_time_ms": pytest.approx(203.052),
        "attrs": {"client_ip": "10.11.10.1", "file": "nova-api.log.1.2017-05-16_13:53:08"}, "format": "oslo"},
    "Zookeeper_2k.log": {"ts": "2015-07-29T19:29:27.298000Z", "service": "Zookeeper", "program": "Zookeeper_2k",
                         "offset": 137842, "level": "INFO", "logger": "QuorumCnxManager$Listener", "format": "log4j",
                         "message": "Received connection request /10.10.34.12:56426",
                         "attrs": {"thread": "/10.10.34.12:3888:QuorumCnxManager$Listener@493"}},
}


@pytest.mark.parametrize("name", sorted(LOGHUB_LINES))
def test_loghub_samples_read_line_by_line(name):
    path = loghub(name)
    records = parse_cli("--host", "lh", str(path))
    lines = path.read_bytes().decode("utf-8", "backslashreplace").splitlines()
    assert len(records) == len(lines) == 2000
    assert [r["raw"] for r in records] == lines
    record = {k: v for k, v in records[999].items() if v not in ("", 0, None, {}) and k not in ("raw", "received")}
    expected = {"host": "lh", "source": str(path), **LOGHUB_LINES[name]}
    if expected["ts"].startswith("-"):
        assert record.pop("ts")[4:] == expected.pop("ts")
    assert record == expected
    assert {r["format"] for r in records} == {expected["format"]}


def test_standard_input_gives_one_record_per_openstack_line():
    text = loghub("OpenStack_2k.log").read_text()
    result = run_cli("parse", stdin=text)
    assert len(result.stdout.splitlines()) == 2000
    assert result.stderr.strip() == "2,000 records from 2,000 lines (2,000 oslo; 0 raw)"
    first = json.loads(result.stdout.splitlines()[0])
    # Without --source the input has no path: each line's file-name prefix gives its program.
    assert (first["source"], first["service"], first["program"]) == ("-", "nova", "nova-api")


def test_source_decides_host_service_and_program_as_import_would():
    records = parse_cli("--source", "/data/cmp7/var/log/kolla/nova/nova-compute.log",
                        stdin="2026-05-06 18:06:57.671 23 INFO nova.compute.manager [-] hi\n")
    assert [(r["host"], r["service"], r["program"], r["source"]) for r in records] == [
        ("cmp7", "nova", "nova-compute", "/var/log/kolla/nova/nova-compute.log")]


def test_format_forces_one_parser_and_other_lines_join_as_continuations():
    text = "May  6 18:06:57 ctl1 sshd[4242]: hello\n2026-05-06 18:06:57.671 23 INFO nova.x [-] oslo line\n"
    records = parse_cli("--format", "oslo", "--source", "/var/log/secure", stdin=text)
    assert [(r["format"], r["level"], r["message"]) for r in records] == [
        ("raw", "UNKNOWN", "May  6 18:06:57 ctl1 sshd[4242]: hello"), ("oslo", "INFO", "oslo line")]


def test_unknown_format_and_zone_are_refused_by_name():
    bad_format = run_cli("parse", "--format", "grok", check=False, stdin="x\n")
    assert bad_format.returncode == 2
    assert "unknown format 'grok'; the formats are oslo, syslog," in bad_format.stderr
    bad_zone = run_cli("parse", "--timezone", "Mars/Olympus", check=False, stdin="x\n")
    assert (bad_zone.returncode, bad_zone.stderr.strip()) == (
        2, "error: 'Mars/Olympus' is not a time zone (e.g. UTC, Europe/Paris)")


def test_timezone_reads_naive_times_in_that_zone():
    records = parse_cli("--timezone", "Europe/Paris", stdin="2026-05-06 18:06:57.671 23 INFO nova.x [-] hi\n")
    assert records[0]["ts"] == "2026-05-06T16:06:57.671000Z"


def test_ugly_bytes_come_back_as_records(tmp_path):
    ugly = tmp_path / "ugly.log"
    big = b"y" * (1 << 20)
    ugly.write_bytes(b"\xff\xfe not utf-8 \xc3\n" + b"nul \x00 inside\n"
                     + b"2026-05-06 18:06:57.671 23 INFO nova.x [-] caf\xe9\n" + big + b"\n")
    records = parse_cli(str(ugly))
    assert [(r["format"], r["level"], r["offset"]) for r in records] == [
        ("raw", "UNKNOWN", 0), ("oslo", "INFO", 28)]
    assert records[0]["message"] == "\\xff\\xfe not utf-8 \\xc3\nnul \x00 inside"
    assert records[0]["raw"] == records[0]["message"]
    assert records[1]["message"] == "caf\\xe9\n" + big.decode()
    assert len(records[1]["raw"]) == len("2026-05-06 18:06:57.671 23 INFO nova.x [-] caf\\xe9\n") + (1 << 20)


def test_an_empty_input_prints_nothing():
    result = run_cli("parse", stdin="")
    assert (result.stdout, result.stderr.strip()) == ("", "0 records from 0 lines (none parsed; 0 raw)")


# -- the same through the API, and against what import stores -------------------------------------


def test_api_returns_the_records_of_the_body(server):
    line = f"{H} INFO nova.compute.manager [None req-{U} - - - - - -] hi\nnot a log line\n"
    resp = httpx.post(f"{server.url}/api/v1/parse", params={"source": "/var/log/kolla/nova/nova-compute.log",
                                                           "host": "cmp1"}, content=line)
    assert resp.status_code == 200
    body = resp.json()
    assert body["stats"] == {"lines": 2, "records": 1, "parsed": 1, "raw": 0, "blank": 0, "formats": {"oslo": 1}}
    assert [(r["host"], r["program"], r["format"], r["request_id"], r["message"], r["raw"]) for r in body["records"]] == [
        ("cmp1", "nova-compute", "oslo", U, "hi\nnot a log line", line.rstrip("\n"))]


@pytest.mark.parametrize("params,field", [
    ({"format": "grok"}, "format"), ({"timezone": "Mars/Olympus"}, "timezone"), ({"mtime": "soon"}, "mtime"),
    ({"source": "x" * 5000}, "source"),
])
def test_api_names_the_bad_parameter(server, params, field):
    resp = httpx.post(f"{server.url}/api/v1/parse", params=params, content=b"x\n")
    assert (resp.status_code, resp.json()["field"]) == (400, field)


def test_api_refuses_a_body_over_max_parse_bytes(server):
    resp = httpx.post(f"{server.url}/api/v1/parse", content=b"x" * (5 << 20))
    assert resp.status_code == 413
    assert resp.json()["field"] == "body" and "max_parse_bytes" in resp.json()["error"]


def test_api_stores_nothing(server):
    before = httpx.get(f"{server.url}/api/v1/count", params={"q": "inspector_only_word"}).json()["count"]
    httpx.post(f"{server.url}/api/v1/parse", content=f"{H} INFO nova.x [-] inspector_only_word\n")
    assert before == httpx.get(f"{server.url}/api/v1/count", params={"q": "inspector_only_word"}).json()["count"] == 0


def test_parse_agrees_with_what_import_stores(server):
    path = loghub("OpenStack_2k.log")
    server.cli("import", "--host", "agree", str(path))
    parsed = parse_cli("--host", "agree", str(path))
    hits = httpx.get(f"{server.url}/api/v1/search", params={"q": 'host:agree', "limit": 5000}).json()["hits"]
    stored = sorted(hits, key=lambda h: h["offset"])
    assert len(stored) == len(parsed) == 2000
    for p, s in zip(parsed, stored):
        assert datetime.fromisoformat(p.pop("ts")) == datetime.fromisoformat(s.pop("ts"))
        for key in ("format", "raw", "received"):
            p.pop(key)
        # Parsing gives no template: the server's miner does, as it stores the line.
        assert (p.pop("template_id"), s.pop("template_id") >= 1) == (0, True)
        assert p == {k: v for k, v in s.items() if k in p}
        assert set(s) - set(p) == {"id", "http_route", "received"}

"""Choosing formats per line, joining multi-line records, raw lines, sources and paths."""

from venus.parse.lines import MAX_JOINED_LINES, parse_text
from venus.parse.paths import describe_path

SRC = describe_path("/var/log/kolla/nova/nova-compute.log", "cmp1")
HEAD = "2017-01-16 08:05:53.757 40213 ERROR oslo_service.periodic_task"


def rows(text, source=SRC):
    table, stats = parse_text(text, source)
    return table.to_pylist(), stats


def test_prefixed_traceback_joins_its_record():
    text = "\n".join([
        f"{HEAD} [req-f5d223da-b40c-4a02-9632-900b5ab499a1 - - - - -] Error during update_available_resource",
        f"{HEAD} Traceback (most recent call last):",
        f'{HEAD}   File "/usr/lib/python3/oslo_service/periodic_task.py", line 220, in run_periodic_tasks',
        f"{HEAD} oslo_messaging.exceptions.MessagingTimeout: Timed out",
        "2017-01-16 08:05:54.001 40213 INFO nova.compute.manager [-] next record",
    ])
    records, stats = rows(text)
    assert len(records) == 2
    assert records[0]["message"] == (
        "Error during update_available_resource\nTraceback (most recent call last):\n"
        '  File "/usr/lib/python3/oslo_service/periodic_task.py", line 220, in run_periodic_tasks\n'
        "oslo_messaging.exceptions.MessagingTimeout: Timed out")
    assert records[0]["request_id"] == "f5d223da-b40c-4a02-9632-900b5ab499a1"
    assert (stats.lines, stats.records, stats.parsed, stats.raw) == (5, 2, 2, 0)


def test_bare_continuation_lines_join_the_record_before():
    text = ("2026-05-06 18:06:57.671 23 ERROR nova.compute.manager [-] Failed\n"
            "Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\nValueError: boom\n")
    records, _ = rows(text)
    assert len(records) == 1
    assert records[0]["message"].endswith("ValueError: boom")


def test_unparseable_first_line_is_stored_raw():
    records, stats = rows("garbage without a header\n2026-05-06 18:06:57.671 23 INFO nova.x [-] ok\n")
    assert [(r["level"], r["message"]) for r in records] == [
        ("UNKNOWN", "garbage without a header"), ("INFO", "ok")]
    assert (stats.raw, stats.parsed) == (1, 1)


def test_joining_stops_at_the_cap_and_nothing_is_lost():
    text = "2026-05-06 18:06:57.671 23 INFO nova.x [-] start\n" + "".join(f"  cont {i}\n" for i in range(MAX_JOINED_LINES + 5))
    records, stats = rows(text)
    assert stats.lines == MAX_JOINED_LINES + 6
    assert sum(r["message"].count("\n") + 1 for r in records) == MAX_JOINED_LINES + 6


def test_offsets_are_byte_offsets_in_the_file():
    records, _ = rows("2026-05-06 18:06:57.671 23 INFO nova.x [-] é\n2026-05-06 18:06:57.672 23 INFO nova.x [-] b\n")
    assert [r["offset"] for r in records] == [0, 46]


def test_source_fields_fill_in_and_lines_without_time_get_the_receive_time():
    table, _ = parse_text("[    1.0] booting\n", describe_path("/var/log/dmesg", "cmp9"), received_us=42_000_000)
    row = table.to_pylist()[0]
    assert (row["host"], row["program"], row["service"], row["source"]) == ("cmp9", "kernel", "kernel", "/var/log/dmesg")
    assert row["ts"].timestamp() == 42.0


def test_syslog_host_wins_over_the_file_host():
    table, _ = parse_text("Jun 14 15:16:01 combo sshd[1]: hi\n", describe_path("/var/log/messages", "collector"))
    assert table.to_pylist()[0]["host"] == "combo"


def test_paths_give_host_service_and_program():
    n = describe_path("/var/log/nova/nova-compute.log")
    assert (n.host, n.service, n.program, n.path) == ("", "nova", "nova-compute", "/var/log/nova/nova-compute.log")
    k = describe_path("/data/ctl1/var/log/kolla/neutron/neutron-server.log.1.gz")
    assert (k.host, k.service, k.program, k.path) == ("ctl1", "neutron", "neutron-server",
                                                     "/var/log/kolla/neutron/neutron-server.log.1.gz")
    m = describe_path("/var/log/messages", "h1")
    assert (m.host, m.service, m.program) == ("h1", "", "")
    r = describe_path("/var/log/kolla/rabbitmq/rabbit@ctl1.log", "ctl1")
    assert (r.service, r.program) == ("rabbitmq", "rabbitmq")
    lv = describe_path("/var/log/kolla/libvirt/libvirtd.log", "cmp1")
    assert (lv.service, lv.program) == ("libvirt", "libvirtd")
    db = describe_path("/var/log/kolla/mariadb/mariadb.log", "ctl1")
    assert (db.service, db.program) == ("mariadb", "mariadb")


def test_file_name_prefixed_lines_take_their_program_from_the_name():
    records, _ = rows("nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO "
                      "nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae "
                      "113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] ok\n",
                      describe_path("/tmp/OpenStack_2k.log", "h"))
    assert (records[0]["program"], records[0]["service"]) == ("nova-api", "nova")
    assert records[0]["attrs"] == [("file", "nova-api.log.1.2017-05-16_13:53:08")]


def test_a_number_too_large_for_its_column_is_kept_in_attrs():
    records, _ = rows("2026-05-06 18:06:57.123 99999999999 INFO nova.api [-] 10.0.0.1 \"GET /v2.1\" "
                      "status: 200 len: 123456789012345678901234 time: 0.5")
    assert (records[0]["pid"], records[0]["http_bytes"], records[0]["http_status"]) == (0, None, 200)
    assert dict(records[0]["attrs"]) == {"client_ip": "10.0.0.1", "pid": "99999999999",
                                         "http_bytes": "123456789012345678901234"}

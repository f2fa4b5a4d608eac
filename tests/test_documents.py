"""Shippers' JSON documents → record fields (venus.parse.documents)."""

import pytest

from venus.parse.documents import parse_document
from venus.parse.timestamps import TimestampReader

CLOCK = TimestampReader()


def test_fluent_bit_tail_puts_a_whole_syslog_line_in_log():
    fields = parse_document({"log": "Jun 14 15:16:01 combo sshd[19939]: authentication failure\n", "date": 1.7e9},
                            CLOCK)
    assert {k: fields[k] for k in ("host", "program", "service", "pid", "level", "message")} == {
        "host": "combo", "program": "sshd", "service": "sshd", "pid": 19939, "level": "ERROR",
        "message": "authentication failure"}


def test_vector_document_keeps_its_own_time_host_and_other_keys():
    fields = parse_document({"message": "hello", "timestamp": "2026-05-06T18:06:57.5Z", "host": "h1",
                             "source_type": "file"}, CLOCK)
    assert fields == {"ts": 1778090817500000, "host": "h1", "attrs": {"source_type": "file"}, "message": "hello",
                      "level": "INFO"}


@pytest.mark.parametrize("value,micros", [
    (1778090817, 1778090817000000), (1778090817500, 1778090817500000),
    (1778090817500000, 1778090817500000), (1778090817500000000, 1778090817500000), ("1778090817.25", 1778090817250000),
])
def test_epoch_times_in_seconds_milliseconds_microseconds_or_nanoseconds(value, micros):
    assert parse_document({"message": "x", "time": value}, CLOCK)["ts"] == micros


def test_what_cannot_be_read_is_kept_in_attrs_under_its_own_name():
    fields = parse_document({"message": "hi", "timestamp": "yesterday", "process": "nova-api", "level": "6"}, CLOCK)
    assert fields["attrs"] == {"timestamp": "yesterday", "process": "nova-api", "level": "6"}
    assert "ts" not in fields and "pid" not in fields


def test_nested_objects_are_flattened_with_dots_and_shipper_noise_dropped():
    fields = parse_document({"message": "m", "host": {"name": "cmp3", "os": {"family": "debian"}}, "tags": ["a", "b"],
                             "_id": "x", "@version": "1", "empty": {}}, CLOCK)
    assert fields["host"] == "cmp3"
    assert fields["attrs"] == {"host.os.family": "debian", "tags": '["a","b"]'}


def test_a_document_with_nothing_to_call_its_message_is_stored_whole_as_unknown():
    assert parse_document({"foo": 1, "bar": {"baz": True}}, CLOCK) == {
        "attrs": {"foo": "1", "bar.baz": "true"}, "level": "UNKNOWN", "message": '{"foo":1,"bar":{"baz":true}}'}


def test_request_ids_lose_req_and_dashes_mean_nothing():
    fields = parse_document({"message": "m", "log_level": "info", "request_id": "req-abc", "global_request_id": "-",
                             "user_id": "None"}, CLOCK)
    assert (fields["request_id"], "global_request_id" in fields, "user_id" in fields) == ("abc", False, False)

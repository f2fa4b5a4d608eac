"""oslo.log lines in the shapes found in the wild (reference/protocols.md §1.3)."""

from venus.parse.oslo import parse_context, parse_oslo_line
from venus.parse.timestamps import TimestampReader

CLOCK = TimestampReader()
UUID_L = "5b6c791d-5709-4f36-8fbe-c3e02869e35d"
UUID_G = "8c4b3c6e-1a0b-4b9e-9d2f-0f5a2c1d3e4f"
USER = "50bbc907c4114c5fb6eb28fdaf64a477"
PROJECT = "1d7753cbc6244d25aeccd8addfbb7b0b"


def parse(line):
    fields = parse_oslo_line(line, CLOCK)
    assert fields is not None, line
    return {k: v for k, v in fields.items() if not k.startswith("_")}


def test_eight_token_context_with_none_global_id():
    f = parse(f"2024-08-30 10:47:55.187 122139 WARNING oslo_policy.policy [None req-{UUID_L} - - - - - -] "
              "JSON formatted policy_file support is deprecated")
    assert f["ts"] == 1725014875187000
    assert (f["pid"], f["level"], f["logger"]) == (122139, "WARNING", "oslo_policy.policy")
    assert f["request_id"] == UUID_L
    assert f["global_request_id"] == ""
    assert "user_id" not in f
    assert f["message"] == "JSON formatted policy_file support is deprecated"


def test_eight_token_context_with_both_ids_and_identity():
    f = parse(f"2026-05-06 18:06:57.671 23 INFO nova.api.openstack.requestlog [req-{UUID_G} req-{UUID_L} "
              f"{USER} {PROJECT} - - default default] 10.0.0.11 \"GET /v2.1/servers/detail\" status: 200 "
              "len: 1834 microversion: 2.1 time: 0.081234")
    assert (f["global_request_id"], f["request_id"]) == (UUID_G, UUID_L)
    assert (f["user_id"], f["project_id"]) == (USER, PROJECT)
    assert (f["user_domain"], f["project_domain"]) == ("default", "default")
    assert "domain_id" not in f


def test_legacy_five_identity_tokens():
    f = parse(f"2025-02-06 13:25:34.660 3070789 INFO nova.compute.manager [req-{UUID_L} {USER} {PROJECT} - "
              f"default default] [instance: ec16f413-9352-499c-b4e2-989dad016691] Took 323.71 seconds to build instance.")
    assert f["request_id"] == UUID_L
    assert "global_request_id" not in f
    assert (f["user_id"], f["project_id"], f["user_domain"]) == (USER, PROJECT, "default")
    assert f["instance_id"] == "ec16f413-9352-499c-b4e2-989dad016691"
    assert f["message"] == "Took 323.71 seconds to build instance."


def test_no_context_block():
    f = parse("2026-05-06 18:06:57.671 23 INFO nova.service [-] Starting compute node (version 29.0.0)")
    assert "request_id" not in f
    assert f["message"] == "Starting compute node (version 29.0.0)"


def test_devstack_names_instead_of_ids():
    assert parse_context(f"None req-{UUID_L} admin admin") == {
        "global_request_id": "", "request_id": UUID_L, "user_id": "admin", "project_id": "admin"}


def test_bracket_that_is_not_a_context_stays_in_the_message():
    f = parse("2026-05-06 18:06:57.671 23 INFO nova.foo [something else] text")
    assert f["message"] == "[something else] text"


def test_debug_suffix_moves_to_attrs():
    f = parse("2023-11-07 16:32:16.397 22 DEBUG keystone.server.flask.request_processing.req_logging "
              f"[None req-{UUID_L} - - - - - -] REQUEST_METHOD: `GET` log_request_info "
              "/var/lib/kolla/venv/lib/python3.10/site-packages/keystone/server/flask/request_processing/req_logging.py:27")
    assert f["message"] == "REQUEST_METHOD: `GET`"
    assert f["attrs"] == {"code_func": "log_request_info",
                          "code_file": "/var/lib/kolla/venv/lib/python3.10/site-packages/keystone/server/"
                                       "flask/request_processing/req_logging.py:27"}


def test_access_fields_from_an_oslo_requestlog_line():
    f = parse(f"2026-05-06 18:06:57.671 23 INFO nova.api.openstack.requestlog [None req-{UUID_L} - - - - - -] "
              '10.0.0.11 "GET /v2.1/servers/detail?all_tenants=1" status: 200 len: 1834 microversion: 2.1 time: 0.081234')
    assert (f["http_method"], f["http_path"], f["http_status"], f["http_bytes"]) == (
        "GET", "/v2.1/servers/detail", 200, 1834)
    assert round(f["http_time_ms"], 3) == 81.234


def test_traceback_prefix_line_has_no_context():
    first = parse_oslo_line("2017-01-16 08:05:53.757 40213 ERROR oslo_service.periodic_task "
                            f"[req-{UUID_L} - - - - -] Error during ComputeManager.update_available_resource", CLOCK)
    trace = parse_oslo_line("2017-01-16 08:05:53.757 40213 ERROR oslo_service.periodic_task "
                            "Traceback (most recent call last):", CLOCK)
    assert first["_context"] is True and trace["_context"] is False
    assert first["_header"] == trace["_header"]


def test_non_oslo_line_is_refused():
    assert parse_oslo_line("Jun 14 15:16:01 combo sshd[19939]: hello", CLOCK) is None
    assert parse_oslo_line("2026-05-06 18:06:57.671 23 NOTALEVEL foo bar", CLOCK) is None


def test_system_scope_goes_to_attrs_beside_other_attrs():
    f = parse(f"2026-05-06 18:06:57.671 23 DEBUG nova.api.openstack.requestlog [None req-{UUID_L} {USER} - - all "
              'default -] 10.0.0.11 "GET /v2.1/os-hypervisors" status: 200 len: 10 microversion: 2.88 time: 0.01 '
              "__call__ /usr/lib/python3/nova/api/openstack/requestlog.py:54")
    assert f["attrs"] == {"system_scope": "all", "code_func": "__call__",
                          "code_file": "/usr/lib/python3/nova/api/openstack/requestlog.py:54", "client_ip": "10.0.0.11"}
    assert f["http_status"] == 200

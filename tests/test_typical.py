"""Typical errors: every signature of the catalogue matches its failure and not a close line."""

import pytest

from tests.conftest import insert_text
from venus.analysis.typical import CatalogueError, load_catalogue, pick, read_signatures, typical_stats
from venus.errors import BadRequest
from venus.query.search import Filter

OSLO = "2026-05-06 18:06:57.123 4242 {level} {logger} [req-5b6c791d-5709-4f36-8fbe-c3e02869e35d - - - - -] {msg}"
NOVA = "/var/log/kolla/nova/nova-compute.log"
MESSAGES = "/var/log/messages"
HAPROXY = "/var/log/kolla/haproxy/haproxy.log"


def oslo(level, logger, msg):
    return OSLO.format(level=level, logger=logger, msg=msg)


# signature id: (path, a line it must match, a close line it must not)
CASES = {
    "error_stats": (NOVA, oslo("ERROR", "nova.compute.manager", "Instance failed to spawn"),
                    oslo("WARNING", "nova.compute.manager", "Instance failed to spawn")),
    "rabbitmq_error_stats": (
        NOVA, oslo("ERROR", "oslo.messaging._drivers.impl_rabbit", "Connection failed: [Errno 111] ECONNREFUSED"),
        oslo("INFO", "oslo.messaging._drivers.impl_rabbit", "Reconnected to AMQP server on 10.0.0.11:5672")),
    "mysql_error_stats": (
        NOVA, oslo("ERROR", "oslo_db.sqlalchemy.engines", "Database connection was found disconnected; reconnecting"),
        oslo("WARNING", "oslo_db.sqlalchemy.engines", "SQL connection failed. 10 attempts left.")),
    "novalidhost_error_stats": (
        "/var/log/kolla/nova/nova-conductor.log",
        oslo("WARNING", "nova.scheduler.utils", "Failed to compute_task_build_instances: No valid host was found. "
                                                "There are not enough hosts available."),
        oslo("DEBUG", "nova.scheduler.utils", "No valid host was found is what we would log on failure")),
    "db_connection_lost": (
        NOVA, oslo("ERROR", "oslo_db.sqlalchemy.exc_filters", "DBAPIError exception wrapped: (pymysql.err.OperationalError) "
                                                             "(2013, 'Lost connection to MySQL server during query')"),
        oslo("INFO", "oslo_db.sqlalchemy.engines", "Connection to MySQL server established")),
    "db_too_many_connections": (
        NOVA, oslo("ERROR", "oslo_db.sqlalchemy.engines", "(pymysql.err.OperationalError) (1040, 'Too many connections')"),
        oslo("INFO", "oslo_db.sqlalchemy.engines", "too many retries on connections to the database")),
    "db_deadlock": (
        NOVA, oslo("ERROR", "oslo_db.api", "DB exceeded retry limit.: oslo_db.exception.DBDeadlock: (1213, "
                                           "'Deadlock found when trying to get lock; try restarting transaction')"),
        oslo("INFO", "oslo_db.api", "deadlock detection is enabled")),
    "galera_not_ready": (
        NOVA, oslo("ERROR", "oslo_db.sqlalchemy.engines", "(1047, 'WSREP has not yet prepared node for application use')"),
        oslo("INFO", "oslo_db.sqlalchemy.engines", "WSREP: Synchronized with group, ready for connections")),
    "rabbitmq_unreachable": (
        NOVA, oslo("ERROR", "oslo.messaging._drivers.impl_rabbit",
                   "AMQP server on 10.0.0.11:5672 is unreachable: [Errno 111] ECONNREFUSED. Trying again in 1 seconds."),
        oslo("INFO", "oslo.messaging._drivers.impl_rabbit", "Reconnected to AMQP server on 10.0.0.11:5672 via [amqp]")),
    "rabbitmq_connection_reset": (
        NOVA, oslo("ERROR", "oslo.messaging._drivers.impl_rabbit",
                   "AMQP server on 10.0.0.11:5672 is unreachable: [Errno 104] Connection reset by peer."),
        oslo("ERROR", "nova.compute.manager", "Download failed: [Errno 104] Connection reset by peer")),
    "rabbitmq_missed_heartbeats": (
        "/var/log/kolla/rabbitmq/rabbit@ctl1.log",
        "2026-05-06 18:06:57.123456+00:00 [error] <0.1234.0> closing AMQP connection <0.1234.0> "
        "(10.0.0.21:51234 -> 10.0.0.11:5672): missed heartbeats from client, timeout: 60s",
        "2026-05-06 18:06:57.123456+00:00 [info] <0.1234.0> connection heartbeat negotiated: 60s"),
    "keystone_unauthorized": (
        "/var/log/kolla/nova/nova-api.log",
        oslo("INFO", "nova.api.openstack.requestlog", '10.0.0.1 "GET /v2.1/servers" status: 401 len: 114 time: 0.01'),
        oslo("INFO", "nova.api.openstack.requestlog", '10.0.0.1 "GET /v2.1/servers" status: 403 len: 114 time: 0.01')),
    "keystone_authentication_failed": (
        "/var/log/kolla/keystone/keystone.log",
        oslo("WARNING", "keystone.server.flask.application", "Authorization failed. The request you have made requires "
                                                             "authentication. from 10.0.0.7"),
        oslo("INFO", "keystone.server.flask.application", "The request you have made was authenticated")),
    "token_validation_failed": (
        "/var/log/kolla/nova/nova-api.log", oslo("WARNING", "keystonemiddleware.auth_token", "Authorization failed for token"),
        oslo("INFO", "keystonemiddleware.auth_token", "Using the token for authorization")),
    "placement_allocation_conflict": (
        NOVA, oslo("WARNING", "nova.scheduler.client.report", 'Unable to submit allocation for instance 5b6c791d (409 '
                                                              '{"errors": [{"code": "placement.concurrent_update"}]})'),
        oslo("INFO", "nova.scheduler.client.report", "Submitted allocation for instance 5b6c791d")),
    "libvirt_error": (
        NOVA, oslo("ERROR", "nova.virt.libvirt.driver", "Failed to start libvirt guest: libvirt.libvirtError: "
                                                       "internal error: qemu unexpectedly closed the monitor"),
        oslo("INFO", "nova.virt.libvirt.driver", "libvirt guest started in 1.2 seconds")),
    "neutron_agent_down": (
        "/var/log/kolla/neutron/neutron-server.log",
        oslo("WARNING", "neutron.db.agents_db", "Agent healthcheck: found 1 dead agents out of 12:"),
        oslo("INFO", "neutron.db.agents_db", "Agent healthcheck: all 12 agents alive")),
    "ovs_error": (
        "/var/log/kolla/neutron/neutron-openvswitch-agent.log",
        oslo("ERROR", "neutron.agent.ovs_neutron_agent", "OVS is dead. OVSNeutronAgent will keep running and checking "
                                                         "OVS status periodically."),
        oslo("INFO", "neutron.agent.ovs_neutron_agent", "OVS is alive again")),
    "port_binding_failed": (
        NOVA, oslo("ERROR", "nova.compute.manager", "Instance failed to spawn: nova.exception.PortBindingFailed: Binding "
                                                   "failed for port 5b6c791d, please check neutron logs"),
        oslo("INFO", "nova.network.neutron", "Binding succeeded for port 5b6c791d")),
    "cinder_attach_failed": (
        NOVA, oslo("ERROR", "nova.virt.block_device", "Failed to attach volume at mountpoint: /dev/vdb"),
        oslo("INFO", "nova.virt.block_device", "Attached volume at mountpoint: /dev/vdb")),
    "glance_image_download_failed": (
        NOVA, oslo("ERROR", "nova.compute.manager", "Failed to download image 5b6c791d-5709-4f36-8fbe-c3e02869e35d"),
        oslo("INFO", "nova.virt.images", "Image download completed in 3.2 seconds")),
    "kernel_oom_kill": (
        MESSAGES, "May  6 18:06:57 HOST kernel: [1234.567890] Out of memory: Killed process 4242 (qemu-system-x86)",
        "May  6 18:06:57 HOST kernel: [1234.567890] Memory cgroup stats for /machine.slice"),
    "disk_full": (
        "/var/log/kolla/glance/glance-api.log",
        oslo("ERROR", "glance.api.v2.image_data", "Failed to upload image data: [Errno 28] No space left on device"),
        oslo("INFO", "glance.api.v2.image_data", "space left on device: 12 GB")),
    "haproxy_backend_down": (
        HAPROXY, "May  6 18:06:57 HOST haproxy[123]: Server nova_api_back/ctl2 is DOWN, reason: Layer4 connection "
                 "problem, info: \"Connection refused\". 2 active and 0 backup servers left.",
        "May  6 18:06:57 HOST haproxy[123]: Server nova_api_back/ctl2 is UP, reason: Layer7 check passed"),
}


@pytest.fixture(scope="module")
def cases_store(tmp_path_factory):
    from venus.store.clickhouse import ClickHouseStore
    path = tmp_path_factory.mktemp("typical")
    store = ClickHouseStore(dsn=f"chdb://{path / 'chdb'}", data_dir=path)
    for sig_id, (path, hit, miss) in CASES.items():
        # Each line on a host of its own (syslog lines name theirs: HOST), so a filter picks it alone.
        for line, host in ((hit, host_of(sig_id, "hit")), (miss, host_of(sig_id, "miss"))):
            insert_text(store, line.replace("HOST", host), path=path, host=host)
    yield store
    store.close()


def host_of(sig_id: str, case: str) -> str:
    return f"{sig_id.replace('_', '-')}-{case}"


def matches(store, signature, host: str) -> int:
    return typical_stats(store, (signature,), Filter.parse(f"host:{host}"))["signatures"][0]["total"]


def test_the_catalogue_has_the_original_four_and_sixteen_more():
    ids = [s.id for s in load_catalogue()]
    assert ids[:4] == ["error_stats", "rabbitmq_error_stats", "mysql_error_stats", "novalidhost_error_stats"]
    assert len(ids) >= 20 and len(set(ids)) == len(ids)


def test_every_signature_has_a_case():
    assert {s.id for s in load_catalogue()} == set(CASES)


@pytest.mark.parametrize("sig_id", list(CASES))
def test_signature_matches_its_failure_and_not_a_close_line(cases_store, sig_id):
    signature = pick(load_catalogue(), [sig_id])[0]
    assert matches(cases_store, signature, host_of(sig_id, "hit")) == 1
    assert matches(cases_store, signature, host_of(sig_id, "miss")) == 0


def test_stats_give_each_program_a_series_and_the_newest_example(cases_store):
    # The module's store (chdb opens one data directory per process); this test's lines on a host of their own.
    lines = "\n".join(oslo("ERROR", "nova.compute.manager", f"Failed to attach volume {i}") for i in range(3))
    insert_text(cases_store, lines, host="stats")
    insert_text(cases_store, oslo("ERROR", "nova.api", "Failed to attach volume 9"), path="/var/log/kolla/nova/nova-api.log",
                host="stats")
    result = typical_stats(cases_store, pick(load_catalogue(), ["cinder_attach_failed", "disk_full"]),
                           Filter.parse("host:stats"))
    attach, disk = result["signatures"]
    assert (attach["total"], disk["total"], disk["programs"], disk["example"]) == (4, 0, [], None)
    assert [(p["program"], p["total"]) for p in attach["programs"]] == [("nova-compute", 3), ("nova-api", 1)]
    assert sum(b["count"] for b in attach["programs"][0]["buckets"]) == 3
    assert attach["example"]["message"].startswith("Failed to attach volume")
    assert attach["causes"] and attach["title"] == "Volume attach failures"
    counted = typical_stats(cases_store, pick(load_catalogue(), ["cinder_attach_failed"]), Filter.parse("host:stats"),
                            examples=False)["signatures"][0]
    assert (counted["total"], counted["example"]) == (4, None)  # the counts alone, for a report's range before


def test_an_unknown_signature_is_a_bad_request():
    with pytest.raises(BadRequest) as err:
        pick(load_catalogue(), ["error_stats", "nope"])
    assert err.value.field == "signature" and "nope" in err.value.message


def test_an_operator_file_adds_and_replaces_signatures(tmp_path):
    extra = tmp_path / "mine.toml"
    extra.write_text('[[signature]]\nid = "disk_full"\ntitle = "Full"\nquery = \'"disk is full"\'\n\n'
                     '[[signature]]\nid = "mine"\ntitle = "Mine"\nquery = "level:ERROR service:octavia"\n')
    catalogue = {s.id: s for s in load_catalogue(extra)}
    assert catalogue["disk_full"].title == "Full" and catalogue["mine"].query == "level:ERROR service:octavia"


@pytest.mark.parametrize("text, problem", [
    ('[[signature]]\nid = "x"\ntitle = "X"\nquery = "level:("\n', "signature 1 (x): bad query"),
    ('[[signature]]\nid = "x"\nquery = "a"\n', "'title' must be a non-empty string"),
    ('[[signature]]\nid = "x"\ntitle = "X"\nquery = "a"\nmatch = "a"\n', "unknown keys match"),
    ('[[signature]]\nid = "x"\ntitle = "X"\nquery = "a"\n[[signature]]\nid = "x"\ntitle = "Y"\nquery = "b"\n',
     "the id 'x' is used twice"),
    ("signature = [", "cannot read"),
])
def test_a_bad_operator_file_is_refused_with_what_and_where(tmp_path, text, problem):
    extra = tmp_path / "bad.toml"
    extra.write_text(text)
    with pytest.raises(CatalogueError) as err:
        load_catalogue(extra)
    assert problem in err.value.message and str(extra) in err.value.message


def test_the_built_in_file_reads_cleanly():
    from venus.analysis.typical import BUILT_IN
    assert len(read_signatures(BUILT_IN)) == len(CASES)

"""OpenStack notifications: oslo.messaging's notifier publishes to the RabbitMQ on this machine
(127.0.0.1:5672, guest/guest) and the real server consumes them."""

import time
import uuid
import warnings

import httpx
import pytest

from tests.conftest import Server, search_hits
from venus.ingest.notifications import notification_record
from venus.parse.timestamps import TimestampReader, zone

with warnings.catch_warnings():  # oslo.messaging imports eventlet, which warns that it is deprecated
    warnings.simplefilter("ignore")
    import oslo_messaging
    from oslo_config import cfg
    from oslo_context import context as oslo_context

pytestmark = [pytest.mark.server, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

RABBIT = "rabbit://guest:guest@127.0.0.1:5672/"
REQ, GREQ = "5b6c791d-5709-4f36-8fbe-c3e02869e35d", "8c4b3c6e-1a0b-4b9e-9d2f-0f5a2c1d3e4f"
INSTANCE = "3f0c2f7e-9a51-4a43-8b1e-7a3b6f0d2c11"


@pytest.fixture(scope="module")
def consumer(tmp_path_factory):
    exchange = f"venustest{uuid.uuid4().hex[:8]}"
    srv = Server(tmp_path_factory.mktemp("notifications") / "data", env={
        "VENUS_NOTIFICATIONS_TRANSPORT_URL": RABBIT, "VENUS_NOTIFICATIONS_EXCHANGES": exchange,
        "VENUS_NOTIFICATIONS_QUEUE": f"venus-test-{exchange}"})
    deadline = time.time() + 30
    while "notifications: consuming" not in srv.log and time.time() < deadline:
        time.sleep(0.1)
    assert "notifications: consuming" in srv.log, srv.log
    srv.exchange = exchange
    yield srv
    srv.stop()


def notifier(exchange, topics=("notifications",)):
    conf = cfg.ConfigOpts()
    conf([], project="venus-test")
    oslo_messaging.set_transport_defaults(exchange)
    transport = oslo_messaging.get_notification_transport(conf, url=RABBIT)
    return transport, oslo_messaging.Notifier(transport, publisher_id="nova-compute:cmp1", driver="messagingv2",
                                              topics=list(topics))


def test_notifier_events_arrive_with_request_ids_publisher_and_payload(consumer):
    context = oslo_context.RequestContext(request_id=f"req-{REQ}", global_request_id=f"req-{GREQ}",
                                          user_id="u1", project_id="p1")
    transport, notify = notifier(consumer.exchange, ("notifications", "versioned_notifications"))
    try:
        notify.info(context, "instance.create.start", {"nova_object.name": "InstanceActionPayload",
                                                       "nova_object.data": {"uuid": INSTANCE, "state": "building"}})
        notify.error(context, "instance.create.error", {
            "nova_object.name": "InstanceActionPayload",
            "nova_object.data": {"uuid": INSTANCE, "state": "error", "fault": {"nova_object.data": {
                "exception": "NoValidHost", "exception_message": "No valid host was found."}}}})
    finally:
        transport.cleanup()
    # Two topics: each event arrives once per topic.
    found = search_hits(consumer, f"request_id:{REQ}", 4)
    assert [(h["level"], h["program"], h["service"], h["host"], h["global_request_id"], h["user_id"],
             h["project_id"], h["instance_id"], h["message"]) for h in found[::2]] == [
        ("ERROR", "nova-compute", "nova", "cmp1", GREQ, "u1", "p1", INSTANCE,
         f"instance.create.error uuid={INSTANCE} state=error fault: NoValidHost: No valid host was found."),
        ("INFO", "nova-compute", "nova", "cmp1", GREQ, "u1", "p1", INSTANCE,
         f"instance.create.start uuid={INSTANCE} state=building")]
    assert sorted(h["attrs"]["routing_key"] for h in found) == [
        "notifications.error", "notifications.info", "versioned_notifications.error", "versioned_notifications.info"]
    assert found[0]["attrs"]["event_type"] == "instance.create.error"
    assert found[0]["source"] == "notifications"


def test_notifications_join_the_call_chain(consumer):
    request = str(uuid.uuid4())
    context = oslo_context.RequestContext(request_id=f"req-{request}", global_request_id=f"req-{request}")
    transport, notify = notifier(consumer.exchange)
    try:
        notify.info(context, "volume.attach.end", {"volume_id": "v1", "status": "in-use"})
    finally:
        transport.cleanup()
    search_hits(consumer, f"request_id:{request}", 1)
    chain = httpx.get(f"{consumer.url}/api/v1/chain/{request}").json()
    assert [line["message"] for line in chain["lines"]] == ["volume.attach.end status=in-use volume_id=v1"]


# The record of one message, as notification_record reads it.

CLOCK = TimestampReader(zone("UTC"))


def test_a_bare_message_without_envelope_is_read():
    record = notification_record({"event_type": "compute.instance.delete.end", "publisher_id": "compute.cmp2",
                                  "priority": "INFO", "timestamp": "2026-05-06 18:06:57.123456",
                                  "payload": {"instance_id": INSTANCE, "state": "deleted"}}, CLOCK)
    assert (record["ts"], record["instance_id"], record["program"], record["host"], record["message"]) == (
        1_778_090_817_123_456, INSTANCE, "compute.cmp2", "",
        f"compute.instance.delete.end instance_id={INSTANCE} state=deleted")


def test_a_message_that_is_not_a_notification_is_kept_raw():
    assert notification_record(b"\xffnot json", CLOCK, "notifications.info") == {
        "level": "UNKNOWN", "message": "\\xffnot json", "attrs": {"routing_key": "notifications.info"}}
    assert notification_record({"oslo.version": "2.0", "oslo.message": "{broken"}, CLOCK)["level"] == "UNKNOWN"


def test_the_server_serves_while_the_broker_is_unreachable(tmp_path):
    srv = Server(tmp_path / "data", env={"VENUS_NOTIFICATIONS_TRANSPORT_URL": "rabbit://guest:secret@127.0.0.1:1/"})
    try:
        assert httpx.get(f"{srv.url}/healthz").status_code == 200
        deadline = time.time() + 20
        while "retrying in" not in srv.log and time.time() < deadline:
            time.sleep(0.1)
        assert "notifications: amqp://guest:**@127.0.0.1:1/" in srv.log  # the password is not logged
        assert "secret" not in srv.log
    finally:
        srv.stop()
    assert "store closed" in srv.output  # and it stops cleanly, the consumer with it

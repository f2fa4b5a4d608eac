"""The notification consumer: OpenStack's oslo.messaging notifications, read from RabbitMQ.

Venus declares a queue of its own (`[notifications] queue`, durable, so notifications wait while
Venus is down) and binds it to each service's exchange (`nova`, `neutron`, ... and oslo's default
`openstack`) for every configured topic and priority (`notifications.*`,
`versioned_notifications.*`). The exchanges are declared as oslo.messaging declares them (topic,
not durable unless the services use durable queues), so that either side may come first.

Messages are taken in batches and acknowledged once their records are committed: a crash in
between redelivers them (at least once). A broker that is down or goes away is retried with
back-off; the server starts and serves without it.
"""

from __future__ import annotations

import logging
import threading
import time

import kombu
from kombu.message import Message
from kombu.utils.url import maybe_sanitize_url

from venus.ingest.notifications import notifications_table
from venus.ingest.writer import RecordWriter
from venus.parse.timestamps import now_us

log = logging.getLogger(__name__)

BATCH = 1000  # messages committed at once at most (and the prefetch)
WAIT_SECONDS = 0.2  # how long a batch waits for more messages
HEARTBEAT_CHECK_SECONDS = 10  # the connection's heartbeat is 30 s
RETRY_SECONDS = (1, 2, 5, 10, 30)  # back-off between connection attempts


def kombu_url(transport_url: str) -> str:
    """oslo.messaging's `rabbit://user:pass@host:5672/vhost` (hosts comma-separated) → kombu's
    failover URL."""
    scheme, sep, rest = transport_url.partition("://")
    if not sep:
        return transport_url
    scheme = "amqp" if scheme in ("rabbit", "amqp", "kombu+rabbit") else scheme
    hosts, slash, vhost = rest.partition("/")
    return ";".join(f"{scheme}://{host}{slash}{vhost}" for host in hosts.split(","))


class NotificationConsumer:
    """Consumes until `stop()`, in a thread of its own."""

    name = "notification consumer"

    def __init__(self, transport_url: str, exchanges: list[str], topics: list[str], queue: str,
                 durable_exchanges: bool, writer: RecordWriter) -> None:
        self.url = kombu_url(transport_url)
        self.exchanges, self.topics, self.queue_name = exchanges, topics, queue
        self.durable_exchanges = durable_exchanges
        self.writer = writer
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="notifications", daemon=True)

    async def start(self) -> None:
        self._thread.start()

    async def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=30)

    def _queue(self) -> kombu.Queue:
        bindings = [kombu.binding(kombu.Exchange(name, type="topic", durable=self.durable_exchanges),
                                  routing_key=f"{topic}.*")
                    for name in self.exchanges for topic in self.topics]
        return kombu.Queue(self.queue_name, bindings=bindings, durable=True, auto_delete=False)

    def _run(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            try:
                with kombu.Connection(self.url, connect_timeout=5, heartbeat=30) as connection:
                    connection.ensure_connection(max_retries=1)
                    attempt = 0
                    self._consume(connection)
            except Exception as exc:  # noqa: BLE001 - any broker failure: retry, the server goes on
                wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                attempt += 1
                log.warning("notifications: %s: %s; retrying in %d s", _safe(self.url), exc, wait)
                self._stopping.wait(wait)

    def _consume(self, connection: kombu.Connection) -> None:
        batch: list[Message] = []
        first_at = 0.0  # when the oldest message of the batch came

        def received(body: object, message: Message) -> None:
            nonlocal first_at
            if not batch:
                first_at = time.monotonic()
            batch.append(message)

        channel = connection.channel()
        with kombu.Consumer(channel, queues=[self._queue()], callbacks=[received], prefetch_count=BATCH,
                            accept=None, auto_declare=True):
            log.info("notifications: consuming %s from %s (exchanges %s)", self.queue_name, _safe(self.url),
                     ", ".join(self.exchanges))
            last_beat = time.monotonic()
            while not self._stopping.is_set():
                try:
                    connection.drain_events(timeout=WAIT_SECONDS)
                except TimeoutError:
                    pass
                now = time.monotonic()
                # A full batch, or one that has waited long enough: a steady trickle is committed too.
                if batch and (len(batch) >= BATCH or now - first_at >= WAIT_SECONDS):
                    self._commit(batch)
                    batch.clear()
                if now - last_beat > HEARTBEAT_CHECK_SECONDS:
                    connection.heartbeat_check()
                    last_beat = now
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[Message]) -> None:
        table = notifications_table([m.body for m in batch], [m.delivery_info.get("routing_key", "") for m in batch],
                                    now_us())
        self.writer.write(table)  # raises if the store refuses: nothing is acknowledged, all redelivered
        batch[-1].ack(multiple=True)


def _safe(url: str) -> str:
    """The URL without its password, for the log."""
    return ";".join(maybe_sanitize_url(part) for part in url.split(";"))

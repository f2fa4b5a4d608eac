"""Helpers of the alerting tests: rules and channels written straight to the metadata store, and
real receivers for what the channels send (an HTTP server and aiosmtpd)."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.conftest import free_port
from venus.alerts.rules import parse_rule
from venus.meta.models import AlertRuleRow, Channel
from venus.meta.store import to_db


def add_rule(meta, **spec) -> str:
    rule = parse_rule(spec)
    now = to_db(datetime.now(UTC))
    rule_id = uuid.uuid4().hex
    with meta.session() as s:
        s.add(AlertRuleRow(id=rule_id, name=rule.name, enabled=True, spec=rule.spec(), create_time=now,
                           update_time=now))
    return rule_id


def add_channel(meta, name: str, kind: str, settings: dict) -> str:
    now = to_db(datetime.now(UTC))
    channel_id = uuid.uuid4().hex
    with meta.session() as s:
        s.add(Channel(id=channel_id, name=name, type=kind, settings=settings, template=None, enabled=True,
                      create_time=now, update_time=now))
    return channel_id


class WebhookReceiver:
    """A real HTTP server that records each JSON body POSTed to it and answers with the next of
    `statuses` (then 200)."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.bodies: list = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.bodies.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MailReceiver:
    """A real SMTP server (aiosmtpd) that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                receiver.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()

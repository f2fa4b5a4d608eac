"""Helpers of the alerting tests: rules and channels written straight to the metadata store, and
real receivers for what the channels send (an HTTP server and aiosmtpd)."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

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
    """A real HTTP server (HTTPS with `tls`, a server-side SSL context) that records each JSON body
    POSTed to it and answers with the next of `statuses` (then 200)."""

    def __init__(self, statuses: list[int] | None = None, tls: ssl.SSLContext | None = None) -> None:
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
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class MailReceiver:
    """A real SMTP server (aiosmtpd) that keeps every message it is given, and for each whether it
    came over TLS and as whom. `tls`: a server-side SSL context, offered through STARTTLS (required)
    or, with `implicit_tls`, from the first byte; `users`: AUTH is then required (only offered with
    implicit TLS), and checked."""

    def __init__(self, tls: ssl.SSLContext | None = None, implicit_tls: bool = False,
                 users: dict[str, str] | None = None) -> None:
        self.messages: list = []
        self.sessions: list[tuple[bool, str | None]] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                receiver.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                encrypted = server.transport.get_extra_info("ssl_object") is not None
                receiver.sessions.append((encrypted, session.auth_data))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            if not isinstance(auth_data, LoginPassword):
                return AuthResult(success=False, handled=False)
            login, password = auth_data.login.decode(), auth_data.password.decode()
            ok = users is not None and users.get(login) == password
            return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

        options: dict = {}
        if users is not None:
            options.update(auth_required=True, authenticator=authenticator)
        if tls is not None and implicit_tls:
            # aiosmtpd only counts STARTTLS as TLS when it decides whether to offer AUTH, and warns
            # when AUTH is required without it: offered, then, and the login checked in `sessions`.
            options.update(ssl_context=tls, auth_require_tls=False, auth_required=False)
        elif tls is not None:
            options.update(tls_context=tls, require_starttls=True)
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def close(self) -> None:
        self.controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, made by openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return cert, key


def server_tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context

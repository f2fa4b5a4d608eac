"""Sending one message to one channel: SMTP (plain, STARTTLS or TLS, with AUTH) and HTTP POSTs.
A failure raises SendFailed with what the server said; delivery.py decides about retries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import quote

import httpx

from venus import __version__
from venus.alerts.channels import ChannelSettings, EmailSettings, WebhookSettings, message_for, settings_of


class SendFailed(Exception):
    pass


def send(kind: str, settings: dict, template: str | None, payload: dict) -> None:
    """Render the payload for the channel and send it."""
    config = settings_of(kind, settings)
    message = message_for(kind, config, template, payload)
    if kind == "email":
        send_email(config, message["subject"], message["body"])
    else:
        url = config.url
        if kind == "dingtalk" and config.secret:
            url = _dingtalk_signed(url, config.secret)
        post_json(url, message, config, errcode=kind in ("dingtalk", "wecom"))


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


def send_email(config: EmailSettings, subject: str, body: str, html: str | None = None,
               attachments: tuple[Attachment, ...] = ()) -> None:
    """A plain-text message, with an HTML alternative and attachments when given (reports)."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, config.from_addr, ", ".join(config.to)
    msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain="venus")
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for attached in attachments:
        msg.add_attachment(attached.content, maintype=attached.maintype, subtype=attached.subtype,
                           filename=attached.filename)
    try:
        context = tls_context(config)
        if config.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.smtp_port, timeout=config.timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(config.host, config.smtp_port, timeout=config.timeout)
        with smtp:
            if config.security == "starttls":
                smtp.starttls(context=context)
            if config.username is not None:
                smtp.login(config.username, config.password or "")
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise SendFailed(f"SMTP {config.host}:{config.smtp_port}: {exc}") from exc


def tls_context(config: ChannelSettings) -> ssl.SSLContext:
    """The system's trusted CAs, or the channel's own ca_file."""
    try:
        return ssl.create_default_context(cafile=config.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise SendFailed(f"ca_file {config.ca_file!r}: {exc}") from exc


def post_json(url: str, body: object, config: WebhookSettings, errcode: bool = False) -> None:
    """POST JSON; `errcode`: the service answers 200 with an error code in the body (DingTalk, WeCom)."""
    try:
        resp = httpx.post(url, json=body, timeout=config.timeout, verify=tls_context(config),
                          headers={"User-Agent": f"venus/{__version__}", **config.headers})
    except httpx.HTTPError as exc:
        raise SendFailed(f"POST {url.split('?')[0]}: {exc}") from exc
    if resp.status_code >= 300:
        raise SendFailed(f"POST {url.split('?')[0]}: HTTP {resp.status_code} {resp.text[:300]}")
    if errcode:
        try:
            code = resp.json().get("errcode", 0)
        except ValueError:
            code = 0
        if code:
            raise SendFailed(f"POST {url.split('?')[0]}: errcode {code}: {resp.text[:300]}")


def _dingtalk_signed(url: str, secret: str) -> str:
    """DingTalk's signed robots: timestamp and HMAC-SHA256 of 'timestamp\\nsecret' in the URL."""
    stamp = str(int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={quote(base64.b64encode(digest))}"

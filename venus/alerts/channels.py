"""Notification channels: each type's settings (checked when saved), its default template, and
the message it sends for a notification payload. Pure: sending is notify.py's.

Templates are Jinja2 in a sandbox (an operator's template cannot reach Python), given the payload:
`status` (firing, resolved, test, anomaly), `rule`, `labels`, `group`, `value`, `threshold`,
`count`, `samples` (lines), `link`, `starts_at`, `ends_at`.
"""

from __future__ import annotations

import re
import ssl
from email.utils import parseaddr
from typing import Annotated, Any, Literal

import orjson
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from venus.errors import BadRequest
from venus.validation import validated

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")


def _url(text: str) -> str:
    if not re.fullmatch(r"https?://[^\s/?#]+[^\s]*", text):
        raise ValueError(f"{text[:80]!r} is not an http:// or https:// URL")
    return text


def _address(text: str) -> str:
    _, addr = parseaddr(text)
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", addr or ""):
        raise ValueError(f"{text[:80]!r} is not an e-mail address")
    return text


def _host(text: str) -> str:
    if not _HOST.fullmatch(text):
        raise ValueError(f"{text[:80]!r} is not a host name or address")
    return text


Url = Annotated[str, Field(max_length=2048), AfterValidator(_url)]
Address = Annotated[str, Field(max_length=320), AfterValidator(_address)]


class ChannelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout: float = Field(10.0, gt=0, le=120)
    # A PEM file of the certificate authorities to trust for this server instead of the system's
    # (a mail relay or chat gateway with a certificate from the cloud's own CA).
    ca_file: str | None = Field(None, max_length=4096)

    def check(self) -> None:
        if self.ca_file is not None:
            try:
                ssl.create_default_context(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise BadRequest(f"settings.ca_file: cannot load {self.ca_file!r} as PEM certificates: {exc}",
                                 field="settings.ca_file") from None


class EmailSettings(ChannelSettings):
    host: Annotated[str, AfterValidator(_host)]
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str | None = Field(None, max_length=255)
    password: str | None = Field(None, max_length=1024)
    from_addr: Address
    to: list[Address] = Field(min_length=1, max_length=100)
    subject: str = Field("[{{ status | upper }}] {{ rule.name }}{% if group %} ({{ group_text }}){% endif %}",
                         max_length=1024)

    def check(self) -> None:
        super().check()
        if (self.username is None) != (self.password is None):
            missing = "password" if self.password is None else "username"
            raise BadRequest(f"settings.{missing}: username and password go together (SMTP AUTH needs both)",
                             field=f"settings.{missing}")
        if self.username is not None and self.security == "none":
            raise BadRequest("settings.security: sending a password needs starttls or tls",
                             field="settings.security")

    @property
    def smtp_port(self) -> int:
        return self.port or {"tls": 465, "starttls": 587, "none": 25}[self.security]


class WebhookSettings(ChannelSettings):
    url: Url
    headers: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")], Annotated[str, Field(max_length=4096)]] = \
        Field(default_factory=dict, max_length=20)


class AlertmanagerSettings(WebhookSettings):
    # webhook: the JSON Alertmanager sends its webhook receivers; api: alerts posted to an
    # Alertmanager's own /api/v2/alerts.
    format: Literal["webhook", "api"] = "webhook"


class DingTalkSettings(WebhookSettings):
    secret: str | None = Field(None, max_length=255)  # the robot's signing secret ("加签")
    at_mobiles: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=50)


SETTINGS: dict[str, type[ChannelSettings]] = {
    "email": EmailSettings, "webhook": WebhookSettings, "alertmanager": AlertmanagerSettings,
    "dingtalk": DingTalkSettings, "wecom": WebhookSettings, "slack": WebhookSettings,
}

TEXT_TEMPLATE = """\
{% if status == 'test' %}This is a test notification from Venus to check the channel.
{% elif status == 'anomaly' %}Anomaly rule {{ rule.name }}: {{ count }} matching lines from {{ starts_at }} to {{ ends_at }}.
{% else %}[{{ status | upper }}] {{ rule.name }} ({{ rule.severity }})
{% if group %}Group: {{ group_text }}
{% endif %}{{ rule.condition }} {{ value_text }} (threshold: {{ rule.op }} {{ threshold_text }}) over {{ window_text }}
Lines in the window: {{ count }}
{% if status == 'firing' %}Firing since {{ starts_at }}{% else %}Fired from {{ starts_at }} to {{ ends_at }}; it has resolved{% endif %}

{% endif %}{% if rule.description %}{{ rule.description }}
{% endif %}{% if samples %}
Sample lines:
{% for line in samples %}  {{ line.ts }} {{ line.host }} {{ line.program }} {{ line.level }} {{ line.message | truncate(300) }}
{% endfor %}{% endif %}
Search: {{ link }}
"""

MARKDOWN_TEMPLATE = """\
{% if status == 'test' %}**Venus test notification**: the channel works.
{% elif status == 'anomaly' %}**[ANOMALY] {{ rule.name }}**: {{ count }} matching lines from {{ starts_at }} to {{ ends_at }}

{% for line in samples %}> {{ line.host }} {{ line.program }} {{ line.level }}: {{ line.message | truncate(200) }}
{% endfor %}
[Search in Venus]({{ link }})
{% else %}**[{{ status | upper }}] {{ rule.name }}** ({{ rule.severity }})

{% if group %}- group: {{ group_text }}
{% endif %}- {{ rule.condition }}: {{ value_text }} (threshold {{ rule.op }} {{ threshold_text }}, window {{ window_text }})
- lines: {{ count }}
- since: {{ starts_at }}{% if ends_at %}, until {{ ends_at }}{% endif %}


{% for line in samples %}> {{ line.host }} {{ line.program }} {{ line.level }}: {{ line.message | truncate(200) }}
{% endfor %}
[Search in Venus]({{ link }})
{% endif %}"""

DEFAULT_TEMPLATES = {"email": TEXT_TEMPLATE, "webhook": None, "alertmanager": None, "dingtalk": MARKDOWN_TEMPLATE,
                     "wecom": MARKDOWN_TEMPLATE, "slack": MARKDOWN_TEMPLATE}

SAMPLE_PAYLOAD: dict[str, Any] = {
    "status": "firing", "labels": {"alertname": "nova errors", "severity": "error", "program": "nova-compute"},
    "group": {"program": "nova-compute"}, "value": 61.0, "threshold": 50.0, "count": 61, "total": None,
    "rule": {"id": "r", "name": "nova errors", "severity": "error", "description": "", "condition": "count",
             "op": "above", "window": 300.0, "query": "level:ERROR"},
    "samples": [{"ts": "2026-05-06T18:00:00Z", "host": "cmp1", "program": "nova-compute", "level": "ERROR",
                 "message": "Instance failed to spawn", "id": "x"}],
    "link": "http://127.0.0.1:10010/api/v1/search?q=level%3AERROR", "starts_at": "2026-05-06T18:00:00Z",
    "ends_at": None,
}


class ChannelSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    type: Literal["email", "webhook", "alertmanager", "dingtalk", "wecom", "slack"]
    settings: dict[str, Any]
    template: str | None = Field(None, max_length=65536)
    enabled: bool = True


def parse_channel(data: object) -> ChannelSpec:
    """A channel from a request body: its settings checked against its type, its template compiled
    and tried on a sample; BadRequest names the first bad field."""
    spec = validated(ChannelSpec, data)
    settings = validated(SETTINGS[spec.type], spec.settings, "settings")
    settings.check()
    spec.settings = settings.model_dump()
    if spec.template is not None:
        try:
            render(spec.template, SAMPLE_PAYLOAD)
        except TemplateError as exc:
            raise BadRequest(f"template: {exc}", field="template") from None
    return spec


def settings_of(kind: str, settings: dict) -> Any:
    return SETTINGS[kind].model_validate(settings)


def _context(payload: dict) -> dict:
    group = payload.get("group") or {}
    value = payload.get("value")
    rule = payload.get("rule") or {}
    return {**payload, "group_text": ", ".join(f"{k}={v}" for k, v in group.items()),
            "value_text": "" if value is None else f"{value:.4g}",
            "threshold_text": "" if payload.get("threshold") is None else f"{payload['threshold']:.4g}",
            "window_text": _seconds_text(rule.get("window") or 0)}


def _seconds_text(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def render(template: str, payload: dict) -> str:
    return _ENV.from_string(template).render(_context(payload))


def message_for(kind: str, settings: Any, template: str | None, payload: dict) -> dict:
    """What the channel sends: for e-mail {subject, body}; for the others the JSON body."""
    text = render(template or DEFAULT_TEMPLATES[kind] or TEXT_TEMPLATE, payload) if (
        template or DEFAULT_TEMPLATES[kind]) else None
    if kind == "email":
        return {"subject": render(settings.subject, payload).strip()[:998], "body": text}
    if kind == "webhook":
        return orjson.loads(text) if template else payload
    if kind == "alertmanager":
        return _alertmanager(payload, settings.format)
    title = f"[{payload['status'].upper()}] {(payload.get('rule') or {}).get('name', 'Venus')}"
    if kind == "dingtalk":
        body: dict = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if settings.at_mobiles:
            body["at"] = {"atMobiles": settings.at_mobiles}
        return body
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"text": text}  # slack, and what speaks its incoming webhooks (Mattermost, Rocket.Chat)


def _alertmanager(payload: dict, fmt: str) -> Any:
    rule = payload.get("rule") or {}
    resolved = payload["status"] == "resolved"
    alert = {"status": "resolved" if resolved else "firing", "labels": payload.get("labels") or {},
             "annotations": {"summary": f"{rule.get('name', '')}: {rule.get('condition', '')} "
                                        f"{_context(payload)['value_text']} (threshold {payload.get('threshold')})",
                             "description": rule.get("description", ""),
                             "samples": "\n".join(s["message"][:300] for s in payload.get("samples") or [])},
             "startsAt": payload.get("starts_at"), "endsAt": payload.get("ends_at") or "0001-01-01T00:00:00Z",
             "generatorURL": payload.get("link", ""), "fingerprint": payload.get("group_key", "")}
    if fmt == "api":
        return [{k: alert[k] for k in ("labels", "annotations", "startsAt", "endsAt", "generatorURL")}
                if resolved else {k: alert[k] for k in ("labels", "annotations", "startsAt", "generatorURL")}]
    labels = payload.get("labels") or {}
    return {"version": "4", "groupKey": f"{rule.get('id', '')}:{payload.get('group_key', '')}",
            "truncatedAlerts": 0, "status": alert["status"], "receiver": "venus",
            "groupLabels": payload.get("group") or {}, "commonLabels": labels,
            "commonAnnotations": alert["annotations"], "externalURL": payload.get("external_url", ""),
            "alerts": [alert]}

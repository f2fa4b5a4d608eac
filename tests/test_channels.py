"""What each channel type sends, received by a real HTTP server: the generic webhook's payload,
Alertmanager's webhook and API shapes, DingTalk, WeCom and Slack robot messages; a template of the
operator's replaces the text."""

import pytest

from tests.alerting import WebhookReceiver
from venus.alerts.channels import SAMPLE_PAYLOAD, parse_channel
from venus.alerts.notify import SendFailed, send


@pytest.fixture
def hook():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def sent(hook, kind, settings=None, template=None, payload=SAMPLE_PAYLOAD):
    spec = parse_channel({"name": "c", "type": kind, "settings": {"url": hook.url, **(settings or {})},
                          "template": template})
    send(spec.type, spec.settings, spec.template, payload)
    return hook.bodies[-1]


def test_the_generic_webhook_posts_the_payload(hook):
    assert sent(hook, "webhook") == SAMPLE_PAYLOAD


def test_alertmanager_webhook_format(hook):
    body = sent(hook, "alertmanager")
    assert (body["version"], body["status"], body["receiver"]) == ("4", "firing", "venus")
    alert, = body["alerts"]
    assert alert["labels"] == SAMPLE_PAYLOAD["labels"]
    assert (alert["startsAt"], alert["generatorURL"]) == ("2026-05-06T18:00:00Z", SAMPLE_PAYLOAD["link"])
    assert alert["annotations"]["samples"] == "Instance failed to spawn"


def test_alertmanager_api_format_is_a_list_of_alerts(hook):
    body = sent(hook, "alertmanager", {"format": "api"})
    assert [sorted(a) for a in body] == [["annotations", "generatorURL", "labels", "startsAt"]]


def test_dingtalk_wecom_and_slack_get_their_markdown(hook):
    ding = sent(hook, "dingtalk", {"at_mobiles": ["13800000000"]})
    assert (ding["msgtype"], ding["markdown"]["title"], ding["at"]) == (
        "markdown", "[FIRING] nova errors", {"atMobiles": ["13800000000"]})
    assert "**[FIRING] nova errors** (error)" in ding["markdown"]["text"]
    assert "> cmp1 nova-compute ERROR: Instance failed to spawn" in ding["markdown"]["text"]
    wecom = sent(hook, "wecom")
    assert wecom["msgtype"] == "markdown" and wecom["markdown"]["content"] == ding["markdown"]["text"]
    assert sent(hook, "slack") == {"text": ding["markdown"]["text"]}


def test_an_operators_template_replaces_the_text(hook):
    body = sent(hook, "slack", template="{{ rule.name }} on {{ group_text }}: {{ value_text }}")
    assert body == {"text": "nova errors on program=nova-compute: 61"}


def test_a_receiver_that_refuses_is_a_send_failure(hook):
    hook.statuses = [503]
    with pytest.raises(SendFailed, match="HTTP 503"):
        sent(hook, "slack")

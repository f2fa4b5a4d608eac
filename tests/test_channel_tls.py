"""Channels over TLS, against real servers with a certificate of their own (self-signed, made by
openssl for the test): e-mail through STARTTLS and through implicit TLS with SMTP AUTH (aiosmtpd),
a webhook over HTTPS; the certificate is verified against the channel's ca_file, and a server the
channel cannot verify, or a refused login, is a send failure."""

import pytest

from tests.alerting import MailReceiver, WebhookReceiver, self_signed_certificate, server_tls
from venus.alerts.channels import SAMPLE_PAYLOAD, parse_channel
from venus.alerts.notify import SendFailed, send
from venus.errors import BadRequest

USERS = {"venus": "s3cret"}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def starttls_server(certificate):
    receiver = MailReceiver(tls=server_tls(*certificate), users=USERS)
    yield receiver
    receiver.close()


@pytest.fixture
def tls_server(certificate):
    receiver = MailReceiver(tls=server_tls(*certificate), implicit_tls=True, users=USERS)
    yield receiver
    receiver.close()


def mail(receiver, **settings):
    spec = parse_channel({"name": "m", "type": "email", "settings": {
        "host": "127.0.0.1", "port": receiver.port, "from_addr": "venus@example.org", "to": ["ops@example.org"],
        "username": "venus", "password": "s3cret", **settings}})
    send(spec.type, spec.settings, spec.template, SAMPLE_PAYLOAD)


def test_email_through_starttls_logs_in_and_arrives_encrypted(starttls_server, certificate):
    mail(starttls_server, security="starttls", ca_file=str(certificate[0]))
    message, = starttls_server.messages
    assert message["Subject"] == "[FIRING] nova errors (program=nova-compute)"
    assert starttls_server.sessions == [(True, "venus")]


def test_email_through_implicit_tls_logs_in_and_arrives_encrypted(tls_server, certificate):
    mail(tls_server, security="tls", ca_file=str(certificate[0]))
    assert [m["To"] for m in tls_server.messages] == ["ops@example.org"]
    assert tls_server.sessions == [(True, "venus")]


def test_a_refused_login_is_a_send_failure(starttls_server, certificate):
    with pytest.raises(SendFailed, match="535"):
        mail(starttls_server, security="starttls", ca_file=str(certificate[0]), password="wrong")
    assert starttls_server.messages == []


def test_a_certificate_the_system_does_not_trust_is_a_send_failure(tls_server):
    with pytest.raises(SendFailed, match="CERTIFICATE_VERIFY_FAILED"):
        mail(tls_server, security="tls")
    assert tls_server.messages == []


def test_a_webhook_over_https_is_verified_with_the_ca_file(certificate):
    hook = WebhookReceiver(tls=server_tls(*certificate))
    try:
        spec = parse_channel({"name": "h", "type": "webhook", "settings": {"url": hook.url}})
        with pytest.raises(SendFailed, match="CERTIFICATE_VERIFY_FAILED"):
            send(spec.type, spec.settings, spec.template, SAMPLE_PAYLOAD)
        spec.settings["ca_file"] = str(certificate[0])
        send(spec.type, spec.settings, spec.template, SAMPLE_PAYLOAD)
        assert hook.bodies == [SAMPLE_PAYLOAD]
    finally:
        hook.close()


def test_a_ca_file_that_cannot_be_loaded_is_refused_when_saved(tmp_path):
    (tmp_path / "not.pem").write_text("not a certificate")
    for path in (tmp_path / "missing.pem", tmp_path / "not.pem"):
        with pytest.raises(BadRequest) as caught:
            parse_channel({"name": "h", "type": "slack", "settings": {"url": "https://chat.example.org/h",
                                                                     "ca_file": str(path)}})
        assert caught.value.field == "settings.ca_file"

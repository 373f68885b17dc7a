"""The transports against a real SMTP server on localhost, and the outbox on disk."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from pathlib import Path

import pytest

from ledgerops.edge.mail import (
    MailSettingsError,
    OutboxTransport,
    SmtpSettings,
    SmtpTransport,
    open_transport,
)


def _message(to: str, number: int = 1, cc: str | None = None) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = "Studio <billing@studio.example>"
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = f"Invoice {number}"
    message["Message-ID"] = f"<INV-{number}.invoice@studio.example>"
    message.set_content(f"Invoice {number}\n.a line starting with a dot\n")
    return message


def _smtp(server, **extra: str) -> SmtpTransport:
    return SmtpTransport(SmtpSettings.from_environment(server.environ(**extra)))


def test_plain_smtp_delivers_a_batch_over_one_connection(smtp_server) -> None:
    server = smtp_server()
    with _smtp(server) as transport:
        outcomes = [transport.send(_message("ap@client.example", n, cc="pm@client.example")) for n in (1, 2)]
    assert [o.status for o in outcomes] == ["accepted", "accepted"]
    assert [r.recipients for r in server.received] == [["ap@client.example", "pm@client.example"]] * 2
    assert server.received[0].sender == "billing@studio.example"
    body = server.received[0].message.get_content()
    assert ".a line starting with a dot" in body  # dot-stuffing undone by the server


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # the test server's, not ours
@pytest.mark.parametrize("tls", ["starttls", "tls"])
def test_tls_with_a_trusted_certificate_and_login(smtp_server, tls: str) -> None:
    server = smtp_server(tls=tls, user="mara", password="s3cret")
    env = {"LEDGEROPS_SMTP_TLS": tls, "LEDGEROPS_SMTP_USER": "mara", "LEDGEROPS_SMTP_PASSWORD": "s3cret"}
    with _smtp(server, **env) as transport:
        assert transport.send(_message("ap@client.example")).status == "accepted"
    assert len(server.received) == 1


@pytest.mark.parametrize("tls", ["starttls", "tls"])
def test_an_untrusted_certificate_is_refused(smtp_server, tls: str) -> None:
    server = smtp_server(tls=tls)
    env = server.environ(LEDGEROPS_SMTP_TLS=tls)
    del env["LEDGEROPS_SMTP_CA_FILE"]  # only the system's CAs: the test CA is unknown to them
    with SmtpTransport(SmtpSettings.from_environment(env)) as transport:
        outcomes = [transport.send(_message("ap@client.example", n)) for n in (1, 2)]
    assert outcomes[0].status == "not_sent" and "not trusted" in outcomes[0].detail
    assert outcomes[1] == outcomes[0]  # one failed handshake, not one per message
    assert server.received == []


def test_wrong_password_is_not_sent_and_not_retried_and_never_shown(smtp_server) -> None:
    server = smtp_server(tls="starttls", user="mara", password="s3cret")
    settings = SmtpSettings.from_environment(server.environ(
        LEDGEROPS_SMTP_TLS="starttls", LEDGEROPS_SMTP_USER="mara", LEDGEROPS_SMTP_PASSWORD="wrong-pw"))  # fmt: skip
    with SmtpTransport(settings) as transport:
        outcome = transport.send(_message("ap@client.example"))
    assert outcome.status == "not_sent" and not outcome.retry and "authentication failed" in outcome.detail
    assert "wrong-pw" not in repr(settings) + outcome.detail
    assert server.received == []


def test_refused_recipients_fail_only_their_message(smtp_server) -> None:
    server = smtp_server()
    with _smtp(server) as transport:
        outcomes = [
            transport.send(_message("ap@client.example", 1)),
            transport.send(_message("refuse550@client.example", 2)),
            transport.send(_message("busy450@client.example", 3)),
            transport.send(_message("ap@client.example", 4, cc="refuse550@client.example")),
            transport.send(_message("reject554@client.example", 5)),
            transport.send(_message("ap@client.example", 6)),
        ]
    assert [(o.status, o.retry) for o in outcomes] == [
        ("accepted", False), ("not_sent", False), ("not_sent", True),
        ("not_sent", False), ("not_sent", False), ("accepted", False),
    ]  # fmt: skip
    assert "550" in outcomes[1].detail and "450" in outcomes[2].detail
    assert [r.message["Subject"] for r in server.received] == ["Invoice 1", "Invoice 6"]


def test_hang_up_before_the_data_is_not_sent_and_the_batch_goes_on(smtp_server) -> None:
    server = smtp_server()
    with _smtp(server) as transport:
        outcomes = [transport.send(_message(to, n)) for n, to in
                    enumerate(["ap@client.example", "dropmail@client.example", "ap@client.example"])]  # fmt: skip
    assert [(o.status, o.retry) for o in outcomes] == [
        ("accepted", False),
        ("not_sent", True),
        ("accepted", False),
    ]
    assert len(server.received) == 2


@pytest.mark.parametrize("fault", ["dropdata", "slowdata"])
def test_hang_up_or_silence_after_the_data_is_unknown(smtp_server, fault: str) -> None:
    server = smtp_server()
    with _smtp(server, LEDGEROPS_SMTP_TIMEOUT="0.5") as transport:
        first = transport.send(_message(f"{fault}@client.example", 1))
        second = transport.send(_message("ap@client.example", 2))
    assert first.status == "unknown"
    assert second.status == "accepted"
    assert len(server.received) == 2  # the server did read the first message


def test_nobody_listening_is_not_sent_with_retry() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"LEDGEROPS_SMTP_HOST": "127.0.0.1", "LEDGEROPS_SMTP_PORT": str(port), "LEDGEROPS_SMTP_TLS": "none"}
    with SmtpTransport(SmtpSettings.from_environment(env)) as transport:
        outcome = transport.send(_message("ap@client.example"))
    assert outcome.status == "not_sent" and outcome.retry and "cannot connect" in outcome.detail


@pytest.mark.parametrize(
    ("env", "problem"),
    [({}, "LEDGEROPS_SMTP_HOST"),
     ({"LEDGEROPS_SMTP_HOST": "mx.example", "LEDGEROPS_SMTP_TLS": "ssl"}, "starttls, tls or none"),
     ({"LEDGEROPS_SMTP_HOST": "mx.example", "LEDGEROPS_SMTP_PORT": "smtp"}, "positive number"),
     ({"LEDGEROPS_SMTP_HOST": "mx.example", "LEDGEROPS_SMTP_USER": "me"}, "PASSWORD is not"),
     ({"LEDGEROPS_SMTP_HOST": "mx.example", "LEDGEROPS_SMTP_USER": "me", "LEDGEROPS_SMTP_PASSWORD": "pw",
       "LEDGEROPS_SMTP_TLS": "none"}, "unencrypted")],
)  # fmt: skip
def test_bad_settings_are_one_clear_error(env: dict[str, str], problem: str) -> None:
    with pytest.raises(MailSettingsError, match=problem):
        SmtpSettings.from_environment(env)


def test_default_ports_follow_the_tls_mode() -> None:
    assert SmtpSettings.from_environment({"LEDGEROPS_SMTP_HOST": "mx.example"}).port == 587
    assert (
        SmtpSettings.from_environment({"LEDGEROPS_SMTP_HOST": "mx.example", "LEDGEROPS_SMTP_TLS": "tls"}).port
        == 465
    )


def test_outbox_writes_one_eml_per_message_id(tmp_path: Path) -> None:
    transport = open_transport("outbox", tmp_path)
    assert isinstance(transport, OutboxTransport)
    with transport:
        outcome = transport.send(_message("ap@client.example", 7))
    path = tmp_path / "outbox" / "INV-7.invoice@studio.example.eml"
    assert outcome.status == "accepted" and path.is_file()
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == "<INV-7.invoice@studio.example>"
    assert [p.name for p in (tmp_path / "outbox").iterdir()] == [path.name]  # no temporary files left

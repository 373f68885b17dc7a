"""Mail transports: the outbox folder, and SMTP with TLS.

A transport delivers one message at a time and says what became of it:
- accepted: the server (or the outbox) took the message;
- not_sent: refused before the message data was sent, so nothing left; `retry` says
  whether trying again later may work (4xx replies, network trouble) or not (5xx, bad
  credentials, an untrusted certificate);
- unknown: the connection broke or timed out after the data was sent, so the server may
  have taken it. Never send such a message again blindly.
"""

from __future__ import annotations

import contextlib
import email.policy
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Literal, Protocol, Self

from ledgerops.core.errors import MailSettingsError
from ledgerops.edge.store import write_atomic

Status = Literal["accepted", "not_sent", "unknown"]
TlsMode = Literal["starttls", "tls", "none"]
_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._@+-]")


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    detail: str = ""
    retry: bool = False


ACCEPTED = Outcome("accepted")


class Transport(Protocol):
    """Used as a context manager around one batch: one connection, closed at the end."""

    kind: str  # what the ledger records as how a message left: smtp | outbox

    def send(self, message: EmailMessage) -> Outcome: ...

    @property
    def broken(self) -> bool:
        """True once no later message of the batch can be sent (a refused login, say)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


def recipients(message: EmailMessage) -> list[str]:
    """The envelope recipients: every address in To and Cc (the composer never writes Bcc)."""
    values = [str(value) for header in ("To", "Cc") for value in message.get_all(header, [])]
    return [address for _, address in getaddresses(values) if address]


def _sender(message: EmailMessage) -> str:
    return parseaddr(str(message.get("From", "")))[1]


class _Batch:
    """Context-manager plumbing shared by the transports."""

    @property
    def broken(self) -> bool:
        return False

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- outbox -------------------------------------------------------------------------------
class OutboxTransport(_Batch):
    """Writes each message to <folder>/<Message-ID>.eml, as a mail program would send it."""

    kind = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, message: EmailMessage) -> Path:
        message_id = str(message.get("Message-ID", "")).strip().strip("<>")
        if not message_id:
            raise ValueError("a message without Message-ID cannot go to the outbox")
        return self.folder / f"{_UNSAFE_NAME.sub('_', message_id)}.eml"

    def send(self, message: EmailMessage) -> Outcome:
        path = self.path_for(message)
        try:
            write_atomic(path, message.as_bytes(policy=email.policy.SMTP))
        except OSError as error:
            return Outcome("not_sent", f"cannot write {path}: {error.strerror or error}", retry=True)
        return Outcome("accepted", str(path))


# --- SMTP ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    tls: TlsMode = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    ca_file: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SmtpSettings:
        """LEDGEROPS_SMTP_HOST, _PORT, _USER, _PASSWORD, _TLS (starttls|tls|none),
        _TIMEOUT (seconds) and _CA_FILE (a CA bundle to trust instead of the system's)."""

        def get(name: str) -> str | None:
            value = environ.get(f"LEDGEROPS_SMTP_{name}", "").strip()
            return value or None

        host = get("HOST")
        if host is None:
            raise MailSettingsError("--transport smtp needs LEDGEROPS_SMTP_HOST in the environment")
        tls = (get("TLS") or "starttls").lower()
        if tls not in _DEFAULT_PORTS:
            raise MailSettingsError(f"LEDGEROPS_SMTP_TLS is '{tls}'; use starttls, tls or none")
        port = _number(get("PORT"), "PORT", int) if get("PORT") else _DEFAULT_PORTS[tls]
        timeout = _number(get("TIMEOUT"), "TIMEOUT", float) if get("TIMEOUT") else 30.0
        user, password = get("USER"), environ.get("LEDGEROPS_SMTP_PASSWORD") or None
        if user and not password:
            raise MailSettingsError("LEDGEROPS_SMTP_USER is set but LEDGEROPS_SMTP_PASSWORD is not")
        if user and tls == "none" and host not in _LOCAL_HOSTS:
            raise MailSettingsError(
                "refusing to send the SMTP password unencrypted; set LEDGEROPS_SMTP_TLS to starttls or tls"
            )
        ca_file = get("CA_FILE")
        if ca_file and not os.path.isfile(ca_file):
            raise MailSettingsError(f"LEDGEROPS_SMTP_CA_FILE {ca_file} is not a file")
        return cls(host, port, tls, user, password, timeout, ca_file)  # type: ignore[arg-type]


def _number(text: str | None, name: str, kind: type) -> int | float:
    try:
        value = kind(text)
    except (TypeError, ValueError):
        value = 0
    if value <= 0:
        raise MailSettingsError(f"LEDGEROPS_SMTP_{name} is '{text}'; it must be a positive number")
    return value


class _Dropped(Exception):
    """The connection broke before the message data went out."""


class SmtpTransport(_Batch):
    """One connection per batch, opened on the first message and reopened after a drop."""

    kind = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._fatal: Outcome | None = None  # a failure no later message in the batch can escape

    @property
    def broken(self) -> bool:
        return self._fatal is not None

    def send(self, message: EmailMessage) -> Outcome:
        sender, rcpts = _sender(message), recipients(message)
        if not sender or not rcpts:
            return Outcome("not_sent", "the message has no sender or no recipient")
        payload = _dot_stuffed(message.as_bytes(policy=email.policy.SMTP))
        reused = self._smtp is not None
        try:
            return self._deliver(sender, rcpts, payload)
        except _Dropped as dropped:
            self._discard()
            if not reused:
                return Outcome("not_sent", f"connection lost before sending: {dropped}", retry=True)
        # The server may close a connection that sat idle between two messages: reopen once.
        try:
            return self._deliver(sender, rcpts, payload)
        except _Dropped as dropped:
            self._discard()
            return Outcome("not_sent", f"connection lost before sending: {dropped}", retry=True)

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._discard()

    # --- the conversation -----------------------------------------------------------------
    def _deliver(self, sender: str, rcpts: list[str], payload: bytes) -> Outcome:
        if self._fatal is None and self._smtp is None:
            self._connect()
        if self._fatal is not None or self._smtp is None:
            return self._fatal or Outcome("not_sent", "no connection", retry=True)
        return self._transmit(self._smtp, sender, rcpts, payload)

    def _connect(self) -> None:
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file)
        where = f"{s.host}:{s.port}"
        smtp: smtplib.SMTP | None = None
        try:
            if s.tls == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
            if s.tls == "starttls":
                if not smtp.has_extn("starttls"):
                    raise _Fatal(f"{where} does not offer STARTTLS")
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except _Fatal as error:
            self._fail(smtp, Outcome("not_sent", str(error)))
        except ssl.SSLCertVerificationError as error:
            self._fail(smtp, Outcome("not_sent", f"{where}: the server's certificate is not trusted "
                                     f"({error.verify_message})"))  # fmt: skip
        except smtplib.SMTPAuthenticationError as error:
            temporary = 400 <= error.smtp_code < 500
            self._fail(smtp, Outcome("not_sent", f"{where}: authentication failed ({error.smtp_code})",
                                     retry=temporary))  # fmt: skip
        except smtplib.SMTPNotSupportedError:
            self._fail(smtp, Outcome("not_sent", f"{where} does not offer authentication"))
        except (smtplib.SMTPException, OSError) as error:
            self._fail(
                smtp, Outcome("not_sent", f"cannot connect to {where}: {_describe(error)}", retry=True)
            )
        else:
            self._smtp = smtp

    def _transmit(self, smtp: smtplib.SMTP, sender: str, rcpts: list[str], payload: bytes) -> Outcome:
        """MAIL, RCPT and DATA by hand: smtplib's sendmail cannot tell a refusal before the
        data from a connection lost after it, and only the second may have delivered."""
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                return self._refused(smtp, "sender", code, reply)
            for address in rcpts:
                code, reply = smtp.rcpt(address)
                if code not in (250, 251):
                    return self._refused(smtp, f"recipient {address}", code, reply)
            smtp.putcmd("data")
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            raise _Dropped(_describe(error)) from error
        if code != 354:
            return self._refused(smtp, "DATA", code, reply)
        try:
            smtp.send(payload)
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._discard()
            return Outcome("unknown", f"the connection broke after the message was sent: {_describe(error)}")
        if code == 250:
            return ACCEPTED
        return Outcome("not_sent", f"message refused: {code} {_text(reply)}", retry=400 <= code < 500)

    def _refused(self, smtp: smtplib.SMTP, what: str, code: int, reply: bytes) -> Outcome:
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._discard()
        return Outcome("not_sent", f"{what} refused: {code} {_text(reply)}", retry=400 <= code < 500)

    def _fail(self, smtp: smtplib.SMTP | None, outcome: Outcome) -> None:
        if smtp is not None:
            smtp.close()
        self._fatal = outcome

    def _discard(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None


class _Fatal(Exception):
    pass


def _dot_stuffed(payload: bytes) -> bytes:
    """DATA content: leading dots doubled, ended by CRLF.CRLF (RFC 5321 4.5.2)."""
    data = re.sub(rb"(?m)^\.", b"..", payload)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(reply: bytes) -> str:
    return reply.decode("utf-8", "replace").replace("\n", " ").strip()


def _describe(error: BaseException) -> str:
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(error) or type(error).__name__


def smtp_configured(environ: Mapping[str, str] | None = None) -> bool:
    return bool((os.environ if environ is None else environ).get("LEDGEROPS_SMTP_HOST", "").strip())


def open_transport(kind: str, ledger_dir: Path, environ: Mapping[str, str] | None = None) -> Transport:
    """The transport named on the command line: `outbox` or `smtp`."""
    if kind == "smtp":
        return SmtpTransport(SmtpSettings.from_environment(os.environ if environ is None else environ))
    if kind == "outbox":
        return OutboxTransport(ledger_dir / "outbox")
    raise MailSettingsError(f"unknown transport '{kind}'; use outbox or smtp")

"""A real SMTP server on localhost (aiosmtpd), with faults chosen per recipient address.

Recipients whose local part names a fault trigger it:
  refuse550@...   RCPT answered 550 (permanent)     busy450@...  RCPT answered 450 (temporary)
  dropmail@...    the server hangs up on RCPT        dropdata@... hangs up after taking the data
  slowdata@...    never answers the data (timeout)   reject554@... data answered 554
Every message whose data the server read is in `received`, even when it then hung up.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[return-value]


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    drop_after: int | None = None  # hang up after every this many accepted messages

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("refuse550"):
            return "550 5.1.1 no such mailbox"
        if local.startswith("busy450"):
            return "450 4.2.1 mailbox busy, try later"
        if local.startswith("dropmail"):
            server.transport.close()
            return "421 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        locals_ = [address.split("@", 1)[0] for address in envelope.rcpt_tos]
        if any(local.startswith("reject554") for local in locals_):
            return "554 5.7.1 message refused"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        if any(local.startswith("dropdata") for local in locals_):
            server.transport.abort()
            return "250 OK"
        if any(local.startswith("slowdata") for local in locals_):
            await asyncio.sleep(5)
        if self.drop_after and len(self.received) % self.drop_after == 0:
            await server.push("250 OK")
            server.transport.close()  # like a server that allows one message per connection
        return "250 OK"


class _AnyPortController(Controller):
    """aiosmtpd's controller, bound to a free port chosen by the system (xdist-safe)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class MailServer:
    controller: Controller
    handler: Handler
    ca_file: Path | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def environ(self, **extra: str) -> dict[str, str]:
        """The LEDGEROPS_SMTP_* settings that reach this server."""
        env = {"LEDGEROPS_SMTP_HOST": "localhost", "LEDGEROPS_SMTP_PORT": str(self.controller.port),
               "LEDGEROPS_SMTP_TLS": "none", "LEDGEROPS_SMTP_TIMEOUT": "2"}  # fmt: skip
        if self.ca_file:
            env["LEDGEROPS_SMTP_CA_FILE"] = str(self.ca_file)
        env.update(extra)
        return env


def _authenticator(user: str, password: str):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == (user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)

    return check


def start(tmp: Path, tls: str = "none", user: str | None = None, password: str | None = None) -> MailServer:
    """tls: none | starttls | tls (implicit). With a user, AUTH is required."""
    handler = Handler()
    kwargs: dict = {}
    ca_file = None
    if tls != "none":
        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
        ca_file = tmp / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        if tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        else:
            kwargs.update(ssl_context=context)
    if user:
        kwargs.update(
            authenticator=_authenticator(user, password or ""),
            auth_required=True,
            auth_require_tls=tls == "starttls",
        )  # fmt: skip  (aiosmtpd cannot see implicit TLS)
    controller = _AnyPortController(handler, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    return MailServer(controller, handler, ca_file)

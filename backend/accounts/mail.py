"""Invite and password-reset mails over SMTP, when `FLOWLOOM_SMTP_URL` is set.

No mail server is assumed: without one, links are shown only to whoever created them. The standard
library's `smtplib` runs in a worker thread (it blocks), with a timeout, so a slow mail server delays
the one mutation that sends, never the event loop. A mail that cannot be sent is logged and reported
as not sent; the link itself still works.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import anyio.to_thread

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand mails over, parsed from `smtp://`, `smtp+starttls://` or `smtps://` URLs."""

    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        """Parse an SMTP URL (`scheme://user:password@host:port`); raises ValueError if it is not one."""
        parts = urlsplit(url)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError("FLOWLOOM_SMTP_URL must look like smtp[s]://[user:password@]host[:port]")
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            port=parts.port or _DEFAULT_PORTS[parts.scheme],
            username=None if parts.username is None else unquote(parts.username),
            password=None if parts.password is None else unquote(parts.password),
        )


class Mailer:
    """Sends plain-text mails through one SMTP server, or does nothing when there is none."""

    def __init__(self, smtp_url: str | None, sender: str, timeout: float = 10.0) -> None:
        self._server = None if smtp_url is None else SmtpServer.parse(smtp_url)
        self._sender = sender
        self._timeout = timeout

    @property
    def configured(self) -> bool:
        """Whether mails are sent at all."""
        return self._server is not None

    async def send(self, to: str, subject: str, body: str) -> bool:
        """Send one mail; whether the server accepted it (failures are logged, never raised)."""
        server = self._server
        if server is None:
            return False
        message = EmailMessage()
        try:
            message["From"] = self._sender
            message["To"] = to
            message["Subject"] = subject
        except ValueError:
            log.warning("mail to a malformed address or with a malformed subject not sent")
            return False
        message.set_content(body)
        try:
            await anyio.to_thread.run_sync(self._deliver, server, message)
        except (OSError, smtplib.SMTPException) as exc:
            # the link was shown to whoever created it; the mail is a convenience on top
            log.warning("sending a mail through %s:%s failed: %s", server.host, server.port, exc)
            return False
        return True

    def _deliver(self, server: SmtpServer, message: EmailMessage) -> None:
        client: smtplib.SMTP
        if server.scheme == "smtps":
            client = smtplib.SMTP_SSL(
                server.host, server.port, timeout=self._timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=self._timeout)
        with client:
            if server.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if server.username is not None:
                client.login(server.username, server.password or "")
            client.send_message(message)

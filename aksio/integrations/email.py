"""Outgoing mail: a `Mailer` port and the adapters `AKSIO_EMAIL_BACKEND` chooses.

`console` prints each message to standard output, `file:///dir` writes one
`.eml` file per message into `dir`, `smtp://host:port` sends through an SMTP
server (no authentication, as a local relay expects).
"""

from __future__ import annotations

import os
import smtplib
import sys
import time
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

DEFAULT_SENDER = "Aksio <no-reply@aksio.localhost>"


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


def compose(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="aksio.localhost")
    message.set_content(body)
    return message


class ConsoleMailer:
    def __init__(self, sender: str = DEFAULT_SENDER) -> None:
        self.sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        text = compose(self.sender, to, subject, body).as_string()
        print(f"{text}\n{'-' * 72}", file=sys.stdout, flush=True)


class FileMailer:
    """Writes each message to its own file; a reader never sees a half-written one."""

    def __init__(self, directory: Path, sender: str = DEFAULT_SENDER) -> None:
        self.directory = directory
        self.sender = sender

    def send(self, to: str, subject: str, body: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        message = compose(self.sender, to, subject, body)
        name = f"{time.time_ns()}-{uuid.uuid4().hex}"
        partial = self.directory / f".{name}.tmp"
        partial.write_bytes(message.as_bytes())
        os.replace(partial, self.directory / f"{name}.eml")


class SmtpMailer:
    def __init__(
        self, host: str, port: int, sender: str = DEFAULT_SENDER, timeout: float = 10.0
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout = timeout

    def send(self, to: str, subject: str, body: str) -> None:
        message = compose(self.sender, to, subject, body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(message)


def mailer_from_url(url: str, sender: str = DEFAULT_SENDER) -> Mailer:
    """The adapter for an `AKSIO_EMAIL_BACKEND` value."""
    if url == "console":
        return ConsoleMailer(sender)
    parsed = urlparse(url)
    if parsed.scheme == "file":
        host = "" if parsed.netloc in ("", "localhost") else parsed.netloc
        path = unquote(host + parsed.path)
        if not path:
            raise ValueError("file email backend needs a directory: file:///path/to/dir")
        return FileMailer(Path(path), sender)
    if parsed.scheme == "smtp":
        return SmtpMailer(parsed.hostname or "localhost", parsed.port or 25, sender)
    raise ValueError(f"unknown email backend {url!r}: use console, file:///dir or smtp://host:port")

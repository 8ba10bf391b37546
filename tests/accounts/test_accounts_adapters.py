"""The mail adapters (console, file, a real SMTP exchange on loopback) and the password hasher."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from aksio.integrations.email import ConsoleMailer, FileMailer, SmtpMailer, mailer_from_url
from aksio.integrations.passwords import Argon2PasswordHasher


class SmtpSink(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 to accept one message and keep its raw bytes."""

    received: list[bytes]

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 sink ready")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 sink")
            elif verb == b"DATA":
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.received.append(data)
                self.reply("250 queued")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, list[bytes]]]:
    received: list[bytes] = []
    handler = type("Sink", (SmtpSink,), {"received": received})
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server.server_address[1], received
        server.shutdown()


def test_backend_urls_choose_adapters(tmp_path: Path) -> None:
    assert isinstance(mailer_from_url("console"), ConsoleMailer)
    file_mailer = mailer_from_url(f"file://{tmp_path}")
    assert isinstance(file_mailer, FileMailer) and file_mailer.directory == tmp_path
    smtp = mailer_from_url("smtp://127.0.0.1:2525")
    assert isinstance(smtp, SmtpMailer) and (smtp.host, smtp.port) == ("127.0.0.1", 2525)
    with pytest.raises(ValueError):
        mailer_from_url("carrier-pigeon://coop")


def test_file_backend_writes_one_eml_per_message(tmp_path: Path) -> None:
    mailer = FileMailer(tmp_path / "mail")
    mailer.send("ada@example.com", "First", "Hello Ada\n")
    mailer.send("grace@example.com", "Second", "Hello Grace\n")
    files = sorted((tmp_path / "mail").iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]
    messages = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(m["To"] for m in messages) == ["ada@example.com", "grace@example.com"]
    assert all(m["Message-ID"] and m["Date"] for m in messages)


def test_console_backend_prints(capsys: pytest.CaptureFixture[str]) -> None:
    ConsoleMailer().send("ada@example.com", "Hi", "The body text\n")
    out = capsys.readouterr().out
    assert "To: ada@example.com" in out and "The body text" in out


def test_smtp_backend_delivers(smtp_sink: tuple[int, list[bytes]]) -> None:
    port, received = smtp_sink
    SmtpMailer("127.0.0.1", port).send("ada@example.com", "Reset", "token: abc\n")
    (raw,) = received
    message = message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "ada@example.com" and message["Subject"] == "Reset"
    assert isinstance(message, EmailMessage) and "token: abc" in message.get_content()


def test_hasher_is_argon2id_with_the_configured_memory() -> None:
    hasher = Argon2PasswordHasher(memory_kib=1024)
    digest = hasher.hash("correct horse")
    assert digest.startswith("$argon2id$") and "m=1024," in digest
    assert "correct horse" not in digest and digest != hasher.hash("correct horse")
    assert hasher.verify(digest, "correct horse")
    assert not hasher.verify(digest, "wrong horse")
    assert not hasher.verify("not a hash", "correct horse")
    hasher.burn("anything")

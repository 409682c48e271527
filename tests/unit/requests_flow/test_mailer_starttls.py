"""The SMTP mailer upgrades with STARTTLS and logs in, against a local aiosmtpd server that requires both."""

from __future__ import annotations

import datetime as dt
import email
import smtplib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from privacyops.requests.mailer import SmtpMailer, build_message

USER, PASSWORD = "mailer", "correct horse"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@dataclass
class Server:
    port: int
    cert: Path
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok, handled=False)  # the server answers 535 itself on failure


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    cert, key = self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    found = Server(free_port(), cert)
    controller = Controller(
        found,
        hostname="127.0.0.1",
        port=found.port,
        server_hostname="localhost",
        tls_context=tls,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=found.authenticate,
    )
    controller.start()
    yield found
    controller.stop()


def message() -> EmailMessage:
    return build_message(
        sender="privacy@example.com",
        recipient="ada@example.com",
        subject="Hello",
        text="plain part",
        html="<p>html part</p>",
        message_id="<t1@example.com>",
    )


def trusting(server: Server) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(server.cert))
    context.check_hostname = False  # the server is reached as 127.0.0.1, its certificate names localhost
    return context


def test_starttls_and_login_deliver(server: Server) -> None:
    context = trusting(server)
    mailer = SmtpMailer(
        "127.0.0.1", server.port, username=USER, password=PASSWORD, starttls=True, tls_context=context
    )
    mailer.send(message())
    assert [m["Message-ID"] for m in server.messages] == ["<t1@example.com>"]
    assert server.logins


def test_without_starttls_the_server_refuses(server: Server) -> None:
    with pytest.raises(smtplib.SMTPException):
        SmtpMailer("127.0.0.1", server.port, username=USER, password=PASSWORD).send(message())
    assert server.messages == []


def test_a_wrong_password_is_refused(server: Server) -> None:
    mailer = SmtpMailer(
        "127.0.0.1", server.port, username=USER, password="wrong", starttls=True, tls_context=trusting(server)
    )
    with pytest.raises(smtplib.SMTPAuthenticationError):
        mailer.send(message())
    assert server.messages == []


def test_an_untrusted_certificate_is_refused(server: Server) -> None:
    mailer = SmtpMailer("127.0.0.1", server.port, username=USER, password=PASSWORD, starttls=True, timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError):
        mailer.send(message())
    assert server.messages == []

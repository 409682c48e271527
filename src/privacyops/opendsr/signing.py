"""The processor's signing key: ECDSA P-256, generated once into the home folder, with its certificate.

Every OpenDSR answer and callback carries ``X-OpenDSR-Signature``: the base64 ECDSA-SHA256 signature of
the exact body bytes. Customers verify it with the public key published by discovery (inline, and as a
certificate at ``processor_certificate``). The certificate is self-signed; a deployment that has one from
a certificate authority puts its key and certificate in the same files.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from privacyops import home as home_folder
from privacyops.settings import Settings

KEY_FILE = "opendsr_signing_key.pem"
CERT_FILE = "opendsr_certificate.pem"
SIGNATURE_HEADER = "X-OpenDSR-Signature"
DOMAIN_HEADER = "X-OpenDSR-Processor-Domain"
CERT_VALID_DAYS = 825


@dataclass(frozen=True)
class Signer:
    """The private key that signs, the certificate that carries its public key, and the processor domain."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    domain: str

    def sign(self, body: bytes) -> str:
        """Return the base64 signature of ``body``."""
        return base64.b64encode(self.key.sign(body, ec.ECDSA(hashes.SHA256()))).decode()

    def headers(self, body: bytes) -> dict[str, str]:
        """Return the headers that go with a signed body."""
        return {SIGNATURE_HEADER: self.sign(body), DOMAIN_HEADER: self.domain}

    def public_key_pem(self) -> str:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def verify(public_key_pem: str, body: bytes, signature: str) -> bool:
    """Tell whether ``signature`` (base64) is a valid signature of ``body`` by the key in the PEM."""
    key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(base64.b64decode(signature), body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def domain_of(settings: Settings) -> str:
    """Return the processor domain: the host of the public URL."""
    return urlsplit(settings.public_url).hostname or "localhost"


def load_signer(settings: Settings) -> Signer:
    """Return the signer, generating the key and certificate into ``settings.home`` on first use."""
    home = Path(settings.home)
    domain = domain_of(settings)
    key = _load_or_create_key(home / KEY_FILE)
    cert_path = home / CERT_FILE
    if cert_path.exists():
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if certificate.public_key() == key.public_key():
            return Signer(key, certificate, domain)
    certificate = _self_signed(key, domain)
    home_folder.write_private(cert_path, certificate.public_bytes(serialization.Encoding.PEM))
    return Signer(key, certificate, domain)


def _load_or_create_key(path: Path) -> ec.EllipticCurvePrivateKey:
    if not path.exists():
        home_folder.private_folder(path.parent)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process wrote it first; use theirs
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} does not hold an ECDSA private key; remove it to have a new one generated")
    return key


def _self_signed(key: ec.EllipticCurvePrivateKey, domain: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=CERT_VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )

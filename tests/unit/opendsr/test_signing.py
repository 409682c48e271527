"""The signing key: generated once, private to its owner, and signatures that a changed byte breaks."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from privacyops.opendsr import signing
from privacyops.settings import Settings


@pytest.mark.req("PC-2")
def test_key_is_generated_once_and_verifies(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", public_url="https://processor.example:8443/x")
    signer = signing.load_signer(settings)
    key_file = tmp_path / "home" / signing.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = signing.load_signer(settings)
    assert again.public_key_pem() == signer.public_key_pem()
    assert signer.domain == "processor.example"
    body = b'{"request_status":"completed"}'
    signature = signer.sign(body)
    assert signing.verify(signer.public_key_pem(), body, signature)
    assert not signing.verify(signer.public_key_pem(), body.replace(b"completed", b"cancelled"), signature)
    assert not signing.verify(signer.public_key_pem(), body, "bm90IGEgc2lnbmF0dXJl")
    assert "BEGIN CERTIFICATE" in signer.certificate_pem()
    assert signer.certificate.public_key() == signer.key.public_key()


def test_headers_carry_signature_and_domain(tmp_path: Path) -> None:
    signer = signing.load_signer(Settings(home=tmp_path, public_url="http://127.0.0.1:8000"))
    headers = signer.headers(b"{}")
    assert headers[signing.DOMAIN_HEADER] == "127.0.0.1"
    assert signing.verify(signer.public_key_pem(), b"{}", headers[signing.SIGNATURE_HEADER])

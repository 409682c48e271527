from __future__ import annotations

import pytest

from privacyops.package import crypto

KEY = "a secret key of the deployment"
DATA = b"PK\x03\x04 a zip would be here" * 50


def test_sealed_data_opens_with_the_same_key() -> None:
    blob = crypto.seal(DATA, KEY)
    assert DATA not in blob
    assert crypto.open_sealed(blob, KEY) == DATA
    assert crypto.open_sealed(crypto.seal(DATA, KEY.encode()), KEY) == DATA


def test_every_package_gets_its_own_salt_and_key() -> None:
    first, second = crypto.seal(DATA, KEY), crypto.seal(DATA, KEY)
    head = len(crypto.MAGIC)
    assert first[head:head + crypto.SALT_BYTES] != second[head:head + crypto.SALT_BYTES]
    assert first != second
    salt_a, salt_b = b"a" * 16, b"b" * 16
    assert crypto.derive_key(KEY, salt_a) != crypto.derive_key(KEY, salt_b)
    assert len(crypto.derive_key(KEY, salt_a)) == 32


@pytest.mark.parametrize("where", ["magic", "salt", "nonce", "body", "tag"])
def test_a_changed_byte_anywhere_is_detected(where: str) -> None:
    blob = bytearray(crypto.seal(DATA, KEY))
    head = len(crypto.MAGIC)
    position = {"magic": 0, "salt": head + 3, "nonce": head + crypto.SALT_BYTES + 2,
                "body": head + crypto.SALT_BYTES + crypto.NONCE_BYTES + 10, "tag": len(blob) - 1}[where]
    blob[position] ^= 0x01
    with pytest.raises(crypto.SealError):
        crypto.open_sealed(bytes(blob), KEY)


def test_wrong_key_truncation_and_empty_key_are_refused() -> None:
    blob = crypto.seal(DATA, KEY)
    with pytest.raises(crypto.SealError, match="altered or sealed under another secret key"):
        crypto.open_sealed(blob, "another key")
    with pytest.raises(crypto.SealError, match="cut short"):
        crypto.open_sealed(blob[:20], KEY)
    with pytest.raises(crypto.SealError):
        crypto.open_sealed(blob[:-5], KEY)
    with pytest.raises(crypto.SealError, match="PRIVACYOPS_SECRET_KEY"):
        crypto.seal(DATA, "")

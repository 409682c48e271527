from __future__ import annotations

import base64
import json

import pytest

from privacyops.pii.recognizers.secrets import looks_random, shannon_entropy
from tests.unit.pii.helpers import found


def _jwt() -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': '42'})}.c2lnbmF0dXJlLWJ5dGVzLWhlcmU"


PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n"
    "4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PRIVATE KEY-----"
)
SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
KEY36 = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"

CASES = [
    ("AKIAIOSFODNN7EXAMPLE in config", ["AKIAIOSFODNN7EXAMPLE"]),
    ("key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", ["AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"]),
    (f"token ghp_{KEY36}", [f"ghp_{KEY36}"]),
    (SLACK, [SLACK]),
    ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", ["sk_live_4eC39HqLyjWDarjtT1zdp7dc"]),
    ("OPENAI_API_KEY=sk-proj-Ab3De5Gh7Jk9Lm1Np3Qr5St7Vw9Xy1Z", ["sk-proj-Ab3De5Gh7Jk9Lm1Np3Qr5St7Vw9Xy1Z"]),
    ("sk-ant-api03-" + "Ab3De5Gh7Jk9" * 8 + "AA", ["sk-ant-api03-" + "Ab3De5Gh7Jk9" * 8 + "AA"]),
    ("Authorization: Bearer " + _jwt(), [_jwt()]),
    (PEM, [PEM]),
    ("postgres://app:S3cr3t!pw@db.internal:5432/app", ["S3cr3t!pw"]),
    ("Server=db;User Id=sa;Password=Hunter2x;", ["Hunter2x"]),
    ('{"password": "correct horse"}', ["correct"]),
    ('{\\"client_secret\\": \\"Zx8fK2pQ9mVt7LrW3nYb\\"}', ["Zx8fK2pQ9mVt7LrW3nYb"]),
    ("api_key = 'q8Vn2LpX7sK4mR9tW3zY6bH1'", ["q8Vn2LpX7sK4mR9tW3zY6bH1"]),
    ("glpat-Ab3De5Gh7Jk9Lm1Np3Qr", ["glpat-Ab3De5Gh7Jk9Lm1Np3Qr"]),
    # Not secrets: placeholders, words, hashes without a key-like name, a library name.
    ("password: ********", []),
    ('"password": null', []),
    ("api_key=${API_KEY}", []),
    ("commit 3f786850e387550fdab836ed7e6dc881de23001b", []),
    ("pip install sk-learn-tutorial-for-beginners", []),
    ("the token limit is 4096", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_secret(text: str, expected: list[str]) -> None:
    assert found(text, "SECRET") == expected


def test_entropy_separates_words_from_keys() -> None:
    assert shannon_entropy("aaaa") == 0.0
    assert looks_random("q8Vn2LpX7sK4mR9tW3zY6bH1")
    assert not looks_random("thisisjustalongword")

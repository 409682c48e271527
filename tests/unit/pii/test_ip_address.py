from __future__ import annotations

import pytest

from tests.unit.pii.helpers import found

CASES = [
    ("client 203.0.113.7 connected", ["203.0.113.7"]),
    ("10.0.0.1 - - [01/Jan/2025]", ["10.0.0.1"]),
    ("v6 2001:db8:85a3::8a2e:370:7334 seen", ["2001:db8:85a3::8a2e:370:7334"]),
    ("full fe80:0:0:0:202:b3ff:fe1e:8329", ["fe80:0:0:0:202:b3ff:fe1e:8329"]),
    ("mapped ::ffff:192.0.2.128", ["::ffff:192.0.2.128"]),
    ("out of range 256.1.1.1", []),
    ("version v1.2.3.4", []),
    ("oid 1.3.6.1.4.1", []),
    ("at 12:30:45 sharp", []),
    ("mac 00:1a:2b:3c:4d:5e", []),
    ("c++ std::vector", []),
    ("firmware version 4.2.1.9", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_ip_address(text: str, expected: list[str]) -> None:
    assert found(text, "IP_ADDRESS") == expected

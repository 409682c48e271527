"""Credentials: cloud and SaaS API keys, JWTs, private-key blocks, passwords in URLs and assignments.

Provider keys have fixed prefixes and alphabets and are reported on sight. Generic tokens count only
when a key-like name stands right before them (``api_key=``, ``"client_secret": ``) and the value
looks random enough; passwords count after a password-like name whatever they look like.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from typing import ClassVar

from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer

_VALUE_END = r"[^ \t\r\n\"',;<>\\]"
# Quotes may arrive escaped once or twice (JSON inside a JSON string): \" or \\\".
_ASSIGN = r"(?:\\{0,3}[\"'])?[ \t]{0,3}[:=][ \t]{0,3}(?:\\{0,3}[\"'])?"
# A token pattern ends with the first character outside its alphabet (or the end of the text), so the
# scan reports one end per token instead of one per character.
_END_TOKEN = r"(?:[^A-Za-z0-9_\-]|$)"
_END_VALUE = r"(?:[^A-Za-z0-9_\-+/=.~]|$)"
_END_FREE = r"(?:[ \t\r\n\"',;<>\\]|$)"
_KEYWORDS = (
    r"(?i)(?:api[_-]?key|apikey|secret|token|access[_-]?key|auth[_-]?key|client[_-]?secret|private[_-]?key"
    r"|credential|signing[_-]?key|encryption[_-]?key|session[_-]?id|x-api-key|access_token|refresh_token)"
)
_DIGIT = re.compile(r"[0-9]")
_PLACEHOLDERS = frozenset({
    "null", "none", "nil", "true", "false", "undefined", "required", "optional", "string", "password",
    "secret", "token", "changeme", "redacted", "hidden", "xxx", "example", "your_password", "[redacted]",
    "<redacted>", "[filtered]", "masked", "n/a", "str", "bool", "int", "...", "empty", "none)", "null)",
})  # fmt: skip


def _p(
    name: str, regex: str, score: float = 0.95, *requires: str, group: str | None = None, lead: str = ""
) -> Pattern:
    if group is None and "(?P<v>" in regex:
        group = "v"
    return Pattern(name, regex, score, group=group, requires=tuple(requires), kind=name, lead=lead)


PROVIDER_PATTERNS: tuple[Pattern, ...] = (
    _p("aws_access_key_id", r"\b(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA|AIPA|ANPA|ANVA|AGPA)[A-Z2-7]{16}\b", 0.95,
       "akia", "asia", "abia", "acca", "aida", "aroa", "aipa", "anpa", "anva", "agpa"),
    _p("gcp_api_key", r"AIza[0-9A-Za-z_-]{35}", 0.95, "aiza"),
    _p("gcp_oauth_secret", r"GOCSPX-[0-9A-Za-z_-]{28}", 0.95, "gocspx-"),
    _p("google_oauth_token", rf"(?P<v>ya29\.[0-9A-Za-z_-]{{20,400}}){_END_TOKEN}", 0.9, "ya29."),
    _p("azure_storage_key", r"AccountKey=(?P<v>[A-Za-z0-9+/]{86}==)", 0.95, "accountkey=", group="v"),
    _p("azure_shared_access_key", r"SharedAccessKey=(?P<v>[A-Za-z0-9+/]{40,46}=?)", 0.95, "sharedaccesskey=",
       group="v"),
    _p("azure_sas_signature", r"[?&]sig=(?P<v>[A-Za-z0-9%+/]{40,100}(?:%3D|=){0,2})", 0.9, "sig=", group="v"),
    _p("azure_client_secret", r"\b[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}", 0.9, "q~"),
    _p("github_token", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b", 0.97,
       "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    _p("github_fine_grained_token", rf"(?P<v>\bgithub_pat_[A-Za-z0-9_]{{70,255}}){_END_TOKEN}", 0.97, "github_pat_"),  # noqa: E501
    _p("gitlab_token", r"\bglpat-[A-Za-z0-9_-]{20,60}", 0.97, "glpat-"),
    _p("slack_token", rf"(?P<v>\bxox[abposre]-[A-Za-z0-9-]{{10,250}}){_END_TOKEN}", 0.95, "xox"),
    _p("slack_app_token", r"\bxapp-\d-[A-Z0-9]{9,15}-\d{10,15}-[a-f0-9]{40,80}", 0.97, "xapp-"),
    _p("slack_webhook", r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,40}",
       0.97, "hooks.slack.com"),
    _p("stripe_secret_key", r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}\b", 0.97, "sk_live_", "sk_test_",
       "rk_live_", "rk_test_"),
    _p("stripe_webhook_secret", r"\bwhsec_[0-9A-Za-z]{24,64}\b", 0.97, "whsec_"),
    _p("anthropic_api_key", rf"(?P<v>\bsk-ant-(?:api|admin|sid|oat)\d{{2}}-[A-Za-z0-9_-]{{32,200}}){_END_TOKEN}", 0.99, "sk-ant-"),  # noqa: E501
    _p("openai_api_key", rf"(?P<v>\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{{20,200}}){_END_TOKEN}", 0.9, "sk-"),  # noqa: E501
    _p("langfuse_secret_key", r"\bsk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", 0.99,
       "sk-lf-"),
    _p("huggingface_token", r"\bhf_[A-Za-z0-9]{30,40}\b", 0.95, "hf_"),
    _p("sendgrid_key", r"\bSG\.[A-Za-z0-9_-]{20,24}\.[A-Za-z0-9_-]{39,50}", 0.97, "sg."),
    _p("twilio_api_key", r"\bSK[0-9a-f]{32}\b", 0.85, "sk"),
    _p("npm_token", r"\bnpm_[A-Za-z0-9]{36}\b", 0.95, "npm_"),
    _p("pypi_token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}", 0.99, "pypi-"),
    _p("mailgun_key", r"\bkey-[0-9a-f]{32}\b", 0.9, "key-"),
    _p("shopify_token", r"\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b", 0.97, "shp"),
    _p("digitalocean_token", r"\bdo[opr]_v1_[a-f0-9]{64}\b", 0.97, "_v1_"),
    _p("databricks_token", r"\bdapi[a-f0-9]{32}(?:-\d)?\b", 0.95, "dapi"),
    _p("groq_api_key", r"\bgsk_[A-Za-z0-9]{48,56}\b", 0.97, "gsk_"),
    _p("replicate_token", r"\br8_[A-Za-z0-9]{37}\b", 0.95, "r8_"),
    _p("linear_api_key", r"\blin_api_[A-Za-z0-9]{40}\b", 0.97, "lin_api_"),
    _p("notion_token", r"\b(?:secret|ntn)_[A-Za-z0-9]{43,46}\b", 0.9, "secret_", "ntn_"),
    _p("jwt", rf"(?P<v>\beyJ[A-Za-z0-9_-]{{8,2000}}\.eyJ[A-Za-z0-9_-]{{8,4000}}\.[A-Za-z0-9_-]{{8,2000}}){_END_TOKEN}", 0.9, "eyj",  # noqa: E501
       lead=r"\beyJ"),  # noqa: E501
    _p("private_key_block",
       r"-----BEGIN[A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\\:,\- \t\r\n]{16,12000}"
       r"-----END[A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----", 1.0, "private key", lead="-----BEGIN"),
)  # fmt: skip

CONTEXT_PATTERNS: tuple[Pattern, ...] = (
    _p("url_password",
       r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^ \t\r\n:/?#@\"'<>]{1,128}:(?P<v>[^ \t\r\n/?#@\"'<>]{1,128})@",
       0.95, "://", group="v", lead=r"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://"),
    _p("connection_string_password",
       r"(?i)(?:^|[; \t\r\n\"'])(?:password|pwd)[ \t]{0,3}=[ \t]{0,3}(?P<v>[^;\"' \t\r\n]{1,128})(?:[;\"' \t\r\n]|$)",  # noqa: E501
       0.9, "password", "pwd", group="v", lead=r"(?i)(?:^|[; \t\r\n\"'])(?:password|pwd)"),
    _p("password_assignment",
       rf"(?i)(?:passw(?:or)?d|passphrase|passwd|\bpwd|\bpass)[A-Za-z0-9_-]{{0,20}}{_ASSIGN}(?P<v>{_VALUE_END}{{3,128}}){_END_FREE}",
       0.85, "pass", "pwd", group="v", lead=r"(?i)(?:passw(?:or)?d|passphrase|passwd|\bpwd|\bpass)"),
    _p("password_prose",
       r"(?i)\b(?:password|passcode|passwort|mot de passe) (?:is|was|ist|est)[ \t]{1,3}[\"']?"
       r"(?P<v>[^ \t\r\n\"',;]{4,64})(?:[ \t\r\n\"',;]|$)",
       0.7, "pass", "mot de passe", group="v", lead=r"(?i)\b(?:password|passcode|passwort|mot de passe) "),
    _p("keyword_token",
       rf"{_KEYWORDS}[A-Za-z0-9_-]{{0,24}}{_ASSIGN}(?P<v>[A-Za-z0-9_\-+/=.~]{{12,256}}){_END_VALUE}",
       0.8, "key", "secret", "token", "credential", "session", group="v", lead=_KEYWORDS),
    _p("authorization_bearer", rf"(?i)\bbearer[ \t]{{1,3}}(?P<v>[A-Za-z0-9_\-.=+/~]{{16,2048}}){_END_VALUE}", 0.9, "bearer",  # noqa: E501
       group="v", lead=r"(?i)\bbearer"),
    _p("authorization_basic", r"(?i)\bbasic[ \t]{1,3}(?P<v>[A-Za-z0-9+/]{12,512}={0,2})", 0.8, "basic",
       group="v", lead=r"(?i)\bbasic"),
)  # fmt: skip


class SecretRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "SECRET"
    PATTERNS: ClassVar[tuple[Pattern, ...]] = PROVIDER_PATTERNS + CONTEXT_PATTERNS

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        kind = candidate.pattern.kind
        value = candidate.value
        check = _CHECKS.get(kind)
        if check is not None and not check(value):
            return []
        return [Detection(candidate.start, candidate.end, candidate.pattern.score, kind)]


def shannon_entropy(value: str) -> float:
    """Bits per character of a string's symbol distribution."""
    if not value:
        return 0.0
    size = len(value)
    return -sum(count / size * math.log2(count / size) for count in Counter(value).values())


def looks_random(value: str, minimum_bits: float = 3.2) -> bool:
    """Tell whether a token is random enough to be a key (mixed character classes, high entropy)."""
    lowered = value.lower()
    # Case changes tell whether upper or lower case letters are present, without a loop per character.
    classes = (value.upper() != value) + (lowered != value) + (_DIGIT.search(value) is not None)
    if classes < 2 or lowered in _PLACEHOLDERS:
        return False
    return shannon_entropy(value) >= minimum_bits


def _password_ok(value: str) -> bool:
    lowered = value.strip("\"'").lower()
    if lowered in _PLACEHOLDERS or not lowered:
        return False
    templated = lowered.startswith(("${", "{{", "%(", "<", "$(", "os.", "env"))
    if set(lowered) <= {"*", "x", "#", "."} or templated:
        return False
    return not lowered.endswith(("(", ")"))


def _prose_password_ok(value: str) -> bool:
    return _password_ok(value) and any(not c.isalpha() for c in value)


def _openai_ok(value: str) -> bool:
    body = value.split("-")[-1] if value.count("-") <= 2 else value[3:]
    return looks_random(body.replace("-", "").replace("_", ""), 3.5) and any(c.isdigit() for c in value)


def _jwt_ok(value: str) -> bool:
    header = value.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(decoded, dict) and ("alg" in decoded or "typ" in decoded)


def _basic_ok(value: str) -> bool:
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded


_CHECKS = {
    "openai_api_key": _openai_ok,
    "jwt": _jwt_ok,
    "url_password": _password_ok,
    "connection_string_password": _password_ok,
    "password_assignment": _password_ok,
    "password_prose": _prose_password_ok,
    "keyword_token": looks_random,
    "authorization_bearer": lambda value: looks_random(value, 3.0),
    "authorization_basic": _basic_ok,
    "notion_token": looks_random,
    "twilio_api_key": lambda value: shannon_entropy(value) >= 3.0,
    "azure_client_secret": looks_random,
}

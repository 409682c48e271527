"""URLs whose query string carries personal data or credentials (``?email=...&token=...``).

Only the values of telling parameters are reported, so the rest of the URL stays readable.
Personal values are ``URL_PII``; credentials in the query (``access_token``, ``sig``) are ``SECRET``.
"""

from __future__ import annotations

from typing import ClassVar

from privacyops.pii.recognizers.base import Candidate, Detection, Pattern, Recognizer

PERSONAL_KEYS = frozenset({
    "email", "e-mail", "mail", "user_email", "useremail", "email_address", "phone", "tel", "mobile", "msisdn",
    "name", "first_name", "firstname", "last_name", "lastname", "fullname", "full_name", "given_name",
    "family_name", "surname", "username", "user", "user_name", "login", "address", "street", "zip",
    "postcode", "postal_code", "dob", "birthdate", "birthday", "date_of_birth", "ssn", "iban", "card",
    "customer", "customer_email", "recipient", "to", "from", "ip", "lat", "lng", "lon", "latitude",
    "longitude", "city", "contact",
})  # fmt: skip
SECRET_KEYS = frozenset({
    "token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "key", "password", "pass",
    "pwd", "secret", "client_secret", "sig", "signature", "auth", "code", "session", "sessionid", "sid",
    "x-amz-signature", "x-amz-credential", "x-goog-signature",
})  # fmt: skip


class UrlQueryRecognizer(Recognizer):
    ENTITY: ClassVar[str] = "URL_PII"
    ALSO_REPORTS: ClassVar[tuple[str, ...]] = ("SECRET",)
    PATTERNS: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            "url-query",
            r"(?i)\bhttps?://[A-Za-z0-9.-]{1,253}(?::\d{1,5})?(?:/[^ \t\r\n?#\"'<>\\]{0,1024})?"
            r"\?(?P<v>[^ \t\r\n#\"'<>\\]{3,2048})(?:[ \t\r\n#\"'<>\\]|$)",
            0.75,
            group="v",
            requires=("?",),
            lead=r"(?i)\bhttps?://",
        ),
    )

    def detect(self, candidate: Candidate, context: str = "") -> list[Detection]:
        found: list[Detection] = []
        offset = candidate.start
        for part in candidate.value.split("&"):
            name, sep, field = part.partition("=")
            key = name.lower().strip()
            start = offset + len(name) + len(sep)
            offset += len(part) + 1
            field = field.rstrip(".,;:!)")
            if not sep or not field:
                continue
            if key in SECRET_KEYS and len(field) >= 6:
                found.append(Detection(start, start + len(field), 0.97, "url_query_secret", "SECRET"))
            elif key in PERSONAL_KEYS or "%40" in field:
                found.append(Detection(start, start + len(field), 0.97, "url_query"))
        return found

"""Find what must not leave in free text: other people's emails, phones and names (AC-2) and secrets (AC-4).

Other people's email addresses and phone numbers are whatever the PII engine finds that is not one of
the subject's own; other people's names, usernames and other identifying values are those the package
masks elsewhere (a referral's name, a person object in a JSON payload), found wherever they appear.

Secrets are stated, never shown: password hashes, full card numbers, bank account numbers, government
identifiers and access tokens are replaced by a short note saying what was there. Card and bank
numbers keep their last four digits, which is what a person needs to recognise them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from privacyops.engine.values import ValueMatcher, same_phone
from privacyops.pii import engine as pii_engine
from privacyops.pii.recognizers.credit_card import luhn_ok

OTHER_EMAIL = "another person's email address"
OTHER_PHONE = "another person's phone number"
CARD = "card number"
BANK_ACCOUNT = "bank account number"
GOVERNMENT_ID = "government identifier"
SECRET = "secret or access token"
PASSWORD_HASH = "password hash"

# Entities of the PII engine that are withheld, and the reason each is counted under.
ENGINE_REASONS: dict[str, str] = {
    "EMAIL_ADDRESS": OTHER_EMAIL,
    "PHONE_NUMBER": OTHER_PHONE,
    "IBAN_CODE": BANK_ACCOUNT,
    "US_SSN": GOVERNMENT_ID,
    "NATIONAL_ID": GOVERNMENT_ID,
    "SECRET": SECRET,
}

# bcrypt, argon2, sha-crypt / md5-crypt and the PBKDF2/scrypt forms web frameworks store.
PASSWORD_HASH_PATTERN = re.compile(
    r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}"
    r"|\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}"
    r"|\$(?:1|5|6)\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{22,86}"
    r"|\b(?:pbkdf2_sha(?:1|256|512)|scrypt|bcrypt_sha256)\$[^\s\"']{20,}"
)
# 13 to 19 digits, alone or in groups separated by one space or dash: the shapes cards are written in.
CARD_PATTERN = re.compile(r"(?<![\d.,])\d(?:[ -]?\d){12,18}(?![\d])")


@dataclass(frozen=True)
class Cut:
    """A span of a text to replace, with what replaces it and why."""

    start: int
    end: int
    replacement: str
    reason: str


def is_card_number(text: str) -> bool:
    """Tell whether a run of digits (spaces and dashes allowed) reads as a full card number."""
    digits = re.sub(r"[ -]", "", text)
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1 or not luhn_ok(digits):
        return False
    separators = set(re.sub(r"\d", "", text))
    if not separators:
        return True
    groups = [len(g) for g in re.split(r"[ -]", text)]
    # Cards are printed in groups of four (American Express and Diners 4-6-5 / 4-6-4).
    return len(separators) == 1 and groups[0] == 4 and all(size >= 3 for size in groups)


def replacement_for(reason: str, value: str) -> str:
    """Return the note that stands where a withheld value was."""
    if reason.startswith("another person's"):
        return f"[redacted: {reason}]"
    if reason in (CARD, BANK_ACCOUNT):
        digits = re.sub(r"\W", "", value)
        return f"[{reason} withheld, ending {digits[-4:]}]"
    return f"[{reason} withheld]"


def scrub_texts(texts: Sequence[str], own_emails: Collection[str], *, own_phones: Collection[str] = (),
                others: ValueMatcher | None = None,
                describe: Callable[[str], str] = lambda kind: f"another person's {kind}",
                ) -> list[tuple[str, Counter[str]]]:
    """Return each text with other people's data and secrets replaced, and what was replaced.

    ``others`` finds other people's values the package knows (``describe`` names their kinds); the
    subject's own emails and phones stay.
    """
    # A text's result depends on the text alone, and rows repeat values (ids, names): scan each once.
    distinct = list(dict.fromkeys(texts))
    scanned = _scrub_distinct(distinct, own_emails, own_phones, others, describe)
    done = dict(zip(distinct, scanned, strict=True))
    given: set[str] = set()
    out = []
    for text in texts:
        scrubbed, found = done[text]
        # The first of equal texts takes the result itself, the others their own copy of its counts.
        out.append((scrubbed, found) if text not in given else (scrubbed, Counter(found)))
        given.add(text)
    return out


def _scrub_distinct(texts: list[str], own_emails: Collection[str], own_phones: Collection[str],
                    others: ValueMatcher | None, describe: Callable[[str], str],
                    ) -> list[tuple[str, Counter[str]]]:
    own = {e.lower() for e in own_emails}
    findings = pii_engine.default_engine().analyze_many(texts) if texts else []
    out: list[tuple[str, Counter[str]]] = []
    for text, found in zip(texts, findings, strict=True):
        cuts = _pattern_cuts(text)
        for finding in found:
            reason = ENGINE_REASONS.get(finding.entity)
            value = finding.value_in(text)
            if reason is None or _is_own(reason, value, own, own_phones):
                continue
            cuts.append(Cut(finding.start, finding.end, replacement_for(reason, value), reason))
        for start, end, kind in others.spans(text) if others else ():
            cuts.append(Cut(start, end, replacement_for(describe(kind), ""), describe(kind)))
        out.append(apply_cuts(text, cuts))
    return out


def _is_own(reason: str, value: str, own_emails: Collection[str], own_phones: Collection[str]) -> bool:
    if reason == OTHER_EMAIL:
        return value.lower() in own_emails
    if reason == OTHER_PHONE:
        return any(same_phone(value, phone) for phone in own_phones)
    return False


def _pattern_cuts(text: str) -> list[Cut]:
    if "$" not in text and CARD_PATTERN.search(text) is None:
        return []  # most text holds neither a hash nor a card number: one C scan tells
    cuts = [Cut(m.start(), m.end(), replacement_for(PASSWORD_HASH, m.group()), PASSWORD_HASH)
            for m in PASSWORD_HASH_PATTERN.finditer(text)]
    cuts += [Cut(m.start(), m.end(), replacement_for(CARD, m.group()), CARD)
             for m in CARD_PATTERN.finditer(text) if is_card_number(m.group())]
    return cuts


def apply_cuts(text: str, cuts: Sequence[Cut]) -> tuple[str, Counter[str]]:
    """Replace the spans of ``cuts`` (the first of overlapping spans wins) and count them by reason."""
    counts: Counter[str] = Counter()
    parts: list[str] = []
    position = 0
    for cut in sorted(cuts, key=lambda c: (c.start, -c.end)):
        if cut.start < position:
            continue
        parts += [text[position:cut.start], cut.replacement]
        position = cut.end
        counts[cut.reason] += 1
    parts.append(text[position:])
    return "".join(parts), counts

"""Generators of labelled values (personal data, secrets) and of look-alikes that must not be flagged."""

from __future__ import annotations

import base64
import json
import random
import secrets as _secrets
import string
from collections.abc import Callable

from faker import Faker

LOCALES = [
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "en_IN",
    "pl_PL",
    "sv_SE",
    "fi_FI",
    "no_NO",
    "da_DK",
    "de_AT",
    "en_CA",
    "en_AU",
    "ja_JP",
]
ALNUM = string.ascii_letters + string.digits


class Values:
    """Faker-backed value factory with one seeded random source for everything."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {}
        for index, locale in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed + index)
            self.fakers[locale] = fake

    def fake(self, locale: str | None = None) -> Faker:
        return self.fakers[locale or self.rng.choice(LOCALES)]

    def token(self, alphabet: str, size: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(size))

    # -- personal data ----------------------------------------------------------------------------
    def email(self) -> str:
        fake = self.fake()
        return self.rng.choice([fake.email, fake.free_email, fake.company_email, fake.safe_email])()

    def phone(self) -> str:
        locale = self.rng.choice(
            [
                "en_US",
                "en_GB",
                "de_DE",
                "fr_FR",
                "es_ES",
                "it_IT",
                "nl_NL",
                "pt_BR",
                "en_IN",
                "pl_PL",
                "sv_SE",
                "fi_FI",
                "en_AU",
                "en_CA",
            ]
        )
        return self.fake(locale).phone_number()

    def card(self) -> str:
        kind = self.rng.choice(
            [
                "visa13",
                "visa16",
                "visa19",
                "mastercard",
                "amex",
                "discover",
                "diners",
                "jcb15",
                "jcb16",
                "maestro",
                None,
            ]
        )
        number = self.fake("en_US").credit_card_number(kind)
        style = self.rng.random()
        if style < 0.35 and len(number) == 16:
            sep = self.rng.choice([" ", "-"])
            return sep.join(number[i : i + 4] for i in range(0, 16, 4))
        return number

    def iban(self) -> str:
        value = self.fake(
            self.rng.choice(
                [
                    "de_DE",
                    "fr_FR",
                    "es_ES",
                    "it_IT",
                    "nl_NL",
                    "en_GB",
                    "pl_PL",
                    "fi_FI",
                    "no_NO",
                    "da_DK",
                    "de_AT",
                    "pt_BR",
                ]
            )
        ).iban()
        if self.rng.random() < 0.4:
            return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
        return value

    def ipv4(self) -> str:
        fake = self.fake("en_US")
        return self.rng.choice([fake.ipv4_public, fake.ipv4_private, fake.ipv4])()

    def ipv6(self) -> str:
        value = self.fake("en_US").ipv6()
        if self.rng.random() < 0.3:
            groups = value.split(":")
            return ":".join(groups[:3]) + "::" + groups[-1]
        return value

    def ssn(self) -> str:
        return self.fake("en_US").ssn()

    def national_id(self) -> tuple[str, str]:
        """A national id and the label word a person would write before it."""
        choice = self.rng.choice(
            [
                "es_nif",
                "es_nie",
                "it_cf",
                "nl_bsn",
                "pl_pesel",
                "br_cpf",
                "se_pnr",
                "fi_hetu",
                "fr_nir",
                "no_fnr",
            ]
        )
        fake = self.fakers
        table: dict[str, tuple[Callable[[], str], list[str]]] = {
            "es_nif": (fake["es_ES"].nif, ["DNI", "NIF", "my DNI is"]),
            "es_nie": (fake["es_ES"].nie, ["NIE", "NIE number"]),
            "it_cf": (fake["it_IT"].ssn, ["codice fiscale", "CF", "tax code"]),
            "nl_bsn": (fake["nl_NL"].ssn, ["BSN", "burgerservicenummer", "BSN number:"]),
            "pl_pesel": (fake["pl_PL"].pesel, ["PESEL", "PESEL:", "numer PESEL"]),
            "br_cpf": (fake["pt_BR"].cpf, ["CPF", "CPF:", "meu CPF é"]),
            "se_pnr": (fake["sv_SE"].ssn, ["personnummer", "personnummer:"]),
            "fi_hetu": (fake["fi_FI"].ssn, ["henkilötunnus", "HETU"]),
            "fr_nir": (fake["fr_FR"].ssn, ["numéro de sécurité sociale", "NIR", "INSEE"]),
            "no_fnr": (fake["no_NO"].ssn, ["fødselsnummer", "fodselsnummer"]),
        }
        make, words = table[choice]
        return make(), self.rng.choice(words)

    def name(self) -> str:
        return self.fake().name()

    # -- secrets ----------------------------------------------------------------------------------
    def secret(self) -> tuple[str, str]:
        """A credential and a short phrase (possibly empty) that would precede it."""
        t = self.token
        kind = self.rng.choice(list(range(22)))
        if kind == 0:
            return "AKIA" + t(string.ascii_uppercase + "234567", 16), "aws_access_key_id="
        if kind == 1:
            return "AIza" + t(ALNUM + "_-", 35), "GOOGLE_API_KEY="
        if kind == 2:
            return self.rng.choice(["ghp_", "gho_", "ghs_"]) + t(ALNUM, 36), ""
        if kind == 3:
            return "github_pat_" + t(ALNUM, 22) + "_" + t(ALNUM, 59), ""
        if kind == 4:
            return "xoxb-" + t(string.digits, 12) + "-" + t(string.digits, 13) + "-" + t(ALNUM, 24), ""
        if kind == 5:
            return self.rng.choice(["sk_live_", "rk_live_", "sk_test_"]) + t(ALNUM, 24), "stripe key "
        if kind == 6:
            return "sk-proj-" + t(ALNUM + "_-", 40) + "T3BlbkFJ" + t(ALNUM + "_-", 40), "OPENAI_API_KEY="
        if kind == 7:
            return "sk-" + t(ALNUM, 20) + "T3BlbkFJ" + t(ALNUM, 20), ""
        if kind == 8:
            return "sk-ant-api03-" + t(ALNUM + "_-", 93) + "AA", "ANTHROPIC_API_KEY="
        if kind == 9:
            return self._jwt(), "Authorization: Bearer "
        if kind == 10:
            return self._pem(), ""
        if kind == 11:
            return "glpat-" + t(ALNUM + "_-", 20), ""
        if kind == 12:
            return "hf_" + t(ALNUM, 34), "HF_TOKEN="
        if kind == 13:
            return "SG." + t(ALNUM + "_-", 22) + "." + t(ALNUM + "_-", 43), ""
        if kind == 14:
            return t(ALNUM, 3) + str(self.rng.randint(0, 9)) + "Q~" + t(
                ALNUM + "_-.", 31
            ), "AZURE_CLIENT_SECRET="
        if kind == 15:
            return "sk-lf-" + "-".join(
                t("0123456789abcdef", n) for n in (8, 4, 4, 4, 12)
            ), "LANGFUSE_SECRET_KEY="
        if kind == 16:
            return "npm_" + t(ALNUM, 36), "//registry.npmjs.org/:_authToken="
        if kind == 17:
            return "whsec_" + t(ALNUM, 32), "STRIPE_WEBHOOK_SECRET="
        if kind == 18:
            name = self.rng.choice(
                [
                    "api_key",
                    "client_secret",
                    "auth_token",
                    "x-api-key",
                    "SECRET_KEY",
                    "access_token",
                    "apiKey",
                    "signing_key",
                ]
            )
            sep = self.rng.choice(["=", ": ", '": "', " = '"])
            return t(ALNUM + "_-", self.rng.randint(20, 48)), name + sep
        if kind == 19:
            name = self.rng.choice(["password", "db_password", "PASSWORD", "passwd", "pwd"])
            sep = self.rng.choice(["=", ": ", '": "', " = "])
            return self._password(), name + sep
        if kind == 20:
            return t(ALNUM + "+/", 40), "aws_secret_access_key = "
        return "dapi" + t("0123456789abcdef", 32), "DATABRICKS_TOKEN="

    def _password(self) -> str:
        fake = self.fake("en_US")
        return fake.password(length=self.rng.randint(8, 20), special_chars=self.rng.random() < 0.7)

    def url_password(self) -> tuple[str, str, str]:
        """(before, password, after) for a URL with credentials."""
        scheme = self.rng.choice(["postgres", "postgresql", "mysql", "mongodb+srv", "redis", "amqp", "https"])
        user = self.fake("en_US").user_name()
        password = self.token(ALNUM, self.rng.randint(8, 24))
        host = self.fake("en_US").domain_name()
        return f"{scheme}://{user}:", password, f"@{host}:5432/app"

    def _jwt(self) -> str:
        def enc(obj: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        header = enc({"alg": self.rng.choice(["HS256", "RS256"]), "typ": "JWT"})
        payload = enc({"sub": str(self.rng.randint(1, 10**6)), "iat": self.rng.randint(1.6e9, 1.8e9)})
        return f"{header}.{payload}.{self.token(ALNUM + '_-', 43)}"

    def _pem(self) -> str:
        kind = self.rng.choice(["RSA ", "EC ", "", "OPENSSH "])
        body = "\n".join(
            base64.b64encode(_secrets.token_bytes(48)).decode() for _ in range(self.rng.randint(3, 8))
        )
        return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"

    # -- look-alikes ------------------------------------------------------------------------------
    def decoy(self) -> str:
        r, t = self.rng, self.token
        kind = r.randrange(20)
        return [
            lambda: f"v{r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
            lambda: f"{r.randint(1, 12)}.{r.randint(0, 9)}.{r.randint(1000, 30000)}.{r.randint(0, 300)}",
            lambda: f"{r.randint(0, 9999)}.{r.randint(0, 99):02d}",
            lambda: f"ORD-{r.randint(2019, 2026)}-{r.randint(0, 999999):06d}",
            lambda: f"order #{r.randint(10**7, 10**9)}",
            lambda: self.fake("en_US").uuid4(),
            lambda: t("0123456789abcdef", 40),
            lambda: t("0123456789abcdef", 64),
            lambda: str(r.randint(1_600_000_000_000, 1_800_000_000_000)),
            lambda: self.fake("en_US").date(),
            lambda: self.fake("en_US").iso8601(),
            lambda: f"${r.randint(1, 99)},{r.randint(0, 999):03d}.{r.randint(0, 99):02d}",
            lambda: f"gpt-4o-{r.randint(2024, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
            lambda: "".join(str(r.randint(0, 9)) for _ in range(16)),
            lambda: f"tracking {r.randint(10**8, 10**9 - 1)}",
            lambda: f"{r.randint(10, 99)}:{r.randint(10, 59)}:{r.randint(10, 59)}",
            lambda: base64.b64encode(_secrets.token_bytes(24)).decode(),
            lambda: f"sk-learn-{self.fake('en_US').word()}-{self.fake('en_US').word()}-tutorial",
            lambda: f"{r.uniform(-90, 90):.6f}, {r.uniform(-180, 180):.6f}",
            lambda: f"build {r.randint(1000, 99999)}.{r.randint(1, 9)}",
        ][kind]()

"""Generate the labelled PII benchmark corpus: LLM-trace JSON, OTel spans, logs and support tickets.

usage: python bench/pii/generate_corpus.py [--size-mb 10.5] [--seed 7] [-o bench/.work/corpus.jsonl]

Every record is {"id", "source", "text", "spans": [[start, end, ENTITY], ...]}; the spans are recorded
while the text is built, so they are exact. Values come from Faker in many locales and from format
generators for credentials; look-alikes (versions, order numbers, hashes, dates) are mixed in unlabelled.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from rich import Rich, render_json  # noqa: E402
from values import Values  # noqa: E402

PHRASES = {
    "EMAIL_ADDRESS": [
        "my email is {}",
        "contact {} for details",
        "send it to {}",
        "{}",
        "Email: {}",
        "cc {} please",
        "<{}>",
        "user {} signed up",
    ],
    "PHONE_NUMBER": [
        "call me at {}",
        "my phone number is {}",
        "Tel: {}",
        "reach me on {}",
        "{}",
        "mobile {}",
        "whatsapp: {}",
        "phone {}",
        "text me at {}",
        "Ring the front desk: {}",
    ],
    "CREDIT_CARD": ["my card number is {}", "charged to card {}", "{}", "Visa {}", "pay with {}", "card: {}"],
    "IBAN_CODE": ["IBAN: {}", "transfer it to {}", "bank account {}", "{}", "refund to IBAN {}"],
    "IP_ADDRESS": ["from {}", "client ip {}", "{}", "logged in from {}", "remote_addr={}", "host {}"],
    "US_SSN": ["SSN {}", "my social security number is {}", "SSN: {}", "ssn={}"],
}


class Corpus:
    def __init__(self, seed: int) -> None:
        self.v = Values(seed)
        self.rng = self.v.rng

    # -- pieces -----------------------------------------------------------------------------------
    def pii_phrase(self) -> Rich:
        r = self.rng
        entity = r.choices(
            [
                "EMAIL_ADDRESS",
                "PHONE_NUMBER",
                "CREDIT_CARD",
                "IBAN_CODE",
                "IP_ADDRESS",
                "US_SSN",
                "NATIONAL_ID",
                "SECRET",
                "URL_PII",
                "DECOY",
            ],
            weights=[16, 14, 6, 5, 10, 4, 6, 12, 4, 23],
        )[0]
        out = Rich()
        if entity == "DECOY":
            return out.add(self.v.decoy())
        if entity == "NATIONAL_ID":
            value, word = self.v.national_id()
            return out.add(word + " ").add(value, entity)
        if entity == "SECRET":
            value, before = self.v.secret()
            return out.add(before).add(value, entity)
        if entity == "URL_PII":
            return self.url_with_pii()
        value = {
            "EMAIL_ADDRESS": self.v.email,
            "PHONE_NUMBER": self.v.phone,
            "CREDIT_CARD": self.v.card,
            "IBAN_CODE": self.v.iban,
            "US_SSN": self.v.ssn,
            "IP_ADDRESS": lambda: self.v.ipv4() if r.random() < 0.75 else self.v.ipv6(),
        }[entity]()
        head, _, tail = r.choice(PHRASES[entity]).partition("{}")
        return out.add(head).add(value, entity).add(tail)

    def url_with_pii(self) -> Rich:
        fake = self.v.fake("en_US")
        key, value = self.rng.choice(
            [
                ("email", urllib.parse.quote(self.v.email())),
                ("name", urllib.parse.quote_plus(self.v.name())),
                ("phone", urllib.parse.quote(self.v.phone())),
                ("user_email", urllib.parse.quote(self.v.email())),
            ]
        )
        out = Rich().add(f"https://{fake.domain_name()}/{fake.uri_path()}?ref={fake.word()}&{key}=")
        return out.add(value, "URL_PII").add(f"&utm_source={fake.word()}")

    def paragraphs(self, low: int, high: int) -> str:
        fake = self.v.fake(self.rng.choice(["en_US", "en_GB", "de_DE", "fr_FR"]))
        return "\n\n".join(
            fake.paragraph(nb_sentences=self.rng.randint(3, 8)) for _ in range(self.rng.randint(low, high))
        )

    def sentence(self) -> str:
        return self.v.fake(
            self.rng.choice(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
        ).sentence()

    def prose(self, pieces: int) -> Rich:
        out = Rich()
        for _index in range(pieces):
            out.add(self.sentence() + " ")
            if self.rng.random() < 0.4:
                out += self.pii_phrase()
                out.add(self.rng.choice([". ", ", ", "; ", "\n", " and "]))
        return out

    # -- records ----------------------------------------------------------------------------------
    def openai_chat(self) -> Rich:
        r = self.rng
        messages = [
            {
                "role": "system",
                "content": "You are a helpful support assistant for "
                + self.v.fake("en_US").company()
                + ". "
                + self.paragraphs(1, 5),
            },
            {"role": "user", "content": self.prose(r.randint(2, 6))},
        ]
        if r.random() < 0.5:
            arguments = render_json(
                {"email": Rich().add(self.v.email(), "EMAIL_ADDRESS"), "reason": self.prose(1)}
            )
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_" + self.v.token("abcdefghijklmnopqrstuvwxyz0123456789", 24),
                            "type": "function",
                            "function": {"name": "lookup_customer", "arguments": arguments},
                        }
                    ],
                }
            )
        answer = self.prose(r.randint(1, 3))
        answer.add("\n\n" + self.paragraphs(0, 3))
        messages.append({"role": "assistant", "content": answer})
        document = {
            "model": r.choice(["gpt-4o", "gpt-4o-mini", "o3-mini"]),
            "messages": messages,
            "temperature": round(r.random(), 2),
            "metadata": {"session": self.v.fake("en_US").uuid4(), "customer": self.pii_phrase()},
            "usage": {"prompt_tokens": r.randint(10, 4000), "completion_tokens": r.randint(10, 900)},
        }
        return render_json(document)

    def anthropic_messages(self) -> Rich:
        r = self.rng
        document = {
            "model": "claude-3-5-sonnet-20241022",
            "max_tokens": 1024,
            "system": self.prose(1),
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": self.prose(r.randint(2, 5))}]},
                {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "tool_use",
                            "id": "toolu_" + self.v.token("abcdef0123456789", 20),
                            "name": "crm_update",
                            "input": {
                                "phone": Rich().add(self.v.phone(), "PHONE_NUMBER"),
                                "note": self.prose(1),
                            },
                        }
                    ],
                },
            ],
        }
        return render_json(document, indent=r.choice([None, 2]))

    def gemini(self) -> Rich:
        r = self.rng
        document = {
            "contents": [
                {"role": "user", "parts": [{"text": self.prose(r.randint(2, 5))}]},
                {"role": "model", "parts": [{"text": self.prose(r.randint(1, 3))}]},
            ],
            "generationConfig": {"temperature": 0.4, "topP": 0.95, "maxOutputTokens": 2048},
        }
        return render_json(document)

    def otel_span(self) -> Rich:
        r, fake = self.rng, self.v.fake("en_US")

        def attr(key: str, value: object) -> dict:
            return {"key": key, "value": {"stringValue": value}}

        inner = render_json([{"role": "user", "content": self.prose(r.randint(1, 4))}])
        span = {
            "traceId": fake.sha256()[:32],
            "spanId": fake.sha256()[:16],
            "name": "chat.completion",
            "kind": 3,
            "startTimeUnixNano": str(r.randint(10**18, 2 * 10**18)),
            "attributes": [
                attr("langfuse.observation.input", inner),
                attr("langfuse.user.id", Rich().add(self.v.email(), "EMAIL_ADDRESS")),
                attr("http.client_ip", Rich().add(self.v.ipv4(), "IP_ADDRESS")),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("langfuse.observation.output", self.prose(1)),
            ],
            "events": [{"name": "log", "attributes": [attr("message", self.prose(1))]}],
            "status": {"code": 1},
        }
        document = {
            "resourceSpans": [
                {
                    "resource": {
                        "attributes": [
                            attr("service.name", "chat-api"),
                            attr("service.version", self.v.decoy()),
                        ]
                    },
                    "scopeSpans": [{"scope": {"name": "langfuse-sdk", "version": "3.2.1"}, "spans": [span]}],
                }
            ]
        }
        return render_json(document)

    def log_batch(self) -> Rich:
        r, out = self.rng, Rich()
        for _ in range(r.randint(4, 14)):
            out += self.log_line()
            out.add("\n")
        return out

    def log_line(self) -> Rich:
        r, fake, out = self.rng, self.v.fake("en_US"), Rich()
        when = fake.iso8601()
        kind = r.randrange(9)
        if kind >= 6:
            out.add(
                f"{when} INFO {r.choice(['GET /healthz 200', 'worker heartbeat ok', 'cache hit ratio'])} "
                f"{r.uniform(0, 1):.3f} pod={fake.word()}-{self.v.token('abcdef0123456789', 5)} "
                f"latency_ms={r.randint(1, 900)} {fake.sentence()}"
            )
        elif kind == 0:
            out.add("").add(self.v.ipv4(), "IP_ADDRESS")
            path = fake.uri_path()
            out.add(
                f' - - [{when}] "GET /{path} HTTP/1.1" {r.choice([200, 301, 404, 500])} '
                f"{r.randint(100, 99999)} "
                f'"-" "{fake.user_agent()}"'
            )
        elif kind == 1:
            out.add(f'{when} level=info msg="user login" user_id={r.randint(1, 10**6)} email=')
            out.add(self.v.email(), "EMAIL_ADDRESS").add(" ip=").add(self.v.ipv4(), "IP_ADDRESS")
            out.add(f" duration_ms={r.uniform(0.1, 900):.2f} build={self.v.decoy()}")
        elif kind == 2:
            user = fake.user_name()
            out.add(f"{when} sshd[{r.randint(100, 65000)}]: Accepted publickey for {user} from ")
            out.add(self.v.ipv4(), "IP_ADDRESS").add(f" port {r.randint(1024, 65535)} ssh2")
        elif kind == 3:
            before, password, after = self.v.url_password()
            out.add(f"{when} ERROR could not connect to {before}").add(password, "SECRET").add(after)
            out.add(f": timeout after {r.randint(1, 60)}s (attempt {r.randint(1, 5)})")
        elif kind == 4:
            out += render_json(
                {
                    "ts": when,
                    "level": r.choice(["info", "warn", "error"]),
                    "msg": self.prose(1),
                    "trace_id": fake.sha256()[:32],
                    "order": self.v.decoy(),
                }
            )
        else:
            out.add(f"{when} WARN request ").add(self.v.decoy()).add(" ")
            out += self.pii_phrase()
        return out

    def ticket(self) -> Rich:
        r = self.rng
        fake = self.v.fake()
        out = (
            Rich().add(f"Subject: {fake.sentence()}\nFrom: ").add(self.v.email(), "EMAIL_ADDRESS").add("\n\n")
        )
        out.add("Hello,\n\n")
        out += self.prose(r.randint(3, 9))
        out.add(f"\n\nRegards,\n{fake.name()}\n")
        if r.random() < 0.6:
            head, _, tail = r.choice(PHRASES["PHONE_NUMBER"][:4]).partition("{}")
            out.add(head).add(self.v.phone(), "PHONE_NUMBER").add(tail + "\n")
        return out

    def record(self) -> tuple[str, Rich]:
        source = self.rng.choices(
            ["openai_chat", "anthropic_messages", "gemini", "otel_span", "logs", "ticket"],
            weights=[16, 10, 8, 14, 30, 22],
        )[0]
        builder = {
            "openai_chat": self.openai_chat,
            "anthropic_messages": self.anthropic_messages,
            "gemini": self.gemini,
            "otel_span": self.otel_span,
            "logs": self.log_batch,
            "ticket": self.ticket,
        }[source]
        return source, builder()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=10.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", default="bench/.work/corpus.jsonl")
    args = parser.parse_args()
    corpus = Corpus(args.seed)
    target = int(args.size_mb * 1_000_000)
    total = count = 0
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as handle:
        while total < target:
            source, rich = corpus.record()
            text, spans = rich.render()
            handle.write(
                json.dumps({"id": count, "source": source, "text": text, "spans": spans}, ensure_ascii=False)
                + "\n"
            )
            total += len(text.encode("utf-8"))
            count += 1
    print(json.dumps({"records": count, "bytes": total, "output": args.output}))


if __name__ == "__main__":
    main()

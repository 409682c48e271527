"""Build the demo application database: deterministic for a seed, fast at a million traces.

The rules (which rows belong to whom) are those of ``docs/demo-schema.md``: subjects
``subject1@example.com`` .. ``subject7@example.com`` are users ``u_1`` .. ``u_7``, each with exactly
100 traces (3 observations and 1 score each) and rows in every other personal table; the other users
own the rest. People-level tables come from :mod:`privacyops.demo.people`; traces are generated here
in chunks from precomputed text pools, with a cheap integer hash standing in for per-row randomness.

Traces are spread evenly from mid-2021 up to the day the demo is built (``until``), so an access package
shows every lookback at work: the last twelve months, back to 2022 (extended), and everything.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from privacyops.demo import people, schema, text, writers

CHUNK_TRACES = 20_000
# The first day of traces: before 1 January 2022, so even the extended lookback leaves some out.
TRACES_SINCE = date(2021, 7, 1)
MIN_USERS = schema.SUBJECT_COUNT + 1
MIN_TRACES = schema.SUBJECT_COUNT * schema.TRACES_PER_SUBJECT


class DemoSizeError(ValueError):
    """The demo needs at least 8 users and 700 traces (7 subjects with 100 traces each, plus others)."""


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo`` made: row counts per table, the subjects and how long it took."""

    url: str
    seed: int
    users: int
    traces: int
    rows: dict[str, int]
    seconds: float
    subjects: tuple[str, ...] = field(
        default_factory=lambda: tuple(schema.subject_email(n) for n in range(1, schema.SUBJECT_COUNT + 1))
    )

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def mix(value: int) -> int:
    """Scramble a 32-bit integer (a murmur-style finaliser): cheap, well spread, deterministic."""
    value = (value * 0x9E3779B1) & 0xFFFFFFFF
    value ^= value >> 15
    value = (value * 0x85EBCA77) & 0xFFFFFFFF
    return value ^ (value >> 13)


def subject_positions(traces: int) -> dict[int, int]:
    """Trace number -> subject number for the 700 subject traces, spread evenly over the whole table.

    The spread reaches the last trace, so each subject has traces of every period (up to the build day).
    """
    return {1 + (j * traces) // MIN_TRACES: 1 + j % schema.SUBJECT_COUNT for j in range(MIN_TRACES)}


def day_strings(until: date) -> list[str]:
    """Dates the demo traces span, from ``TRACES_SINCE`` to the day before ``until``, as text."""
    if until <= TRACES_SINCE + timedelta(days=1):
        raise ValueError(f"until: the traces run from {TRACES_SINCE} up to the build day; got {until}")
    return [(TRACES_SINCE + timedelta(days=day)).isoformat() for day in range((until - TRACES_SINCE).days)]


class TraceMaker:
    """Makes the rows of traces, observations and scores for a range of trace numbers."""

    def __init__(self, pools: text.Pools, cast: people.Cast, traces: int, seed: int, until: date) -> None:
        self.pools, self.cast, self.traces = pools, cast, traces
        self.salt = random.Random(seed).getrandbits(31)
        self.subjects = subject_positions(traces)
        self.others = len(cast.emails) - 1 - schema.SUBJECT_COUNT
        self.days = day_strings(until)
        self.span = len(self.days) * 86_400
        self.metadata = tuple(
            f'{{"environment":"{env}","release":"v{major}.{minor}.0","tags":["{tag}"]}}'
            for env in ("production", "staging")
            for major in (1, 2)
            for minor in range(4)
            for tag in ("chat", "support", "batch")
        )

    def timestamp(self, number: int) -> str:
        second = (number * self.span) // (self.traces + 1)
        day, rest = divmod(second, 86_400)
        hour, rest = divmod(rest, 3600)
        return f"{self.days[day]} {hour:02d}:{rest // 60:02d}:{rest % 60:02d}"

    def rows(self, first: int, last: int) -> tuple[list[writers.Row], list[writers.Row], list[writers.Row]]:
        """Rows for trace numbers ``first`` .. ``last`` inclusive."""
        pools, cast, salt = self.pools, self.cast, self.salt
        inputs, owner_inputs, outputs = pools.inputs, pools.owner_inputs, pools.outputs
        span_in, span_out, events, comments = (
            pools.span_inputs,
            pools.span_outputs,
            pools.event_inputs,
            pools.score_comments,
        )
        models, names, metadata = text.MODELS, text.TRACE_NAMES, self.metadata
        trace_rows: list[writers.Row] = []
        observation_rows: list[writers.Row] = []
        score_rows: list[writers.Row] = []
        for number in range(first, last + 1):
            h = mix(number + salt)
            owner = self.subjects.get(number) or schema.SUBJECT_COUNT + 1 + h % self.others
            email = cast.emails[owner]
            if h & 0x700 == 0x100 or h & 0x700 == 0x200:
                head, tail = owner_inputs[(h >> 3) % len(owner_inputs)]
                prompt = head + email + tail
            else:
                prompt = inputs[(h >> 3) % len(inputs)]
            reply = outputs[(h >> 11) % len(outputs)]
            if h & 0x3000 == 0:
                meta = '{"user":{"email":"' + email + '"},"environment":"production"}'
            else:
                meta = metadata[(h >> 14) % len(metadata)]
            trace_id = f"t_{number}"
            stamp = self.timestamp(number)
            trace_rows.append(
                (
                    trace_id,
                    f"u_{owner}",
                    cast.projects[owner],
                    f"chat_{owner}_{(h >> 20) % 5}",
                    names[(h >> 17) % len(names)],
                    prompt,
                    reply,
                    meta,
                    stamp,
                )
            )
            base = 3 * number
            observation_rows.append(
                (
                    f"o_{base - 2}",
                    trace_id,
                    "SPAN",
                    "retrieval",
                    span_in[h % len(span_in)],
                    span_out[(h >> 6) % len(span_out)],
                    None,
                    stamp + ".100000",
                )
            )
            observation_rows.append(
                (
                    f"o_{base - 1}",
                    trace_id,
                    "GENERATION",
                    "llm-call",
                    prompt,
                    reply,
                    models[(h >> 23) % len(models)],
                    stamp + ".250000",
                )
            )
            observation_rows.append(
                (
                    f"o_{base}",
                    trace_id,
                    "EVENT",
                    "moderation",
                    events[(h >> 9) % len(events)],
                    '{"flagged":false}',
                    None,
                    stamp + ".900000",
                )
            )
            score_rows.append(
                (
                    f"s_{number}",
                    trace_id,
                    ("helpfulness", "correctness", "user-feedback")[(h >> 26) % 3],
                    round(((h >> 4) & 1023) / 1023, 3),
                    comments[(h >> 8) % len(comments)] if h & 0xC0 == 0 else None,
                )
            )
        return trace_rows, observation_rows, score_rows


@contextmanager
def progress_bar(enabled: bool, total: int) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        yield bar


def load_traces(writer: writers.RowWriter, maker: TraceMaker, traces: int, bar: Progress | None) -> None:
    task = bar.add_task("traces", total=traces) if bar else None
    for first in range(1, traces + 1, CHUNK_TRACES):
        last = min(first + CHUNK_TRACES - 1, traces)
        trace_rows, observation_rows, score_rows = maker.rows(first, last)
        writer.write(schema.traces, trace_rows)
        writer.write(schema.observations, observation_rows)
        writer.write(schema.scores, score_rows)
        if bar is not None and task is not None:
            bar.advance(task, last - first + 1)


def check_sizes(users: int, traces: int) -> None:
    if users < MIN_USERS or traces < MIN_TRACES:
        raise DemoSizeError(
            f"got {users} users and {traces} traces; use at least {MIN_USERS} users and {MIN_TRACES} traces"
        )


def build_demo(url: str, *, users: int, traces: int, seed: int = 42, progress: bool = False,
               until: date | None = None) -> DemoSummary:
    """Create the demo tables at ``url`` (dropping old ones) and fill them deterministically for ``seed``.

    Traces end the day before ``until`` (default: today, UTC); the same seed and day give the same data.
    """
    check_sizes(users, traces)
    until = until or datetime.now(UTC).date()
    started = time.perf_counter()
    pools = text.build_pools(seed)
    cast = people.make_cast(pools, users=users, seed=seed)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                writers.prepare_sqlite_for_load(conn)
                conn.commit()
            writers.drop_demo_tables(conn)
            writers.create_demo_tables(conn)
            writer = writers.writer_for(conn)
            for table, rows in cast.tables.items():
                writer.write(schema.metadata.tables[table], rows)
            with progress_bar(progress, traces) as bar:
                load_traces(writer, TraceMaker(pools, cast, traces, seed, until), traces, bar)
                task = bar.add_task("indexes and statistics", total=None) if bar else None
                writers.finish_demo_tables(conn)
                conn.commit()
                if bar is not None and task is not None:
                    bar.update(task, total=1, completed=1)
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA journal_mode = WAL")
    finally:
        engine.dispose()
    counts = {name: len(table_rows) for name, table_rows in cast.tables.items()}
    counts.update({"traces": traces, "observations": 3 * traces, "scores": traces})
    return DemoSummary(
        url=url, seed=seed, users=users, traces=traces, rows=counts, seconds=time.perf_counter() - started
    )

"""Recipients without an API: erasure and correction become tasks that an operator closes with evidence."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from privacyops.connectors.base import (
    DELETE,
    UPDATE,
    Change,
    ConnectorError,
    MapValues,
    Match,
    ReplaceText,
    Row,
    SetNull,
    TableShape,
)

# The connector's writes finish later, when a person confirms them; the engine must not count them as done.
DEFERRED = "deferred"
DUE_DAYS = 14
SHA256 = re.compile(r"^[0-9a-f]{64}$")
Operation = Literal["erase", "correct"]


class TaskPending(ConnectorError):
    """The step waits for an operator to carry out a task and close it with evidence."""

    def __init__(self, task: ManualTask) -> None:
        self.task = task
        super().__init__(f"pending: task {task.id} asks {task.recipient} to {task.operation} "
                         f"{task.table} records; due {task.due.isoformat()}")


class TaskError(ConnectorError):
    """A task cannot be closed as asked (unknown, already closed, or without evidence)."""


@dataclass(frozen=True)
class ManualTask:
    """An instruction to a recipient, and, once closed, the operator's evidence that it was done.

    `subject` holds the identifying values the recipient needs; closing a task replaces them by their
    SHA-256 digests, so a closed task proves what was covered without keeping the personal data.
    """

    id: str
    recipient: str
    contact: str
    request: str
    operation: Operation
    table: str
    categories: tuple[str, ...]
    subject: tuple[tuple[str, str], ...]
    changes: tuple[str, ...]
    created_at: datetime
    due: date
    closed_at: datetime | None = None
    note: str = ""
    file_sha256: str | None = None
    rows: int | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def instruction(self) -> str:
        """Return the text an operator forwards to the recipient (or follows in the recipient's console)."""
        what = "Erase every record" if self.operation == "erase" else "Correct the records"
        lines = [
            f"To: {self.recipient}" + (f" <{self.contact}>" if self.contact else ""),
            f"Request: {self.request or 'unnamed'} (task {self.id})",
            f"{what} in {self.table} that belongs to the person identified by:",
            *(f"  - {name}: {value}" for name, value in self.subject),
            "Data categories concerned: " + (", ".join(self.categories) or "all held for this person"),
            *(f"  * {change}" for change in self.changes),
            f"Due by: {self.due.isoformat()}. Reply with a confirmation; it is kept as evidence.",
        ]
        return "\n".join(lines)


class TaskStore(Protocol):
    """Where tasks are kept: look one up by id, save one (insert or replace), list them."""

    def get(self, task_id: str) -> ManualTask | None: ...

    def put(self, task: ManualTask) -> None: ...

    def list(self, *, open_only: bool = False) -> list[ManualTask]: ...


class MemoryTaskStore:
    """Tasks in a dict, for tests and single-process use."""

    def __init__(self, tasks: Iterable[ManualTask] = ()) -> None:
        self.tasks = {t.id: t for t in tasks}

    def get(self, task_id: str) -> ManualTask | None:
        """Return the task with this id, or None."""
        return self.tasks.get(task_id)

    def put(self, task: ManualTask) -> None:
        """Insert or replace a task."""
        self.tasks[task.id] = task

    def list(self, *, open_only: bool = False) -> list[ManualTask]:
        """Return the tasks (only the open ones when asked), oldest first."""
        tasks = sorted(self.tasks.values(), key=lambda t: (t.created_at, t.id))
        return [t for t in tasks if t.is_open or not open_only]


class ManualConnector:
    """Turns `delete` and `update` into tasks for a person; the step stays pending until one is closed."""

    def __init__(self, recipient: str, *, store: TaskStore | None = None, contact: str = "",
                 categories: Sequence[str] = (), due_days: int = DUE_DAYS, request: str = "",
                 clock: Callable[[], datetime] | None = None) -> None:
        if not recipient:
            raise ConnectorError("the manual connector needs a `recipient` setting naming who does the work")
        self.recipient = recipient
        self.store: TaskStore = store if store is not None else MemoryTaskStore()
        self.contact = contact
        self.categories = tuple(categories)
        self.due_days = due_days
        self.request = request
        self.clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def from_settings(cls, url: str | None = None, **settings: str) -> ManualConnector:
        """Build from `recipient`, `contact`, `categories` (comma-separated) and `due_days` settings."""
        categories = [c.strip() for c in settings.get("categories", "").split(",") if c.strip()]
        try:
            due_days = int(settings.get("due_days", DUE_DAYS))
        except ValueError:
            raise ConnectorError("due_days of the manual connector must be a whole number of days") from None
        return cls(settings.get("recipient", ""), contact=settings.get("contact", url or ""),
                   categories=categories, due_days=due_days)

    def bound_to(self, request: str) -> ManualConnector:
        """Return this connector creating tasks for one request (named in every instruction), same store."""
        return ManualConnector(self.recipient, store=self.store, contact=self.contact,
                               categories=self.categories, due_days=self.due_days, request=request,
                               clock=self.clock)

    def capabilities(self) -> frozenset[str]:
        """Return DELETE and UPDATE (as tasks, hence DEFERRED); the recipient's data cannot be read."""
        return frozenset({DELETE, UPDATE, DEFERRED})

    def inspect(self, table: str) -> TableShape | None:
        """Return a shape without columns: the recipient's layout is not known here."""
        return TableShape(table, {}, ())

    def find(self, table: str, match: Match, fields: Sequence[str]) -> list[Row]:
        """Refuse: nothing can be read from a recipient without an API."""
        raise ConnectorError(f"the manual connector cannot read {self.recipient}'s {table}; "
                             "an access request to them is a task too")

    def count(self, table: str, match: Match) -> int:
        """Return 0 once the erasure task for this match is closed; raise TaskPending while it is open."""
        task = self.store.get(self.task_id("erase", table, match))
        if task is None:
            raise ConnectorError(f"no erasure task for {table} at {self.recipient}; nothing can be counted")
        if task.is_open:
            raise TaskPending(task)
        return 0

    def delete(self, table: str, match: Match) -> int:
        """Create (once) an erasure task; return the rows the operator reported once it is closed."""
        return self._task("erase", table, match, ())

    def update(self, table: str, match: Match, changes: Mapping[str, Change]) -> int:
        """Create (once) a correction task listing each change; return reported rows once it is closed."""
        return self._task("correct", table, match, tuple(_describe(n, c) for n, c in sorted(changes.items())))

    def task_id(self, operation: Operation, table: str, match: Match) -> str:
        """Return the id of the task for this step: the same step always maps to the same task."""
        material = json.dumps([self.recipient, self.request, operation, table, match.fields,
                               sorted(map(list, match.values), key=repr)], default=str)
        return hashlib.sha256(material.encode()).hexdigest()[:16]

    def _task(self, operation: Operation, table: str, match: Match, changes: tuple[str, ...]) -> int:
        task_id = self.task_id(operation, table, match)
        task = self.store.get(task_id)
        if task is None:
            now = self.clock()
            task = ManualTask(
                id=task_id, recipient=self.recipient, contact=self.contact, request=self.request,
                operation=operation, table=table, categories=self.categories,
                subject=_subject(match), changes=changes, created_at=now,
                due=(now + timedelta(days=self.due_days)).date())
            self.store.put(task)
        if task.is_open:
            raise TaskPending(task)
        return task.rows or 0


def close_task(store: TaskStore, task_id: str, note: str, *, file_sha256: str | None = None,
               rows: int | None = None, now: datetime | None = None) -> ManualTask:
    """Close a task with the operator's evidence; the subject's values are kept only as digests."""
    task = store.get(task_id)
    if task is None:
        raise TaskError(f"no task {task_id}")
    if not task.is_open:
        raise TaskError(f"task {task_id} was already closed on {task.closed_at:%Y-%m-%d}")
    if not note.strip():
        raise TaskError("closing a task needs a note saying what the recipient confirmed")
    if file_sha256 is not None and not SHA256.match(file_sha256):
        raise TaskError("file_sha256 must be 64 lowercase hex digits (use file_digest(path))")
    if rows is not None and rows < 0:
        raise TaskError("rows must be zero or more")
    closed = replace(task, closed_at=now or datetime.now(UTC), note=note.strip(), file_sha256=file_sha256,
                     rows=rows, subject=tuple((n, _digest(v)) for n, v in task.subject),
                     changes=tuple(_digest(c) for c in task.changes))
    store.put(closed)
    return closed


def file_digest(path: str | Path) -> str:
    """Return the SHA-256 of a file (a recipient's confirmation kept as evidence)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _subject(match: Match) -> tuple[tuple[str, str], ...]:
    pairs = {(f, str(v)) for values in match.values for f, v in zip(match.fields, values, strict=True)}
    return tuple(sorted(pairs))


def _digest(value: str) -> str:
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def _describe(name: str, change: Change) -> str:
    if isinstance(change, SetNull):
        return f"{name}: remove the value"
    if isinstance(change, ReplaceText):
        return f"{name}: remove every mention of the person from the text"
    if isinstance(change, MapValues):
        pairs = "; ".join(f"{old!r} -> {new!r}" for old, new in change.mapping)
        return f"{name}: replace {pairs}"
    return f"{name}: {change!r}"

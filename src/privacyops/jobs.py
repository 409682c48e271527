"""Background jobs: the huey instance built from settings, and the task entry points.

This is the only module that knows huey. Other packages declare work with :func:`task` and
:func:`periodic` in a ``tasks.py`` module of their own (``privacyops/<package>/tasks.py``); those
modules are imported when a queue is built, so the task names are known to the server and the worker.
Task functions take a :class:`JobContext` first and plain values after it (ids, never ORM objects).

The store is the source of truth and the queue only dispatches: a task reads its state from the store.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import huey
import huey.consumer
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

import privacyops
from privacyops import home
from privacyops.settings import Settings
from privacyops.store import db
from privacyops.store.queue_postgres import PostgresHuey
from privacyops.store.queue_sqlite import WakingSqliteHuey

log = logging.getLogger(__name__)

QUEUE_NAME = "privacyops"
HEARTBEAT_KEY = "privacyops:heartbeat"


class QueueConfigError(ValueError):
    """PRIVACYOPS_QUEUE_URL names a queue this installation cannot use."""


class UnknownTask(KeyError):
    """No task of that name is registered; check the name given to @task or @periodic."""


@dataclass(frozen=True)
class TaskSpec:
    """A registered task: its name, the function, retry policy and, if periodic, its schedule."""

    name: str
    func: Callable[..., Any]
    retries: int = 2
    retry_delay: int = 30
    schedule: dict[str, str] | None = None


_REGISTRY: dict[str, TaskSpec] = {}
# Task names that code outside the tasks modules enqueues, with the module that named them: checked
# against the registry when a queue starts, so a task that is never registered stops the start-up.
_NEEDED: dict[str, str] = {}


def task(
    name: str | None = None, *, retries: int = 2, retry_delay: int = 30
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare ``func(ctx, *plain_values)`` as a task that can be enqueued by name."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        key = name or func.__name__
        _REGISTRY[key] = TaskSpec(key, func, retries, retry_delay)
        return func

    return register


def periodic(
    name: str | None = None,
    *,
    minute: str = "*",
    hour: str = "*",
    day: str = "*",
    month: str = "*",
    day_of_week: str = "*",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare ``func(ctx)`` as a task the scheduler runs on a cron-like schedule (UTC)."""
    schedule = {"minute": minute, "hour": hour, "day": day, "month": month, "day_of_week": day_of_week}

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        key = name or func.__name__
        _REGISTRY[key] = TaskSpec(key, func, retries=0, retry_delay=0, schedule=schedule)
        return func

    return register


def needs(*names: str) -> tuple[str, ...]:
    """Declare task names the calling module enqueues; a queue refuses to start if one is unknown."""
    caller = sys._getframe(1).f_globals.get("__name__", "?")
    for name in names:
        _NEEDED.setdefault(name, caller)
    return names


def registered_tasks() -> dict[str, TaskSpec]:
    """Return every declared task by name (after importing the packages' ``tasks`` modules)."""
    import_task_modules()
    return dict(_REGISTRY)


def task_module_names() -> list[str]:
    """Dotted names of every ``tasks.py`` below the package, at any depth.

    The files are found on disk rather than through ``pkgutil``, which skips a folder that lacks an
    ``__init__.py``: a package's tasks are registered whether or not it has one.
    """
    root = Path(privacyops.__file__).parent
    names = []
    for path in sorted(root.rglob("tasks.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "__pycache__" not in parts:
            names.append(".".join(("privacyops", *parts)))
    return names


def import_task_modules() -> None:
    """Import every ``privacyops.<package>.tasks`` module so that its tasks are registered."""
    for module_name in task_module_names():
        importlib.import_module(module_name)


def missing_tasks() -> dict[str, str]:
    """Task names enqueued somewhere (``needs``) that no ``@task`` or ``@periodic`` registers."""
    import_task_modules()
    return {name: where for name, where in sorted(_NEEDED.items()) if name not in _REGISTRY}


def check_registry() -> None:
    """Raise :class:`UnknownTask` naming every task that is enqueued but never registered."""
    missing = missing_tasks()
    if missing:
        listed = ", ".join(f"{name} (named in {where})" for name, where in missing.items())
        raise UnknownTask(f"tasks enqueued but not registered: {listed}; is their tasks.py importable?")


@dataclass
class JobContext:
    """What a task gets: the settings, a session factory on the store, and the queue itself."""

    settings: Settings
    queue: JobQueue
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def sessions(self) -> sessionmaker[Session]:
        # The engine is created on first use, in the process that runs the task.
        with self._lock:
            if self._sessions is None:
                self._sessions = db.session_factory(
                    db.engine_for(self.settings, sqlite_immediate=True)
                )
            return self._sessions


class _QuietConsumer(huey.consumer.Consumer):
    """A consumer that leaves signal handling to its host (uvicorn runs it in a thread)."""

    def _set_signal_handlers(self) -> None:
        return None


class JobQueue:
    """The application's view of the queue: enqueue by name, run consumers, check health."""

    def __init__(self, settings: Settings, backend: huey.Huey, sessions: sessionmaker[Session] | None = None):
        self.settings = settings
        self.huey = backend
        self.context = JobContext(settings, self, sessions)
        self._tasks: dict[str, Any] = {}
        self._consumer: _QuietConsumer | None = None
        tasks = registered_tasks()
        unknown = sorted(set(settings.scheduled_off) - {s.name for s in tasks.values() if s.schedule})
        if unknown:
            scheduled = sorted(s.name for s in tasks.values() if s.schedule)
            raise UnknownTask(f"PRIVACYOPS_SCHEDULED_OFF names no scheduled task: {', '.join(unknown)}; "
                              f"scheduled tasks: {', '.join(scheduled)}")
        for spec in tasks.values():
            self._tasks[spec.name] = self._bind(spec)
        check_registry()

    def _bind(self, spec: TaskSpec) -> Any:
        context = self.context

        def run(*args: Any, **kwargs: Any) -> Any:
            return spec.func(context, *args, **kwargs)

        run.__name__ = spec.name
        if spec.schedule is not None and spec.name not in self.settings.scheduled_off:
            return self.huey.periodic_task(huey.crontab(**spec.schedule), name=spec.name)(run)
        return self.huey.task(retries=spec.retries, retry_delay=spec.retry_delay, name=spec.name)(run)

    @property
    def task_names(self) -> list[str]:
        return sorted(self._tasks)

    def enqueue(self, name: str, *args: Any, delay: float | None = None, **kwargs: Any) -> Any:
        """Queue task ``name`` with plain-value arguments; returns huey's result handle."""
        try:
            wrapper = self._tasks[name]
        except KeyError:
            raise UnknownTask(f"no task named {name!r}; known: {', '.join(self.task_names)}") from None
        if delay is not None:
            return wrapper.schedule(args=args, kwargs=kwargs, delay=delay)
        return wrapper(*args, **kwargs)

    def check(self) -> int:
        """Reach the queue storage; returns the number of waiting tasks (raises if unreachable)."""
        return int(self.huey.pending_count())

    def last_heartbeat(self) -> datetime | None:
        """When the heartbeat task last ran, as recorded by the worker that ran it."""
        raw = self.huey.storage.peek_data(HEARTBEAT_KEY)
        if raw is huey.constants.EmptyData:
            return None
        return datetime.fromisoformat(bytes(raw).decode())

    def make_consumer(self, workers: int = 1, *, quiet: bool = False, max_delay: float = 2.0) -> Any:
        """Build a thread-based consumer; ``quiet`` leaves signals to the host process."""
        consumer_class = _QuietConsumer if quiet else huey.consumer.Consumer
        self._resume_after_outages()
        self._warm_up()
        return consumer_class(
            self.huey, workers=workers, worker_type="thread", max_delay=max_delay, check_worker_health=True
        )

    def _warm_up(self) -> None:
        """Build the PII engine on a background thread: the first task that masks need not wait."""
        from privacyops.pii import engine, scan_cache

        if self.settings.cache_dir is not None:
            scan_cache.configure(self.settings.cache_dir)
        engine.warm_up()

    def _resume_after_outages(self) -> None:
        """Let a consumer's queue give back this process's claims when the store returns after an outage."""
        storage = self.huey.storage
        if hasattr(storage, "on_reconnect"):
            from privacyops.recovery import outage

            storage.on_reconnect = lambda lost_at: outage.resume(self, lost_at)

    def start_in_process(self, workers: int = 1) -> None:
        """Run a consumer on threads of this process (the embedded default of ``privacyops serve``)."""
        if self._consumer is not None:
            return
        self._consumer = self.make_consumer(workers, quiet=True, max_delay=1.0)
        self._consumer.start()
        log.info("job consumer started in process (%d worker thread(s))", workers)

    def stop_in_process(self) -> None:
        """Stop the in-process consumer, letting a running task finish."""
        if self._consumer is None:
            return
        self._consumer.stop(graceful=True)
        self._consumer = None

    def run_worker(self, workers: int = 1) -> None:
        """Run a consumer in the foreground until interrupted (``privacyops worker``)."""
        self.make_consumer(workers).run()

    def close(self) -> None:
        """Stop any consumer and release the storage connection."""
        self.stop_in_process()
        self.huey.storage.close()


def build_huey(settings: Settings) -> huey.Huey:
    """Choose the huey storage named by ``settings.queue_url`` (SQLite in ``settings.home`` if unset)."""
    url = settings.queue_url
    if not url:
        return _sqlite_huey(Path(settings.home) / "queue.db")
    scheme = url.split("://", 1)[0].lower()
    if scheme == "sqlite":
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if not path:
            raise QueueConfigError(f"PRIVACYOPS_QUEUE_URL={url!r}: give a file, e.g. sqlite:///state/queue.db")
        return _sqlite_huey(Path(path))
    if scheme.startswith("postgres"):
        return PostgresHuey(QUEUE_NAME, dsn=url)
    if scheme in ("redis", "rediss"):
        return _redis_huey(url)
    if scheme == "memory":
        return huey.MemoryHuey(QUEUE_NAME, utc=True)
    raise QueueConfigError(
        f"PRIVACYOPS_QUEUE_URL={url!r} is not supported; use sqlite:///FILE, postgresql://... or redis://..."
    )


def _sqlite_huey(path: Path) -> huey.Huey:
    home.touch_private(path)
    return WakingSqliteHuey(QUEUE_NAME, filename=str(path), utc=True, timeout=15)


def _redis_huey(url: str) -> huey.Huey:
    if importlib.util.find_spec("redis") is None:
        raise QueueConfigError("a redis:// queue needs the redis package: pip install 'privacyops[redis]'")
    # An idle worker waits in BRPOP, so an enqueue wakes it at once; the timeout only bounds how long
    # a stopping worker takes to notice.
    return huey.RedisHuey(QUEUE_NAME, url=url, utc=True, blocking=True, read_timeout=1)


def build_queue(settings: Settings, sessions: sessionmaker[Session] | None = None) -> JobQueue:
    """Build the application's job queue from settings (pass ``sessions`` to share the app's engine)."""
    return JobQueue(settings, build_huey(settings), sessions)


@periodic("heartbeat", minute="*")
def heartbeat(ctx: JobContext) -> str:
    """Prove the wiring: the worker reaches the store and records when it last ran."""
    with ctx.sessions() as session:
        session.execute(sa.text("SELECT 1"))
    moment = datetime.now(UTC).isoformat()
    ctx.queue.huey.storage.put_data(HEARTBEAT_KEY, moment.encode())
    return moment

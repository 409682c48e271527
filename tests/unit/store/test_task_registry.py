"""Every task the code enqueues is registered, whether or not its package has an ``__init__.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import privacyops
from privacyops import jobs

SOURCE = Path(privacyops.__file__).parent


def test_every_tasks_module_is_found_on_disk() -> None:
    files = SOURCE.rglob("tasks.py")
    on_disk = {".".join(("privacyops", *p.relative_to(SOURCE).with_suffix("").parts)) for p in files}
    assert "privacyops.execution.tasks" in on_disk
    assert set(jobs.task_module_names()) == on_disk


def test_request_execution_tasks_are_registered() -> None:
    names = jobs.registered_tasks()
    for name in ("execution_run_request", "execution_dispatch_ready", "execution_reconcile",
                 "requests_send_outbox", "opendsr_process"):
        assert name in names


def _enqueued_literals() -> set[tuple[str, str]]:
    """(task name, file) for every string literal given as a task name to an enqueue-like call."""
    found: set[tuple[str, str]] = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called not in ("enqueue", "needs", "_dispatch"):
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.islower():
                    found.add((arg.value, str(path.relative_to(SOURCE))))
    return found


def test_every_task_name_written_in_the_code_is_registered() -> None:
    registered = jobs.registered_tasks()
    literals = _enqueued_literals()
    assert literals, "the scan found no enqueued task names: it no longer reads the code"
    unknown = sorted((name, where) for name, where in literals if name not in registered)
    assert unknown == []


def test_queue_refuses_to_start_when_a_needed_task_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(jobs._NEEDED, "no_such_task", "tests.unit")
    with pytest.raises(jobs.UnknownTask, match="no_such_task"):
        jobs.check_registry()

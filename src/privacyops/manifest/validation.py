"""Turn pydantic validation errors into findings located at the offending key, each with a fix."""

from __future__ import annotations

import re
import types
import typing
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError

from privacyops.manifest import taxonomy
from privacyops.manifest.errors import Finding
from privacyops.manifest.source import Path, SourceMap, dotted

QUOTED = re.compile(r"'([^']*)'")
INSTANCE_OF = re.compile(r" or instance of \w+")


def findings_from(
    error: ValidationError, data: Any, source: SourceMap, model: type[BaseModel]
) -> list[Finding]:
    """Return one finding per offending key of the file."""
    groups: dict[Path, list[Any]] = {}
    for item in error.errors():
        groups.setdefault(data_path(data, item["loc"]), []).append(item)
    findings = []
    codes: list[tuple[Path, str]] = []
    for path, items in groups.items():
        finding = _finding(items[0], path, source, model)
        if len(items) > 1 and finding.code in ("wrong-type", "bad-value"):
            # A union (e.g. `sensitive: true | false | maybe`) reports once per member: merge them.
            finding = replace(finding, code="bad-value",
                              message=f"{_name(path)} has the value {_short(items[0].get('input'))}, "
                              "which is not allowed",
                              fix=f"write {_name(path)} as " + " or ".join(_expected(i) for i in items))
        findings.append(finding)
        codes += [(path, _finding(i, path, source, model).code) for i in items]
    return _drop_missing_explained_by_typo(findings, codes)


def _expected(item: Any) -> str:
    if item["type"] in ("literal_error", "enum"):
        return " or ".join(QUOTED.findall(str(item.get("ctx", {}).get("expected", "")))) or "another value"
    return _expected_words(item["type"])


def _name(path: Path) -> str:
    """Return how a message names a key: `deadline`, or `rights[1]` for a list item."""
    if not path:
        return "the manifest"
    if isinstance(path[-1], int):
        return f"`{path[-2]}[{path[-1]}]`" if len(path) > 1 else f"`[{path[-1]}]`"
    return f"`{path[-1]}`"


def _drop_missing_explained_by_typo(findings: list[Finding], keys: list[tuple[Path, str]]) -> list[Finding]:
    # `legal_nam:` is both an unknown key and a missing `legal_name`; report it once, as the typo.
    unknown = {(path[:-1], str(path[-1])) for path, code in keys if code == "unknown-key" and path}
    explained = set()
    for path, code in keys:
        if code != "missing-key" or not path:
            continue
        typos = [name for parent, name in unknown if parent == path[:-1]]
        if taxonomy.nearest(str(path[-1]), typos, count=1):
            explained.add(dotted(path))
    return [f for f in findings if not (f.code == "missing-key" and f.key in explained)]


def data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """Follow a pydantic location through the data, skipping steps (union tags) that are not keys."""
    path: list[str | int] = []
    current = data
    for step in loc:
        if _has(current, step):
            current = current[step]
            path.append(step)
        elif isinstance(current, dict) and isinstance(step, str) and step.isidentifier():
            # A missing key: point at its parent but name it.
            path.append(step)
            break
    return tuple(path)


def _has(current: Any, step: int | str) -> bool:
    if isinstance(current, dict):
        return isinstance(step, str) and step in current
    return isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current)


def _finding(item: Any, path: Path, source: SourceMap, model: type[BaseModel]) -> Finding:
    kind = item["type"]
    parent = f"in {dotted(path[:-1])}" if path[:-1] else "at the top level"
    key = path[-1] if path else ""
    name = _name(path)
    if kind == "missing":
        message = f"`{key}` is required {parent}"
        fix = f"add `{key}:` under {dotted(path[:-1])}" if path[:-1] else f"add `{key}:` at the top level"
        code = "missing-key"
    elif kind == "extra_forbidden":
        allowed = allowed_keys(model, path[:-1])
        message = f"unknown key `{key}` {parent}"
        fix = taxonomy.suggestion(str(key), allowed, "keys allowed here", declared=False) if allowed \
            else "remove it"
        code = "unknown-key"
    elif kind in ("literal_error", "enum"):
        expected = QUOTED.findall(str(item.get("ctx", {}).get("expected", "")))
        message = f"{name} has the value {item.get('input')!r}, which is not allowed"
        fix = taxonomy.suggestion(str(item.get("input")), expected, "allowed values", declared=False) \
            if expected else item["msg"]
        code = "bad-value"
    elif kind in ("value_error", "assertion_error"):
        message = f"{name}: {item['msg'].removeprefix('Value error, ')}"
        fix = "see docs/manifest.md for this key"
        code = "invalid"
    else:
        wanted = INSTANCE_OF.sub("", item["msg"]).lower()
        message = f"{name} has the wrong type: {wanted} (got {_short(item.get('input'))})"
        fix = f"write {name} as {_expected_words(kind)}"
        keys = allowed_keys(model, path)
        if keys and kind in ("model_type", "dict_type"):
            fix += " with keys " + ", ".join(keys)
        code = "wrong-type"
    return source.finding(path, "error", code, message, fix)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _expected_words(kind: str) -> str:
    words = {
        "dict_type": "a mapping of keys (key: value lines)",
        "list_type": "a list (lines starting with `- ` or [a, b])",
        "tuple_type": "a list (lines starting with `- ` or [a, b])",
        "string_type": "text",
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "date_type": "a date such as 2026-03-26",
        "date_from_datetime_parsing": "a date such as 2026-03-26",
        "model_type": "a mapping of keys (key: value lines)",
    }
    return words.get(kind, "the type docs/manifest.md gives")


def allowed_keys(model: type[BaseModel], path: Path) -> list[str]:
    """Return the keys the model accepts at a path of the data, or [] when unknown."""
    annotation: Any = model
    for step in path:
        annotation = _step(annotation, step)
        if annotation is None:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in members if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else members[0]
    return annotation


def _step(annotation: Any, step: str | int) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(step))
        return field.annotation if field else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (tuple, list) and args:
        return args[0]
    return None

"""Read YAML keeping the line and column of every key, and refuse duplicate keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from privacyops.manifest.errors import Finding

Path = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Where each key of a manifest file is: path of keys and list indexes -> (line, column), 1-based."""

    file: str
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path) -> tuple[Path, int, int]:
        """Return the longest known prefix of `path` and its line and column."""
        for end in range(len(path), -1, -1):
            prefix = tuple(path[:end])
            if prefix in self.positions:
                line, column = self.positions[prefix]
                return prefix, line, column
        return (), 1, 1

    def finding(self, path: Path, level: str, code: str, message: str, fix: str = "") -> Finding:
        """Build a finding located at the key `path` (or its nearest known parent)."""
        _, line, column = self.locate(path)
        return Finding(level=level, code=code, message=message, file=self.file, line=line,  # type: ignore[arg-type]
                       column=column, key=dotted(path), fix=fix)


def dotted(path: Path) -> str:
    """Return a path as `a.b[0].c`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class YamlProblem(Exception):
    """The text is not YAML this loader accepts."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(str(finding))


def parse(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse YAML text into plain values and a map of key positions."""
    source = SourceMap(file=file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "unreadable YAML"
        raise YamlProblem(Finding(
            level="error", code="yaml-syntax", message=f"the file is not valid YAML: {problem}", file=file,
            line=line, column=column, fix="check indentation, colons and quotes around this line",
        )) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Finding(level="error", code="yaml-syntax", file=file, line=1, column=1,
                                  message=f"the file is not valid YAML: {exc}",
                                  fix="check the file is YAML text")) from None
    if root is None:
        raise YamlProblem(Finding(level="error", code="empty", message="the manifest file is empty",
                                  file=file, line=1, column=1,
                                  fix="start from examples/langfuse/privacy.yml"))
    source.positions[()] = _position(root)
    return _Builder(source).value(root, ()), source


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Turn a composed node tree into dicts, lists and scalars while recording positions."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.constructor = yaml.constructor.SafeConstructor()

    def value(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.source.positions[(*path, index)] = _position(item)
                items.append(self.value(item, (*path, index)))
            return items
        return self.scalar(node, path)

    def scalar(self, node: yaml.Node, path: Path) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            self._fail(node, path, "yaml-tag", f"the tag {node.tag} is not allowed in a manifest",
                       "remove the tag (the word starting with !) and write a plain value")
        except Exception:
            # PyYAML resolves e.g. 2026-13-45 as a date and then fails to build it.
            self._fail(node, path, "bad-scalar", f"the value {node.value!r} cannot be read",
                       "write the value plainly (a date as YYYY-MM-DD) or quote it to keep it as text")
        return None

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._fail(key_node, path, "key-type", "a key must be a plain word, not a list or mapping",
                           "write the key as text followed by a colon")
            # Keys stay text exactly as written (PyYAML would read `no:` or `on:` as booleans).
            key = str(key_node.value)
            if key in result:
                first_line = self.source.positions[(*path, key)][0]
                self._fail(key_node, (*path, key), "duplicate-key",
                           f"key `{key}` appears twice (first on line {first_line})",
                           "remove or merge one of the two entries; YAML keeps only the last one")
            self.source.positions[(*path, key)] = _position(key_node)
            result[key] = self.value(value_node, (*path, key))
        return result

    def _fail(self, node: yaml.Node, path: Path, code: str, message: str, fix: str) -> None:
        line, column = _position(node)
        raise YamlProblem(Finding(level="error", code=code, message=message, file=self.source.file, line=line,
                                  column=column, key=dotted(path), fix=fix))

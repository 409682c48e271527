"""Load a manifest file: YAML with positions, schema validation, cross references; errors name file:line."""

from __future__ import annotations

from pathlib import Path as FsPath

from pydantic import ValidationError

from privacyops.manifest import crossref, source, validation
from privacyops.manifest.errors import Finding, ManifestError
from privacyops.manifest.schema import Manifest

__all__ = ["ManifestError", "load_manifest", "load_text", "source_map"]


def load_manifest(path: str | FsPath) -> Manifest:
    """Load and validate the manifest at `path`; raise ManifestError with located findings."""
    file = str(path)
    try:
        text = FsPath(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError([Finding(level="error", code="unreadable", message=f"cannot read the file: "
                                     f"{exc.strerror or exc}", file=file, fix="check the path")]) from None
    except UnicodeDecodeError:
        raise ManifestError([Finding(level="error", code="unreadable", message="the file is not UTF-8 text",
                                     file=file, fix="save it as UTF-8")]) from None
    return load_text(text, file)


def load_text(text: str, file: str = "<manifest>") -> Manifest:
    """Load and validate manifest YAML text; `file` names it in findings."""
    try:
        data, positions = source.parse(text, file)
    except source.YamlProblem as exc:
        raise ManifestError([exc.finding]) from None
    if not isinstance(data, dict):
        raise ManifestError([positions.finding(
            (), "error", "wrong-type", "the manifest must be a mapping of keys at the top level",
            "start from examples/langfuse/privacy.yml")])
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(_by_line(validation.findings_from(exc, data, positions, Manifest))) from None
    problems = crossref.check(manifest, positions)
    if problems:
        raise ManifestError(_by_line(problems))
    manifest._source = positions
    return manifest


def source_map(manifest: Manifest) -> source.SourceMap:
    """Return where the keys of a loaded manifest are in its file (an empty map if built in code)."""
    found = manifest._source
    return found if isinstance(found, source.SourceMap) else source.SourceMap(file="<manifest>")


def _by_line(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.line, f.column))

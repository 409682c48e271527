"""``privacyops mask``: mask personal data and secrets in text, JSON or JSON Lines, file or stdin.

Text is read in blocks and decoded with ``surrogateescape``, so binary or non-UTF-8 input comes out
byte for byte except the masked values; a single line of any length is processed in bounded pieces.
JSON and JSON Lines keep their shape; input that does not parse is an error naming the line.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.progress import Progress

    from privacyops.pii import masking

BLOCK = 1 << 20
JSONL_BATCH = 512
# privacyops.pii.operators.OPERATOR_NAMES, written out so that --help does not load the masking engine
# (a test compares the two).
OPERATORS = ("redact", "placeholder", "mask", "pseudonym", "encrypt", "drop")


def register(app: typer.Typer) -> None:
    @app.command("mask")
    def mask(
        source: Path | None = typer.Argument(None, help="File to mask; standard input when omitted or '-'."),
        output: Path | None = typer.Option(None, "-o", "--output", help="Write here instead of stdout."),
        fmt: str = typer.Option("text", "--format", "-f", help="Input format: text, json or jsonl."),
        operator: str = typer.Option(
            "placeholder", "--operator", help=f"How to replace findings: {', '.join(OPERATORS)}."
        ),
        entities: str | None = typer.Option(None, "--entities", help="Comma-separated entity types to mask."),
        key: str | None = typer.Option(
            None, "--key", envvar="PRIVACYOPS_SECRET_KEY", help="Key for pseudonym and encrypt operators."
        ),
        tenant: str = typer.Option("", "--tenant", help="Tenant whose pseudonym key is derived."),
        fail: str = typer.Option("closed", "--fail", help="On an internal error: closed or open."),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar for files."),
    ) -> None:
        """Mask personal data (emails, phones, cards, IBANs, IPs, ids, secrets) in a file or stream."""
        if fmt not in {"text", "json", "jsonl"}:
            _fail(f"--format {fmt!r}: use text, json or jsonl")
        masker = _masker(operator, entities, key, tenant, fail)
        path = None if source is None or str(source) == "-" else source
        if path is not None and not path.is_file():
            _fail(f"{path}: no such file")
        size = path.stat().st_size if path is not None else None
        with _open_in(path) as raw, _open_out(output) as out, _progress(progress and size is not None) as bar:
            task = bar.add_task("masking", total=size) if bar is not None else None

            def advance(count: int) -> None:
                if bar is not None and task is not None:
                    bar.advance(task, count)

            blocks = _blocks(raw, advance)
            if fmt == "text":
                _mask_text(blocks, out, masker)
            elif fmt == "json":
                _mask_json(blocks, out, masker)
            else:
                _mask_jsonl(raw, out, masker, advance)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", err=True, fg="red")
    raise typer.Exit(1)


def _masker(
    operator: str, entities: str | None, key: str | None, tenant: str, fail: str
) -> masking.PolicyMasker:
    from privacyops.pii import masking, policy
    from privacyops.pii.operators import OperatorError

    wanted = [name.strip() for name in entities.split(",") if name.strip()] if entities else None
    try:
        chosen = policy.MaskPolicy.model_validate({"operator": operator, "entities": wanted, "fail": fail})
        return masking.PolicyMasker(chosen, secret=key, tenant=tenant)
    except OperatorError as exc:
        _fail(str(exc))
    except ValueError as exc:
        _fail(f"invalid option: {exc}".splitlines()[0] + " (see --help)")
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _open_in(path: Path | None) -> Iterator[IO[bytes]]:
    if path is None:
        yield sys.stdin.buffer
        return
    with path.open("rb") as handle:
        yield handle


@contextlib.contextmanager
def _open_out(path: Path | None) -> Iterator[IO[bytes]]:
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    with path.open("wb") as handle:
        yield handle


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, transient=True, console=None, redirect_stdout=False) as bar:
        yield bar


def _blocks(raw: IO[bytes], advance: Any) -> Iterator[bytes]:
    while True:
        block = raw.read(BLOCK)
        if not block:
            return
        advance(len(block))
        yield block


def _decoded(blocks: Iterator[bytes]) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    for block in blocks:
        yield decoder.decode(block)
    yield decoder.decode(b"", final=True)


def _mask_text(blocks: Iterator[bytes], out: IO[bytes], masker: masking.PolicyMasker) -> None:
    for piece in masker.stream(_decoded(blocks)):
        out.write(piece.encode("utf-8", "surrogateescape"))


def _parse(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        _fail(f"{where}: not UTF-8 at byte {exc.start}; use --format text for binary input")
    except RecursionError:
        _fail(f"{where}: JSON nested too deeply to parse")
    except ValueError as exc:
        _fail(f"{where}: not valid JSON ({exc})")
    raise AssertionError("unreachable")


def _dump(document: Any, where: str) -> bytes:
    try:
        return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogateescape")
    except (RecursionError, ValueError) as exc:
        _fail(f"{where}: the masked document cannot be written: {exc}")
    raise AssertionError("unreachable")


def _masked_document(masker: masking.PolicyMasker, document: Any, where: str) -> Any:
    from privacyops.pii import structured

    try:
        return masker.document(document)
    except structured.PayloadError as exc:
        _fail(f"{where}: {exc}")
    raise AssertionError("unreachable")


def _mask_json(blocks: Iterator[bytes], out: IO[bytes], masker: masking.PolicyMasker) -> None:
    document = _parse(b"".join(blocks), "input")
    out.write(_dump(_masked_document(masker, document, "input"), "input") + b"\n")


def _mask_jsonl(raw: IO[bytes], out: IO[bytes], masker: masking.PolicyMasker, advance: Any) -> None:
    batch: list[Any] = []
    first = 1
    for number, line in enumerate(raw, start=1):
        advance(len(line))
        if not line.strip():
            continue
        if not batch:
            first = number
        batch.append(_parse(line, f"line {number}"))
        if len(batch) >= JSONL_BATCH:
            _flush(batch, first, out, masker)
            batch = []
    if batch:
        _flush(batch, first, out, masker)


def _flush(batch: list[Any], first: int, out: IO[bytes], masker: masking.PolicyMasker) -> None:
    # One document holding the whole batch: one scan for all of its lines.
    masked = _masked_document(masker, batch, f"lines {first}-{first + len(batch) - 1}")
    out.write(b"".join(_dump(document, "output") + b"\n" for document in masked))

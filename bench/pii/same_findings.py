"""Dump the engine's findings on the corpus, or compare two dumps, to prove a speed change kept them.

usage: python bench/pii/same_findings.py dump OUT.jsonl [--tier structured|default] [--backend auto|re]
       python bench/pii/same_findings.py compare BEFORE.jsonl AFTER.jsonl
A dump holds one line per record of ``bench/.work/corpus.jsonl`` (batches of 256, as the benchmark
scans): every finding with its span, entity, score, kind and recognizer. ``compare`` says whether two
dumps are byte-identical and, if not, prints the first records that differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work"
sys.path.insert(0, str(HERE))

from run_bench import ENTITIES  # noqa: E402


def dump(out: Path, tier: str, backend: str, corpus: Path, batch: int) -> None:
    """Write the findings of every record, one JSON line per record."""
    from privacyops.pii.engine import Engine

    with corpus.open(encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    engine = Engine(backend=backend, entities=ENTITIES if tier == "structured" else None)
    with out.open("w", encoding="utf-8") as handle:
        for at in range(0, len(texts), batch):
            for found in engine.analyze_many(texts[at : at + batch]):
                handle.write(json.dumps([list(finding) for finding in found]) + "\n")
    print(f"{out}: {len(texts)} records, {tier} tier, {engine.backend} backend")


def compare(before: Path, after: Path, shown: int = 5) -> int:
    """Print whether the dumps are identical; return 0 when they are, 1 when not."""
    old, new = before.read_bytes(), after.read_bytes()
    if old == new:
        print(f"identical: {len(old.splitlines())} records, {len(old)} bytes")
        return 0
    old_lines, new_lines = old.splitlines(), new.splitlines()
    different = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b]
    print(f"DIFFERENT: {len(different)} records differ; records {len(old_lines)} and {len(new_lines)}")
    for index in different[:shown]:
        print(f"record {index}:\n  before {old_lines[index][:400]!r}\n  after  {new_lines[index][:400]!r}")
    return 1


def main() -> None:
    """Dump or compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump")
    dumping.add_argument("out", type=Path)
    dumping.add_argument("--tier", choices=["structured", "default"], default="structured")
    dumping.add_argument("--backend", default="auto")
    dumping.add_argument("--corpus", type=Path, default=WORK / "corpus.jsonl")
    dumping.add_argument("--batch", type=int, default=256)
    comparing = commands.add_parser("compare")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.tier, args.backend, args.corpus, args.batch)
    else:
        raise SystemExit(compare(args.before, args.after))


if __name__ == "__main__":
    main()

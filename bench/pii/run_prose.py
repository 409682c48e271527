"""Names, street addresses and written phone numbers: privacyops and Presidio + spaCy on the same texts.

usage: python bench/pii/run_prose.py [--records 3000] [--quick] [--skip-presidio]
Builds the tuning set (seed 11) and the held-out set (seed 20261206, never used for tuning) with
``prose_corpus.py``, times privacyops on one core, runs Presidio with spaCy ``en_core_web_sm`` on the
same texts (``bench_presidio.py`` of the peer, as ``run_bench.py`` does), scores PERSON,
STREET_ADDRESS and PHONE_NUMBER per language and writes the block between the ``prose`` markers of
``RESULTS.md`` (and ``bench/.work/prose_results.json``). ``--quick``: 600 records, one repetition.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work"
sys.path.insert(0, str(HERE))

from run_bench import load, read_findings, run_engine, run_presidio, table  # noqa: E402
from scoring import score  # noqa: E402

ENTITIES = ["PERSON", "STREET_ADDRESS", "PHONE_NUMBER"]
# spaCy's places (GPE, LOC, FAC) come out of Presidio as LOCATION: the nearest it has to an address.
PRESIDIO_MAP = {"PERSON": "PERSON", "LOCATION": "STREET_ADDRESS", "PHONE_NUMBER": "PHONE_NUMBER"}
SETS = {"tuning": 11, "held-out": 20261206}
BEGIN, END = "<!-- prose:begin -->", "<!-- prose:end -->"


def build(name: str, seed: int, records: int) -> Path:
    """Write one labelled set and return its path."""
    path = WORK / f"prose_{name}.jsonl"
    command = [sys.executable, str(HERE / "prose_corpus.py"), "--records", str(records), "--seed", str(seed)]
    subprocess.run([*command, "-o", str(path)], check=True)
    return path


def by_language(records: list[dict], preds: list, language: str | None) -> dict:
    """Scores over the records of one language (``None``: English; ``"other"``: all the rest)."""
    chosen = [
        index
        for index, record in enumerate(records)
        if (record["source"].startswith("en:")) == (language == "en")
    ]
    golds = [[tuple(span) for span in records[i]["spans"]] for i in chosen]
    return score(golds, [preds[i] for i in chosen], ENTITIES)


def main() -> None:
    """Run both engines on both sets and write the results block."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-presidio", action="store_true")
    parser.add_argument("--presidio-venv", type=Path, default=WORK / "presidiovenv")
    args = parser.parse_args()
    records_wanted = 600 if args.quick else args.records
    reps = "1" if args.quick else "3"
    WORK.mkdir(parents=True, exist_ok=True)
    # The machine is shared: say how busy it was, since the speeds depend on it.
    busy = f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    results: dict = {"sets": {}, "load": busy}
    for name, seed in SETS.items():
        path = build(name, seed, records_wanted)
        records = load(path)
        ours = run_engine(path, WORK / f"prose_{name}_ours.jsonl", "--reps", reps, "--batch", "64",
                          "--per-record")  # fmt: skip
        ours["load_average"] = round(os.getloadavg()[0], 1)
        english = WORK / f"prose_{name}_en.jsonl"
        english.write_text("".join(json.dumps(r) + "\n" for r in records if r["source"].startswith("en:")))
        ours["english"] = run_engine(english, WORK / f"prose_{name}_en_ours.jsonl", "--reps", reps, "--batch",
                                     "64", "--per-record")  # fmt: skip
        ours["english"]["load_average"] = round(os.getloadavg()[0], 1)
        preds = read_findings(WORK / f"prose_{name}_ours.jsonl")
        entry = {
            "records": len(records),
            "chars": ours["chars"],
            "privacyops": {"speed": ours, "en": by_language(records, preds, "en"),
                           "other": by_language(records, preds, "other")},
        }  # fmt: skip
        if not args.skip_presidio:
            found = WORK / f"prose_{name}_presidio.jsonl"
            speed = run_presidio(args.presidio_venv, path, found, "spacy", 1)
            theirs = read_findings(found, PRESIDIO_MAP)
            entry["presidio"] = {"speed": speed, "en": by_language(records, theirs, "en"),
                                 "other": by_language(records, theirs, "other")}  # fmt: skip
        results["sets"][name] = entry
    (WORK / "prose_results.json").write_text(json.dumps(results, indent=2))
    block = render(results)
    print(block)
    write_block(HERE / "RESULTS.md", block)


def render(results: dict) -> str:
    """The markdown block for RESULTS.md."""
    lines = [BEGIN, "## Names, street addresses and written phone numbers (`run_prose.py`)", ""]
    busy = results.get("load", "load not recorded")
    lines += [f"Machine: {busy}; the held-out seed was never used for tuning.", ""]
    for name, entry in results["sets"].items():
        lines.append(f"### {name} set: {entry['records']} texts, {entry['chars']:,} chars")
        lines.append("")
        rows = []
        for engine in ("presidio", "privacyops"):
            if engine not in entry:
                continue
            label = "Presidio + spaCy sm" if engine == "presidio" else "privacyops"
            for language in ("en", "other"):
                for entity in ENTITIES:
                    cell = entry[engine][language][entity]
                    texts = "English" if language == "en" else "de/fr/es/it/nl"
                    counts = [str(cell["tp"]), str(cell["fp"]), str(cell["fn"])]
                    rates = [f"{cell[key]:.3f}" for key in ("precision", "recall", "f1")]
                    rows.append([label, texts, entity, *counts, *rates])
        lines.append(
            table(rows, ["engine", "texts", "entity", "TP", "FP", "FN", "precision", "recall", "F1"])
        )
        lines.append("")
        ours = entry["privacyops"]["speed"]
        speeds = [_speed("privacyops, all texts", ours)]
        if "english" in ours:
            speeds.append(_speed("privacyops, English texts only", ours["english"]))
        if "presidio" in entry:
            speeds.append(f"Presidio + spaCy {entry['presidio']['speed']['chars_per_s']:,} chars/s")
        lines.append("Speed on this set: " + "; ".join(speeds) + ".")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _speed(label: str, figures: dict) -> str:
    return (
        f"{label} on one core: 64 texts per call {figures['cpu_chars_per_s']:,} chars/s of CPU time "
        f"({figures['chars_per_s']:,} wall), one call per text {figures['per_record_cpu_chars_per_s']:,} "
        f"chars/s of CPU time ({figures['per_record_chars_per_s']:,} wall), load average "
        f"{figures['load_average']} after it"
    )


def write_block(path: Path, block: str) -> None:
    """Replace the marked block of ``path`` (or append it)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

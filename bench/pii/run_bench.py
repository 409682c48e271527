"""Run the PII benchmark: corpus, privacyops on one core, Presidio side by side, results table.

usage: python bench/pii/run_bench.py [--size-mb 10.5] [--seed 7] [--presidio-venv bench/.work/presidiovenv]
       [--presidio-spacy-kb 300] [--presidio-regex-kb 1000] [--skip-presidio]
Writes bench/.work/results.json and bench/pii/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE.parent / ".work"
sys.path.insert(0, str(HERE))

from scoring import score  # noqa: E402

ENTITIES = [
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "NATIONAL_ID",
    "SECRET",
    "URL_PII",
]
STRUCTURED = [
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "NATIONAL_ID",
]
PRESIDIO_TO_OURS = {
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "US_SSN",
    "US_ITIN": "NATIONAL_ID",
    "ES_NIF": "NATIONAL_ID",
    "ES_NIE": "NATIONAL_ID",
    "IT_FISCAL_CODE": "NATIONAL_ID",
    "UK_NHS": "NATIONAL_ID",
    "IN_PAN": "NATIONAL_ID",
    "IN_AADHAAR": "NATIONAL_ID",
    "PL_PESEL": "NATIONAL_ID",
    "FI_PERSONAL_IDENTITY_CODE": "NATIONAL_ID",
    "UK_NINO": "NATIONAL_ID",
}
PRESIDIO_SCRIPT = Path("/work/shared/peers/presidio/bench_presidio.py")


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def read_findings(path: Path, mapping: dict[str, str] | None = None) -> list[list[tuple[int, int, str]]]:
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            spans = []
            for start, end, entity, *_ in json.loads(line):
                name = mapping.get(entity) if mapping is not None else entity
                if name:
                    spans.append((start, end, name))
            out.append(spans)
    return out


def subset(records: list[dict], kilobytes: int, path: Path) -> list[dict]:
    """Every n-th record, sources interleaved, until the subset reaches the size asked for."""
    step = max(1, int(sum(len(r["text"]) for r in records) / (kilobytes * 1000)))
    chosen = records[::step]
    with path.open("w", encoding="utf-8") as handle:
        for record in chosen:
            handle.write(json.dumps({"text": record["text"]}, ensure_ascii=False) + "\n")
    return chosen


def run_engine(corpus: Path, findings: Path, *extra: str) -> dict:
    command = [sys.executable, str(HERE / "engine_worker.py"), str(corpus), str(findings), *extra]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_presidio(venv: Path, corpus: Path, findings: Path, mode: str, reps: int) -> dict:
    env = dict(os.environ, MODE=mode, REPS=str(reps), TLDEXTRACT_CACHE=str(WORK / "tldextract"))
    command = [
        "taskset",
        "-c",
        "0",
        str(venv / "bin" / "python"),
        str(PRESIDIO_SCRIPT),
        str(corpus),
        str(findings),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=10.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--holdout-seed", type=int, default=20261126)
    parser.add_argument("--presidio-venv", type=Path, default=WORK / "presidiovenv")
    parser.add_argument("--presidio-spacy-kb", type=int, default=300)
    parser.add_argument("--presidio-regex-kb", type=int, default=1000)
    parser.add_argument("--skip-presidio", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    corpus = WORK / "corpus.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "generate_corpus.py"),
            "--size-mb",
            str(args.size_mb),
            "--seed",
            str(args.seed),
            "-o",
            str(corpus),
        ],
        check=True,
    )
    records = load(corpus)
    golds = [[tuple(span) for span in record["spans"]] for record in records]
    results: dict = {
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"
    }
    results["corpus"] = _describe(records)

    ours = run_engine(corpus, WORK / "engine_findings.jsonl", "--per-record", "--by-source")
    ours["accuracy"] = score(golds, read_findings(WORK / "engine_findings.jsonl"), ENTITIES)
    results["privacyops"] = ours
    small = WORK / "small_1mb.jsonl"
    subset(records, 1000, small)
    results["privacyops_re_backend"] = run_engine(
        small, WORK / "re_findings.jsonl", "--backend", "re", "--reps", "1"
    )
    results["backends_identical_on_1mb"] = (WORK / "re_findings.jsonl").read_text() == _hyperscan_findings(
        small, WORK / "hs_small_findings.jsonl"
    )

    holdout = WORK / "holdout.jsonl"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "generate_corpus.py"),
            "--size-mb",
            "3",
            "--seed",
            str(args.holdout_seed),
            "-o",
            str(holdout),
        ],
        check=True,
    )
    holdout_records = load(holdout)
    run_engine(holdout, WORK / "holdout_findings.jsonl", "--reps", "1")
    results["holdout_accuracy"] = score(
        [[tuple(s) for s in r["spans"]] for r in holdout_records],
        read_findings(WORK / "holdout_findings.jsonl"),
        ENTITIES,
    )

    if not args.skip_presidio:
        results["side_by_side"] = [
            _side_by_side(args, records, "spacy", args.presidio_spacy_kb, 1),
            _side_by_side(args, records, "no_op", args.presidio_regex_kb, 2),
        ]
    (WORK / "results.json").write_text(json.dumps(results, indent=2))
    (HERE / "RESULTS.md").write_text(render(results) + _prose_block(HERE / "RESULTS.md"))
    print(render(results))


def _prose_block(path: Path) -> str:
    """The blocks ``run_prose.py`` and ``structured_speed.py`` wrote into RESULTS.md, kept when this run
    rewrites the rest."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = ""
    for name in ("prose", "speed"):
        start, end = text.find(f"<!-- {name}:begin -->"), text.find(f"<!-- {name}:end -->")
        if 0 <= start < end:
            kept += "\n" + text[start : end + len(f"<!-- {name}:end -->")] + "\n"
    return kept


def _hyperscan_findings(corpus: Path, findings: Path) -> str:
    run_engine(corpus, findings, "--reps", "1")
    return findings.read_text()


def _side_by_side(
    args: argparse.Namespace, records: list[dict], mode: str, kilobytes: int, reps: int
) -> dict:
    path = WORK / f"subset_{mode}.jsonl"
    chosen = subset(records, kilobytes, path)
    golds = [[tuple(span) for span in record["spans"]] for record in chosen]
    presidio = run_presidio(args.presidio_venv, path, WORK / f"presidio_{mode}_findings.jsonl", mode, reps)
    presidio["accuracy"] = score(
        golds, read_findings(WORK / f"presidio_{mode}_findings.jsonl", PRESIDIO_TO_OURS), ENTITIES
    )
    ours = run_engine(path, WORK / f"ours_{mode}_findings.jsonl", "--reps", "3", "--per-record")
    ours["accuracy"] = score(golds, read_findings(WORK / f"ours_{mode}_findings.jsonl"), ENTITIES)
    return {
        "mode": mode,
        "records": len(chosen),
        "chars": presidio["chars"],
        "presidio": presidio,
        "privacyops": ours,
        "speed_ratio": round(ours["chars_per_s"] / presidio["chars_per_s"], 1),
        "speed_ratio_per_record": round(ours["per_record_mb_per_s"] * 1e6 / presidio["chars_per_s"], 1),
    }


def _describe(records: list[dict]) -> dict:
    sources: dict[str, int] = {}
    labels: dict[str, int] = {}
    for record in records:
        sources[record["source"]] = sources.get(record["source"], 0) + len(record["text"].encode("utf-8"))
        for span in record["spans"]:
            labels[span[2]] = labels.get(span[2], 0) + 1
    size = sum(sources.values())
    return {
        "records": len(records),
        "bytes": size,
        "bytes_by_source": sources,
        "labels": labels,
        "labels_per_kb": round(sum(labels.values()) / (size / 1000), 2),
    }


def _f1_row(name: str, accuracy: dict) -> list[str]:
    return [name] + [f"{accuracy[e]['f1']:.3f}" for e in ENTITIES]


def render(results: dict) -> str:
    ours = results["privacyops"]
    corpus = results["corpus"]
    acc = ours["accuracy"]
    out = [
        "# PII benchmark results",
        "",
        f"Machine: {results['machine']} (shared with other work while measuring; one core pinned).",
        f"Corpus: {corpus['records']} records, {corpus['bytes'] / 1e6:.1f} MB, "
        f"{sum(corpus['labels'].values())} labelled values ({corpus['labels_per_kb']} per kB); "
        "bytes by source: "
        + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(corpus["bytes_by_source"].items()))
        + ".",
        "",
        "## privacyops on the whole corpus (one core)",
        "",
        table(
            [
                ["detection, batched (256 records per scan), CPU time", f"{ours['cpu_mb_per_s']} MB/s"],
                ["detection, batched, wall time", f"{ours['mb_per_s']} MB/s"],
                ["detection, one call per record", f"{ours.get('per_record_mb_per_s', '-')} MB/s"],
                ["detection + masking (placeholder), CPU time", f"{ours['mask_cpu_mb_per_s']} MB/s"],
                ["raw Hyperscan pass alone (the ceiling)", f"{ours.get('raw_scan_mb_per_s', '-')} MB/s"],
                [
                    "pure-Python `re` backend (1 MB subset)",
                    f"{results['privacyops_re_backend']['mb_per_s']} MB/s",
                ],
                [
                    "both backends give identical findings (1 MB subset)",
                    str(results["backends_identical_on_1mb"]),
                ],
                ["peak RSS (whole corpus and findings in memory)", f"{ours['peak_rss_mb']} MB"],
                ["engine start (Hyperscan compile)", f"{ours['load_s']} s"],
            ],
            ["measure", "value"],
        ),
        "",
        "## Throughput by source (one core, each source alone)",
        "",
        "The rate depends on how many values a text holds: each candidate is confirmed in Python.",
        "",
        table(
            [
                [source, f"{figure['mb']} MB", str(figure["labels_per_kb"]), f"{figure['mb_per_s']} MB/s"]
                for source, figure in ours.get("by_source", {}).items()
            ],
            ["source", "size", "labelled values per kB", "detection"],
        ),
        "",
        "## Accuracy per entity (whole corpus; a hit covers at least half of a true span)",
        "",
        table(
            [
                [
                    e,
                    str(acc[e]["tp"]),
                    str(acc[e]["fp"]),
                    str(acc[e]["fn"]),
                    f"{acc[e]['precision']:.3f}",
                    f"{acc[e]['recall']:.3f}",
                    f"{acc[e]['f1']:.3f}",
                    f"{results['holdout_accuracy'][e]['f1']:.3f}",
                ]
                for e in ENTITIES
            ],
            ["entity", "TP", "FP", "FN", "precision", "recall", "F1", "F1 held-out seed"],
        ),
    ]
    for side in results.get("side_by_side", []):
        p, o = side["presidio"], side["privacyops"]
        label = (
            "Presidio + spaCy en_core_web_sm"
            if side["mode"] == "spacy"
            else "Presidio regex recognizers only"
        )
        out += [
            "",
            f"## Side by side: {label} (same {side['records']} records, {side['chars'] / 1e3:.0f} k chars)",
            "",
            table(
                [
                    ["chars/s", f"{p['chars_per_s']:,}", f"{o['chars_per_s']:,}", f"{side['speed_ratio']}x"],
                    [
                        "chars/s, one call per record",
                        f"{p['chars_per_s']:,}",
                        f"{int(o['per_record_mb_per_s'] * 1e6):,}",
                        f"{side['speed_ratio_per_record']}x",
                    ],
                    ["peak RSS MB", str(p["peak_rss_mb"]), str(o["peak_rss_mb"]), ""],
                    ["start-up s", str(p["load_s"]), str(o["load_s"]), ""],
                ],
                ["", "Presidio", "privacyops", "ratio"],
            ),
            "",
            table(
                [_f1_row("Presidio F1", p["accuracy"]), _f1_row("privacyops F1", o["accuracy"])],
                ["", *ENTITIES],
            ),
        ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()

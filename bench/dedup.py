"""Deduplication benchmark: every labelled set in ../shared/corpus/dedup, the project's trap sets, a record with a
huge title, then a generated 100,000-record set.

Each labelled set is run twice: "in" with the shipped model (trained on every labelled set, this one included)
and "left out" with a model learnt, weights and thresholds alike, from the other sets only. The left-out figures
are the ones that say what the next review's records will see.

    .venv/bin/python bench/dedup.py                 # all sets + the scale run
    .venv/bin/python bench/dedup.py --no-scale      # labelled sets only
    .venv/bin/python bench/dedup.py --scale 20000   # another scale

Each run happens in a fresh child process so that its peak memory (ru_maxrss) is its own. The official figures
come from the corpus's own score.py (imported from ../shared, never copied); predictions go to bench/out/.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dedup_generate import generate
from review.dedup.engine import deduplicate
from review.dedup.io import read_file
from review.dedup.model import DedupRecord, DedupResult
from review.dedup.scoring import Model

CORPUS = ROOT / ".." / "shared" / "corpus" / "dedup"
OUT = ROOT / "bench" / "out" / "dedup"
HUGE_TITLE = 20_000_000


def _score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_dedup_score", CORPUS / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_predictions(path: Path, result: DedupResult) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "predicted_group", "kept"])
        for group in result.groups:
            kept = result.primary[group[0]]
            for rid in group:
                writer.writerow([rid, group[0], int(rid == kept)])


def _official(gt_csv: Path, pred_csv: Path, flag_col: str | None) -> dict[str, Any]:
    import pandas as pd

    score = _score_module()
    gt = pd.read_csv(gt_csv, dtype=str, keep_default_na=False)
    pred = pd.read_csv(pred_csv, dtype={"record_id": str, "predicted_group": str})
    return score.score(gt, pred, "dup_group", flag_col if flag_col in gt.columns else None)


def _cpu() -> float:
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _peak_mb() -> float:
    # VmHWM is this process's own peak; ru_maxrss would carry over the parent's from before exec.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _figures(
    name: str, n: int, result: DedupResult, seconds: float, cpu: float, official: dict[str, Any], peak: float
) -> dict[str, Any]:
    removal = official["removal_asysd_convention"]
    return {
        "set": name,
        "records": n,
        "sensitivity": removal["sensitivity"],
        "unique_wrongly_removed": removal["FP_unique_records_wrongly_removed"],
        "clusters_wrongly_merged": official["clusters"]["false_positive_merges_clusters"],
        "duplicates_removed": removal["TP_duplicates_removed"],
        "true_duplicates": removal["n_true_duplicates"],
        "possible_pairs": len(result.possible),
        "possible_pct": 100 * len(result.possible) / n if n else 0.0,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak,
        "record_level_sensitivity": official["record_in_dupset_rathbone_convention"]["sensitivity"],
    }


def run_set(folder: Path, model_json: str | None = None, huge_title: int = 0) -> dict[str, Any]:
    records = read_file(folder / "records.csv")
    model = _model_from_json(model_json) if model_json else None
    label = folder.name if model is None else f"{folder.name} (left out)"
    if huge_title:
        # One record whose title is huge: the matcher reads a bounded prefix, so memory should barely move.
        records.append(DedupRecord(id="huge-title", title="Huge " + "x" * huge_title, authors="Doe, J."))
        label = f"{folder.name} + {huge_title // 1_000_000} MB title"
    started, cpu = time.perf_counter(), _cpu()
    result = deduplicate(records, model=model)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    peak = _peak_mb()  # before the scoring below loads pandas
    OUT.mkdir(parents=True, exist_ok=True)
    pred = OUT / f"{folder.name}_{'in' if model is None else 'out'}_pred.csv"
    if huge_title:
        result.groups = [g for g in result.groups if g != ["huge-title"]]
        records.pop()
    _write_predictions(pred, result)
    official = _official(folder / "records.csv", pred, "dup_flag")
    return _figures(label, len(records), result, seconds, cpu, official, peak)


def _model_from_json(text: str) -> Model:
    data = json.loads(text)
    return Model(tuple(data["weights"]), data["bias"], data["duplicate"], data["possible"], tuple(data["trained_on"]))


def _left_out_models(folders: list[Path]) -> dict[str, str]:
    """For each labelled set, the model learnt from the others (weights and thresholds), as JSON for its child."""
    from dataclasses import asdict

    from review.dedup.train import fit, labelled_pairs, load_set

    pairs = {folder.name: labelled_pairs(*load_set(folder / "records.csv")) for folder in folders}
    return {name: json.dumps(asdict(fit(p for other, p in pairs.items() if other != name))) for name in pairs}


def run_scale(n: int) -> dict[str, Any]:
    seeds = [r for csv_path in sorted(CORPUS.glob("*/records.csv")) for r in read_file(csv_path)]
    records, truth = generate(n, seeds=seeds, seed=20260101)
    OUT.mkdir(parents=True, exist_ok=True)
    gt = OUT / f"scale_{n}_truth.csv"
    with open(gt, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "dup_group"])
        writer.writerows((r.id, truth[r.id]) for r in records)
    del seeds
    started, cpu = time.perf_counter(), _cpu()
    result = deduplicate(records)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    peak = _peak_mb()
    pred = OUT / f"scale_{n}_pred.csv"
    _write_predictions(pred, result)
    return _figures(f"generated_{n}", len(records), result, seconds, cpu, _official(gt, pred, None), peak)


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _print_traps() -> list[str]:
    from tests.review.dedup_traps import TRAPS, trap_outcomes

    failures = []
    for trap in TRAPS:
        wrong = [line for line in trap_outcomes(trap) if not line.startswith("ok")]
        print(f"trap {trap.name:<36} {len(trap.expect) - len(wrong)}/{len(trap.expect)} pairs as labelled", flush=True)
        for line in wrong:
            print(f"    {line}")
            failures.append(f"trap {trap.name}: {line}")
    return failures


def _print(row: dict[str, Any]) -> None:
    print(
        f"{row['set']:<40} n={row['records']:>6}  sensitivity={row['sensitivity']:.4f} "
        f"({row['duplicates_removed']}/{row['true_duplicates']})  unique wrongly removed="
        f"{row['unique_wrongly_removed']}  clusters wrongly merged={row['clusters_wrongly_merged']}  "
        f"possible pairs={row['possible_pairs']} ({row['possible_pct']:.2f}%)  "
        f"time={row['seconds']:.2f}s (cpu {row['cpu_seconds']:.2f}s)  peak={row['peak_mb']:.0f}MB",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100_000, help="records in the generated set")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a labelled set (in sample or left out) loses a unique record, asks about 2%% of its records "
        "or more, or loses more than 0.01 sensitivity left out, or a trap set comes out otherwise than labelled",
    )
    parser.add_argument("--one-set", help=argparse.SUPPRESS)
    parser.add_argument("--one-scale", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--huge-title", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_set:
        print(json.dumps(run_set(Path(args.one_set), args.model, args.huge_title)))
        return 0
    if args.one_scale:
        print(json.dumps(run_scale(args.one_scale)))
        return 0
    if not (CORPUS / "score.py").exists():
        print(f"skipped: no labelled corpus at {CORPUS.resolve()}")
        return 0
    failures: list[str] = []
    folders = sorted(p for p in CORPUS.iterdir() if (p / "records.csv").exists())
    left_out = _left_out_models(folders)
    for folder in folders:
        inside = _child(["--one-set", str(folder)])
        outside = _child(["--one-set", str(folder), "--model", left_out[folder.name]])
        _print(inside)
        _print(outside)
        for row in (inside, outside):
            if row["unique_wrongly_removed"]:
                failures.append(f"{row['set']}: {row['unique_wrongly_removed']} unique records wrongly removed")
            if row["possible_pct"] >= 2.0:
                failures.append(f"{row['set']}: possible pairs {row['possible_pct']:.2f}% of records")
        if outside["sensitivity"] < inside["sensitivity"] - 0.01:
            failures.append(f"{folder.name}: left-out sensitivity more than 0.01 below in-sample")
    failures += _print_traps()
    if folders:
        plain = _child(["--one-set", str(folders[0])])
        huge = _child(["--one-set", str(folders[0]), "--huge-title", str(HUGE_TITLE)])
        extra = huge["peak_mb"] - plain["peak_mb"]
        print(
            f"{huge['set']:<40} peak={huge['peak_mb']:.0f}MB, {extra:+.0f}MB against the run without it "
            f"(limit +200MB); same figures: {huge['sensitivity'] == plain['sensitivity']}"
        )
        if extra > 200:
            failures.append(f"a {HUGE_TITLE // 1_000_000} MB title costs {extra:.0f}MB")
    if not args.no_scale:
        _print(_child(["--one-scale", str(args.scale)]))
    print(
        "time is wall-clock for deduplicate() alone; cpu adds its worker processes; peak is the child's maxrss "
        "right after deduplicate()"
    )
    if args.check and failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

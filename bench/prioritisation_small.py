"""Small and dense reviews drawn from the labelled screening sets: the shipped ranker beside ASReview, same priors.

    .venv/bin/python bench/prioritisation_small.py [--asreview /path/to/asreview] [--seeds 0,1] [--draws 2]

Issue #18's losses on unseen sets were on small reviews (under 300 records at 6% and 15% included) and on a
review of about 1,000 records at 8%. The developers' sets hold no such review, so this script draws them: from
each set, records at a chosen size and share of includes (each draw with its own seed), then simulates the shipped
ranker from one included and one excluded prior record. With ``--asreview`` (the command of an ASReview
installation, which the project does not depend on; 3.0.8 was used for docs/prioritisation.md) ASReview's
default model is run on the same file from the same priors and the difference is printed. Every draw is
in-sample for the ranker's choice (the sets were part of it): these are checks of a failure class, not left-out
figures. Prints figures and exits 0; skips when the corpus is absent.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.ranking.simulate import _priors, read_dataset, screening_metrics, simulate

CORPUS = ROOT / ".." / "shared" / "corpus" / "screening"

# (set, records, included[, share of abstracts left out]): 15 of 250 (6%) from every set that has 15 includes
# (Chou_2004 has 9: 9 of 150), the dense shapes where a set has the includes for them (15-20% of 250-300), one of
# 1,000 records at 8%, and three with 40% of the abstracts blank (records exported without one, as from some
# databases and from conference proceedings).
PLAN: list[tuple[str, int, int] | tuple[str, int, int, float]] = [
    ("Cohen_2006_ADHD", 250, 15),
    ("Kitchenham_2010", 250, 15),
    ("Nagtegaal_2019", 250, 15),
    ("Appenzeller-Herzog_2020_Wilson", 250, 15),
    ("Chou_2004", 150, 9),
    ("Meijboom_2021", 250, 15),
    ("Nelson_2002", 250, 15),
    ("Kitchenham_2010", 300, 45),
    ("Nagtegaal_2019", 300, 45),
    ("Meijboom_2021", 250, 37),
    ("Nelson_2002", 300, 60),
    ("Nagtegaal_2019", 1000, 80),
    ("Cohen_2006_ADHD", 250, 15, 0.4),
    ("Kitchenham_2010", 300, 45, 0.4),
    ("Nelson_2002", 300, 60, 0.4),
]


def draw(name: str, size: int, included: int, draw_seed: int, folder: Path, blank: float = 0.0) -> Path:
    """A CSV of ``size`` records of the set, ``included`` of them included, in a random order, with the abstracts
    of a ``blank`` share of them (drawn at random) left out."""
    with open(CORPUS / f"{name}.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    relevant = [r for r in rows if r["label_included"] == "1"]
    irrelevant = [r for r in rows if r["label_included"] == "0"]
    rng = np.random.default_rng([draw_seed, size, included])
    picked = [relevant[i] for i in rng.choice(len(relevant), included, replace=False)]
    picked += [irrelevant[i] for i in rng.choice(len(irrelevant), size - included, replace=False)]
    order = rng.permutation(len(picked))
    no_abstract = set(rng.choice(len(picked), round(blank * len(picked)), replace=False).tolist()) if blank else set()
    path = folder / f"{name}_{size}_{included}_{round(blank * 100)}_{draw_seed}.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["record_id", "title", "abstract", "label_included"])
        writer.writeheader()
        for position, i in enumerate(order):
            row = picked[i]
            writer.writerow(
                {
                    "record_id": position,
                    "title": row["title"],
                    "abstract": "" if i in no_abstract else row["abstract"],
                    "label_included": row["label_included"],
                }
            )
    return path


def asreview_wss95(command: str, path: Path, priors: list[int], seed: int, truth: np.ndarray) -> float:
    """ASReview's default model on the file from the same priors; WSS@95 computed as the ranker's is."""
    project = path.with_suffix(f".{seed}.asreview")
    subprocess.run(
        [command, "simulate", str(path), "--prior-idx", *map(str, priors), "--seed", str(seed), "-o", str(project)],
        check=True,
        capture_output=True,
        cwd=path.parent,
    )
    with zipfile.ZipFile(project) as archive:
        results = path.parent / "results.db"
        results.write_bytes(archive.read("results.db"))
    with sqlite3.connect(results) as connection:
        # ASReview's record ids are the file's rows (0 first), which are this file's record_id column.
        order = [int(r[0]) for r in connection.execute("SELECT record_id FROM results ORDER BY rowid")]
    wss95, _, _ = screening_metrics(
        truth[order].tolist(), n_records=len(truth), n_included=int(truth.sum()), n_priors=len(priors)
    )
    return wss95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asreview", default="", help="the asreview command to compare with (optional)")
    parser.add_argument("--seeds", default="0,1", help="prior seeds")
    parser.add_argument("--draws", type=int, default=2, help="draws per shape")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS.resolve()} not found")
        return 0
    seeds = [int(s) for s in args.seeds.split(",")]
    print(
        f"{'set':32s} {'N':>5s} {'incl':>4s} {'no AB':>5s} {'draw':>4s} {'seed':>4s} "
        f"{'ranker':>6s} {'ASRev':>6s} {'diff':>6s}"
    )
    ours: list[float] = []
    differences: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for name, size, included, *rest in PLAN:
            blank = float(rest[0]) if rest else 0.0
            for draw_seed in range(args.draws):
                path = draw(name, size, included, draw_seed, Path(folder), blank)
                _, texts, labels = read_dataset(path)
                truth = np.asarray(labels)
                for seed in seeds:
                    priors = _priors(truth, None, None, 1, 1, np.random.default_rng(seed))
                    wss = simulate(texts, labels, prior_ids=priors, seed=seed, stopping=False).wss95
                    ours.append(wss)
                    line = f"{name:32s} {size:5d} {included:4d} {blank:5.0%} {draw_seed:4d} {seed:4d} {wss:6.3f}"
                    if args.asreview:
                        reference = asreview_wss95(args.asreview, path, priors, seed, truth)
                        differences.append(wss - reference)
                        line += f" {reference:6.3f} {wss - reference:+6.3f}"
                    print(line, flush=True)
    print(f"mean WSS@95 of the ranker over {len(ours)} runs: {statistics.mean(ours):.3f}")
    if differences:
        below = sum(d < -0.02 for d in differences)
        print(
            f"mean difference from ASReview {statistics.mean(differences):+.3f}; worst {min(differences):+.3f}; "
            f"{below} of {len(differences)} runs more than 0.02 below it"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

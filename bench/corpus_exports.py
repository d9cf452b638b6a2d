"""Parse every real export in ../shared/corpus/exports and compare record counts with expected.csv.

Run from the project root:  .venv/bin/python bench/corpus_exports.py [-v]
Expected 0 means the file must be refused with ImportFileError; 'n/a' rows are shown, not scored.
Exits 1 on any miss, 0 (with a note) when the shared corpus is not there.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review.importers import ImportFileError, parse

CORPUS = ROOT / ".." / "shared" / "corpus" / "exports"


def main(*, verbose: bool = False) -> int:
    expected_csv = CORPUS / "expected.csv"
    if not expected_csv.exists():
        print(f"No corpus at {CORPUS.resolve()}: nothing to check.")
        return 0
    with expected_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    header = f"{'file':72} {'format':11} {'database':22} {'exp':>5} {'got':>5} {'prob':>5} {'ms':>7}  result"
    print(header)
    print("-" * len(header))
    misses = 0
    total_ms = 0.0
    cpu_started = time.process_time()
    for row in rows:
        path = CORPUS / row["file"]
        data = path.read_bytes()
        expected = row["expected_records"].strip()
        started = time.perf_counter()
        try:
            result = parse(data, filename=row["file"])
            error = None
        except ImportFileError as exc:
            result, error = None, exc
        elapsed = (time.perf_counter() - started) * 1000
        total_ms += elapsed
        got = len(result.records) if result else 0
        if expected == "n/a" or not expected.isdigit():
            verdict = "INFO"
        elif int(expected) == 0:
            verdict = "OK" if error is not None else "MISS"
        else:
            verdict = "OK" if result is not None and got == int(expected) else "MISS"
        misses += verdict == "MISS"
        fmt = result.format if result else "-"
        database = result.database if result else "-"
        problems = len(result.problems) if result else 0
        print(
            f"{row['file'][:72]:72} {fmt:11} {database[:22]:22} {expected:>5} {got:>5} {problems:>5} "
            f"{elapsed:7.1f}  {verdict}"
        )
        if error is not None:
            print(f"    refused: {error}")
        if verbose and result is not None:
            for problem in result.problems[:8]:
                print(f"    {problem.severity} record={problem.record} line={problem.line}: {problem.message}")
    scored = sum(1 for r in rows if r["expected_records"].strip().isdigit())
    print("-" * len(header))
    cpu = time.process_time() - cpu_started
    print(
        f"{scored - misses}/{scored} files OK, {misses} missed, total parse time {total_ms / 1000:.2f} s "
        f"({cpu:.2f} s CPU; wall time swings with other load on a shared machine)"
    )
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main(verbose="-v" in sys.argv[1:]))

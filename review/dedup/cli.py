"""Deduplicating a file outside any review: what `manage.py dedupe_file IN --out OUT --pairs PAIRS` runs."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from review.dedup.engine import deduplicate
from review.dedup.io import read_file
from review.dedup.scoring import Versions

__all__ = ["dedupe_file"]


def dedupe_file(
    in_path: str | Path,
    *,
    out: str | Path | None = None,
    pairs_out: str | Path | None = None,
    versions: Versions = "possible",
) -> dict[str, Any]:
    """Group the records of one file and write the groups (and the pairs left for a person).

    OUT gets record_id,group_id for every record (automatic merges only; a singleton is its own group, and
    group_id is the id of the record kept). PAIRS gets the possible duplicates with their score and rule.
    `versions` is what a review's setting would say about a preprint and its journal version.
    """
    started = time.perf_counter()
    records = read_file(in_path)
    result = deduplicate(records, versions=versions)
    seconds = time.perf_counter() - started
    if out is not None:
        with open(out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["record_id", "group_id"])
            kept_by_record = {rid: result.primary[group[0]] for group in result.groups for rid in group}
            for record in records:
                writer.writerow([record.id, kept_by_record[record.id]])
    if pairs_out is not None:
        with open(pairs_out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["record_id_a", "record_id_b", "score", "reason"])
            for pair in result.possible:
                writer.writerow([pair.a, pair.b, f"{pair.score:.4f}", pair.reason])
    return {
        "records": len(records),
        "groups": len(result.groups),
        "duplicates_removed": len(records) - len(result.groups),
        "possible_pairs": len(result.possible),
        "seconds": round(seconds, 3),
    }

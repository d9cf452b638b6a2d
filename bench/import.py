"""Import benchmark: a generated 100,000-record RIS file parsed and stored into PostgreSQL.

Run from the project root:  .venv/bin/python bench/import.py [--records N]
Prints parse time, store time, records/s and peak memory for the application's own import path (the same
parse() and records_store() the import job uses, in one transaction), and rispy's bare parse time of the same file.
Target: the whole import in 20 s or less on a 2-core machine, memory under 1 GB.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_on, peak_rss_mb
from parse_speed import synthetic_ris


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()

    django_on("reviews_bench_import")
    from django.contrib.auth.models import User
    from django.db import transaction

    from review.importers import parse
    from review.services import imports, review_create

    data = synthetic_ris(args.records).encode("utf-8-sig")
    print(f"file: {args.records:,} records, {len(data) / 1e6:.1f} MB")
    user = User.objects.create_user("bench", password="bench-password")
    # Deduplication would start after the import commits; it has its own benchmark (bench/dedup.py).
    review = review_create(by=user, title="Import benchmark", dedup_automatic=False)
    search = imports.search_create(review=review, by=user, database="Embase")

    started, cpu_started = time.perf_counter(), time.process_time()
    result = parse(data, filename="bench.ris")
    parsed, cpu_parsed = time.perf_counter(), time.process_time()
    with transaction.atomic():
        search_file = imports.search_file_record_parsed(
            review=review, search=search, by=user, name="bench.ris", data=data, result=result
        )
    stored, cpu_stored = time.perf_counter(), time.process_time()
    total = stored - started
    count = search_file.records.count()
    # CPU seconds of this process are steadier than wall time on a shared machine; the store's wall time also
    # includes PostgreSQL's own work in its server process.
    print(f"parse:  {parsed - started:6.2f} s wall, {cpu_parsed - cpu_started:6.2f} s CPU")
    print(
        f"store:  {stored - parsed:6.2f} s wall, {cpu_stored - cpu_parsed:6.2f} s CPU  ({count:,} rows in PostgreSQL)"
    )
    print(
        f"total:  {total:6.2f} s  {count / total:,.0f} records/s   target <= 20 s: {'met' if total <= 20 else 'MISSED'}"
    )
    peak = peak_rss_mb()
    print(f"peak memory: {peak:,.0f} MB (process RSS)   target < 1024 MB: {'met' if peak < 1024 else 'MISSED'}")

    import rispy

    text = data.decode("utf-8-sig")
    started = time.perf_counter()
    bare = rispy.loads(text)
    print(f"rispy.loads bare parse of the same file: {time.perf_counter() - started:.2f} s ({len(bare):,} records)")


if __name__ == "__main__":
    main()

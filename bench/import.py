"""Import benchmark: a generated 100,000-record RIS file imported into PostgreSQL through the application's own path.

Run from the project root:  .venv/bin/python bench/import.py [--records N] [--path job|cli]
--path job (default): the upload's preview job, then the import job the person starts by confirming
(search_file_upload, search_file_confirm: the same services the pages, the API and the Celery worker call; without
REDIS_URL the tasks run in this process). --path cli: the import_records management command.
Prints wall and CPU seconds of the preview (a parse alone) and of the import (parse and store, streamed in one
transaction), PostgreSQL's server CPU seconds and WAL written, records/s, peak memory, the load average at the start
and the end, and rispy's bare parse time of the same file.
Target: the whole import in 20 s or less on a 2-core machine, memory under 1 GB.

--huge-title-mb M adds one record whose title is M MB of words; --dedup then runs deduplication in this process
too. --compare-huge-title M runs this script three times (each a fresh process on its own database): without the
huge record, with it under the per-field limits (IMPORT_MAX_TITLE_CHARS, IMPORT_MAX_FIELD_CHARS), and with it and
the limits lifted, each importing and deduplicating, and prints their peak memory side by side.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_on, peak_rss_mb
from parse_speed import synthetic_ris_chunks


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


class ServerClock:
    """CPU seconds of this connection's PostgreSQL backend process (when the server runs on this machine), and the
    bytes of write-ahead log the server has written (what a slow disk pays for)."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")

    def wal_bytes(self) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')")
            return int(cursor.fetchone()[0])

    def seconds(self) -> float | None:
        try:
            fields = self.stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # a server elsewhere
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(label: str, action: Callable[[], object], server: ServerClock) -> float:
    server_started, wal_started = server.seconds(), server.wal_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    action()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    server_ended = server.seconds()
    server_cpu = (
        f", PostgreSQL {server_ended - server_started:5.2f} s CPU"
        if server_started is not None and server_ended is not None
        else ""
    )
    wal = (server.wal_bytes() - wal_started) / 1e6  # the whole server's: other databases' writes count too
    print(f"{label}: {wall:6.2f} s wall, {cpu:6.2f} s CPU (this process){server_cpu}, {wal:4.0f} MB WAL", flush=True)
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--path", choices=["job", "cli"], default="job")
    parser.add_argument("--huge-title-mb", type=float, default=0, help="add one record with a title this large")
    parser.add_argument("--dedup", action="store_true", help="deduplicate after the import, in this process")
    parser.add_argument("--compare-huge-title", type=float, default=0, metavar="MB")
    args = parser.parse_args()
    if args.compare_huge_title:
        _compare_huge_title(args.records, args.compare_huge_title)
        return
    print(f"load average at start: {_load()}  ({os.cpu_count()} cores)")

    # A database of its own when a huge field is measured, so the comparison's runs never drop the plain bench's.
    django_on("reviews_bench_import_fields" if args.huge_title_mb or args.dedup else "reviews_bench_import")
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from review.models import Record, SearchFile
    from review.services import imports, review_create

    with tempfile.TemporaryDirectory() as tmp:
        # Written and read back whole, so that generating the file does not count in the peak memory.
        path = Path(tmp) / "bench.ris"
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write("\ufeff")
            handle.writelines(synthetic_ris_chunks(args.records))
            if args.huge_title_mb:
                chunk = "wordy words " * 10_000  # written in pieces, so the generator holds no 20 MB string
                handle.write("TY  - JOUR\nTI  - ")
                for _ in range(int(args.huge_title_mb * 1024 * 1024) // len(chunk)):
                    handle.write(chunk)
                handle.write("\nPY  - 2020\nER  - \n\n")
        data = path.read_bytes()
        print(f"file: {args.records:,} records, {len(data) / 1e6:.1f} MB; path: {args.path}")
        user = User.objects.create_user("bench", password="bench-password")
        # Deduplication would start after the import commits; it has its own benchmark (bench/dedup.py).
        review = review_create(by=user, title="Import benchmark", dedup_automatic=False)
        server = ServerClock()

        if args.path == "job":
            search = imports.search_create(review=review, by=user, database="Web of Science")
            holder: list[SearchFile] = []
            _timed(
                "preview (parse only)   ",
                lambda: holder.append(
                    imports.search_file_upload(review=review, search=search, by=user, name="bench.ris", data=data)
                ),
                server,
            )
            search_file = SearchFile.objects.get(pk=holder[0].pk)
            assert search_file.status == SearchFile.Status.PREVIEWED, search_file.error
            total = _timed(
                "import (parse + store) ",
                lambda: imports.search_file_confirm(review=review, search_file=search_file, by=user),
                server,
            )
            search_file.refresh_from_db()
            assert search_file.status == SearchFile.Status.IMPORTED, search_file.error
        else:
            total = _timed(
                "import_records command ",
                lambda: call_command(
                    "import_records", str(path), "--review", review.slug, "--database", "Web of Science", verbosity=0
                ),
                server,
            )
        count = Record.objects.filter(review=review).count()
        if args.huge_title_mb:
            longest = max(len(title) for title in Record.objects.filter(review=review).values_list("title", flat=True))
            print(f"huge title: {args.huge_title_mb:g} MB in the file, longest stored title {longest:,} characters")
        if args.dedup:
            from review.services.dedup import dedup_start

            peak_before = peak_rss_mb()
            started = time.perf_counter()
            run = dedup_start(review=review, by=user)  # without REDIS_URL the job runs here, in this process
            run.refresh_from_db()
            state = run.job.state if run.job else "?"
            print(
                f"deduplication: {time.perf_counter() - started:.2f} s wall, job {state}; "
                f"peak memory before it {peak_before:,.0f} MB"
            )
    peak = peak_rss_mb()
    print(f"stored: {count:,} records in PostgreSQL")
    verdict = "met" if total <= 20 else "MISSED"
    print(f"total:  {total:6.2f} s  {count / total:,.0f} records/s   target <= 20 s: {verdict}")
    print(f"peak memory: {peak:,.0f} MB (process RSS)   target < 1024 MB: {'met' if peak < 1024 else 'MISSED'}")
    print(f"load average at end: {_load()}")

    import rispy

    text = data.decode("utf-8-sig")
    started = time.perf_counter()
    bare = rispy.loads(text)
    print(f"rispy.loads bare parse of the same file: {time.perf_counter() - started:.2f} s ({len(bare):,} records)")


def _compare_huge_title(records: int, mb: float) -> None:
    """Peak memory of import + deduplication without a huge title, with one under the limits, and with one unlimited."""
    runs = (
        ("no huge title", [], {}),
        (f"one {mb:g} MB title, limits on", ["--huge-title-mb", str(mb)], {}),
        (
            f"one {mb:g} MB title, limits lifted",
            ["--huge-title-mb", str(mb)],
            {"IMPORT_MAX_TITLE_CHARS": "1000000000", "IMPORT_MAX_FIELD_CHARS": "1000000000"},
        ),
    )
    print(f"{records:,} records, import job then deduplication, each run a fresh process")
    for label, extra, env in runs:
        command = [sys.executable, __file__, "--records", str(records), "--dedup", *extra]
        started = time.perf_counter()
        done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
        peak = re.search(r"peak memory: ([\d,]+) MB", done.stdout)
        title = re.search(r"longest stored title ([\d,]+)", done.stdout)
        dedup = re.search(r"deduplication: ([\d.]+) s", done.stdout)
        print(
            f"{label:36} peak {peak.group(1) if peak else '?':>7} MB   "
            f"longest stored title {title.group(1) if title else '-':>12}   "
            f"deduplication {dedup.group(1) if dedup else '?':>6} s   "
            f"whole run {time.perf_counter() - started:6.1f} s" + ("" if done.returncode == 0 else "   FAILED")
        )
        if done.returncode != 0:
            print(done.stderr[-2000:])


if __name__ == "__main__":
    main()

"""Export benchmark: the records CSV (or votes.csv) of a 100,000-record review with votes, streamed from PostgreSQL.

Run from the project root:  .venv/bin/python bench/export.py [--records N] [--kind records|votes]
Creates its own database (reviews_bench_export), bulk-inserts records with abstracts, title/abstract outcomes for
every record, two reviewers' votes on a fifth of them and a conflict resolution on some, then times the same
records_export() + csv_lines() that the browser, the API and `manage.py export` stream. Memory is the growth of
the process's peak resident size during the export (Linux: VmHWM reset through /proc/self/clear_refs), so setup
does not count. Target: 10 s or less, memory flat (independent of the number of records).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_on

BATCH = 5000


def _reuse(dbname: str) -> None:
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    os.environ["DATABASE_URL"] = f"{server}/{dbname}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DATA_DIR", str(Path(__file__).resolve().parent / "out"))
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()


def vm_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def populate(n: int):
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from review.models import Membership, Record, Role
    from review.services import imports, review_create
    from screening.models import Resolution, Stage, StageOutcome, Status, Vote, VoteEvent

    lead = User.objects.create_user("bench-lead", password="bench-password")
    reviewers = [User.objects.create_user(f"bench-reviewer-{i}", password="bench-password") for i in (1, 2)]
    review = review_create(by=lead, title="Export benchmark")
    for user in reviewers:
        Membership.objects.create(review=review, user=user, role=Role.REVIEWER)
    searches = [imports.search_create(review=review, by=lead, database=name) for name in ("PubMed", "Embase")]
    now = timezone.now()
    abstract = "Background: transfer learning in clinical data. " * 12
    with transaction.atomic():
        for start in range(0, n, BATCH):
            Record.objects.bulk_create(
                Record(
                    review=review,
                    search=searches[i % 2],
                    position=i + 1,
                    title=f"Record {i}: a study of transfer learning for signal {i % 977}",
                    abstract=abstract,
                    authors=[f"Author{i}, A.", f"Second{i % 31}, B."],
                    year=2000 + i % 25,
                    journal="Journal of Benchmarks",
                    doi=f"10.5555/bench.{i}",
                    keywords=["transfer learning", "ECG"],
                )
                for i in range(start, min(start + BATCH, n))
            )
    ids = list(Record.objects.filter(review=review).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, n, BATCH):
            chunk = ids[start : start + BATCH]
            voted = [pk for pk in chunk if pk % 5 == 0]
            StageOutcome.objects.bulk_create(
                StageOutcome(
                    review=review,
                    record_id=pk,
                    stage=Stage.TITLE_ABSTRACT,
                    status=(Status.EXCLUDED if pk % 10 == 0 else Status.CONFLICT) if pk % 5 == 0 else Status.AWAITING,
                    vote_count=2 if pk % 5 == 0 else 0,
                    queue_key=pk,
                )
                for pk in chunk
            )
            Vote.objects.bulk_create(
                Vote(review=review, record_id=pk, stage=Stage.TITLE_ABSTRACT, reviewer=user, choice=choice,
                     note="borderline" if user == reviewers[1] else "")
                for pk in voted
                for user, choice in zip(reviewers, ("exclude", "exclude" if pk % 10 == 0 else "include"), strict=True)
            )  # fmt: skip
            VoteEvent.objects.bulk_create(
                VoteEvent(review=review, record_id=pk, stage=Stage.TITLE_ABSTRACT, reviewer=user, action="cast",
                          choice=choice)
                for pk in voted
                for user, choice in zip(reviewers, ("exclude", "exclude" if pk % 10 == 0 else "include"), strict=True)
            )  # fmt: skip
            Resolution.objects.bulk_create(
                Resolution(review=review, record_id=pk, stage=Stage.TITLE_ABSTRACT, decision="exclude",
                           rationale="Imaging only", decided_by=lead)
                for pk in voted if pk % 50 == 5
            )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done on a review that grew over weeks
    return review, lead, now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="Time the export again on the database left last time")
    parser.add_argument("--kind", choices=("records", "votes"), default="records")
    args = parser.parse_args()

    if args.reuse:
        _reuse("reviews_bench_export")
    else:
        django_on("reviews_bench_export")
    from reporting.exports.csvfast import safe_csv_lines as csv_lines
    from reporting.exports.records import records_export
    from reporting.exports.votes import votes_export
    from reporting.prisma import prisma_counts
    from review.access import review_for_user

    if args.reuse:
        from django.contrib.auth.models import User

        from review.models import Review

        review, lead = Review.objects.get(title="Export benchmark"), User.objects.get(username="bench-lead")
    else:
        started = time.perf_counter()
        review, lead, _ = populate(args.records)
        print(f"setup:   {time.perf_counter() - started:6.2f} s  ({args.records:,} records, votes on a fifth)")

    access = review_for_user(user=lead, slug=review.slug)
    rss_before = vm_kb("VmRSS")
    measured = reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    header, rows = (records_export if args.kind == "records" else votes_export)(access=access, user=lead)
    size = lines = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for line in csv_lines(header, rows):
            sink.write(line)
            size += len(line)
            lines += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = vm_kb("VmHWM")
    print(f"{args.kind} CSV: {elapsed:6.2f} s wall, {cpu:.2f} s CPU in this process "
          f"({lines - 1:,} rows, {size / 1e6:.1f} MB, {len(header)} columns)")  # fmt: skip
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if measured:
        print(f"memory:  {rss_before / 1024:6.1f} MB resident before, peak {peak / 1024:.1f} MB during the export "
              f"(+{(peak - rss_before) / 1024:.1f} MB)")  # fmt: skip
    started = time.perf_counter()
    counts = prisma_counts(review=review)
    print(f"PRISMA counts: {time.perf_counter() - started:6.2f} s  (records_screened = {counts.records_screened:,})")
    print(f"target: {args.kind} CSV in 10 s or less with flat memory:", "met" if elapsed <= 10 else "NOT met")


if __name__ == "__main__":
    main()

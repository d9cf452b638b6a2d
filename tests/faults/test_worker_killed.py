"""Kill the Celery worker's process in the middle of an import and of a deduplication run.

The task is delivered again (acks_late with reject_on_worker_lost), the half-done transaction is rolled back by
PostgreSQL, and the second attempt finishes: every record exactly once, and a consistent dedup state.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from review.importers import parse
from review.models import DedupRun, Job, Record, SearchFile
from review.services import dedup, imports
from tests.faults.workers import tasks_sent_to, worker_env

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 20_000

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set: no broker for a real worker"),
]


def synthetic_ris(count: int) -> bytes:
    lines = []
    for i in range(count):
        # Every tenth record repeats an earlier one, so deduplication has work to do.
        n = i - 1 if i % 10 == 9 else i
        lines += [
            "TY  - JOUR",
            f"TI  - Study number {n} of transfer learning in clinical cohort {n * 7 % 1000}",
            f"AU  - Author{n}, A.",
            f"AU  - Second{n % 97}, B.",
            f"PY  - {2000 + n % 24}",
            f"JO  - Journal {n % 300}",
            f"VL  - {n % 50}",
            f"SP  - {n % 900}",
            f"EP  - {n % 900 + 9}",
            f"DO  - 10.5555/study.{n}",
            "AB  - " + " ".join(f"word{(n * k) % 5000}" for k in range(60)),
            "ER  - ",
            "",
        ]
    return "\n".join(lines).encode()


@pytest.fixture
def worker(transactional_db, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    settings.MEDIA_ROOT = tmp_path / "media"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1", "-Q", queue],
        cwd=ROOT,
        env=worker_env(tmp_path, settings.REDIS_URL),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with tasks_sent_to(queue):
        yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def kill_pool_child(worker: subprocess.Popen) -> int:
    children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
    assert children, "the worker has no pool process to kill"
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    return len(children)


def wait_for(condition, seconds: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def storing_records() -> bool:
    """The worker's import is between its first and its last batch: its latest statement is a COPY of records."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND query LIKE 'COPY \"review_record\"%'"
        )
        return cursor.fetchone()[0] > 0


def import_until_storing(review, lead) -> tuple[SearchFile, Job]:
    """Upload RECORDS records, confirm once previewed, and return as soon as the worker's import is storing them.

    The file is parsed as it is stored, 20,000 records in about a second: a kill then lands mid-import."""
    review.dedup_automatic = False
    review.save()
    search = imports.search_create(review=review, by=lead, database="Embase")
    search_file = imports.search_file_upload(
        review=review, search=search, by=lead, name="big.ris", data=synthetic_ris(RECORDS)
    )
    wait_for(lambda: SearchFile.objects.get(pk=search_file.pk).status == "previewed", 180, "the preview")
    job = imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    wait_for(lambda: Job.objects.get(pk=job.pk).state == Job.State.RUNNING, 60, "the import to start")
    wait_for(storing_records, 60, "the import to store its first batch", every=0.05)
    assert SearchFile.objects.get(pk=search_file.pk).status == "importing"  # killed mid-import, not after
    return search_file, job


def test_import_survives_a_killed_worker(worker, review, lead):
    search_file, job = import_until_storing(review, lead)
    assert kill_pool_child(worker) >= 1
    wait_for(lambda: SearchFile.objects.get(pk=search_file.pk).status == "imported", 240, "the retried import")
    assert Record.objects.filter(search_file=search_file).count() == RECORDS
    assert Record.objects.filter(search_file=search_file).values("position").distinct().count() == RECORDS
    assert Job.objects.get(pk=job.pk).state == Job.State.SUCCEEDED


def test_dedup_run_survives_a_killed_worker(worker, review, lead):
    review.dedup_automatic = False
    review.save()
    search = imports.search_create(review=review, by=lead, database="Embase")
    parsed = parse(synthetic_ris(RECORDS // 4))
    imports.search_file_record_parsed(review=review, search=search, by=lead, name="x.ris", data=b"x", result=parsed)
    run = dedup.dedup_start(review=review, by=lead)
    wait_for(lambda: Job.objects.get(pk=run.job_id).state == Job.State.RUNNING, 60, "the run to start")
    time.sleep(0.5)
    assert DedupRun.objects.get(pk=run.pk).finished_at is None  # killed mid-run, not after
    kill_pool_child(worker)
    wait_for(lambda: DedupRun.objects.get(pk=run.pk).finished_at is not None, 240, "the retried run")
    run.refresh_from_db()
    merged = Record.objects.filter(review=review, merged_into__isnull=False)
    # Each duplicate points at a record that is itself kept: no chains, nothing half-applied.
    assert not merged.filter(merged_into__merged_into__isnull=False).exists()
    assert merged.count() == run.stats["duplicates"] > 0
    assert Job.objects.get(pk=run.job_id).state == Job.State.SUCCEEDED

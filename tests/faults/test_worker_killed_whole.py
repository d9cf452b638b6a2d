"""Issue #14, item 7: the whole Celery worker killed mid-import (main and pool processes), then a worker started.

Nobody tells the broker that the worker is gone, so Redis would hand the message out again only after its
visibility timeout (an hour before). The job's heartbeat stops instead; the new worker's sweep sees it silent
and sends the import again, which finishes: every record exactly once, the job succeeded, the file imported.
The visibility timeout stays at its default here (longer than the test), so only the sweep can have done it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

from review.importers import parse
from review.models import DedupRun, Job, Record, SearchFile
from review.services import dedup, imports
from tests.faults.test_worker_killed import (
    RECORDS,
    ROOT,
    import_until_storing,
    storing_records,
    synthetic_ris,
    wait_for,
)
from tests.faults.workers import tasks_sent_to, worker_env

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set: no broker for a real worker"),
]

STALE_SECONDS = 6


@pytest.fixture
def workers(transactional_db, tmp_path, settings):
    """start() launches a worker in a process group of its own on a queue of this test's own."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    queue = f"faults-whole-{uuid.uuid4().hex[:8]}"
    settings.MEDIA_ROOT = tmp_path / "media"
    env = worker_env(
        tmp_path,
        settings.REDIS_URL,
        JOB_STALE_SECONDS=str(STALE_SECONDS),
        CELERY_QUEUE=queue,  # where the new worker's sweep sends the job again
    )
    started: list[subprocess.Popen] = []
    log = (tmp_path / "workers.log").open("wb")

    def start() -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
        process = subprocess.Popen(
            [*command, "-Q", queue, "-n", f"{queue}-{len(started)}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the whole worker can be killed at once
        )
        started.append(process)
        return process

    with tasks_sent_to(queue):
        yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    log.close()
    print((tmp_path / "workers.log").read_text(errors="replace")[-4000:])


def test_import_is_recovered_after_the_whole_worker_is_killed_and_another_starts(workers, review, lead):
    first = workers()
    search_file, job = import_until_storing(review, lead)
    assert Job.objects.get(pk=job.pk).heartbeat_at is not None
    os.killpg(first.pid, signal.SIGKILL)  # the main process and its pool: nothing is left to tell the broker
    first.wait(timeout=30)
    # The database notices the lost connection and rolls the half-stored batch back.
    wait_for(lambda: not storing_records(), 60, "PostgreSQL to drop the dead worker's transaction")
    assert Record.objects.filter(search_file=search_file).count() == 0
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING  # as the kill left it

    workers()  # a new worker: its sweep sends the silent job again once its beat is STALE_SECONDS old
    wait_for(lambda: SearchFile.objects.get(pk=search_file.pk).status == "imported", 240, "the recovered import")
    recovered = Job.objects.get(pk=job.pk)
    assert recovered.state == Job.State.SUCCEEDED and recovered.recoveries == 1
    assert Record.objects.filter(search_file=search_file).count() == RECORDS
    assert Record.objects.filter(search_file=search_file).values("position").distinct().count() == RECORDS


def test_dedup_run_is_recovered_after_the_whole_worker_is_killed_and_another_starts(workers, review, lead):
    review.dedup_automatic = False
    review.save()
    search = imports.search_create(review=review, by=lead, database="Embase")
    parsed = parse(synthetic_ris(RECORDS // 4))
    imports.search_file_record_parsed(review=review, search=search, by=lead, name="x.ris", data=b"x", result=parsed)
    first = workers()
    run = dedup.dedup_start(review=review, by=lead)
    wait_for(lambda: Job.objects.get(pk=run.job_id).state == Job.State.RUNNING, 60, "the run to start")
    assert DedupRun.objects.get(pk=run.pk).finished_at is None  # killed mid-run, not after
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    assert Job.objects.get(pk=run.job_id).state == Job.State.RUNNING

    workers()
    wait_for(lambda: DedupRun.objects.get(pk=run.pk).finished_at is not None, 240, "the recovered run")
    run.refresh_from_db()
    merged = Record.objects.filter(review=review, merged_into__isnull=False)
    assert not merged.filter(merged_into__merged_into__isnull=False).exists()
    assert merged.count() == run.stats["duplicates"] > 0
    job = Job.objects.get(pk=run.job_id)
    assert job.state == Job.State.SUCCEEDED and job.recoveries == 1

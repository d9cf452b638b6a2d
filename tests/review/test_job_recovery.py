"""The sweep that recovers jobs whose worker went silent (review/services/job_recovery.py), on the database alone.

The whole path through real workers killed and restarted is in tests/faults/test_worker_killed_whole.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from review.models import Job, SearchFile
from review.services import imports
from review.services.job_recovery import MAX_RECOVERIES, jobs_recover

RIS = b"TY  - JOUR\nTI  - A study of transfer learning\nER  - \n"


@pytest.fixture
def importing(review, lead, django_capture_on_commit_callbacks):
    """A file whose import job is running (as a worker would have left it) and was last heard of long ago."""
    review.dedup_automatic = False
    review.save(update_fields=["dedup_automatic"])
    search = imports.search_create(review=review, by=lead, database="PubMed")
    with django_capture_on_commit_callbacks(execute=True):  # the preview runs in-process here
        search_file = imports.search_file_upload(review=review, search=search, by=lead, name="a.ris", data=RIS)
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    long_ago = timezone.now() - timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=long_ago, heartbeat_at=long_ago)
    return search_file, Job.objects.get(pk=job.pk)


def test_enqueueing_a_job_records_the_task_to_send_again(importing):
    search_file, job = importing
    assert job.task == "review.tasks.search_file_import_task"
    assert job.task_args == [search_file.pk, job.pk]


def test_a_silent_running_job_is_sent_again(importing, django_capture_on_commit_callbacks):
    _search_file, job = importing
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert jobs_recover() == [job.pk]
    job.refresh_from_db()
    assert (job.state, job.recoveries, job.heartbeat_at) == (Job.State.QUEUED, 1, None)
    assert "sent again" in job.message
    assert len(sent) == 1  # the task, sent once the sweep's transaction commits


def test_a_job_that_beats_is_left_alone(importing, settings):
    _search_file, job = importing
    recent = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS - 5)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=recent)
    assert jobs_recover() == []
    job.refresh_from_db()
    assert (job.state, job.recoveries) == (Job.State.RUNNING, 0)


def test_a_job_sent_again_too_often_fails_and_its_file_can_be_retried(
    importing, review, lead, django_capture_on_commit_callbacks
):
    search_file, job = importing
    Job.objects.filter(pk=job.pk).update(recoveries=MAX_RECOVERIES)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert jobs_recover() == [job.pk]
    assert sent == []
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and "may be retried" in job.message and job.finished_at is not None
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.FAILED and "may be retried" in search_file.error
    with django_capture_on_commit_callbacks(execute=False):
        retry = imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    assert retry.pk != job.pk and retry.state == Job.State.QUEUED


def test_a_running_job_without_a_task_to_send_fails(importing, django_capture_on_commit_callbacks):
    _search_file, job = importing
    Job.objects.filter(pk=job.pk).update(task="")
    with django_capture_on_commit_callbacks(execute=False) as sent:
        jobs_recover()
    assert sent == [] and Job.objects.get(pk=job.pk).state == Job.State.FAILED

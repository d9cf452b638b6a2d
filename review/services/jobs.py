"""Background jobs: state in the Job row, live progress in the shared cache.

An import stores its records inside one transaction, so progress written to the Job row there would stay
invisible until the end. Progress therefore goes to the cache (Redis in production, shared by web and workers),
and the row gets the final figures.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from review.models import Job, Review

logger = logging.getLogger(__name__)

PROGRESS_TTL_SECONDS = 6 * 3600


def _key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def job_create(*, review: Review, kind: str, by: User | None, total: int = 0) -> Job:
    return Job.objects.create(review=review, kind=kind, created_by=by, total=total)


def job_start(*, job: Job, total: int = 0, message: str = "") -> None:
    from review.services.job_recovery import heartbeat_start

    job.state = Job.State.RUNNING
    job.started_at = timezone.now()
    job.total = total
    job.done = 0
    job.message = message
    Job.objects.filter(pk=job.pk).update(
        state=job.state, started_at=job.started_at, heartbeat_at=job.started_at, total=total, done=0, message=message
    )
    cache.set(_key(job.pk), {"done": 0, "total": total, "message": message}, PROGRESS_TTL_SECONDS)
    heartbeat_start(job.pk)


def job_progress(*, job_id: int, done: int, total: int, message: str = "") -> None:
    cache.set(_key(job_id), {"done": done, "total": total, "message": message}, PROGRESS_TTL_SECONDS)


def job_succeed(*, job: Job, result: dict[str, Any] | None = None, message: str = "") -> None:
    from review.services.job_recovery import heartbeat_stop

    heartbeat_stop(job.pk)
    job.state = Job.State.SUCCEEDED
    job.finished_at = timezone.now()
    job.done = job.total
    job.result = result or {}
    job.message = message
    job.save(update_fields=["state", "finished_at", "done", "result", "message"])
    cache.delete(_key(job.pk))


def job_fail(*, job: Job, message: str) -> None:
    from review.services.job_recovery import heartbeat_stop

    heartbeat_stop(job.pk)
    Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, finished_at=timezone.now(), message=message)
    job.state, job.message = Job.State.FAILED, message
    cache.delete(_key(job.pk))


def job_live(job: Job) -> Job:
    """The job with its live progress merged in, for pages and the API."""
    if job.state == Job.State.RUNNING:
        live = cache.get(_key(job.pk))
        if live:
            job.done, job.total = live["done"], live["total"]
            job.message = live.get("message") or job.message
    return job


JOBS_UNAVAILABLE = "Background jobs are unavailable right now (the task queue did not answer); try again later."


def enqueue(
    task: Any,
    *args: Any,
    job: Job | None = None,
    on_unavailable: Callable[[], None] | None = None,
    background: bool = False,
) -> None:
    """Send a task once the current transaction commits.

    If the broker cannot be reached, the request still succeeds: the job is marked failed with a message the
    person understands, and `on_unavailable` puts the object back into a state from which it can be retried.
    `background=True` is for work nobody waits for (ranker retraining): without a broker (the embedded setup) it
    runs in a thread of this process instead of inside the request that asked for it.
    """

    if job is not None:
        # What to send again if the worker running it dies (review/services/job_recovery.py).
        Job.objects.filter(pk=job.pk).update(task=getattr(task, "name", ""), task_args=list(args))

    def send() -> None:
        if background and settings.CELERY_TASK_ALWAYS_EAGER and settings.EAGER_BACKGROUND_THREADS:
            threading.Thread(target=_run_in_thread, args=(task, args), daemon=True).start()
            return
        try:
            task.delay(*args)
        except (KombuOperationalError, RedisError) as error:
            logger.error("could not enqueue %s%r: %s", getattr(task, "name", task), args, error)
            if job is not None:
                job_fail(job=job, message=JOBS_UNAVAILABLE)
            if on_unavailable is not None:
                on_unavailable()

    transaction.on_commit(send)


def _run_in_thread(task: Any, args: tuple[Any, ...]) -> None:
    from django.db import connections

    try:
        task.apply(args=args, throw=False)
    finally:
        connections.close_all()

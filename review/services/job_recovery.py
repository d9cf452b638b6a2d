"""Jobs whose worker died: heartbeats while a job runs, and a sweep that sends orphaned jobs again.

When the Celery pool process alone is killed, the main process sees it and the broker gets the message back at
once (acks_late with reject_on_worker_lost). When the whole worker dies (SIGKILL of the main process too, a
container killed, a machine lost), nobody tells the broker: Redis hands the message out again only after the
transport's visibility timeout (CELERY_VISIBILITY_TIMEOUT), and until then the job stays "running" and its
file "importing" (issue #14 saw that for more than 12 minutes).

So a running job beats: a thread of the worker process writes `Job.heartbeat_at` every HEARTBEAT_SECONDS, on a
connection of its own (the job's work runs in one long transaction, which would hide a beat written there). A
sweep finds running jobs whose last beat is older than JOB_STALE_SECONDS and sends their task again (each task is
safe to run twice: it checks the job's state and the rows it writes under locks). A job already sent again
MAX_RECOVERIES times is failed instead, with a message saying it may be retried, and an import's file goes back
to "failed", from which the lead can retry or discard it.

The sweep runs when a worker starts (so a worker started after a crash picks up what was orphaned) and then every
SWEEP_SECONDS in a thread of the worker's main process; `select_for_update(skip_locked=True)` lets several workers
sweep at once without sending a job twice. Without a broker (tasks run in-process) nothing beats or sweeps.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.utils import timezone

from review.models import Job, SearchFile

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
SWEEP_SECONDS = 30
MAX_RECOVERIES = 3
STOPPED = "The worker running this job stopped"

_beating: dict[int, threading.Event] = {}
_lock = threading.Lock()


def _in_worker() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER


def heartbeat_start(job_id: int) -> None:
    """Beat for the job until `heartbeat_stop` or until the job is no longer running (in a worker only)."""
    if not _in_worker():
        return
    stop = threading.Event()
    with _lock:
        previous = _beating.pop(job_id, None)
        if previous is not None:
            previous.set()
        _beating[job_id] = stop
    threading.Thread(target=_beat, args=(job_id, stop), name=f"job-heartbeat-{job_id}", daemon=True).start()


def heartbeat_stop(job_id: int) -> None:
    # Never waits for the thread: a beat may be blocked on the job's row, locked by the caller's transaction.
    with _lock:
        stop = _beating.pop(job_id, None)
    if stop is not None:
        stop.set()


def _beat(job_id: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            alive = Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(heartbeat_at=timezone.now())
            if not alive:
                return
    except Exception:  # a lost database connection must not end the worker; the sweep judges the silence
        logger.exception("heartbeat of job %s stopped", job_id)
    finally:
        connections.close_all()  # this thread's connections only


def jobs_recover(*, now: datetime | None = None) -> list[int]:
    """Send again (or fail) the running jobs whose worker went silent; returns their ids."""
    from config.celery import app

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    silent = Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale)
    recovered: list[int] = []
    with transaction.atomic():
        jobs = list(Job.objects.select_for_update(skip_locked=True).filter(silent, state=Job.State.RUNNING))
        for job in jobs:
            recovered.append(job.pk)
            if job.task and job.recoveries < MAX_RECOVERIES:
                job.state, job.heartbeat_at, job.recoveries = Job.State.QUEUED, None, job.recoveries + 1
                job.message = f"{STOPPED}; it was sent again (attempt {job.recoveries + 1})"
                job.save(update_fields=["state", "heartbeat_at", "recoveries", "message"])
                transaction.on_commit(_sender(app, job.task, list(job.task_args)))
                logger.warning("job %s (%s): worker silent since %s, sent again", job.pk, job.kind, job.heartbeat_at)
                continue
            message = f"{STOPPED} {job.recoveries + 1} times; nothing was kept from it, and it may be retried"
            Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, finished_at=now, message=message)
            SearchFile.objects.filter(job=job, status=SearchFile.Status.IMPORTING).update(
                status=SearchFile.Status.FAILED, error=message
            )
            logger.error("job %s (%s): worker silent since %s, failed", job.pk, job.kind, job.heartbeat_at)
    return recovered


def _sender(app: Any, name: str, args: list[Any]) -> Any:
    def send() -> None:
        app.send_task(name, args=args)

    return send


def sweep_forever(stop: threading.Event) -> None:
    """The worker main process's sweeper: once at start, then every SWEEP_SECONDS."""
    while True:
        try:
            close_old_connections()
            jobs_recover()
        except Exception:  # the database may be restarting: try again at the next round
            logger.exception("job recovery sweep failed")
        finally:
            connections.close_all()
        if stop.wait(SWEEP_SECONDS):
            return


def start_sweeper() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=sweep_forever, args=(stop,), name="job-recovery", daemon=True).start()
    return stop

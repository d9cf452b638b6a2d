"""The Celery application. Workers start with `celery -A config worker`."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def recover_orphaned_jobs(**_kwargs: Any) -> None:
    """A starting worker sends again the jobs whose worker died, then keeps sweeping (review/services/job_recovery)."""
    from review.services.job_recovery import start_sweeper

    start_sweeper()

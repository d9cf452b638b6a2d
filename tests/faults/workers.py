"""What the fault tests that start a real Celery worker share: its environment and the switch that sends this
test's tasks to the worker's own queue instead of running them in-process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.review.test_celery_worker import _database_url


def worker_env(tmp_path: Path, redis_url: str, **extra: str) -> dict[str, str]:
    """A worker's environment: this test's database and broker, files under tmp_path."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        **extra,
    }


@contextmanager
def tasks_sent_to(queue: str) -> Iterator[None]:
    """Tasks queued inside go to `queue` through the broker (not run eagerly), as in production."""
    from config.celery import app

    eager, default_queue = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = eager, default_queue

"""Redis down: pages and writes that live in PostgreSQL keep working, and people are told jobs are unavailable."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse

from review import context_processors
from review.models import Job, SearchFile
from review.services import imports

DEAD_REDIS = "redis://127.0.0.1:6399/0"  # nothing listens there


@pytest.fixture
def redis_down(settings):
    from config.celery import app

    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # Changing CACHES through the settings fixture makes Django open new cache connections.
    assert caches["default"].__class__.__name__ == "ResilientRedisCache"
    old = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.update(task_always_eager=False, broker_url=DEAD_REDIS)
    _reset_pools(app)
    context_processors._last["at"] = -1e9
    try:
        yield
    finally:
        app.conf.update(task_always_eager=old[0], broker_url=old[1])
        _reset_pools(app)
        context_processors._last["at"] = -1e9


def _reset_pools(app) -> None:
    # kombu keeps connection and producer pools per broker URL in a process-wide registry; start afresh so the
    # next publish connects to the broker configured now, and no later test is handed a closed pool.
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def test_pages_work_and_say_jobs_are_unavailable(redis_down, as_lead, review):
    response = as_lead.get(reverse("review:home", args=[review.slug]))
    assert response.status_code == 200
    assert b"Background jobs are unavailable" in response.content


def test_login_works_without_the_cache(redis_down, client, lead):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302


def test_health_reports_the_broker_down(redis_down, client, db):
    body = client.get(reverse("healthz")).json()
    assert body["database"] == "ok" and body["broker"].startswith("unavailable")


def test_upload_is_kept_and_its_job_says_why(redis_down, review, lead, django_capture_on_commit_callbacks):
    search = imports.search_create(review=review, by=lead, database="PubMed")
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(
            review=review, search=search, by=lead, name="a.nbib", data=b"PMID- 1\nTI  - A title\n"
        )
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.UPLOADED  # the bytes are kept for a later try
    assert search_file.job.state == Job.State.FAILED
    assert "Background jobs are unavailable" in search_file.job.message

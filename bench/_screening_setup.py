"""The screening benchmarks' shared set-up: a PostgreSQL database of their own, its review, team and records.

bench/screening.py and bench/load.py each pass the name of their database, so neither run touches the other's.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SLUG = "bench-screening"


def server_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def db_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(server_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


def redis_url() -> str:
    """A Redis database of its own for the production shape (cache and Celery broker), or "" when none is usable.

    Without Redis, Celery runs tasks inside the request (the embedded default), which is not what a deployment
    serving 20 reviewers does; queued tasks are not run here (no worker) and are removed at the end.
    """
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        if client.dbsize() == 0:
            return url
        print(f"{url} is not empty; running without Redis (tasks run inside requests)")
    except Exception as error:
        print(f"No Redis at {url} ({error}); running without Redis (tasks run inside requests)")
    return ""


REDIS_URL = redis_url()


def redis_cleanup() -> None:
    if REDIS_URL:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()  # the database was empty when the benchmark took it


def env(db: str) -> dict[str, str]:
    variables = dict(os.environ)
    variables.update(
        {
            "DATABASE_URL": db_url(db),
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DJANGO_DEBUG": "False",
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "False",
            "BEHIND_TLS_PROXY": "False",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "SECURE_HSTS_SECONDS": "0",
            "DB_CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": REDIS_URL,
        }
    )
    return variables


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(*, db: str, records: int, reviewers: int) -> list[str]:
    """Create the database, the review, its team and records; return one API token per reviewer."""
    admin(f"DROP DATABASE IF EXISTS {db}")
    admin(f"CREATE DATABASE {db}")
    variables = env(db)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=variables, check=True
    )
    os.environ.update(variables)
    import django

    django.setup()
    from django.contrib.auth.models import User

    from review.models import Membership, Record, Review, Role, Search
    from review.services import api_token_create
    from screening.services.queue import outcomes_sync

    lead = User.objects.create_user("bench-lead")
    review = Review.objects.create(title="Screening benchmark", slug=SLUG, created_by=lead)
    Membership.objects.create(review=review, user=lead, role=Role.LEAD)
    tokens = []
    for n in range(reviewers):
        user = User.objects.create_user(f"bench-reviewer-{n:02d}")
        Membership.objects.create(review=review, user=user, role=Role.REVIEWER)
        tokens.append(api_token_create(user=user, name="bench")[1])
    search = Search.objects.create(review=review, database="PubMed")
    words = [
        "transfer",
        "learning",
        "clinical",
        "time",
        "series",
        "electrocardiogram",
        "pretrained",
        "network",
        "cohort",
        "outcome",
    ]
    rng = random.Random(1)
    started = time.perf_counter()
    batch: list[Record] = []
    for position in range(1, records + 1):
        abstract = " ".join(rng.choice(words) for _ in range(120))
        batch.append(
            Record(
                review=review,
                search=search,
                position=position,
                title=f"Record {position}: " + " ".join(rng.choice(words) for _ in range(12)),
                abstract=abstract,
                authors=["Smith J", "Doe A"],
                year=2000 + position % 25,
                journal="Journal of Benchmarks",
                doi=f"10.9999/bench.{position}",
            )
        )
        if len(batch) == 5000:
            Record.objects.bulk_create(batch)
            batch = []
    Record.objects.bulk_create(batch)
    outcomes_sync(review=review)
    print(f"prepared {records:,} records and {reviewers} reviewers in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return tokens


def reuse(*, db: str, reviewers: int) -> list[str] | None:
    """Fresh tokens for the reviewers of a kept benchmark database, or None when there is none to reuse."""
    import psycopg

    with psycopg.connect(server_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            return None
    os.environ.update(env(db))
    import django

    django.setup()
    from django.contrib.auth.models import User

    from review.services import api_token_create

    users = list(User.objects.filter(username__startswith="bench-reviewer-").order_by("username")[:reviewers])
    if len(users) < reviewers:
        return None
    print(f"reusing {db} (votes from earlier runs stay)")
    return [api_token_create(user=user, name="bench")[1] for user in users]

"""Screening under load: 100,000 records, 20 reviewers voting at once over HTTP (gunicorn + PostgreSQL on loopback).

Each simulated reviewer repeats "vote on my current record, then get my next record" through the REST API with
its own API token and a keep-alive connection, and the time of that pair is measured: first as two calls (POST the
vote, GET next), then as one ("1 call": the vote asks for the next record with "next": true). Phases:
  paced      each reviewer pauses --think-ms (default 2,000 ms, +-50%) between pairs: faster than any human reads
             a title and abstract ("hundreds of records an hour" is 10-20 s each), so 20 of them send 10 pairs/s
  saturated  no pause at all: every reviewer fires the next pair as soon as the last one returns (throughput)

It creates its own database (reviews_bench), bulk-inserts the review, starts gunicorn on a free loopback port,
runs each phase for --seconds, stops gunicorn, drops the database (unless --keep) and prints the figures.

Run from the project root:  .venv/bin/python bench/screening.py [--records 100000] [--reviewers 20] [--seconds 30]
Needs PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH_DB = "reviews_bench"
SLUG = "bench-screening"


def _server_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _db_url(name: str) -> str:
    parts = urlsplit(_server_url())
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_server_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


def _redis_url() -> str:
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


REDIS_URL = _redis_url()


def _redis_cleanup() -> None:
    if REDIS_URL:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()  # the database was empty when the benchmark took it


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": _db_url(BENCH_DB),
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
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(*, records: int, reviewers: int) -> list[str]:
    """Create the database, the review, its team and records; return one API token per reviewer."""
    _admin(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    _admin(f"CREATE DATABASE {BENCH_DB}")
    env = _env()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
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


def reuse(reviewers: int) -> list[str] | None:
    """Fresh tokens for the reviewers of a kept benchmark database, or None when there is none to reuse."""
    import psycopg

    with psycopg.connect(_server_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            return None
    os.environ.update(_env())
    import django

    django.setup()
    from django.contrib.auth.models import User

    from review.services import api_token_create

    users = list(User.objects.filter(username__startswith="bench-reviewer-").order_by("username")[:reviewers])
    if len(users) < reviewers:
        return None
    print(f"reusing {BENCH_DB} (votes from earlier runs stay)")
    return [api_token_create(user=user, name="bench")[1] for user in users]


class Reviewer(threading.Thread):
    """One reviewer: vote on the current record, get the next one; time each pair."""

    def __init__(self, port: int, token: str, stop_at: float, think: float, seed: int, combined: bool) -> None:
        super().__init__(daemon=True)
        self.combined = combined
        self.port, self.stop_at, self.think = port, stop_at, think
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.rng = random.Random(seed)
        self.timings: list[float] = []
        self.errors: dict[int, int] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        payload = json.dumps(body) if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=payload, headers=self.headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, json.loads(data) if data else {}
            except (http.client.HTTPException, ConnectionError):
                # The worker closed the keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def run(self) -> None:
        base = f"/api/v1/reviews/{SLUG}/screening/title-abstract"
        status, body = self.request("GET", f"{base}/next/")
        record = (body.get("record") or {}).get("id")
        if self.think:
            # Reviewers do not all click at the same instant: each starts somewhere within one pause, as they
            # would once a session is under way (without this, all 20 first votes arrive together).
            time.sleep(self.think * self.rng.uniform(0, 1))
        while record and time.perf_counter() < self.stop_at:
            choice = self.rng.choices(["exclude", "include", "maybe"], weights=[85, 10, 5])[0]
            started = time.perf_counter()
            if self.combined:
                # One round trip: the vote answers with my next record.
                status, body = self.request("POST", f"{base}/records/{record}/vote/", {"choice": choice, "next": True})
                if status != 200:
                    self.errors[status] = self.errors.get(status, 0) + 1
                    status, body = self.request("GET", f"{base}/next/")
                else:
                    body = body["next"]
            else:
                status, _ = self.request("POST", f"{base}/records/{record}/vote/", {"choice": choice})
                if status != 200:
                    self.errors[status] = self.errors.get(status, 0) + 1
                status, body = self.request("GET", f"{base}/next/")
            self.timings.append(time.perf_counter() - started)
            record = (body.get("record") or {}).get("id")
            if self.think:
                time.sleep(self.think * self.rng.uniform(0.5, 1.5))
        self.conn.close()


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(gunicorn_pid: int) -> tuple[float, float]:
    """CPU seconds used so far by the gunicorn workers and by the PostgreSQL backends serving the bench database,
    so that the cost per pair can be stated independently of whatever else the machine is running."""
    children = Path(f"/proc/{gunicorn_pid}/task/{gunicorn_pid}/children")
    workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    import psycopg

    with psycopg.connect(_server_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        backends = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [BENCH_DB])]
    return sum(_cpu_seconds(p) for p in workers), sum(_cpu_seconds(p) for p in backends)


def warm_up(port: int, tokens: list[str]) -> None:
    """Let every worker load the application and open its database connection before anything is timed."""
    for token in tokens * 2:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request(
            "GET",
            f"/api/v1/reviews/{SLUG}/screening/title-abstract/next/",
            headers={"Authorization": f"Bearer {token}"},
        )
        conn.getresponse().read()
        conn.close()


ACCESS_LOG = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-screening-{os.getpid()}.log"


def server_times(start: int) -> list[float]:
    """Seconds each request spent inside gunicorn (from its access log, from byte `start` on): what the
    server itself took, as opposed to the time a request waited for a free worker or for the CPU."""
    with ACCESS_LOG.open("rb") as log:
        log.seek(start)
        lines = log.read().decode(errors="replace").splitlines()
    return sorted(int(line.split()[2]) / 1e6 for line in lines if len(line.split()) == 3)


def _log_size() -> int:
    return ACCESS_LOG.stat().st_size if ACCESS_LOG.exists() else 0


def phase(
    name: str,
    *,
    port: int,
    tokens: list[str],
    seconds: float,
    think_ms: float,
    gunicorn_pid: int,
    combined: bool = False,
) -> None:
    app_before, db_before = server_cpu(gunicorn_pid)
    log_start = _log_size()
    stop_at = time.perf_counter() + seconds
    team = [
        Reviewer(port, token, stop_at, think_ms / 1000, seed=n, combined=combined) for n, token in enumerate(tokens)
    ]
    started = time.perf_counter()
    for reviewer in team:
        reviewer.start()
    for reviewer in team:
        reviewer.join()
    elapsed = time.perf_counter() - started
    app_after, db_after = server_cpu(gunicorn_pid)
    timings = sorted(t for r in team for t in r.timings)
    errors: dict[int, int] = {}
    for reviewer in team:
        for code, n in reviewer.errors.items():
            errors[code] = errors.get(code, 0) + n
    if not timings:
        print(f"{name}: no requests completed")
        return
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    requests = (1 if combined else 2) * len(timings)
    print(
        f"{name:18} think {think_ms:>5.0f} ms | pairs {len(timings):>6} | {len(timings) / elapsed:7.1f} pairs/s "
        f"({requests / elapsed:7.1f} req/s) | p50 {1000 * cuts[49]:6.1f} ms | p95 {1000 * cuts[94]:6.1f} ms"
        f" | p99 {1000 * cuts[98]:6.1f} ms | max {1000 * timings[-1]:6.1f} ms | refused votes {errors or 0}"
    )
    inside = server_times(log_start)
    if len(inside) > 1:
        cut = statistics.quantiles(inside, n=100, method="inclusive")
        print(
            f"{'':18} inside the server, per request: p50 {1000 * cut[49]:6.1f} ms | p95 {1000 * cut[94]:6.1f} ms"
            f" | p99 {1000 * cut[98]:6.1f} ms ({len(inside)} requests)"
        )
    app_ms = 1000 * (app_after - app_before) / len(timings)
    db_ms = 1000 * (db_after - db_before) / len(timings)
    cores = os.cpu_count() or 1
    capacity = 1000 * cores / (app_ms + db_ms) if app_ms + db_ms else 0
    print(
        f"{'':18} server CPU per pair: {app_ms + db_ms:.1f} ms (Django {app_ms:.1f} + PostgreSQL {db_ms:.1f}); "
        f"at that cost {cores} otherwise idle cores would serve ~{capacity:.0f} pairs/s"
    )


def check_database(tokens_count: int) -> None:
    """After the run: no record has more votes than required, and counts match the vote rows."""
    from django.db.models import Count, Q

    from screening.models import StageOutcome, Vote

    over = StageOutcome.objects.filter(review__slug=SLUG, vote_count__gt=2).count()
    mismatched = (
        StageOutcome.objects.filter(review__slug=SLUG)
        .annotate(n=Count("record__screening_votes", filter=Q(record__screening_votes__stage=models_f("stage"))))
        .exclude(n=models_f("vote_count"))
        .count()
    )
    votes = Vote.objects.filter(review__slug=SLUG).count()
    print(f"check: {votes:,} votes; records over the required votes: {over}; vote counts out of step: {mismatched}")


def models_f(name: str):
    from django.db.models import F

    return F(name)


# name, pause between pairs (None: --think-ms), one call per pair
PHASES = (
    ("paced", None, False),
    ("saturated", 0.0, False),
    ("paced-1call", None, True),
    ("saturated-1call", 0.0, True),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep-alive", type=int, default=30, help="seconds; 0 closes each connection after a request")
    parser.add_argument(
        "--phases",
        type=lambda text: [name.strip() for name in text.split(",")],
        default=[],
        help=f"run only these phases (comma-separated; default all: {', '.join(p[0] for p in PHASES)})",
    )
    parser.add_argument("--think-ms", type=float, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a database kept by --keep (its votes stay: for quick iterations)"
    )
    args = parser.parse_args()
    try:
        _admin("SELECT 1")
    except Exception as error:
        print(f"No PostgreSQL at {_server_url()} ({error}); nothing to benchmark.")
        return 0
    tokens = reuse(args.reviewers) if args.reuse else None
    if tokens is None:
        tokens = prepare(records=args.records, reviewers=args.reviewers)
    port = _free_port()
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "config/gunicorn.conf.py",  # the production settings; the flags below set this run's sizes
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            str(args.keep_alive),
            "--log-level",
            "warning",
            "--access-logfile",
            str(ACCESS_LOG),
            "--access-logformat",
            "%(m)s %(s)s %(D)s",
        ],
        cwd=ROOT,
        env=_env(),
        start_new_session=True,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        print(
            f"gunicorn: {args.workers} workers x {args.threads} threads on 127.0.0.1:{port}; "
            f"{args.reviewers} reviewers; {os.cpu_count()} CPUs (shared with PostgreSQL and this client); "
            f"Redis: {REDIS_URL or 'none'}"
        )
        warm_up(port, tokens)
        phase("warm-up", port=port, tokens=tokens, seconds=5, think_ms=args.think_ms, gunicorn_pid=gunicorn.pid)
        for name, think_ms, combined in PHASES:
            if args.phases and name not in args.phases:
                continue
            phase(
                name,
                port=port,
                tokens=tokens,
                seconds=args.seconds,
                think_ms=args.think_ms if think_ms is None else think_ms,
                gunicorn_pid=gunicorn.pid,
                combined=combined,
            )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)  # a worker stuck in a long request: do not leave it behind
            gunicorn.wait(timeout=30)
    ACCESS_LOG.unlink(missing_ok=True)
    check_database(len(tokens))
    from django.db import connections

    connections.close_all()
    _redis_cleanup()
    if not args.keep:
        _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

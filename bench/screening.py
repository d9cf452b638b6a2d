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
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _load_servers import gunicorn_start
from _screening_client import Reviewer, server_cpu, warm_up
from _screening_setup import REDIS_URL, SLUG, admin, env, free_port, prepare, redis_cleanup, reuse, server_url

BENCH_DB = "reviews_bench"


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
    app_before, db_before = server_cpu(gunicorn_pid, BENCH_DB)
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
    app_after, db_after = server_cpu(gunicorn_pid, BENCH_DB)
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
        admin("SELECT 1")
    except Exception as error:
        print(f"No PostgreSQL at {server_url()} ({error}); nothing to benchmark.")
        return 0
    tokens = reuse(db=BENCH_DB, reviewers=args.reviewers) if args.reuse else None
    if tokens is None:
        tokens = prepare(db=BENCH_DB, records=args.records, reviewers=args.reviewers)
    port = free_port()
    gunicorn = gunicorn_start(
        port=port,
        workers=args.workers,
        env=env(BENCH_DB),
        threads=args.threads,
        keep_alive=args.keep_alive,
        access_log=str(ACCESS_LOG),
        access_format="%(m)s %(s)s %(D)s",
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
    redis_cleanup()
    if not args.keep:
        admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The production shape under load: reviewers screening a large review over HTTP while the lead imports a file.

gunicorn (several workers), PostgreSQL, Redis (REDIS_URL: cache, job progress and Celery's broker) and a real Celery
worker, all started here on loopback. --reviewers reviewers each repeat "vote on my record, get my next record"
through the REST API with their own token for --seconds; a third of the way in, the lead uploads an RIS export
with confirm=true, so the worker previews and imports it while votes keep arriving.

Printed: throughput, p50/p95/p99 latency of votes and of next-record requests, errors by kind. Then the database is
checked, each line PASS or FAIL:
  - every vote the server acknowledged (200 with the reviewer's vote in the body) exists as that reviewer's vote
  - no record holds more current votes than its stage requires, and each outcome's vote count is its votes
  - every outcome decided by votes (and every undecided one) is what screening's own rule gives for its votes
  - every record included at title/abstract has entered full text
  - the file imported during the load holds exactly its records; no request failed with a 5xx or a dropped
    connection
Everything started here is stopped; the database is dropped unless --keep. Exit 1 if an invariant fails.

    .venv/bin/python bench/load.py [--records 100000] [--reviewers 20] [--seconds 60] [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _load_client import IMPORT_RECORDS, AckingReviewer, lead_uploads
from _load_servers import server_env, start_servers, stop, wait_for_port, wait_for_worker
from _screening_client import server_cpu, warm_up
from _screening_setup import SLUG, admin, free_port, prepare

LOAD_DB = "reviews_load"
OUT = ROOT / "bench" / "out" / "load"


class Overrun(Exception):
    """The whole run went past its time bound."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise Overrun("the load run exceeded its time bound")


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {1000 * cuts[49]:6.1f} ms | p95 {1000 * cuts[94]:6.1f} ms | p99 {1000 * cuts[98]:6.1f} ms"


def wait_for_import(file_id: int, seconds: float) -> str:
    from review.models import SearchFile

    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = SearchFile.objects.get(pk=file_id).status
        if status not in (SearchFile.Status.UPLOADED, SearchFile.Status.PREVIEWED, SearchFile.Status.IMPORTING):
            return status
        time.sleep(0.5)
    return status


def check_invariants(acked: list[tuple[int, str, str]], upload: dict[str, object], failures: Counter[str]) -> bool:
    from django.contrib.auth.models import User

    from review.models import Record, Review, SearchFile
    from screening.models import Stage, StageOutcome, Status, Vote
    from screening.rules import CastVote, outcome_for
    from screening.services.common import settings_for

    review = Review.objects.get(slug=SLUG)
    config = settings_for(review)
    names = dict(User.objects.values_list("pk", "username"))
    votes: dict[tuple[int, str], list[Vote]] = defaultdict(list)
    for vote in Vote.objects.filter(review=review).select_related("reason"):
        votes[(vote.record_id, vote.stage)].append(vote)
    stored = {(v.record_id, names[v.reviewer_id], v.choice) for group in votes.values() for v in group}
    results: list[tuple[str, bool, str]] = []

    missing = [ack for ack in acked if ack not in stored]
    results.append(
        ("every acknowledged vote exists", not missing, f"{len(acked):,} acknowledged, {len(missing)} missing")
    )

    def required(outcome: StageOutcome) -> int:
        if outcome.votes_required:
            return outcome.votes_required
        if outcome.stage == Stage.FULL_TEXT:
            return config.votes_required_full_text
        return config.votes_required_title_abstract

    outcomes = {(o.record_id, o.stage): o for o in StageOutcome.objects.filter(review=review)}
    over = [key for key, group in votes.items() if key in outcomes and len(group) > required(outcomes[key])]
    orphans = [key for key in votes if key not in outcomes]
    miscounted = [key for key, o in outcomes.items() if o.vote_count != len(votes.get(key, []))]
    results.append(
        (
            "no record holds more votes than its stage requires",
            not over and not orphans and not miscounted,
            f"{len(over)} over, {len(orphans)} votes without an outcome, {len(miscounted)} vote counts out of step",
        )
    )

    from screening.selectors import exclusion_reason_rank

    rank = exclusion_reason_rank(review=review)
    wrong = []
    checked = 0
    for key, outcome in outcomes.items():
        if outcome.decided_by not in ("", "votes"):
            continue  # a lead's resolution or a not-retrieved report is not a function of the votes
        checked += 1
        expected = outcome_for(
            stage=outcome.stage,
            votes=[CastVote(v.choice, v.reason_label) for v in votes.get(key, [])],
            required=required(outcome),
            maybe_goes_to_full_text=config.maybe_goes_to_full_text,
            reason_mismatch_is_conflict=config.reason_mismatch_is_conflict,
            reason_rank=rank,
        )
        if expected.status != outcome.status:
            wrong.append((key, outcome.status, expected.status))
    final = sum(1 for o in outcomes.values() if o.is_final)
    results.append(
        (
            "every outcome matches its votes (screening.rules.outcome_for)",
            not wrong,
            f"{checked:,} checked ({final:,} final), {len(wrong)} wrong {wrong[:3] if wrong else ''}".strip(),
        )
    )

    included = {r for (r, s), o in outcomes.items() if s == Stage.TITLE_ABSTRACT and o.status == Status.INCLUDED}
    entered = {r for (r, s) in outcomes if s == Stage.FULL_TEXT}
    results.append(
        (
            "every title/abstract inclusion entered full text",
            included <= entered,
            f"{len(included):,} included, {len(included - entered)} missing at full text",
        )
    )

    file_id = upload.get("file_id")
    if isinstance(file_id, int):
        search_file = SearchFile.objects.get(pk=file_id)
        rows = Record.objects.filter(search_file=search_file).count()
        ok = search_file.status == SearchFile.Status.IMPORTED and rows == IMPORT_RECORDS
        detail = f"status {search_file.status}, {rows:,} of {IMPORT_RECORDS:,} records {search_file.error}".strip()
    else:
        ok, detail = False, f"the upload was not accepted: {upload}"
    results.append(("the file uploaded during the load was imported by the worker, whole", ok, detail))

    broken = {kind: n for kind, n in failures.items() if not kind.startswith("refused")}
    results.append(("no 5xx answers or dropped connections", not broken, str(broken or "none")))

    for name, passed, detail in results:
        print(f"{'PASS' if passed else 'FAIL'}  {name}: {detail}")
    return all(passed for _name, passed, _detail in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (2 threads each)")
    parser.add_argument("--think-ms", type=float, default=0, help="pause between a reviewer's pairs (0: flat out)")
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    import redis

    try:
        admin("SELECT 1")
        redis.Redis.from_url(args.redis_url, socket_connect_timeout=2).flushdb()  # a database of its own
    except Exception as error:  # reported and ends the run: nothing can be measured without both servers
        print(f"load: PostgreSQL or Redis is not reachable ({error.__class__.__name__}: {error}); FAIL")
        return 1

    # Preparing 100,000 records takes a minute or two; the bound covers that, the run and the checks.
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(int(args.seconds) + 900)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    tokens = prepare(db=LOAD_DB, records=args.records, reviewers=args.reviewers)

    from django.contrib.auth.models import User

    from review.models import Review, Search
    from review.services import api_token_create

    review = Review.objects.get(slug=SLUG)
    Review.objects.filter(pk=review.pk).update(dedup_automatic=False)  # this run measures screening and import
    lead_token = api_token_create(user=User.objects.get(username="bench-lead"), name="load")[1]
    search_id = Search.objects.get(review=review).pk
    usernames = [f"bench-reviewer-{n:02d}" for n in range(args.reviewers)]

    port = free_port()
    env = server_env(db=LOAD_DB, redis_url=args.redis_url, out=OUT)
    gunicorn, worker = start_servers(port=port, workers=args.workers, env=env)
    team: list[AckingReviewer] = []
    upload: dict[str, object] = {}
    elapsed = 0.0
    cpu_before = cpu_after = (0.0, 0.0)
    try:
        wait_for_port(port, 60)
        wait_for_worker(args.redis_url, 60)
        print(
            f"gunicorn {args.workers} workers x 2 threads, Celery worker (prefork, 1 process), PostgreSQL, Redis "
            f"{args.redis_url}; {args.reviewers} reviewers, think {args.think_ms:.0f} ms; {os.cpu_count()} CPUs shared"
        )
        warm_up(port, tokens)
        # CPU used by the web workers and the database backends: on a shared machine, latency alone says little.
        cpu_before = server_cpu(gunicorn.pid, LOAD_DB)
        started = time.perf_counter()
        stop_at = started + args.seconds
        team = [
            AckingReviewer(port, token, name, stop_at, args.think_ms / 1000, seed=n)
            for n, (token, name) in enumerate(zip(tokens, usernames, strict=True))
        ]
        lead = threading.Thread(
            target=lead_uploads, args=(port, lead_token, search_id, started + args.seconds / 3, upload), daemon=True
        )
        threads: list[threading.Thread] = [*team, lead]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.perf_counter() - started
        cpu_after = server_cpu(gunicorn.pid, LOAD_DB)
        if isinstance(upload.get("file_id"), int):
            state = wait_for_import(int(upload["file_id"]), 300)  # type: ignore[call-overload]
            print(f"lead upload: HTTP {upload.get('status')} in {upload.get('seconds', 0):.2f} s; file now {state}")
    finally:
        stop(gunicorn, "gunicorn")
        stop(worker, "celery worker")

    votes = sorted(t for r in team for t in r.vote_times)
    nexts = sorted(t for r in team for t in r.next_times)
    acked = [a for r in team for a in r.acked]
    failures: Counter[str] = Counter()
    for reviewer in team:
        failures.update(reviewer.failures)
    pairs = len(votes)
    print(
        f"throughput: {len(acked):,} votes acknowledged in {elapsed:.1f} s = {len(acked) / elapsed:.1f} votes/s "
        f"({(len(votes) + len(nexts)) / elapsed:.1f} requests/s, {pairs:,} vote requests)"
    )
    print(f"vote latency:        {percentiles(votes)} | max {1000 * (votes[-1] if votes else 0):.0f} ms")
    print(f"next-record latency: {percentiles(nexts)} | max {1000 * (nexts[-1] if nexts else 0):.0f} ms")
    if votes:
        app_ms = 1000 * (cpu_after[0] - cpu_before[0]) / len(votes)
        db_ms = 1000 * (cpu_after[1] - cpu_before[1]) / len(votes)
        print(f"server CPU per vote+next: Django {app_ms:.1f} ms + PostgreSQL {db_ms:.1f} ms (load average {_load()})")
    print(f"errors: {dict(failures) or 'none'}")

    ok = check_invariants(acked, upload, failures)
    from django.db import connections

    connections.close_all()
    if not args.keep:
        admin(f"DROP DATABASE IF EXISTS {LOAD_DB} WITH (FORCE)")
        shutil.rmtree(OUT / "media", ignore_errors=True)
    signal.alarm(0)
    print(f"load: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

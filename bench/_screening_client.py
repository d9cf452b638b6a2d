"""A simulated reviewer over the REST API, and the server's CPU time, for the screening benchmarks."""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time
from pathlib import Path

from _screening_setup import SLUG, server_url


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


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(gunicorn_pid: int, db: str) -> tuple[float, float]:
    """CPU seconds used so far by the gunicorn workers and by the PostgreSQL backends serving the bench database,
    so that the cost per pair can be stated independently of whatever else the machine is running."""
    children = Path(f"/proc/{gunicorn_pid}/task/{gunicorn_pid}/children")
    workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    import psycopg

    with psycopg.connect(server_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        backends = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db])]
    return sum(cpu_seconds(p) for p in workers), sum(cpu_seconds(p) for p in backends)


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

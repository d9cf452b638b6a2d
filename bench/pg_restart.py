"""PostgreSQL restarted under load: requests fail cleanly (503, never 500) and the app recovers by itself.

Run from the project root:  .venv/bin/python bench/pg_restart.py [--seconds 20]
It starts a private PostgreSQL cluster on a free loopback port (initdb into a temporary folder, as the postgres
user), migrates it, serves the app with gunicorn against it, sends requests from 4 threads, restarts the cluster
half-way through, and prints the statuses seen before, during and after. Exits 1 on any 500 or if the app does not
answer 200 again within 15 s of the restart. Everything it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*args: str) -> None:
    # No pipes: the server started by pg_ctl would hold them open and this call would never return.
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
    workdir = Path(tempfile.mkdtemp(prefix="pg-restart-"))
    datadir = workdir / "data"
    shutil.chown(workdir, "postgres")
    pg_port, web_port = free_port(), free_port()
    as_postgres(f"{bindir}/initdb", "-D", str(datadir), "-A", "trust", "-U", "postgres")
    pg_ctl = [f"{bindir}/pg_ctl", "-D", str(datadir), "-o", f"-p {pg_port} -k {workdir} -c listen_addresses=127.0.0.1"]
    as_postgres(*pg_ctl, "-w", "-l", str(workdir / "pg.log"), "start")
    gunicorn = None
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/postgres",
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATA_DIR": str(workdir),
        }
        env.pop("REDIS_URL", None)
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        key = subprocess.run(
            [PY, "manage.py", "shell", "-c",
             "from django.contrib.auth.models import User; from review.services import api_token_create, "
             "review_create; u = User.objects.create_user('bench'); review_create(by=u, title='Restart'); "
             "print(api_token_create(user=u, name='bench')[1])"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        gunicorn = subprocess.Popen(
            [PY, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{web_port}", "-w", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{web_port}/api/v1/reviews/"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{web_port}/healthz", timeout=2)
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        seen: list[tuple[float, int]] = []
        stop = threading.Event()
        started = time.monotonic()

        def client() -> None:
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
            while not stop.is_set():
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except (urllib.error.URLError, OSError):
                    status = 0
                seen.append((time.monotonic() - started, status))
                time.sleep(0.02)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 2)
        restart_at = time.monotonic() - started
        as_postgres(*pg_ctl, "-m", "immediate", "-w", "-l", str(workdir / "pg.log"), "restart")
        restarted_at = time.monotonic() - started
        time.sleep(args.seconds / 2)  # keep the load on after the restart to see the recovery
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=20)
        as_postgres(*pg_ctl, "-m", "immediate", "stop")
        shutil.rmtree(workdir, ignore_errors=True)

    phases = {"before": collections.Counter(), "during": collections.Counter(), "after": collections.Counter()}
    for at, status in seen:
        phase = "before" if at < restart_at else "during" if at < restarted_at + 0.5 else "after"
        phases[phase][status] += 1
    first_ok_after = min((at for at, status in seen if at > restarted_at and status == 200), default=None)
    for phase, counts in phases.items():
        print(f"{phase:7s} " + ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(counts.items())))
    recovered = first_ok_after is not None and first_ok_after - restarted_at <= 15
    print(f"restart took {restarted_at - restart_at:.1f} s; first 200 after it: "
          f"{'never' if first_ok_after is None else f'{first_ok_after - restarted_at:.1f} s later'}")  # fmt: skip
    server_errors = sum(n for counts in phases.values() for status, n in counts.items() if status == 500)
    print(f"server errors (500): {server_errors}; recovered by itself: {'yes' if recovered else 'NO'}")
    return 0 if server_errors == 0 and recovered else 1


if __name__ == "__main__":
    sys.exit(main())

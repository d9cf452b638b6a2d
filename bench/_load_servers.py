"""The servers of the load run: gunicorn and a Celery worker on loopback, started and stopped as process groups."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from _screening_setup import ROOT, env


def server_env(*, db: str, redis_url: str, out: Path) -> dict[str, str]:
    variables = env(db)
    variables.update(
        {
            "REDIS_URL": redis_url,
            "DATA_DIR": str(out),
            "MEDIA_ROOT": str(out / "media"),  # shared by gunicorn (stores the upload) and the worker (reads it)
            "PYTHONWARNINGS": "ignore:No directory at",  # static files are not collected for an API-only run
        }
    )
    return variables


def gunicorn_start(
    *,
    port: int,
    workers: int,
    env: dict[str, str],
    threads: int = 2,
    keep_alive: int = 30,
    access_log: str = os.devnull,
    access_format: str = "",
) -> subprocess.Popen:
    """gunicorn with the production settings (config/gunicorn.conf.py); the flags set this run's sizes."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        *("-c", "config/gunicorn.conf.py", "config.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread"),
        *("--threads", str(threads), "--keep-alive", str(keep_alive), "--log-level", "warning"),
        *("--access-logfile", access_log),
    ]
    if access_format:
        command += ["--access-logformat", access_format]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def start_servers(*, port: int, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen, subprocess.Popen]:
    gunicorn = gunicorn_start(port=port, workers=workers, env=env)
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"),
            *("--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    return gunicorn, worker


def stop(process: subprocess.Popen, name: str) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop within 30 s of SIGTERM: killing it")
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {seconds:.0f} s")


def wait_for_worker(redis_url: str, seconds: float) -> None:
    from celery import Celery

    probe = Celery(broker=redis_url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe.control.ping(timeout=1.0):
            return
    raise RuntimeError(f"the Celery worker did not answer within {seconds:.0f} s")

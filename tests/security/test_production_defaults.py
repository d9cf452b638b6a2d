"""The image and compose run in production mode by default; `make run` keeps development defaults; the debug
error page never shows a secret."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory
from django.views.debug import technical_500_response

ROOT = Path(__file__).resolve().parents[2]
REDIS_PASSWORD = "s3cret-redis-pass"  # made-up values the page must not show
DB_PASSWORD = "s3cret-db-pass"


def image_environment() -> dict[str, str]:
    """The variables the Dockerfile's ENV instruction sets."""
    text = (ROOT / "Dockerfile").read_text()
    block = re.search(r"^ENV (.*?)(?<!\\)\n", text, flags=re.MULTILINE | re.DOTALL).group(1)
    return dict(re.findall(r"(\w+)=(\S+)", block.replace("\\\n", " ")))


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_image_runs_with_debug_off_and_refuses_to_start_without_a_secret_key(tmp_path):
    image = image_environment()
    assert image["DJANGO_DEBUG"] == "False"
    # What a container started from the image without SECRET_KEY would do.
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DJANGO_DEBUG")}
    env.update(image, DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    result = run_manage(env, "check")
    assert result.returncode != 0 and "SECRET_KEY is required" in result.stderr
    env["SECRET_KEY"] = "x" * 60
    env["ALLOWED_HOSTS"] = "reviews.example.org"
    result = run_manage(env, "shell", "-c", "from django.conf import settings; print('DEBUG', settings.DEBUG)")
    assert result.returncode == 0, result.stderr
    assert "DEBUG False" in result.stdout


def test_compose_runs_web_and_worker_in_production_and_requires_a_secret_key():
    text = (ROOT / "docker-compose.yml").read_text()
    assert text.count('DJANGO_DEBUG: "False"') == 2
    assert text.count("SECRET_KEY: ${SECRET_KEY:?") == 2


def test_make_run_keeps_development_defaults_and_sets_site_url_from_port(tmp_path):
    # A stand-in shell records the environment each recipe line would run with, instead of running it.
    shell = tmp_path / "shell"
    shell.write_text('#!/bin/sh\necho "DEBUG=$DJANGO_DEBUG SITE=$SITE_URL"\n')
    shell.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_DEBUG", "SITE_URL")}
    result = subprocess.run(
        ["make", "--no-print-directory", "run", "PORT=8123", f"SHELL={shell}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG=True SITE=http://127.0.0.1:8123" in result.stdout, result.stdout + result.stderr
    # An operator's own values win.
    result = subprocess.run(
        ["make", "--no-print-directory", "run", f"SHELL={shell}"],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "False", "SITE_URL": "https://reviews.example.org"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "DEBUG=False SITE=https://reviews.example.org" in result.stdout, result.stdout + result.stderr


def test_the_debug_page_hides_connection_passwords(settings):
    redis_url = f"redis://:{REDIS_PASSWORD}@redis:6379/0"
    settings.DEBUG = True
    settings.REDIS_URL = redis_url
    settings.CELERY_BROKER_URL = redis_url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": redis_url}}
    settings.SITE_URL = f"https://user:{DB_PASSWORD}@reviews.example.org"
    # runserver copies the process environment into every request's META.
    request = RequestFactory().get("/", REDIS_URL=redis_url, DATABASE_URL=f"postgres://app:{DB_PASSWORD}@db/app")
    connection_url = redis_url  # a local variable of the failing frame
    try:
        raise RuntimeError(f"cannot connect to {connection_url}")
    except RuntimeError:
        response = technical_500_response(request, *sys.exc_info())
    page = response.content.decode()
    assert "REDIS_URL" in page and "Traceback" in page  # the page is the full debug page
    assert REDIS_PASSWORD not in page.replace(f"cannot connect to redis://:{REDIS_PASSWORD}", "")
    assert DB_PASSWORD not in page

"""Hostile input and production settings: stored XSS, uploads, formula injection, deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from review.csv_export import cell, csv_lines
from review.models import Record, Search
from review.services import imports

ROOT = Path(__file__).resolve().parents[2]
HOSTILE_TITLE = '<script>alert("title")</script> Deep learning'
HOSTILE_ABSTRACT = '<img src=x onerror=alert("abstract")> and <a href="javascript:alert(1)">link</a>'


@pytest.fixture
def hostile(review, lead):
    search = Search.objects.create(review=review, database="PubMed", created_by=lead)
    return Record.objects.create(
        review=review,
        search=search,
        position=1,
        title=HOSTILE_TITLE,
        abstract=HOSTILE_ABSTRACT,
        authors=["<b>Evil</b>, E."],
        journal='=HYPERLINK("http://x")',
        url="javascript:alert(1)",
        raw=[["TI", HOSTILE_TITLE]],
    )


def test_record_text_renders_inert_on_record_pages(as_lead, review, hostile):
    for url in (
        reverse("review:records", args=[review.slug]),
        reverse("review:record", args=[review.slug, hostile.pk]),
    ):
        body = as_lead.get(url).content
        assert b"<script>alert" not in body
        assert b"<img src=x onerror" not in body
        assert b'href="javascript:' not in body
        assert b"&lt;script&gt;alert" in body


def test_every_page_forbids_inline_scripts(as_lead, review, hostile):
    response = as_lead.get(reverse("review:record", args=[review.slug, hostile.pk]))
    policy = response["Content-Security-Policy"]
    script_src = policy.split("script-src")[1].split(";")[0]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "object-src 'none'" in policy
    # And the pages themselves carry no inline script for the policy to block.
    assert b"<script>" not in response.content.replace(b"<script>alert", b"")


def test_uploaded_file_name_never_becomes_a_path(review, lead, django_capture_on_commit_callbacks):
    search = imports.search_create(review=review, by=lead, database="PubMed")
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(
            review=review, search=search, by=lead, name="../../../etc/passwd", data=b"PMID- 1\nTI  - x\n"
        )
    assert ".." not in search_file.file.name and "passwd" not in search_file.file.name
    assert search_file.original_name == "../../../etc/passwd"  # kept as text for the person only


def test_csv_cells_cannot_start_a_formula():
    assert cell("=1+1") == "'=1+1"
    assert cell("+cmd") == "'+cmd" and cell("-2+3") == "'-2+3" and cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell(-2) == -2  # numbers stay numbers
    assert cell("Normal title") == "Normal title"
    lines = list(csv_lines(["journal"], [['=HYPERLINK("http://x")']]))
    assert lines[1].startswith("\"'=HYPERLINK")


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "False",
        "SECRET_KEY": "a-production-secret-that-is-long-enough-for-the-check-0123456789-abcdefghijkl",
        "ALLOWED_HOSTS": "reviews.example.org",
        "DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DJANGO_DEBUG": "False", "DATA_DIR": str(tmp_path), "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY is required" in result.stderr


def test_a_typo_in_a_boolean_setting_stops_start_up(tmp_path):
    env = {**os.environ, "DJANGO_DEBUG": "ture", "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "DJANGO_DEBUG='ture' is not a boolean" in result.stderr


def test_database_errors_become_503_with_retry_after(client, db, monkeypatch):
    from django.db.utils import OperationalError

    from accounts import health

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(health, "broker_status", down)
    response = client.get("/healthz")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert b"database is unavailable" in response.content

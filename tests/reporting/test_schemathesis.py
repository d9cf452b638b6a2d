"""Property-based API check: schemathesis generates requests from our OpenAPI schema and sends them to the WSGI
app as a lead of a small review; no answer may be a server error.

Bounded and derandomized (two examples per operation, fixed seed, no example database), so it runs in the
normal suite in well under a minute. Schemathesis' own pytest loader does not run under this pytest version, so
the test walks the schema's operations and drives each one's hypothesis strategy itself.
"""

from __future__ import annotations

import re

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from review.services.reviews import api_token_create  # noqa: E402

# Writes a person makes most often in the browser (votes, once the screening API routes them) and ours.
WRITES = re.compile(r"(/vote|/votes/|/decision|/removal/|/report-of/)")
# Generated random bytes cannot make a real search export or bundle, and streaming a zip per example is slow.
STATUSES: list[int] = []
SKIP = re.compile(r"/exports/\{kind\}/$|/files/$")


def operations(key: str):
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers={"Authorization": f"Bearer {key}"}
    )
    for result in schema.get_all_operations():
        operation = result.ok()
        if SKIP.search(operation.path):
            continue
        if operation.method.upper() == "GET" or WRITES.search(operation.path):
            yield operation


def exercise(operation, key: str, record_id: int, failures: list[str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=2, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        if case.path_parameters and "review" in case.path_parameters:
            case.path_parameters["review"] = "tl-clinical"  # the fixture's review, so requests reach the views
        if case.path_parameters and "stage" in case.path_parameters:
            case.path_parameters["stage"] = "title-abstract"
        if case.path_parameters and "record_id" in case.path_parameters:
            case.path_parameters["record_id"] = record_id
        response = case.call(headers={"Authorization": f"Bearer {key}"})
        STATUSES.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")

    run()


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes "old" database connections when a request starts; inside a test's transaction
    that would close the connection holding the fixture (Django's own test client disconnects it the same way)."""
    from django.core.signals import request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)


def test_api_routes_never_answer_with_a_server_error(prisma_review, lead, keep_test_connection):
    _token, key = api_token_create(user=lead, name="schemathesis")
    failures: list[str] = []
    seen = []
    for operation in operations(key):
        seen.append(f"{operation.method.upper()} {operation.path}")
        exercise(operation, key, prisma_review.records["R2"].pk, failures)
    assert any(path.startswith("GET /api/v1/reviews/{review}/prisma/") for path in seen)
    assert any("/removal/" in path for path in seen)
    assert any(path.startswith("POST") and path.endswith("/vote/") for path in seen)
    assert 200 in STATUSES and 400 in STATUSES  # requests reach the views and their validation
    assert not failures, "\n".join(failures)

"""Walk every URL pattern and API route of a review with each persona.

Routes are discovered from the URL configuration, so a route added later is covered without touching this file:
outsiders and anonymous callers must get nothing of the review, and viewers must not be able to change anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from review.models import Record, Search

SCOPE_KWARGS = {"slug", "review"}  # the URL parameter that names the review
WRITE_METHODS = ("post", "put", "patch", "delete")
PROJECT_APPS = ("review", "screening", "charting", "reporting")


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else prefix + str(entry.pattern)


def review_routes() -> list[tuple[str, str]]:
    """(route, name) of every pattern whose URL names a review."""
    routes = []
    for route, name in _walk(get_resolver().url_patterns):
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if params & SCOPE_KWARGS:
            routes.append((route, name))
    return sorted(set(routes))


def fill(route: str, slug: str, number: int) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name in SCOPE_KWARGS:
            return slug
        return str(number) if converter == "int" else "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route).lstrip("^").rstrip("$")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in PROJECT_APPS
        if apps.is_installed(app)
        for model in apps.get_app_config(app).get_models()
    }


ROUTES = review_routes()


def test_the_walk_finds_the_review_routes():
    names = {name for _route, name in ROUTES}
    assert {"review:home", "review:members", "review:records", "api-review", "api-records"} <= names


@pytest.fixture
def populated(review, lead):
    search = Search.objects.create(review=review, database="PubMed", created_by=lead)
    record = Record.objects.create(review=review, search=search, position=1, title="A secret study title")
    return record


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# One test per persona walking every route (rather than one test per route) keeps the matrix fast; each failure
# names the method, URL and status.


def test_outsider_gets_404_and_no_data_on_every_route(review, populated, as_outsider):
    before, failures = row_counts(), []
    for route, _name in ROUTES:
        url = fill(route, review.slug, populated.pk)
        for method in ("get", *WRITE_METHODS):
            response = getattr(as_outsider, method)(url)
            body = _body(response)
            if response.status_code not in (404, 405):
                failures.append(f"{method.upper()} {url} gave {response.status_code}")
            if b"A secret study title" in body or review.title.encode() in body:
                failures.append(f"{method.upper()} {url} showed the review's data")
    assert failures == []
    assert row_counts() == before


def test_anonymous_gets_nothing_on_every_route(review, populated):
    client, failures = Client(), []
    for route, _name in ROUTES:
        url = fill(route, review.slug, populated.pk)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code not in (302, 401, 403, 404, 405):
                failures.append(f"{method.upper()} {url} gave {response.status_code}")
            elif response.status_code == 302 and not response["Location"].startswith("/accounts/login/"):
                failures.append(f"{method.upper()} {url} redirected to {response['Location']}")
            if b"A secret study title" in _body(response):
                failures.append(f"{method.upper()} {url} showed the review's data")
    assert failures == []


# Leaving is the one write every member may make, and it changes only their own membership (tested on its own in
# tests/security/test_invitations.py).
SELF_SERVICE = {"review:leave", "api-review-leave"}


def test_viewer_cannot_change_anything(review, populated, as_viewer):
    before, failures = row_counts(), []
    for route, name in ROUTES:
        if name in SELF_SERVICE:
            continue
        url = fill(route, review.slug, populated.pk)
        for method in WRITE_METHODS:
            response = getattr(as_viewer, method)(url, data={}, content_type="application/json")
            if response.status_code not in (400, 403, 404, 405):
                failures.append(f"{method.upper()} {url} gave {response.status_code}")
    assert failures == []
    assert row_counts() == before


# Routes that manage the review itself: members, settings, searches and imports, deduplication; and the lead's
# set-up of screening and charting: exclusion reasons, pilot rounds, blinding, the form, assignment.
LEAD_ONLY = re.compile(
    r"member|settings|invitation|search|file|dedup|possible|group|^api-review$"
    r"|reason|pilot|blinding|form|section|field|assign|reopen"
)


def test_reviewer_cannot_manage_the_review(review, populated, as_reviewer):
    before, failures = row_counts(), []
    for route, name in ROUTES:
        if not LEAD_ONLY.search(name):
            continue
        url = fill(route, review.slug, populated.pk)
        for method in WRITE_METHODS:
            response = getattr(as_reviewer, method)(url, data={}, content_type="application/json")
            if response.status_code not in (400, 403, 404, 405):
                failures.append(f"{method.upper()} {url} gave {response.status_code}")
    assert failures == []
    assert row_counts() == before


# Writes only the lead may make, named with their methods: a reviewer and a viewer get exactly 403 (the role is
# checked before anything is looked up, so the filled-in ids need not exist).
LEAD_ONLY_API_WRITES = {
    "api-screening-settings": ("patch",),
    "api-screening-reasons": ("post",),
    "api-screening-reason": ("patch",),
    "api-screening-reason-move": ("post",),
    "api-screening-reasons-order": ("put",),
    "api-screening-pilots": ("post",),
    "api-screening-pilot-close": ("post",),
    "api-screening-conflict-resolution": ("post",),
    "api-screening-prioritisation": ("post",),
    "api-screening-not-retrieved": ("post",),  # issue #14: a reviewer could end and reopen a record to unblind it
    "api-charting-forms": ("post",),
    "api-charting-form": ("patch",),
    "api-charting-sections": ("post",),
    "api-charting-section": ("patch", "delete"),
    "api-charting-fields": ("post",),
    "api-charting-field": ("patch", "delete"),
    "api-charting-field-move": ("post",),
    "api-charting-assignments": ("post",),
    "api-charting-pilot": ("post",),
    "api-study-assign": ("post",),
    "api-extraction-reassign": ("post",),
    "api-extraction-reopen": ("post",),
}


def test_lead_only_api_writes_answer_403_to_reviewers_and_viewers(review, populated, as_reviewer, as_viewer):
    routes = {name: route for route, name in ROUTES}
    assert set(LEAD_ONLY_API_WRITES) <= set(routes)
    before, failures = row_counts(), []
    for name, methods in LEAD_ONLY_API_WRITES.items():
        url = fill(routes[name], review.slug, populated.pk)
        for client, persona in ((as_reviewer, "reviewer"), (as_viewer, "viewer")):
            for method in methods:
                response = getattr(client, method)(url, data={}, content_type="application/json")
                if response.status_code != 403:
                    failures.append(f"{persona} {method.upper()} {url} gave {response.status_code}")
    assert failures == []
    assert row_counts() == before

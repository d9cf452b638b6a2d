"""Every HTML form in review's pages (and the account pages) is read through a Django form: a missing,
non-numeric, unknown or oversized value is answered with the page and its error (4xx), never a 500, and nothing
is written to the database."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from review.models import Membership, PossibleDuplicate, Record, RecordTag, SearchFile
from review.services import imports

RIS = b"TY  - JOUR\nTI  - Yoga and sleep quality in older adults\nAU  - Brown, Ann\nPY  - 2019\nER  -\n"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
HUGE = "9" * 5000


@pytest.fixture
def world(review, lead, reviewer):
    search = imports.search_create(review=review, by=lead, database="PubMed")
    first = imports.record_add(review=review, search=search, by=lead, title="Exercise for knee osteoarthritis")
    second = imports.record_add(review=review, search=search, by=lead, title="Exercise for knee arthritis")
    pair = PossibleDuplicate.objects.create(review=review, record_a=first, record_b=second, score=0.7, reason="title")
    search_file = imports.search_file_upload(review=review, search=search, by=lead, name="one.ris", data=RIS)
    return {
        "slug": review.slug,
        "search": search.pk,
        "record": first.pk,
        "pair": pair.pk,
        "file": search_file.pk,
        "membership": Membership.objects.get(review=review, user=reviewer).pk,
    }


# (url name, its arguments taken from `world`, the malformed POST bodies)
CASES = [
    ("review:create", [], [{}, {"title": ""}, {"title": HUGE}]),
    ("review:members", ["slug"], [{}, {"identifier": "someone", "role": "boss"}, {"identifier": HUGE}]),
    ("review:member-role", ["slug", "membership"], [{}, {"role": "12"}, {"role": HUGE}]),
    ("review:settings", ["slug"], [{}, {"title": ""}, {"title": HUGE}]),
    ("review:searches", ["slug"], [{}, {"kind": "nonsense"}, {"kind": "database", "date_searched": "yesterday"}]),
    ("review:search-edit", ["slug", "search"], [{}, {"kind": "database", "date_searched": "31/31/2020"}]),
    ("review:search", ["slug", "search"], [{}, {"format": "exe"}, {"encoding": HUGE}]),
    ("review:record-add", ["slug", "search"], [{}, {"title": "T", "year": "abc"}, {"title": "T", "year": HUGE}]),
    ("review:search-file-encoding", ["slug", "file"], [{}, {"encoding": HUGE}, {"encoding": "no-such-codec"}]),
    ("review:record-edit", ["slug", "record"], [{"year": "abc"}, {"year": HUGE}, {"title": ""}, {"reason": HUGE}]),
    ("review:record-tag-add", ["slug", "record"], [{}, {"name": " "}, {"name": HUGE}]),
    ("review:record-note-add", ["slug", "record"], [{}, {"text": ""}, {"text": "x" * 200_000}]),
    ("review:possible-decide", ["slug", "pair"], [{}, {"verdict": "maybe"}, {"verdict": HUGE}]),
    ("review:group", ["slug", "record"], [{"confirm": "no"}, {"confirm": HUGE}]),
    ("accounts:profile", [], [{}, {"name": "n", "expires_in_days": "abc"}, {"name": "n", "expires_in_days": HUGE}]),
]


@pytest.mark.parametrize(("name", "args", "bodies"), CASES, ids=[case[0] for case in CASES])
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_malformed_form_is_refused_without_a_write(as_lead, world, name, args, bodies, htmx):
    url = reverse(name, args=[world[arg] for arg in args])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for body in bodies:
        with CaptureQueriesContext(connection) as queries:
            response = as_lead.post(url, body, **headers)
        if htmx or response.status_code != 302:
            assert 400 <= response.status_code < 500, (body, response.status_code)
        else:
            # Without htmx the small label and member forms go back to their page, with the error as a message.
            assert response.url.startswith(f"/reviews/{world['slug']}/")
            assert as_lead.get(response.url).context["messages"], body
        writes = [query["sql"] for query in queries.captured_queries if WRITE.match(query["sql"])]
        assert [sql for sql in writes if "django_session" not in sql] == [], body


def test_a_malformed_record_edit_shows_the_field_and_keeps_the_record(as_lead, world):
    url = reverse("review:record-edit", args=[world["slug"], world["record"]])
    response = as_lead.post(url, {"year": HUGE, "title": "Changed"})
    assert response.status_code == 400
    assert b"year" in response.content and b"at most 20 characters" in response.content
    record = Record.objects.get(pk=world["record"])
    assert record.title == "Exercise for knee osteoarthritis" and record.year is None


def test_a_record_edit_changes_only_the_fields_sent(as_lead, world):
    url = reverse("review:record-edit", args=[world["slug"], world["record"]])
    response = as_lead.post(url, {"year": "2021", "reason": "from the PDF"})
    assert response.status_code == 302
    record = Record.objects.get(pk=world["record"])
    assert record.year == 2021 and record.title == "Exercise for knee osteoarthritis"


def test_a_tag_name_too_long_is_refused_with_the_services_message(as_lead, world):
    url = reverse("review:record-tag-add", args=[world["slug"], world["record"]])
    response = as_lead.post(url, {"name": "t" * 61}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and b"at most 60 characters" in response.content
    assert not RecordTag.objects.filter(record_id=world["record"]).exists()


def test_an_encoding_for_a_file_of_another_state_is_answered_by_its_status(as_lead, world):
    """The mapping of service error codes decides the status: an unknown encoding is a 400 with the page."""
    url = reverse("review:search-file-encoding", args=[world["slug"], world["file"]])
    response = as_lead.post(url, {"encoding": "no-such-codec"})
    assert response.status_code == 400
    assert SearchFile.objects.get(pk=world["file"]).requested_encoding in ("", "auto")

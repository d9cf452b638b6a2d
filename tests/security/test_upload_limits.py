"""Issue #14, item 5: an upload over its limit is refused before it is read, and no upload is held in memory.

A 2 GB POST once grew a web process by 1.7 GB before the "limit is 300 MB" answer, because the file was read
whole before its size was checked. Now the declared length is refused first (413, in the API's error shape), the
bytes are counted as they stream to a temporary file, and the stored file is copied in chunks.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory
from rest_framework.test import APIRequestFactory, force_authenticate

from review.api.imports import SearchFileUpload
from review.models import Job, SearchFile
from review.services import imports
from review.views.imports import search_detail
from screening.models import FullText
from tests.conftest import client_for

RIS = b"TY  - JOUR\nTI  - A study of transfer learning\nER  - \n"
PDF_HEAD = b"%PDF-1.7\n1 0 obj <<>> endobj\n"
BOUNDARY = "----upload-limit-boundary"
MB = 1024 * 1024


def multipart(content: bytes, *, name: str = "export.ris", field: str = "file") -> bytes:
    return b"".join(
        [
            f"--{BOUNDARY}\r\n".encode(),
            f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'.encode(),
            b"Content-Type: application/octet-stream\r\n\r\n",
            content,
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )


CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


@pytest.fixture
def search(review, lead):
    review.dedup_automatic = False
    review.save(update_fields=["dedup_automatic"])
    return imports.search_create(review=review, by=lead, database="PubMed")


def _api_files(review, search) -> str:
    return f"/api/v1/reviews/{review.slug}/searches/{search.pk}/files/"


def test_a_declared_length_over_the_limit_is_refused_before_reading_in_the_api(review, search, lead, settings):
    settings.MAX_IMPORT_FILE_MB = 1
    client = client_for(lead)
    # The body is small; the declared length is what a 2 GB upload announces, and it alone decides.
    response = client.post(
        _api_files(review, search), data=multipart(RIS), content_type=CONTENT_TYPE, CONTENT_LENGTH=str(2048 * MB)
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "too_large", "message": "The upload is too large; the limit is 1 MB", "fields": {}}
    }
    assert SearchFile.objects.count() == 0 and Job.objects.count() == 0


def test_a_declared_length_over_the_limit_is_refused_for_any_account_on_the_page(review, search, reviewer, settings):
    settings.MAX_IMPORT_FILE_MB = 1
    response = client_for(reviewer).post(
        f"/reviews/{review.slug}/searches/{search.pk}/",
        data=multipart(RIS, field="export_files"),
        content_type=CONTENT_TYPE,
        CONTENT_LENGTH=str(2048 * MB),
    )
    assert response.status_code == 413
    assert b"the limit is 1 MB" in response.content and response["Content-Type"].startswith("text/html")
    assert SearchFile.objects.count() == 0


def test_a_file_over_the_limit_is_stopped_while_it_streams(review, search, lead, settings):
    """The declared length is within the limit plus the multipart envelope, the file itself is not."""
    settings.MAX_IMPORT_FILE_MB = 1
    body = multipart(RIS + b"x" * MB)
    response = client_for(lead).post(_api_files(review, search), data=body, content_type=CONTENT_TYPE)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert SearchFile.objects.count() == 0


def test_a_full_text_over_its_own_limit_is_refused_in_the_api_and_the_page(
    review, lead, reviewer, at_full_text, record, settings
):
    settings.MAX_FULLTEXT_FILE_MB = 1
    at_full_text(record)
    body = multipart(PDF_HEAD + b"0" * (2 * MB), name="paper.pdf")
    api = client_for(reviewer).post(
        f"/api/v1/reviews/{review.slug}/screening/records/{record.pk}/fulltext/", data=body, content_type=CONTENT_TYPE
    )
    assert api.status_code == 413 and api.json()["error"]["code"] == "too_large"
    page = client_for(reviewer).post(
        f"/reviews/{review.slug}/screening/records/{record.pk}/fulltext/upload/", data=body, content_type=CONTENT_TYPE
    )
    assert page.status_code == 413 and b"the limit is 1 MB" in page.content
    assert not FullText.objects.filter(record=record).exists()


# Samples the resident memory of a process (its pid is the argument) every millisecond until its standard input
# closes, then prints the highest figure in bytes.
SAMPLER = """
import os, select, sys
path, page, high = f"/proc/{sys.argv[1]}/statm", os.sysconf("SC_PAGE_SIZE"), 0
print("ready", flush=True)
while not select.select([sys.stdin], [], [], 0.001)[0]:
    with open(path) as statm:
        high = max(high, int(statm.read().split()[1]) * page)
print(high, flush=True)
"""


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_while(call) -> tuple[object, int]:
    """The call's result and how far this process's resident memory rose above where it started, sampled every
    millisecond by another process (no tracing in this process, which would skew what it measures)."""
    base = _rss()
    sampler = subprocess.Popen(
        [sys.executable, "-c", SAMPLER, str(os.getpid())], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert sampler.stdout is not None and sampler.stdout.readline().strip() == "ready"
    try:
        result = call()
    finally:
        high, _ = sampler.communicate("stop\n", timeout=30)
    return result, int(high) - base


def _ris_of(size: int) -> bytes:
    record = b"TY  - JOUR\nTI  - " + b"t" * 900 + b"\nER  - \n\n"
    return record * (size // len(record))


def _closing(request, view):
    """Call the view, then close the request's uploaded files as Django's handler does after a response."""

    def call():
        try:
            return view()
        finally:
            request.close()

    return call


def _api_upload(review, search, lead, content: bytes):
    request = APIRequestFactory().post(_api_files(review, search), data=multipart(content), content_type=CONTENT_TYPE)
    force_authenticate(request, user=lead)
    return _closing(request, lambda: SearchFileUpload.as_view()(request, review=review.slug, search_id=search.pk))


def _page_upload(review, search, lead, content: bytes):
    request = RequestFactory().post(
        f"/reviews/{review.slug}/searches/{search.pk}/", data=multipart(content, field="export_files"),
        content_type=CONTENT_TYPE,
    )  # fmt: skip
    request.user = lead
    request._dont_enforce_csrf_checks = True
    request.htmx = False
    return _closing(request, lambda: search_detail(request, slug=review.slug, search_id=search.pk))


@pytest.mark.parametrize("route", [_api_upload, _page_upload], ids=["api", "page"])
def test_an_upload_within_the_limit_is_stored_without_being_held_in_memory(route, review, search, lead):
    """32 MB: the request never holds the file (it streams to a temporary file, which is moved or copied to
    storage in chunks), so the process grows by far less than the file. A small upload first loads the code."""
    assert route(review, search, lead, RIS)().status_code in (202, 302)
    content = _ris_of(32 * MB)
    response, peak = _peak_while(route(review, search, lead, content))
    assert response.status_code in (202, 302)
    stored = SearchFile.objects.order_by("pk").last()
    assert stored.size == len(content)
    with stored.file.open("rb") as handle:
        assert handle.read() == content
    assert peak < 12 * MB, f"the upload took {peak / MB:.1f} MB of memory"


def test_anonymous_is_not_a_way_around_the_limit(review, search, settings):
    settings.MAX_IMPORT_FILE_MB = 1
    from django.test import Client

    response = Client().post(
        _api_files(review, search), data=multipart(RIS), content_type=CONTENT_TYPE, CONTENT_LENGTH=str(2048 * MB)
    )
    assert response.status_code == 413
    assert SearchFile.objects.count() == 0

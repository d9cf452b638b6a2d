"""No text silently altered by decoding (issue #14, item 13), through the API as a lead.

Each file below is uploaded and, when its preview reads it, imported. Either every stored title, author and
abstract equals the source text exactly, or the file is refused with a message that names the problem and nothing
is stored. A Windows-1252 file must never come out as another code page's reading ('Cafķ na\u2019ve rķsumķ').
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.models import Record, SearchFile
from review.services import imports
from tests.review.encoding_fixtures import SAMPLES, export_bytes, utf8_with_stray_bytes


@pytest.fixture
def search(review, lead):
    return imports.search_create(review=review, by=lead, database="Embase")


def _upload_and_import(api_clients, lead, review, search, data, name, capture):
    client = api_clients(lead)
    with capture(execute=True):
        response = client.post(
            f"/api/v1/reviews/{review.slug}/searches/{search.pk}/files/",
            {"file": SimpleUploadedFile(name, data)},
            format="multipart",
        )
    assert response.status_code == 202
    search_file = SearchFile.objects.get(pk=response.json()["id"])
    if search_file.status == SearchFile.Status.PREVIEWED:
        with capture(execute=True):
            assert client.post(f"/api/v1/reviews/{review.slug}/files/{search_file.pk}/import/").status_code == 202
        search_file.refresh_from_db()
    return search_file


@pytest.mark.parametrize("format", ["ris", "csv", "nbib", "ovid"])
@pytest.mark.parametrize("sample_name", sorted(SAMPLES))
def test_legacy_encoded_file_is_stored_exactly_as_written(
    api_clients, lead, review, search, django_capture_on_commit_callbacks, sample_name, format
):
    data, sample = export_bytes(format, sample_name)
    search_file = _upload_and_import(
        api_clients, lead, review, search, data, f"{sample_name}.txt", django_capture_on_commit_callbacks
    )
    assert search_file.status == SearchFile.Status.IMPORTED, search_file.error
    record = Record.objects.get(search_file=search_file)
    assert (record.title, record.authors[0], record.abstract) == (sample.title, sample.author, sample.abstract)
    assert search_file.encoding_certain is False  # the preview said the encoding was a judgement


@pytest.mark.parametrize("format", ["ris", "csv", "endnote-xml", "bibtex"])
def test_utf8_with_invalid_bytes_is_refused_not_altered(
    api_clients, lead, review, search, django_capture_on_commit_callbacks, format
):
    search_file = _upload_and_import(
        api_clients,
        lead,
        review,
        search,
        utf8_with_stray_bytes(format),
        "mixed.txt",
        django_capture_on_commit_callbacks,
    )
    assert search_file.status == SearchFile.Status.UNREADABLE
    assert "bytes are not valid UTF-8, the first byte 0xE9" in search_file.error
    assert search_file.error.startswith("mixed.txt: Line ")
    assert not Record.objects.exists()

"""The preview's encoding report and the lead's choice of encoding, through the service, the page and the API."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from review.errors import ServiceError
from review.models import AuditEvent, Job, Record, SearchFile
from review.services import imports
from tests.review.encoding_fixtures import export_bytes, utf8_with_stray_bytes

MAC, MAC_SAMPLE = export_bytes("ris", "mac-roman")
CP1252, CP1252_SAMPLE = export_bytes("ris", "cp1252-smart-punctuation")
STRAY = utf8_with_stray_bytes("ris")


@pytest.fixture
def search(review, lead):
    return imports.search_create(review=review, by=lead, database="Embase")


@pytest.fixture
def previewed(review, search, lead, django_capture_on_commit_callbacks):
    """A Windows-1252 file, previewed."""
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(review=review, search=search, by=lead, name="old.ris", data=CP1252)
    search_file.refresh_from_db()
    return search_file


def test_preview_reports_a_judged_encoding_and_the_lines_it_affects(previewed):
    assert previewed.status == SearchFile.Status.PREVIEWED
    assert (previewed.encoding, previewed.encoding_certain, previewed.requested_encoding) == ("cp1252", False, "auto")
    assert previewed.encoding_lines[0] == {"line": 2, "text": f"TI  - {CP1252_SAMPLE.title}"}
    assert [line["line"] for line in previewed.encoding_lines] == [2, 3, 4]
    assert previewed.preview[0]["title"] == CP1252_SAMPLE.title


def test_preview_of_utf8_file_is_certain(review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(
            review=review, search=search, by=lead, name="new.ris", data="TY  - JOUR\nTI  - Café\nER  - \n".encode()
        )
    search_file.refresh_from_db()
    assert (search_file.encoding, search_file.encoding_certain, search_file.encoding_lines) == ("utf-8", True, [])


def test_chosen_encoding_reruns_the_preview_and_is_used_by_the_import(
    review, previewed, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_choose_encoding(review=review, search_file=previewed, encoding="latin-1", by=lead)
    previewed.refresh_from_db()
    assert previewed.status == SearchFile.Status.PREVIEWED
    assert (previewed.requested_encoding, previewed.encoding) == ("iso8859-1", "iso8859-1")
    assert previewed.job.kind == "import-preview" and previewed.job.state == Job.State.SUCCEEDED
    assert AuditEvent.objects.filter(action="import.encoding_chosen", detail__encoding="iso8859-1").count() == 1
    # Back to the encoding that reads it right, then import: the records hold every character of the file.
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_choose_encoding(review=review, search_file=previewed, encoding="windows-1252", by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=previewed, by=lead)
    record = Record.objects.get(search_file=previewed)
    assert (record.title, record.authors, record.abstract) == (
        CP1252_SAMPLE.title,
        [CP1252_SAMPLE.author],
        CP1252_SAMPLE.abstract,
    )
    previewed.refresh_from_db()
    assert (previewed.status, previewed.requested_encoding) == (SearchFile.Status.IMPORTED, "cp1252")


def test_import_reads_the_file_with_the_chosen_encoding(review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(
            review=review, search=search, by=lead, name="old.ris", data=CP1252, requested_encoding="mac-roman"
        )
    search_file.refresh_from_db()
    assert (search_file.encoding, search_file.requested_encoding) == ("mac-roman", "mac-roman")
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    record = Record.objects.get(search_file=search_file)
    assert record.title == CP1252.decode("mac-roman").split("\n")[1][6:]  # what the lead chose, not what auto reads


def test_unreadable_file_becomes_previewed_with_a_chosen_encoding(
    review, search, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(review=review, search=search, by=lead, name="mixed.ris", data=STRAY)
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.UNREADABLE
    assert search_file.error.startswith("mixed.ris: Line 4: The file is UTF-8")
    assert "2 bytes are not valid UTF-8" in search_file.error
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_choose_encoding(review=review, search_file=search_file, encoding="iso8859-1", by=lead)
    search_file.refresh_from_db()
    assert (search_file.status, search_file.error, search_file.record_count) == (SearchFile.Status.PREVIEWED, "", 1)
    assert Record.objects.count() == 0


def test_choice_that_cannot_read_the_file_leaves_it_unreadable_with_the_byte_named(
    review, previewed, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_choose_encoding(review=review, search_file=previewed, encoding="utf-8", by=lead)
    previewed.refresh_from_db()
    assert previewed.status == SearchFile.Status.UNREADABLE
    assert "cannot be read as UTF-8: byte 0x93" in previewed.error
    assert (previewed.format, previewed.record_count, previewed.preview, previewed.encoding_lines) == ("", 0, [], [])


def test_invalid_encoding_choice_changes_nothing(review, previewed, lead):
    with pytest.raises(ServiceError) as error:
        imports.search_file_choose_encoding(review=review, search_file=previewed, encoding="cp775", by=lead)
    assert error.value.field == "encoding"
    assert error.value.message.startswith("Unknown or unsupported encoding 'cp775': choose one of utf-8")
    previewed.refresh_from_db()
    assert (previewed.status, previewed.requested_encoding) == (SearchFile.Status.PREVIEWED, "auto")
    assert not AuditEvent.objects.filter(action="import.encoding_chosen").exists()


def test_encoding_of_an_imported_file_cannot_change(review, previewed, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=previewed, by=lead)
    with pytest.raises(ServiceError) as error:
        imports.search_file_choose_encoding(review=review, search_file=previewed, encoding="cp1252", by=lead)
    assert error.value.code == "conflict"


def test_huge_title_is_capped_with_a_problem_and_the_file_kept_whole(
    review, search, lead, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_TITLE_CHARS = 1_000
    settings.IMPORT_MAX_FIELD_CHARS = 5_000
    data = b"TY  - JOUR\nTI  - " + b"x" * 50_000 + b"\nER  - \n"
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(review=review, search=search, by=lead, name="huge.ris", data=data)
    search_file.refresh_from_db()
    assert search_file.problems[0] == {
        "severity": "warning",
        "message": "The title has 50,000 characters, over the limit of 1,000: only its first 1,000 are imported "
        "(the uploaded file keeps the whole value)",
        "record": 1,
        "line": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    record = Record.objects.get(search_file=search_file)
    assert record.title == "x" * 1_000 and record.raw == [["TY", "JOUR"], ["TI", "x" * 5_000]]
    with search_file.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == search_file.sha256 == hashlib.sha256(data).hexdigest()


# Page


def test_page_shows_the_encoding_and_its_lines_to_the_lead(as_lead, review, previewed):
    response = as_lead.get(reverse("review:search-file", args=[review.slug, previewed.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "cp1252 (a judgement from the bytes" in page
    assert 'id="encoding-lines"' in page and "O\u2019Brien, Seán" in page
    assert reverse("review:search-file-encoding", args=[review.slug, previewed.pk]) in page


def test_page_encoding_choice_reruns_the_preview(as_lead, review, previewed, django_capture_on_commit_callbacks):
    url = reverse("review:search-file-encoding", args=[review.slug, previewed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_lead.post(url, {"encoding": "mac-roman"})
    assert response.status_code == 302
    previewed.refresh_from_db()
    assert (previewed.requested_encoding, previewed.encoding, previewed.status) == (
        "mac-roman",
        "mac-roman",
        SearchFile.Status.PREVIEWED,
    )
    page = as_lead.get(reverse("review:search-file", args=[review.slug, previewed.pk])).content.decode()
    assert "mac-roman (chosen)" in page


def test_page_invalid_encoding_choice_is_400_with_the_message(as_lead, review, previewed):
    url = reverse("review:search-file-encoding", args=[review.slug, previewed.pk])
    response = as_lead.post(url, {"encoding": "klingon"})
    assert response.status_code == 400
    assert "Unknown or unsupported encoding &#x27;klingon&#x27;" in response.content.decode()
    previewed.refresh_from_db()
    assert previewed.requested_encoding == "auto"
    assert as_lead.post(url, {}).status_code == 400


def test_page_encoding_choice_forbidden_roles_and_method(as_reviewer, as_outsider, as_lead, review, previewed):
    url = reverse("review:search-file-encoding", args=[review.slug, previewed.pk])
    assert as_reviewer.post(url, {"encoding": "cp1252"}).status_code == 403
    assert as_outsider.post(url, {"encoding": "cp1252"}).status_code == 404
    assert as_lead.get(url).status_code == 405
    previewed.refresh_from_db()
    assert previewed.requested_encoding == "auto"


def test_page_upload_with_an_encoding(as_lead, review, search, django_capture_on_commit_callbacks):
    url = reverse("review:search", args=[review.slug, search.pk])
    upload = SimpleUploadedFile("mac.ris", MAC)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_lead.post(url, {"export_files": [upload], "format": "auto", "encoding": "mac-roman"})
    assert response.status_code == 302
    search_file = SearchFile.objects.get(search=search)
    assert (search_file.requested_encoding, search_file.encoding) == ("mac-roman", "mac-roman")
    assert search_file.preview[0]["title"] == MAC_SAMPLE.title


# API


def test_api_encoding_choice_reruns_the_preview(
    api_clients, lead, review, previewed, django_capture_on_commit_callbacks
):
    url = f"/api/v1/reviews/{review.slug}/files/{previewed.pk}/encoding/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_clients(lead).post(url, {"encoding": "latin-1"}, format="json")
    assert response.status_code == 202
    assert response.json()["requested_encoding"] == "iso8859-1"
    detail = api_clients(lead).get(f"/api/v1/reviews/{review.slug}/files/{previewed.pk}/").json()
    assert (detail["status"], detail["encoding"], detail["encoding_certain"]) == ("previewed", "iso8859-1", False)
    assert detail["encoding_lines"][0]["line"] == 2


def test_api_invalid_encoding_choice_is_400_naming_the_field(api_clients, lead, review, previewed):
    url = f"/api/v1/reviews/{review.slug}/files/{previewed.pk}/encoding/"
    response = api_clients(lead).post(url, {"encoding": "cp775"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith("Unknown or unsupported encoding 'cp775'")
    assert "encoding" in error["fields"]
    assert api_clients(lead).post(url, {}, format="json").status_code == 400
    previewed.refresh_from_db()
    assert previewed.requested_encoding == "auto"


def test_api_encoding_choice_roles_and_method(api_clients, lead, reviewer, outsider, review, previewed):
    url = f"/api/v1/reviews/{review.slug}/files/{previewed.pk}/encoding/"
    assert api_clients(reviewer).post(url, {"encoding": "cp1252"}, format="json").status_code == 403
    assert api_clients(outsider).post(url, {"encoding": "cp1252"}, format="json").status_code == 404
    assert api_clients(lead).get(url).status_code == 405
    previewed.refresh_from_db()
    assert previewed.requested_encoding == "auto"


def test_api_upload_with_an_invalid_encoding_is_400_and_keeps_nothing(api_clients, lead, review, search):
    url = f"/api/v1/reviews/{review.slug}/searches/{search.pk}/files/"
    upload = SimpleUploadedFile("mac.ris", MAC)
    response = api_clients(lead).post(url, {"file": upload, "encoding": "ebcdic-cp-be"}, format="multipart")
    assert response.status_code == 400
    assert "Unknown or unsupported encoding" in response.json()["error"]["message"]
    assert not SearchFile.objects.exists()


def test_api_upload_with_an_encoding(api_clients, lead, review, search, django_capture_on_commit_callbacks):
    url = f"/api/v1/reviews/{review.slug}/searches/{search.pk}/files/"
    upload = SimpleUploadedFile("mac.ris", MAC)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_clients(lead).post(url, {"file": upload, "encoding": "macroman"}, format="multipart")
    assert response.status_code == 202
    search_file = SearchFile.objects.get(pk=response.json()["id"])
    assert (search_file.requested_encoding, search_file.encoding) == ("mac-roman", "mac-roman")


def test_page_of_an_unreadable_file_offers_the_encoding_choice(
    as_lead, as_reviewer, review, search, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(review=review, search=search, by=lead, name="mixed.ris", data=STRAY)
    url = reverse("review:search-file", args=[review.slug, search_file.pk])
    form_action = reverse("review:search-file-encoding", args=[review.slug, search_file.pk])
    page = as_lead.get(url).content.decode()
    assert "bytes are not valid UTF-8" in page and form_action in page
    assert form_action not in as_reviewer.get(url).content.decode()  # only a lead chooses


# Command line


def test_cli_reports_the_judged_encoding_and_imports_with_a_chosen_one(tmp_path, review, lead, capsys):
    path = tmp_path / "old.ris"
    path.write_bytes(CP1252)
    call_command("import_records", str(path), "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out[0]["encoding"], out[0]["encoding_certain"]) == ("cp1252", False)
    call_command(
        "import_records", str(path), "--review", review.slug, "--database", "Embase", "--encoding", "mac-roman"
    )
    search_file = SearchFile.objects.get(review=review)
    assert (search_file.requested_encoding, search_file.encoding, search_file.encoding_certain) == (
        "mac-roman",
        "mac-roman",
        False,
    )
    assert Record.objects.get(search_file=search_file).title == CP1252.decode("mac-roman").split("\n")[1][6:]

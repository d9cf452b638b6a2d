"""Searches, uploads, previews, imports and records: through services, pages, API and the command line."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from review.models import AuditEvent, Job, Record, Search, SearchFile
from review.services import imports
from review.services.imports import store

RIS = (
    "\ufeffTY  - JOUR\r\nTI  - Transfer learning for ECG <b>classification</b>\r\nAU  - Smith, John\r\n"
    "AU  - Doe, Jane\r\nPY  - 2020\r\nJO  - Journal of Cardiology\r\nDO  - 10.1000/ECG.1\r\n"
    "AB  - We fine-tuned a network.\r\nER  - \r\n\r\n"
    "TY  - JOUR\r\nTI  - Deep features of heart sounds\r\nAU  - Brown, A.\r\nPY  - 2019\r\nER  - \r\n"
).encode()
NBIB = (
    b"PMID- 31234567\nOWN - NLM\nTI  - Audio transfer learning for cough detection in\n      children.\n"
    b"AB  - Coughs were recorded.\nAU  - Lee K\nDP  - 2021 Mar\nTA  - J Acoust\nJT  - Journal of Acoustics\n"
    b"LID - 10.1000/cough.2 [doi]\n\nPMID- 31234568\nOWN - NLM\nTI  - Second record.\nAU  - Kim S\nDP  - 2018\n"
)


@pytest.fixture
def search(review, lead):
    return imports.search_create(review=review, by=lead, database="Embase", platform="embase.com")


def upload(review, search, by, data=RIS, name="embase.ris", capture=None):
    search_file = imports.search_file_upload(review=review, search=search, by=by, name=name, data=data)
    search_file.refresh_from_db()
    return search_file


def test_upload_previews_without_importing(review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead)
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.PREVIEWED
    assert search_file.format == "ris" and search_file.record_count == 2
    assert search_file.preview[0]["title"] == "Transfer learning for ECG <b>classification</b>"
    assert search_file.job.state == Job.State.SUCCEEDED
    assert Record.objects.count() == 0
    with search_file.file.open("rb") as handle:
        assert handle.read() == RIS  # the original bytes are kept


def test_confirm_imports_every_record_with_provenance(review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead)
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.IMPORTED
    records = list(Record.objects.order_by("position"))
    assert [r.position for r in records] == [1, 2]
    first = records[0]
    assert first.search == search and first.search_file == search_file and first.line == 1
    assert first.authors == ["Smith, John", "Doe, Jane"] and first.year == 2020 and first.doi == "10.1000/ecg.1"
    assert ["TI", "Transfer learning for ECG <b>classification</b>"] in first.raw
    assert search_file.job.state == Job.State.SUCCEEDED and search_file.job.result == {"records": 2}
    assert AuditEvent.objects.filter(action="import.completed").count() == 1


def test_redelivered_import_task_adds_nothing(review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead)
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    imports.search_file_import(search_file_id=search_file.pk, job_id=job.pk)
    assert Record.objects.count() == 2


def test_unreadable_file_is_refused_with_its_name(review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead, data=b"%PDF-1.7\x00\x01\x02binary", name="paper.pdf")
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.UNREADABLE
    assert search_file.error.startswith("paper.pdf: ")
    assert search_file.job.state == Job.State.FAILED
    with pytest.raises(Exception, match="cannot be imported now"):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    assert Record.objects.count() == 0


def test_failure_mid_file_writes_nothing(review, search, lead, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead)
    # A batch size of one makes the first record land before the second fails; the transaction must undo it.
    monkeypatch.setattr(store, "BATCH_SIZE", 1)
    original = store._record_fields

    def failing_fields(parsed):
        if parsed.position == 2:
            raise ValueError("disk full")
        return original(parsed)

    monkeypatch.setattr(store, "_record_fields", failing_fields)
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    search_file.refresh_from_db()
    assert Record.objects.count() == 0
    assert search_file.status == SearchFile.Status.FAILED and "nothing was stored" in search_file.error
    # Once the cause is gone, the same file imports on a retry.
    monkeypatch.setattr(store, "_record_fields", original)
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    assert Record.objects.count() == 2


def test_same_file_again_is_flagged(review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(review, search, lead)
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=first, by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        second = upload(review, search, lead, name="again.ris")
    assert second.duplicate_of == first


def test_database_mismatch_is_warned(review, lead, django_capture_on_commit_callbacks):
    search = imports.search_create(review=review, by=lead, database="CINAHL")
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead, data=NBIB, name="pubmed.nbib")
    search_file.refresh_from_db()
    assert search_file.format == "nbib" and search_file.record_count == 2
    assert "looks like an export from" in search_file.problems[0]["message"]


def test_oversize_upload_is_refused(review, search, lead, settings):
    settings.MAX_IMPORT_FILE_MB = 1
    with pytest.raises(Exception, match="limit is 1 MB"):
        imports.search_file_upload(review=review, search=search, by=lead, name="big.ris", data=b"x" * (1024 * 1024 + 1))
    assert SearchFile.objects.count() == 0


def test_search_needs_a_database_name(review, lead):
    with pytest.raises(Exception, match="Name the database"):
        imports.search_create(review=review, by=lead, database=" ")
    other = imports.search_create(review=review, by=lead, kind="other", other_method="citation")
    assert other.label == "Citation searching"


def test_record_added_by_hand(review, lead):
    source = imports.search_create(review=review, by=lead, kind="other", other_method="hand")
    record = imports.record_add(
        review=review, search=source, by=lead, title="A paper from a reference list", doi="https://doi.org/10.5555/AB"
    )
    assert record.doi == "10.5555/ab" and record.position == 1 and record.search_file is None
    with pytest.raises(Exception, match="not a DOI"):
        imports.record_add(review=review, search=source, by=lead, title="x", doi="nonsense")


# Pages


def test_search_pages_upload_preview_and_import(as_lead, review, django_capture_on_commit_callbacks):
    response = as_lead.post(reverse("review:searches", args=[review.slug]), {"kind": "database", "database": "PubMed"})
    search = Search.objects.get(review=review)
    assert response.status_code == 302 and response["Location"] == reverse(
        "review:search", args=[review.slug, search.pk]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = as_lead.post(
            reverse("review:search", args=[review.slug, search.pk]),
            {"export_files": SimpleUploadedFile("export.txt", NBIB), "format": "auto"},
        )
    search_file = SearchFile.objects.get(search=search)
    assert response.status_code == 302
    page = as_lead.get(reverse("review:search-file", args=[review.slug, search_file.pk]))
    assert page.status_code == 200 and b"Audio transfer learning for cough detection in children." in page.content
    with django_capture_on_commit_callbacks(execute=True):
        as_lead.post(reverse("review:search-file-confirm", args=[review.slug, search_file.pk]))
    assert Record.objects.filter(search=search).count() == 2
    fragment = as_lead.get(reverse("review:search-file", args=[review.slug, search_file.pk]), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 286  # polling stops once the job is over
    assert b"2 records imported" in fragment.content


def test_upload_forbidden_for_reviewer(as_reviewer, review, search):
    response = as_reviewer.post(
        reverse("review:search", args=[review.slug, search.pk]), {"export_files": SimpleUploadedFile("a.ris", RIS)}
    )
    assert response.status_code == 403
    assert SearchFile.objects.count() == 0


def test_search_pages_outsider_404(as_outsider, review, search):
    for url in (
        reverse("review:searches", args=[review.slug]),
        reverse("review:search", args=[review.slug, search.pk]),
        reverse("review:records", args=[review.slug]),
    ):
        assert as_outsider.get(url).status_code == 404


def test_search_of_another_review_is_404(as_outsider, outsider, search):
    from review.models import Review

    other = Review.objects.get(slug="other-review")
    assert as_outsider.get(reverse("review:search", args=[other.slug, search.pk])).status_code == 404


def test_records_page_search_and_filter(as_viewer, review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead)
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    url = reverse("review:records", args=[review.slug])
    assert b"2 records" in as_viewer.get(url).content
    response = as_viewer.get(url, {"q": "heart"})
    assert b"Deep features of heart sounds" in response.content and b"ECG" not in response.content
    assert b"1 record" in as_viewer.get(url, {"q": "10.1000/ecg.1"}).content
    assert b"1 record" in as_viewer.get(url, {"q": "Brown"}).content
    assert b"0 records" in as_viewer.get(url, {"database": "PubMed"}).content
    # HTML in a title is shown as text, never as markup.
    assert b"&lt;b&gt;classification&lt;/b&gt;" in as_viewer.get(url).content


def test_record_page_shows_provenance(as_reviewer, review, search, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead)
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    record = Record.objects.get(position=1)
    response = as_reviewer.get(reverse("review:record", args=[review.slug, record.pk]))
    assert response.status_code == 200
    assert b"embase.ris" in response.content and b"record 1, line 1" in response.content


def test_records_page_wrong_method(as_lead, review):
    assert as_lead.post(reverse("review:records", args=[review.slug])).status_code == 405


def test_records_list_query_count_is_flat(as_lead, review, search, lead, django_assert_max_num_queries):
    for position in range(1, 41):
        Record.objects.create(review=review, search=search, position=position, title=f"T{position}")
    # Flat, not per record: the status, duplicate and tag columns and the tag and member filters are a query each.
    with django_assert_max_num_queries(13):
        assert as_lead.get(reverse("review:records", args=[review.slug])).status_code == 200


# API


def test_api_search_upload_confirm_and_records(api_client, lead, review, django_capture_on_commit_callbacks):
    api_client.force_login(lead)
    response = api_client.post(
        f"/api/v1/reviews/{review.slug}/searches/",
        {"database": "PubMed", "date_searched": "2024-05-01", "query": "transfer learning"},
        format="json",
    )
    assert response.status_code == 201
    search_id = response.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/reviews/{review.slug}/searches/{search_id}/files/",
            {"file": SimpleUploadedFile("pubmed.nbib", NBIB), "confirm": "true"},
            format="multipart",
        )
    assert response.status_code == 202
    file_id = response.json()["id"]
    body = api_client.get(f"/api/v1/reviews/{review.slug}/files/{file_id}/").json()
    assert body["status"] == "imported" and body["record_count"] == 2
    job = api_client.get(f"/api/v1/reviews/{review.slug}/jobs/{body['job']['id']}/").json()
    assert job["state"] == "succeeded" and job["percent"] == 100
    records = api_client.get(f"/api/v1/reviews/{review.slug}/records/", {"q": "31234567"}).json()
    assert records["count"] == 1 and records["results"][0]["doi"] == "10.1000/cough.2"
    detail = api_client.get(f"/api/v1/reviews/{review.slug}/records/{records['results'][0]['id']}/").json()
    assert ["PMID", "31234567"] in detail["raw"]


def test_api_upload_unreadable_file_reports_why(api_client, lead, review, search, django_capture_on_commit_callbacks):
    api_client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/api/v1/reviews/{review.slug}/searches/{search.pk}/files/",
            {"file": SimpleUploadedFile("empty.ris", b"\x00\x01\x02\x03" * 10)},
            format="multipart",
        )
    assert response.status_code == 202
    body = api_client.get(f"/api/v1/reviews/{review.slug}/files/{response.json()['id']}/").json()
    assert body["status"] == "unreadable" and body["error"].startswith("empty.ris: ")
    assert body["job"]["state"] == "failed"


def test_api_import_routes_outsider_404(api_client, outsider, review, search):
    api_client.force_login(outsider)
    assert api_client.get(f"/api/v1/reviews/{review.slug}/searches/").status_code == 404
    assert api_client.get(f"/api/v1/reviews/{review.slug}/records/").status_code == 404
    response = api_client.post(
        f"/api/v1/reviews/{review.slug}/searches/{search.pk}/files/",
        {"file": SimpleUploadedFile("a.ris", RIS)},
        format="multipart",
    )
    assert response.status_code == 404 and SearchFile.objects.count() == 0


def test_api_search_create_forbidden_for_viewer(api_client, viewer, review):
    api_client.force_login(viewer)
    response = api_client.post(f"/api/v1/reviews/{review.slug}/searches/", {"database": "X"}, format="json")
    assert response.status_code == 403 and Search.objects.count() == 0


def test_api_records_wrong_method(api_client, lead, review):
    api_client.force_login(lead)
    assert api_client.delete(f"/api/v1/reviews/{review.slug}/records/").status_code == 405


def test_api_hand_added_record_rejects_foreign_search(api_client, lead, review, outsider):
    from review.models import Review

    foreign = imports.search_create(review=Review.objects.get(slug="other-review"), by=outsider, database="X")
    api_client.force_login(lead)
    response = api_client.post(
        f"/api/v1/reviews/{review.slug}/records/", {"search": foreign.pk, "title": "t"}, format="json"
    )
    assert response.status_code == 400 and Record.objects.count() == 0


# Command line


def test_cli_dry_run_json(tmp_path, capsys, db):
    path = tmp_path / "export.txt"
    path.write_bytes(NBIB)
    call_command("import_records", str(path), "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out[0]["format"] == "nbib" and out[0]["records"] == 2 and out[0]["file"] == str(path)


def test_cli_imports_into_review(tmp_path, review, lead):
    path = tmp_path / "embase.ris"
    path.write_bytes(RIS)
    call_command("import_records", str(path), "--review", review.slug, "--database", "Embase", "--date", "2024-01-31")
    search = Search.objects.get(review=review)
    assert search.database == "Embase" and str(search.date_searched) == "2024-01-31"
    assert Record.objects.filter(search=search).count() == 2


def test_cli_refuses_unreadable_file_naming_it(tmp_path, db):
    path = tmp_path / "broken.ris"
    path.write_bytes(b"\x00\xff\x00\xfe" * 20)
    with pytest.raises(CommandError, match=r"broken\.ris"):
        call_command("import_records", str(path), "--dry-run")


def test_cli_requires_review_and_database(tmp_path, db):
    path = tmp_path / "a.ris"
    path.write_bytes(RIS)
    with pytest.raises(CommandError, match=r"--review and --database are required"):
        call_command("import_records", str(path))


def test_copy_path_stores_the_same_rows_as_the_orm(review, search, lead):
    """PostgreSQL stores imports with COPY; every column must come out as the ORM would write it."""
    from django.db import connection
    from django.forms.models import model_to_dict

    from review.importers import parse

    if connection.vendor != "postgresql":
        pytest.skip("COPY is the PostgreSQL path")
    parsed = parse(RIS).records
    imports.records_store(review=review, search=search, search_file=None, records=parsed)
    by_copy = list(Record.objects.order_by("position"))
    Record.objects.all().delete()
    Record.objects.bulk_create([store._record_row(review, search, None, p) for p in parsed])
    by_orm = list(Record.objects.order_by("position"))
    assert len(by_copy) == len(by_orm) == 2
    for a, b in zip(by_copy, by_orm, strict=True):
        assert model_to_dict(a, exclude=["id"]) == model_to_dict(b, exclude=["id"])


def test_api_discard_a_previewed_file(api_client, lead, viewer, review, search, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        search_file = upload(review, search, lead)
    url = f"/api/v1/reviews/{review.slug}/files/{search_file.pk}/discard/"
    api_client.force_login(viewer)
    assert api_client.post(url).status_code == 403
    api_client.force_login(lead)
    assert api_client.get(url).status_code == 405
    response = api_client.post(url)
    assert response.status_code == 200 and response.json()["status"] == "discarded"
    assert Record.objects.count() == 0

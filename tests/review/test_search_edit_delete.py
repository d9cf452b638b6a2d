"""Searches can be corrected and deleted while nothing of them is screened; otherwise archived with their records
kept. A file that could not be read can be discarded (issue #17)."""

from __future__ import annotations

from django.urls import reverse

from review.models import AuditEvent, Record, Search, SearchFile
from screening.models import Stage
from screening.services.votes import VoteInput, vote_cast
from tests.screening.factories import RecordFactory, SearchFactory


def test_lead_edits_a_search_and_the_change_is_audited(as_lead, as_reviewer, review):
    search = SearchFactory(review=review, database="PubMed", query="ecg")
    url = reverse("review:search-edit", args=[review.slug, search.pk])
    assert as_lead.get(url).status_code == 200
    data = {"kind": "database", "database": "Embase", "platform": "embase.com", "query": "ecg AND transfer"}
    assert as_reviewer.post(url, data).status_code == 403
    assert as_lead.post(url, data).status_code == 302
    search.refresh_from_db()
    assert (search.database, search.platform, search.query) == ("Embase", "embase.com", "ecg AND transfer")
    event = AuditEvent.objects.get(review=review, action="search.updated")
    assert event.detail["fields"] == ["database", "platform", "query"]
    bad = as_lead.post(url, {"kind": "database", "database": ""})
    assert bad.status_code == 400 and Search.objects.get(pk=search.pk).database == "Embase"


def test_deleting_an_unscreened_search_removes_its_records(as_lead, review):
    search = SearchFactory(review=review)
    RecordFactory(review=review, search=search)
    RecordFactory(review=review, search=search)
    response = as_lead.post(reverse("review:search-delete", args=[review.slug, search.pk]))
    assert response.status_code == 302
    assert not Search.objects.filter(pk=search.pk).exists() and not Record.objects.filter(review=review).exists()
    assert AuditEvent.objects.get(review=review, action="search.deleted").detail["records"] == 2


def test_a_screened_search_is_archived_not_deleted(as_lead, api_clients, lead, reviewer, review):
    search = SearchFactory(review=review)
    record = RecordFactory(review=review, search=search)
    vote_cast(review=review, record=record, stage=Stage.TITLE_ABSTRACT, reviewer=reviewer, data=VoteInput("include"))
    response = api_clients(lead).delete(f"/api/v1/reviews/{review.slug}/searches/{search.pk}/")
    assert response.status_code == 200 and response.json() == {"result": "archived"}
    search.refresh_from_db()
    assert search.archived_at is not None and Record.objects.filter(pk=record.pk, search=search).exists()
    page = as_lead.get(reverse("review:search", args=[review.slug, search.pk])).content.decode()
    assert "archived" in page and "Upload export files" not in page


def test_api_patch_search_and_roles(api_clients, lead, reviewer, outsider, review):
    search = SearchFactory(review=review, database="PubMed")
    path = f"/api/v1/reviews/{review.slug}/searches/{search.pk}/"
    response = api_clients(lead).patch(path, {"date_searched": "2024-03-01"}, format="json")
    assert response.status_code == 200 and response.json()["date_searched"] == "2024-03-01"
    assert api_clients(reviewer).patch(path, {"query": "x"}, format="json").status_code == 403
    assert api_clients(reviewer).delete(path).status_code == 403
    assert api_clients(outsider).delete(path).status_code == 404
    assert Search.objects.filter(pk=search.pk, query="").exists()


def test_a_failed_upload_can_be_discarded(as_lead, review):
    search = SearchFactory(review=review)
    failed = SearchFile.objects.create(
        review=review, search=search, original_name="broken.ris", size=1, sha256="0", status=SearchFile.Status.FAILED
    )
    page = as_lead.get(reverse("review:search-file", args=[review.slug, failed.pk])).content.decode()
    assert "Discard this file" in page
    response = as_lead.post(reverse("review:search-file-discard", args=[review.slug, failed.pk]))
    assert response.status_code in (200, 302)
    assert SearchFile.objects.get(pk=failed.pk).status == SearchFile.Status.DISCARDED
    as_lead.get(reverse("review:search", args=[review.slug, search.pk]))  # shows the "discarded" message once
    listing = as_lead.get(reverse("review:search", args=[review.slug, search.pk])).content.decode()
    assert "broken.ris" not in listing


RIS = b"TY  - JOUR\r\nTI  - Transfer learning for ECG\r\nPY  - 2021\r\nER  - \r\n"


def test_add_search_and_upload_its_file_in_one_step(as_lead, review, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"kind": "database", "database": "PubMed", "export_files": [SimpleUploadedFile("pubmed.ris", RIS)]}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_lead.post(reverse("review:searches", args=[review.slug]), data)
    search = Search.objects.get(review=review)
    file = SearchFile.objects.get(search=search)
    assert response.status_code == 302 and response["Location"].endswith(f"/files/{file.pk}/")
    assert file.original_name == "pubmed.ris"


def test_a_search_whose_vote_was_withdrawn_is_archived_since_its_history_stays(api_clients, lead, reviewer, review):
    from screening.services.votes import vote_withdraw

    search = SearchFactory(review=review)
    record = RecordFactory(review=review, search=search)
    vote_cast(review=review, record=record, stage=Stage.TITLE_ABSTRACT, reviewer=reviewer, data=VoteInput("include"))
    vote_withdraw(review=review, record=record, stage=Stage.TITLE_ABSTRACT, reviewer=reviewer)
    response = api_clients(lead).delete(f"/api/v1/reviews/{review.slug}/searches/{search.pk}/")
    assert response.json() == {"result": "archived"} and Record.objects.filter(pk=record.pk).exists()

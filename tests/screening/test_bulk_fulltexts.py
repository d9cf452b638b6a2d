"""Bulk full-text upload: PDFs (or a zip) matched by DOI, PMID, file name, then title; nothing attached until a
person confirms or corrects each match."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.fulltext_match import Candidate, PdfFacts, match, pdf_facts
from screening.models import BulkFullText, FullText
from screening.pdf_make import make_pdf

CANDIDATES = [
    Candidate(1, "10.1000/a.1", "30000001", "Transfer learning for electrocardiogram arrhythmia detection"),
    Candidate(2, "10.1000/a.2", "30000002", "Deep transfer learning on intensive care time series"),
    Candidate(3, "", "", "Editorial"),
]


def test_match_prefers_metadata_doi_then_page_doi_then_pmid():
    facts = PdfFacts(name="x.pdf", meta_dois=("10.1000/a.2",), page_dois=("10.1000/a.1",))
    assert match(facts, CANDIDATES).record_id == 2 and match(facts, CANDIDATES).method == "doi-metadata"
    assert match(PdfFacts(name="x.pdf", page_pmids=("30000001",)), CANDIDATES).method == "pmid"


def test_match_by_file_name_doi_pmid_or_record_id():
    assert match(PdfFacts(name="10.1000_a.2.pdf"), CANDIDATES).record_id == 2
    assert match(PdfFacts(name="PMID30000001.pdf"), CANDIDATES).record_id == 1
    assert match(PdfFacts(name="record-3.pdf"), CANDIDATES).record_id == 3


def test_title_whole_is_certain_close_is_uncertain_short_titles_prove_nothing():
    page = "journal of things deep transfer learning on intensive care time series smith j"
    found = match(PdfFacts(name="a.pdf", first_page=page), CANDIDATES)
    assert (found.record_id, found.method, found.certain) == (2, "title", True)
    close = match(PdfFacts(name="a.pdf", first_page="deep transfer learning in intensive care time series"), CANDIDATES)
    assert close.record_id == 2 and not close.certain
    assert match(PdfFacts(name="a.pdf", first_page="editorial board and contents"), CANDIDATES).record_id is None


def test_pdf_facts_reads_metadata_and_first_page():
    data = make_pdf(["A title", "doi: 10.1000/A.1", "PMID: 30000001"], doi="10.1000/a.2")
    facts = pdf_facts("a.pdf", data)
    assert facts.meta_dois == ("10.1000/a.2",) and facts.page_dois == ("10.1000/a.1",)
    assert facts.page_pmids == ("30000001",)
    assert pdf_facts("b.pdf", b"%PDF-1.4 garbage").problem.startswith("could not read")


@pytest.fixture
def twenty(review, records, at_full_text):
    from tests.screening.factories import RecordFactory

    rows = [*records, *[RecordFactory(review=review) for _ in range(15)]]
    for record in rows:
        at_full_text(record)
    return rows


def _pdf_for(record, how):
    if how == "doi":
        return f"paper-{record.pk}-x.pdf", make_pdf([record.title, f"https://doi.org/{record.doi}"])
    if how == "name":
        return f"PMID{record.pmid}.pdf", make_pdf(["Scanned article"])
    return f"scan{record.pk}x.pdf", make_pdf(["Journal of Clinical Informatics", record.title, "Smith J, Doe A"])


def test_bulk_upload_of_twenty_pdfs_in_a_zip_matches_then_attaches_after_confirmation(
    as_reviewer, reviewer, review, twenty
):
    hows = ["doi", "name", "title"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, record in enumerate(twenty):
            name, data = _pdf_for(record, hows[i % 3])
            archive.writestr(f"pdfs/{name}", data)
        archive.writestr("__MACOSX/._junk.pdf", b"junk")
    upload = SimpleUploadedFile("fulltexts.zip", buffer.getvalue(), content_type="application/zip")
    response = as_reviewer.post(reverse("screening:bulk-fulltexts", args=[review.slug]), {"files": [upload]})
    assert response.status_code == 302
    items = list(BulkFullText.objects.filter(review=review))
    assert len(items) == 20 and not FullText.objects.exists()  # nothing attached before confirmation
    by_name = {item.original_name: item for item in items}
    for i, record in enumerate(twenty):
        item = by_name[_pdf_for(record, hows[i % 3])[0]]
        assert item.proposed_id == record.pk and item.certain, (item.original_name, item.method)
    page = as_reviewer.get(reverse("screening:bulk-fulltexts", args=[review.slug])).content.decode()
    assert "Check the matches (20)" in page
    # correct one match (swap the first two) and discard one, then attach
    data = {f"item_{item.pk}": str(item.proposed_id) for item in items}
    first, second, third = by_name[_pdf_for(twenty[0], "doi")[0]], by_name[_pdf_for(twenty[1], "name")[0]], items[-1]
    data[f"item_{first.pk}"], data[f"item_{second.pk}"] = str(twenty[1].pk), str(twenty[0].pk)
    data[f"item_{third.pk}"] = "discard"
    response = as_reviewer.post(reverse("screening:bulk-fulltexts-apply", args=[review.slug]), data)
    assert response.status_code == 302
    assert FullText.objects.filter(review=review, replaced_at__isnull=True).count() == 19
    assert FullText.objects.get(record=twenty[1]).original_name == first.original_name
    assert BulkFullText.objects.filter(status=BulkFullText.Status.PENDING).count() == 0


def test_bulk_refuses_viewers_outsiders_and_non_pdfs(as_viewer, as_outsider, as_reviewer, review, twenty):
    url = reverse("screening:bulk-fulltexts", args=[review.slug])
    pdf = SimpleUploadedFile("a.pdf", make_pdf(["x"]), content_type="application/pdf")
    assert as_viewer.post(url, {"files": [pdf]}).status_code == 403
    assert as_outsider.get(url).status_code == 404
    text = SimpleUploadedFile("notes.pdf", b"hello", content_type="application/pdf")
    response = as_reviewer.post(url, {"files": [text]})
    assert response.status_code == 302
    assert BulkFullText.objects.get().problem == "not a PDF"
    assert as_reviewer.post(url, {}).status_code == 400


def test_api_bulk_upload_and_apply(api_clients, reviewer, review, twenty):
    client = api_clients(reviewer)
    base = f"/api/v1/reviews/{review.slug}/screening/fulltexts/bulk/"
    name, data = _pdf_for(twenty[0], "doi")
    response = client.post(base, {"files": [SimpleUploadedFile(name, data)]}, format="multipart")
    assert response.status_code == 201
    item = response.json()[0]
    assert item["proposed"] == twenty[0].pk and item["certain"] and item["method"] == "doi"
    response = client.post(f"{base}apply/", {"items": [{"id": item["id"], "record": 999999}]}, format="json")
    assert response.status_code == 400 and not FullText.objects.exists()
    response = client.post(f"{base}apply/", {"items": [{"id": item["id"], "record": twenty[0].pk}]}, format="json")
    assert response.json() == {"attached": 1, "discarded": 0}
    assert FullText.objects.get().record == twenty[0]

"""Issue #14, item 1: "not retrieved" must not open a back door around blinding at full text.

Before the fix a reviewer could mark a record not retrieved (a final outcome), read the other reviewer's vote,
reason and note, upload any PDF to reopen the record, and vote knowing them. Now only the lead marks a record
not retrieved, and its votes stay hidden from reviewers until the votes themselves decide it.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from screening.models import Stage, StageOutcome, Status
from tests.conftest import client_for

FT = Stage.FULL_TEXT.value
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
SECRET_NOTE = "reviewer two thinks the cohort is paediatric"


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def voted(review, reviewer, reviewer2, lead, at_full_text, record, reasons, vote):
    """A record at full text on which reviewer 2 voted exclude with a reason and a note; reviewer 1 has not voted."""
    at_full_text(record)
    vote(reviewer2, record, "exclude", stage=Stage.FULL_TEXT, reason=reasons[0], note=SECRET_NOTE)
    return record


def _sees_the_other_vote(body: bytes) -> bool:
    # The note travels with the vote wherever it is shown (the reason's label is also an option of the vote form,
    # and reviewer 2's name is in the export for the title/abstract votes, decided and visible to all).
    return SECRET_NOTE.encode() in body


def _api_base(review) -> str:
    return f"/api/v1/reviews/{review.slug}/screening"


def test_a_reviewer_cannot_mark_not_retrieved_through_the_api(review, reviewer, voted):
    response = api(reviewer).post(
        f"{_api_base(review)}/records/{voted.pk}/not-retrieved/", {"note": "ILL failed"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert StageOutcome.objects.get(record=voted, stage=FT).status == Status.AWAITING
    vote_route = api(reviewer).get(f"{_api_base(review)}/{FT}/records/{voted.pk}/vote/")
    assert vote_route.json()["votes"] == []


def test_a_reviewer_cannot_mark_not_retrieved_through_the_page(review, reviewer, voted):
    client = client_for(reviewer)
    response = client.post(f"/reviews/{review.slug}/screening/records/{voted.pk}/not-retrieved/", {"note": "x"})
    assert response.status_code == 403
    assert StageOutcome.objects.get(record=voted, stage=FT).status == Status.AWAITING
    page = client.get(f"/reviews/{review.slug}/screening/{FT}/records/{voted.pk}/")
    assert page.status_code == 200
    assert b"Mark not retrieved" not in page.content  # the form is the lead's
    assert not _sees_the_other_vote(page.content)


def test_votes_on_a_record_the_lead_marked_not_retrieved_stay_blinded_to_reviewers(review, lead, reviewer, voted):
    response = api(lead).post(
        f"{_api_base(review)}/records/{voted.pk}/not-retrieved/", {"note": "ILL failed"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "not_retrieved"
    # The lead sees the votes; reviewer 1 sees none of them, in the API, the page or the records CSV.
    lead_view = api(lead).get(f"{_api_base(review)}/{FT}/records/{voted.pk}/vote/").json()
    assert [v["note"] for v in lead_view["votes"]] == [SECRET_NOTE]
    assert api(reviewer).get(f"{_api_base(review)}/{FT}/records/{voted.pk}/vote/").json()["votes"] == []
    page = client_for(reviewer).get(f"/reviews/{review.slug}/screening/{FT}/records/{voted.pk}/")
    assert page.status_code == 200 and b"not retrieved" in page.content
    assert not _sees_the_other_vote(page.content)
    for url in (
        f"/reviews/{review.slug}/report/exports/records/",
        f"/api/v1/reviews/{review.slug}/exports/records/",
    ):
        export = client_for(reviewer).get(url)
        assert export.status_code == 200, url
        assert not _sees_the_other_vote(b"".join(export.streaming_content)), url


def test_an_upload_reopens_the_record_without_revealing_anything_and_the_vote_stays_independent(
    review, lead, reviewer, reviewer2, voted
):
    api(lead).post(f"{_api_base(review)}/records/{voted.pk}/not-retrieved/", {"note": "ILL failed"}, format="json")
    upload = SimpleUploadedFile("found.pdf", PDF, content_type="application/pdf")
    response = api(reviewer).post(f"{_api_base(review)}/records/{voted.pk}/fulltext/", {"file": upload})
    assert response.status_code == 201
    assert StageOutcome.objects.get(record=voted, stage=FT).status == Status.AWAITING
    assert api(reviewer).get(f"{_api_base(review)}/{FT}/records/{voted.pk}/vote/").json()["votes"] == []
    # Reviewer 1 now votes blind; the votes disagree, so it is a conflict for the lead, not a silent agreement.
    response = api(reviewer).post(f"{_api_base(review)}/{FT}/records/{voted.pk}/vote/", {"choice": "include"})
    assert response.status_code == 200
    assert StageOutcome.objects.get(record=voted, stage=FT).status == Status.CONFLICT

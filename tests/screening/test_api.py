"""Screening API: the same rules and blinding as the pages; happy path, outsider 404, role 403, wrong method."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.models import Review
from review.services import api_token_create
from screening.models import ConflictComment, ExclusionReason, FullText, Resolution, Stage, StageOutcome, Status, Vote
from screening.selectors import settings_for
from tests.screening.factories import RecordFactory

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def api_as(api_client):
    def login(user):
        api_client.logout()
        api_client.force_login(user)
        return api_client

    return login


def base(review):
    return f"/api/v1/reviews/{review.slug}/screening"


def test_next_record_then_vote_then_next(api_as, reviewer, review, records):
    client = api_as(reviewer)
    body = client.get(f"{base(review)}/{TA}/next/").json()
    assert body["record"]["id"] == records[0].pk and body["outcome"]["status"] == "awaiting"
    response = client.post(f"{base(review)}/{TA}/records/{records[0].pk}/vote/", {"choice": "include"}, format="json")
    assert response.status_code == 200
    assert response.json()["votes"][0]["choice"] == "include"
    assert Vote.objects.get(reviewer=reviewer).record == records[0]
    assert client.get(f"{base(review)}/{TA}/next/").json()["record"]["id"] == records[1].pk


def test_next_record_with_an_api_token(api_client, reviewer, review, records):
    _, key = api_token_create(user=reviewer, name="script")
    response = api_client.get(f"{base(review)}/{TA}/next/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and response.json()["record"]["id"] == records[0].pk


def test_next_record_query_count(api_as, reviewer, review, records, django_assert_max_num_queries):
    client = api_as(reviewer)
    client.get(f"{base(review)}/{TA}/next/")
    with django_assert_max_num_queries(16):
        client.get(f"{base(review)}/{TA}/next/")


def test_next_record_access(api_as, outsider, viewer, reviewer, review, records):
    assert api_as(outsider).get(f"{base(review)}/{TA}/next/").status_code == 404
    assert api_as(viewer).get(f"{base(review)}/{TA}/next/").status_code == 403
    assert api_as(reviewer).post(f"{base(review)}/{TA}/next/").status_code == 405
    assert api_as(reviewer).get(f"{base(review)}/bogus/next/").status_code == 404


def test_api_is_blinded_like_the_pages(api_as, vote, reviewer, reviewer2, review, record):
    vote(reviewer, record, "exclude", note="SECRET")
    body = api_as(reviewer2).get(f"{base(review)}/{TA}/records/{record.pk}/vote/").json()
    assert body["votes"] == [] and body["outcome"]["vote_count"] == 1
    assert "SECRET" not in str(body)


def test_vote_errors_use_the_error_shape(api_as, vote, reviewer, reviewer2, reviewer3, review, conflict):
    response = api_as(reviewer3).post(f"{base(review)}/{TA}/records/{conflict.pk}/vote/", {"choice": "include"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    response = api_as(reviewer3).post(f"{base(review)}/{TA}/records/{conflict.pk}/vote/", {"choice": "nope"})
    assert response.status_code == 400 and "choice" in response.json()["error"]["fields"]
    assert Vote.objects.filter(record=conflict).count() == 2


def test_vote_access(api_as, outsider, viewer, reviewer, review, record):
    path = f"{base(review)}/{TA}/records/{record.pk}/vote/"
    assert api_as(outsider).post(path, {"choice": "include"}).status_code == 404
    assert api_as(viewer).post(path, {"choice": "include"}).status_code == 403
    assert api_as(reviewer).put(path, {"choice": "include"}).status_code == 405
    foreign = RecordFactory(review=Review.objects.get(slug="other-review"))
    assert api_as(reviewer).post(f"{base(review)}/{TA}/records/{foreign.pk}/vote/", {"choice": "x"}).status_code == 404
    assert not Vote.objects.exists()


def test_withdraw_my_vote(api_as, vote, reviewer, review, record):
    vote(reviewer, record, "include")
    response = api_as(reviewer).delete(f"{base(review)}/{TA}/records/{record.pk}/vote/")
    assert response.status_code == 200 and not Vote.objects.exists()
    assert api_as(reviewer).delete(f"{base(review)}/{TA}/records/{record.pk}/vote/").status_code == 404


def test_skip(api_as, reviewer, review, records):
    client = api_as(reviewer)
    assert client.post(f"{base(review)}/{TA}/records/{records[0].pk}/skip/").status_code == 204
    assert client.get(f"{base(review)}/{TA}/next/").json()["record"]["id"] == records[1].pk
    assert client.get(f"{base(review)}/{TA}/records/{records[0].pk}/skip/").status_code == 405


def test_my_votes(api_as, vote, reviewer, reviewer2, viewer, outsider, review, records):
    vote(reviewer, records[0], "include")
    vote(reviewer2, records[1], "exclude")
    body = api_as(reviewer).get(f"{base(review)}/{TA}/votes/mine/").json()
    assert [v["record"] for v in body["results"]] == [records[0].pk]
    assert api_as(outsider).get(f"{base(review)}/{TA}/votes/mine/").status_code == 404
    assert api_as(viewer).get(f"{base(review)}/{TA}/votes/mine/").status_code == 403
    assert api_as(reviewer).post(f"{base(review)}/{TA}/votes/mine/").status_code == 405


def test_conflicts_list_and_detail(api_as, lead, reviewer, reviewer3, outsider, viewer, review, conflict):
    body = api_as(lead).get(f"{base(review)}/{TA}/conflicts/").json()
    assert [c["record"]["id"] for c in body["results"]] == [conflict.pk]
    assert api_as(reviewer3).get(f"{base(review)}/{TA}/conflicts/").json()["results"] == []
    detail = api_as(reviewer).get(f"{base(review)}/{TA}/conflicts/{conflict.pk}/").json()
    assert {v["note"] for v in detail["votes"]} == {"", "imaging only"}
    assert api_as(reviewer3).get(f"{base(review)}/{TA}/conflicts/{conflict.pk}/").status_code == 403
    assert api_as(outsider).get(f"{base(review)}/{TA}/conflicts/").status_code == 404
    assert api_as(viewer).get(f"{base(review)}/{TA}/conflicts/").status_code == 403
    assert api_as(lead).post(f"{base(review)}/{TA}/conflicts/").status_code == 405


def test_conflict_comments(api_as, reviewer, reviewer3, outsider, review, conflict):
    path = f"{base(review)}/{TA}/conflicts/{conflict.pk}/comments/"
    response = api_as(reviewer).post(path, {"text": "ECG is clinical"}, format="json")
    assert response.status_code == 201 and response.json()["author"] == "reviewer"
    assert api_as(reviewer3).post(path, {"text": "x"}, format="json").status_code == 403
    assert api_as(outsider).post(path, {"text": "x"}, format="json").status_code == 404
    assert api_as(reviewer).get(path).status_code == 405
    assert ConflictComment.objects.count() == 1


def test_conflict_resolution_by_the_lead_only(api_as, lead, reviewer, outsider, review, conflict):
    path = f"{base(review)}/{TA}/conflicts/{conflict.pk}/resolution/"
    data = {"decision": "exclude", "rationale": "imaging only"}
    assert api_as(reviewer).post(path, data, format="json").status_code == 403
    assert api_as(outsider).post(path, data, format="json").status_code == 404
    response = api_as(lead).post(path, data, format="json")
    assert response.status_code == 200 and response.json()["outcome"]["status"] == "excluded"
    assert Resolution.objects.get(record=conflict).decided_by == lead
    assert api_as(lead).post(path, data, format="json").status_code == 409
    assert api_as(lead).get(path).status_code == 405


def test_fulltext_upload_download_and_not_retrieved(
    api_as, lead, reviewer, viewer, outsider, review, at_full_text, records
):
    at_full_text(records[0])
    at_full_text(records[1])
    path = f"{base(review)}/records/{records[0].pk}/fulltext/"
    upload = SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf")
    response = api_as(reviewer).post(path, {"file": upload}, format="multipart")
    assert response.status_code == 201 and response.json()["size"] == len(PDF)
    assert FullText.objects.filter(record=records[0]).count() == 1
    download = api_as(viewer).get(path)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert api_as(outsider).get(path).status_code == 404
    bad = SimpleUploadedFile("paper.pdf", b"GIF89a", content_type="application/pdf")
    response = api_as(reviewer).post(path, {"file": bad}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["error"]["fields"]
    assert api_as(viewer).post(path, {"file": upload}, format="multipart").status_code == 403
    assert api_as(reviewer).delete(path).status_code == 405
    gone = f"{base(review)}/records/{records[1].pk}/not-retrieved/"
    response = api_as(reviewer).post(gone, {"note": "no library access"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert StageOutcome.objects.get(record=records[1], stage=FT).status == Status.AWAITING
    response = api_as(lead).post(gone, {"note": "no library access"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "not_retrieved"
    assert StageOutcome.objects.get(record=records[1], stage=FT).status == Status.NOT_RETRIEVED
    assert api_as(viewer).post(gone, {"note": "x"}, format="json").status_code == 403
    assert api_as(reviewer).get(gone).status_code == 405


def test_full_text_vote_with_a_reason(api_as, reviewer, review, at_full_text, record, reasons):
    at_full_text(record)
    path = f"{base(review)}/{FT}/records/{record.pk}/vote/"
    response = api_as(reviewer).post(path, {"choice": "exclude"}, format="json")
    assert response.status_code == 400
    response = api_as(reviewer).post(path, {"choice": "exclude", "reason": reasons[0].pk}, format="json")
    assert response.status_code == 200 and response.json()["votes"][0]["reason"] == "Non-clinical research"


def test_exclusion_reasons(api_as, lead, reviewer, outsider, review, reasons):
    path = f"{base(review)}/exclusion-reasons/"
    assert [r["label"] for r in api_as(reviewer).get(path).json()] == [r.label for r in reasons]
    assert api_as(reviewer).post(path, {"label": "x"}, format="json").status_code == 403
    response = api_as(lead).post(path, {"label": "Review article"}, format="json")
    assert response.status_code == 201 and ExclusionReason.objects.filter(label="Review article").exists()
    assert api_as(outsider).get(path).status_code == 404
    assert api_as(lead).delete(path).status_code == 405


def test_progress_and_agreement(api_as, lead, reviewer, viewer, outsider, vote, reviewer2, review, records):
    vote(reviewer, records[0], "include")
    vote(reviewer2, records[0], "include")
    vote(reviewer, records[1], "include")
    vote(reviewer2, records[1], "exclude")
    body = api_as(lead).get(f"{base(review)}/progress/").json()
    ta = body["stages"][TA]
    assert ta["counts"]["conflicts"] == 1 and ta["counts"]["included"] == 1
    assert ta["agreement"]["pairs"][0]["records"] == 2 and ta["agreement"]["pairs"][0]["percent"] == 50.0
    mine = api_as(reviewer).get(f"{base(review)}/progress/").json()["stages"][TA]
    assert [r["username"] for r in mine["reviewers"]] == ["reviewer"]
    assert mine["agreement"]["pairs"][0]["records"] == 1  # only decided records for reviewers
    assert api_as(viewer).get(f"{base(review)}/progress/").status_code == 200
    assert api_as(outsider).get(f"{base(review)}/progress/").status_code == 404
    assert api_as(lead).post(f"{base(review)}/progress/").status_code == 405


def test_vote_can_return_my_next_record_in_the_same_call(api_as, reviewer, review, records):
    client = api_as(reviewer)
    client.get(f"{base(review)}/{TA}/next/")
    path = f"{base(review)}/{TA}/records/{records[0].pk}/vote/"
    body = client.post(path, {"choice": "exclude", "next": True}, format="json").json()
    assert body["votes"][0]["choice"] == "exclude"
    assert body["next"]["record"]["id"] == records[1].pk
    assert "next" not in client.post(path, {"choice": "include"}, format="json").json()
    assert Vote.objects.get(reviewer=reviewer).choice == "include"


def test_screening_responses_have_exactly_the_documented_serializer_shape(
    api_as, vote, reviewer, reviewer2, review, reasons, at_full_text, records
):
    """The vote and next routes build their bodies without serializers (they are the hottest path); the
    documented serializers must give the very same JSON for the same record, outcome and votes."""
    import json

    from rest_framework.renderers import JSONRenderer

    from screening.api.common import ScreeningOutcomeOut, ScreeningRecordOut, ScreeningVoteOut, outcome_data
    from screening.selectors import outcome_of

    record = at_full_text(records[1])
    record.keywords, record.authors = ["transfer learning"], ["Smith, J.", "Doe, A."]
    record.save()
    vote(reviewer, record, "exclude", stage=FT, reason=reasons[0], note="<b>no</b>")
    body = api_as(reviewer2).post(
        f"{base(review)}/{FT}/records/{record.pk}/vote/", {"choice": "exclude", "reason": reasons[0].pk}, format="json"
    )
    assert body.status_code == 200
    got = body.json()
    outcome = outcome_of(record=record, stage=FT)
    votes = Vote.objects.filter(record=record, stage=FT).select_related("reviewer", "reason").order_by("cast_at")
    documented = {
        "record": ScreeningRecordOut(record).data,
        "outcome": ScreeningOutcomeOut({**outcome_data_source(outcome, review), "decided_at": outcome.decided_at}).data,
        "votes": ScreeningVoteOut(votes, many=True).data,
    }
    assert got == json.loads(JSONRenderer().render(documented))
    assert got["outcome"]["status"] == Status.EXCLUDED and len(got["votes"]) == 2
    assert outcome_data(None, None, FT) is None


def outcome_data_source(outcome, review):
    return {
        "stage": outcome.stage,
        "status": outcome.status,
        "vote_count": outcome.vote_count,
        "votes_required": settings_for(review).votes_required_full_text,
        "reasons": outcome.reasons,
        "decided_by": outcome.decided_by,
    }


def test_title_abstract_reason_is_refused_with_400_where_the_review_does_not_use_them(
    api_as, reviewer, review, reasons, records
):
    path = f"{base(review)}/{TA}/records/{records[0].pk}/vote/"
    response = api_as(reviewer).post(path, {"choice": "exclude", "reason": reasons[0].pk}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"reason": [response.json()["error"]["message"]]}
    assert not Vote.objects.filter(record=records[0]).exists()


def test_title_abstract_reason_is_stored_when_the_lead_switches_them_on(
    api_as, lead, reviewer, review, reasons, records
):
    settings = f"/api/v1/reviews/{review.slug}/screening/settings/"
    assert (
        api_as(lead).patch(settings, {"title_abstract_reasons": True}, format="json").json()["title_abstract_reasons"]
    )
    path = f"{base(review)}/{TA}/records/{records[0].pk}/vote/"
    response = api_as(reviewer).post(path, {"choice": "exclude", "reason": reasons[0].pk}, format="json")
    assert response.status_code == 200 and response.json()["votes"][0]["reason"] == reasons[0].label
    assert Vote.objects.get(record=records[0]).reason == reasons[0]

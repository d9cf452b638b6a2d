"""The doors of screening/access.py: each object fetched scoped to its review, each rule answered the same way by
the page, the API and the service."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from review.access import review_for_user
from review.errors import ServiceError
from review.models import Review, Role
from screening.access import FullTextAction, conflict_for, fulltext_for, fulltext_record_for, record_at_stage
from screening.models import ConflictComment, Stage
from screening.services.conflicts import conflict_comment_add
from screening.services.fulltexts import fulltext_upload

TA = Stage.TITLE_ABSTRACT.value
PDF = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"


def access(user, review):
    return review_for_user(user=user, slug=review.slug, min_role=Role.VIEWER)


@pytest.fixture
def foreign(lead, record):
    """A record that belongs to another review of the same lead."""
    other = Review.objects.create(title="Other", slug="other", created_by=lead)
    record.review = other
    record.save()
    return record


def test_the_conflict_door_lets_in_the_lead_the_arbiter_and_the_reviewers_who_voted(
    review, lead, arbiter, reviewer, reviewer3, conflict
):
    for user in (lead, arbiter, reviewer):
        assert conflict_for(access=access(user, review), user=user, stage=TA, record_id=conflict.pk) == conflict
    with pytest.raises(ServiceError) as refused:
        conflict_for(access=access(reviewer3, review), user=reviewer3, stage=TA, record_id=conflict.pk)
    assert refused.value.code == "forbidden"


def test_only_the_lead_or_an_arbiter_pass_the_door_to_decide_a_conflict(review, arbiter, reviewer, conflict):
    assert conflict_for(access=access(arbiter, review), user=arbiter, stage=TA, record_id=conflict.pk, resolve=True)
    with pytest.raises(ServiceError) as refused:
        conflict_for(access=access(reviewer, review), user=reviewer, stage=TA, record_id=conflict.pk, resolve=True)
    assert refused.value.code == "forbidden"


def test_every_door_answers_not_found_for_a_record_of_another_review(review, lead, foreign):
    mine = access(lead, review)
    doors = [
        lambda: conflict_for(access=mine, user=lead, stage=TA, record_id=foreign.pk),
        lambda: record_at_stage(access=mine, stage=TA, record_id=foreign.pk),
        lambda: fulltext_record_for(access=mine, record_id=foreign.pk, action=FullTextAction.REPLACE),
        lambda: fulltext_for(access=mine, record_id=foreign.pk),
    ]
    for door in doors:
        with pytest.raises(ServiceError) as refused:
            door()
        assert refused.value.code == "not_found"


def test_an_unknown_stage_is_not_found(review, reviewer, record):
    with pytest.raises(ServiceError) as refused:
        record_at_stage(access=access(reviewer, review), stage="abstracts", record_id=record.pk)
    assert refused.value.code == "not_found"


def test_the_full_text_door_by_role(review, lead, reviewer, viewer, record, at_full_text):
    at_full_text(record)
    with pytest.raises(ServiceError) as refused:
        fulltext_record_for(access=access(viewer, review), record_id=record.pk, action=FullTextAction.REPLACE)
    assert refused.value.code == "forbidden"
    with pytest.raises(ServiceError) as refused:
        fulltext_record_for(access=access(reviewer, review), record_id=record.pk, action=FullTextAction.NOT_RETRIEVED)
    assert refused.value.code == "forbidden"
    assert fulltext_record_for(access=access(lead, review), record_id=record.pk, action=FullTextAction.NOT_RETRIEVED)
    with pytest.raises(ServiceError) as refused:
        fulltext_for(access=access(viewer, review), record_id=record.pk)
    assert refused.value.code == "not_found"  # nothing uploaded yet
    upload = SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf")
    stored = fulltext_upload(review=review, record=record, by=reviewer, upload=upload)
    assert fulltext_for(access=access(viewer, review), record_id=record.pk) == stored


def test_a_viewer_cannot_upload_a_full_text_through_the_service(review, viewer, record, at_full_text):
    at_full_text(record)
    upload = SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf")
    with pytest.raises(ServiceError) as refused:
        fulltext_upload(review=review, record=record, by=viewer, upload=upload)
    assert refused.value.code == "forbidden"


def test_page_api_and_service_refuse_a_reviewer_outside_the_conflict_alike(
    client, api_clients, review, reviewer3, conflict
):
    page = reverse("screening:conflict-comment", args=[review.slug, TA, conflict.pk])
    client.force_login(reviewer3)
    assert client.post(page, {"text": "I was not there"}).status_code == 403
    api = f"/api/v1/reviews/{review.slug}/screening/{TA}/conflicts/{conflict.pk}/comments/"
    response = api_clients(reviewer3).post(api, {"text": "I was not there"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert api_clients(reviewer3).get(api.removesuffix("comments/")).status_code == 403
    with pytest.raises(ServiceError):
        conflict_comment_add(review=review, record=conflict, stage=TA, by=reviewer3, text="I was not there")
    assert not ConflictComment.objects.exists()


def test_the_api_answers_404_for_a_conflict_of_another_review(api_clients, review, lead, foreign):
    api = f"/api/v1/reviews/{review.slug}/screening/{TA}/conflicts/{foreign.pk}/"
    response = api_clients(lead).get(api)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_every_screening_page_and_route_states_the_role_it_needs():
    """review_for_user defaults to the viewer role: a route that forgot to say would quietly open to viewers."""
    import inspect
    import re
    from pathlib import Path

    from screening.api.common import access_for

    assert inspect.signature(access_for).parameters["min_role"].default is inspect.Parameter.empty
    root = Path(__file__).resolve().parents[2] / "screening"
    for path in [*root.glob("views/*.py"), *root.glob("api/*.py")]:
        for call in re.findall(r"review_for_user\((.*?)\)\n", path.read_text(), re.S):
            assert "min_role=" in call, f"{path.name}: review_for_user({call}) does not state its role"

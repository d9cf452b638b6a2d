"""Review, member and token API routes: happy path, outsider 404, forbidden role, wrong method."""

from __future__ import annotations

import pytest

from review.models import ApiToken, Membership, Review, Role
from review.services import api_token_create
from screening.models import ScreeningSettings


@pytest.fixture
def api_as(api_client):
    def login(user):
        api_client.force_authenticate(user=None)
        api_client.force_login(user)
        return api_client

    return login


def test_reviews_list_only_mine(api_as, lead, review, outsider):
    body = api_as(lead).get("/api/v1/reviews/").json()
    assert [item["slug"] for item in body["results"]] == [review.slug]
    assert body["results"][0]["my_role"] == "lead"


def test_reviews_list_anonymous_is_refused_with_error_shape(api_client, db):
    response = api_client.get("/api/v1/reviews/")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_review_create(api_as, outsider):
    response = api_as(outsider).post(
        "/api/v1/reviews/", {"title": "API review", "votes_required_full_text": 3}, format="json"
    )
    assert response.status_code == 201
    review = Review.objects.get(slug=response.json()["slug"])
    assert response.json()["votes_required_full_text"] == 3
    assert ScreeningSettings.objects.get(review=review).votes_required_full_text == 3  # a screening setting now
    assert Membership.objects.get(review=review, user=outsider).role == Role.LEAD


def test_review_create_validation_error_shape(api_as, lead):
    response = api_as(lead).post("/api/v1/reviews/", {"votes_required_full_text": 0}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "title" in fields and "votes_required_full_text" in fields


def test_review_detail_and_update(api_as, lead, review):
    client = api_as(lead)
    assert client.get(f"/api/v1/reviews/{review.slug}/").json()["title"] == review.title
    response = client.patch(f"/api/v1/reviews/{review.slug}/", {"blinded": False}, format="json")
    assert response.status_code == 200
    assert response.json()["blinded"] is False
    assert ScreeningSettings.objects.get(review=review).blinded is False
    shown = client.get(f"/api/v1/reviews/{review.slug}/").json()
    assert (shown["blinded"], shown["votes_required_title_abstract"], shown["votes_required_full_text"]) == (
        False,
        2,
        2,
    )


def test_review_detail_outsider_404(api_as, outsider, review):
    client = api_as(outsider)
    assert client.get(f"/api/v1/reviews/{review.slug}/").status_code == 404
    assert client.patch(f"/api/v1/reviews/{review.slug}/", {"title": "x"}, format="json").status_code == 404


def test_review_update_forbidden_for_reviewer(api_as, reviewer, review):
    response = api_as(reviewer).patch(f"/api/v1/reviews/{review.slug}/", {"title": "x"}, format="json")
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.title != "x"


def test_review_detail_wrong_method(api_as, lead, review):
    assert api_as(lead).delete(f"/api/v1/reviews/{review.slug}/").status_code == 405


def test_members_list_add_change_remove(api_as, api_clients, lead, review, outsider):
    client = api_as(lead)
    assert [m["username"] for m in client.get(f"/api/v1/reviews/{review.slug}/members/").json()] == ["lead"]
    response = client.post(
        f"/api/v1/reviews/{review.slug}/members/",
        {"identifier": "outsider@example.org", "role": "reviewer"},
        format="json",
    )
    # An existing account is invited, not added: it joins when it accepts.
    assert response.status_code == 202
    assert not Membership.objects.filter(review=review, user=outsider).exists()
    accepted = api_clients(outsider).post(f"/api/v1/invitations/{response.json()['id']}/accept/")
    assert accepted.status_code == 201
    member_id = Membership.objects.get(review=review, user=outsider).pk
    response = client.patch(f"/api/v1/reviews/{review.slug}/members/{member_id}/", {"role": "viewer"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "viewer"
    assert client.delete(f"/api/v1/reviews/{review.slug}/members/{member_id}/").status_code == 204
    assert not Membership.objects.filter(review=review, user=outsider).exists()


def test_members_invite_new_email_returns_202(api_as, lead, review):
    response = api_as(lead).post(
        f"/api/v1/reviews/{review.slug}/members/",
        {"identifier": "new@example.org", "role": "viewer"},
        format="json",
    )
    assert response.status_code == 202 and response.json()["invited"] == "new@example.org"


def test_members_add_forbidden_for_reviewer(api_as, reviewer, review, outsider):
    response = api_as(reviewer).post(
        f"/api/v1/reviews/{review.slug}/members/", {"identifier": "outsider", "role": "lead"}, format="json"
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(review=review, user=outsider).exists()


def test_members_outsider_404(api_as, outsider, review):
    assert api_as(outsider).get(f"/api/v1/reviews/{review.slug}/members/").status_code == 404


def test_members_wrong_method(api_as, lead, review):
    assert api_as(lead).put(f"/api/v1/reviews/{review.slug}/members/", {}, format="json").status_code == 405


def test_last_lead_cannot_be_demoted_via_api(api_as, lead, review):
    membership = Membership.objects.get(review=review, user=lead)
    response = api_as(lead).patch(
        f"/api/v1/reviews/{review.slug}/members/{membership.pk}/", {"role": "viewer"}, format="json"
    )
    assert response.status_code == 400
    assert "at least one lead" in response.json()["error"]["message"]
    membership.refresh_from_db()
    assert membership.role == Role.LEAD


def test_member_of_other_review_is_404(api_as, lead, review, outsider):
    foreign = Membership.objects.get(user=outsider)
    response = api_as(lead).delete(f"/api/v1/reviews/{review.slug}/members/{foreign.pk}/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_token_lifecycle_and_bearer_auth(api_client, lead, review):
    api_client.force_login(lead)
    response = api_client.post("/api/v1/tokens/", {"name": "ci"}, format="json")
    assert response.status_code == 201
    key, token_id = response.json()["key"], response.json()["id"]
    api_client.logout()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get(f"/api/v1/reviews/{review.slug}/").status_code == 200
    assert api_client.delete(f"/api/v1/tokens/{token_id}/").status_code == 204
    assert api_client.get(f"/api/v1/reviews/{review.slug}/").status_code == 401
    assert ApiToken.objects.get(pk=token_id).revoked_at is not None


def test_token_of_another_user_cannot_be_revoked(api_as, outsider, lead):
    token, _ = api_token_create(user=lead, name="x")
    assert api_as(outsider).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_wrong_method(api_as, lead):
    assert api_as(lead).put("/api/v1/tokens/", {}, format="json").status_code == 405


def test_malformed_bearer_header(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer")
    assert api_client.get("/api/v1/reviews/").status_code == 401


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/reviews/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()


def test_openapi_schema_validates_without_warnings(tmp_path, db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/reviews/{review}/records/" in (tmp_path / "schema.yaml").read_text()


def test_invitations_list_and_revoke(api_as, lead, reviewer, review, django_capture_on_commit_callbacks):
    from review.models import Invitation

    client = api_as(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/api/v1/reviews/{review.slug}/members/",
            {"identifier": "new@example.org", "role": "viewer"},
            format="json",
        )
    listed = client.get(f"/api/v1/reviews/{review.slug}/invitations/").json()
    assert [i["email"] for i in listed] == ["new@example.org"]
    url = f"/api/v1/reviews/{review.slug}/invitations/{listed[0]['id']}/"
    assert api_as(reviewer).delete(url).status_code == 403
    assert api_as(lead).get(url).status_code == 405
    assert api_as(lead).delete(url).status_code == 204
    assert Invitation.objects.get(pk=listed[0]["id"]).revoked_at is not None

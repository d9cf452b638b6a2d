"""API tokens: revoked by a password change or reset, optional expiry, and only a logged-in session mints them."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from review.models import ApiToken
from review.services import api_token_create
from tests.factories import PASSWORD

NEW_PASSWORD = "another-long-phrase-42"


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_changing_the_password_revokes_the_accounts_tokens(client, lead, review, outsider):
    _token, key = api_token_create(user=lead, name="script")
    _other, other_key = api_token_create(user=outsider, name="theirs")
    assert bearer(key).get(f"/api/v1/reviews/{review.slug}/").status_code == 200
    client.force_login(lead)
    page = client.get(reverse("password_change"))
    assert b"revokes every API token" in page.content
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert bearer(key).get(f"/api/v1/reviews/{review.slug}/").status_code == 401
    token = ApiToken.objects.get(user=lead)
    assert token.revoked_at is not None and token.revoked_reason == "password changed"
    # Someone else's token is untouched.
    assert ApiToken.objects.get(user=outsider).revoked_at is None
    assert bearer(other_key).get("/api/v1/reviews/").status_code == 200


def test_resetting_the_password_revokes_the_accounts_tokens(client, lead, review, django_capture_on_commit_callbacks):
    _token, key = api_token_create(user=lead, name="script")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": lead.email})
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    path = link[link.index("/accounts/") :]
    form_page = client.get(path, follow=True)
    assert b"revokes every API token" in form_page.content
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password(NEW_PASSWORD)
    assert bearer(key).get(f"/api/v1/reviews/{review.slug}/").status_code == 401
    assert ApiToken.objects.get(user=lead).revoked_reason == "password reset"


def test_profile_says_a_password_change_revokes_tokens(as_lead):
    assert (
        b"Changing or resetting your password revokes all your tokens"
        in as_lead.get(reverse("accounts:profile")).content
    )


def test_a_token_cannot_mint_another_token(lead):
    _token, key = api_token_create(user=lead, name="script")
    response = bearer(key).post("/api/v1/tokens/", {"name": "offspring"}, format="json")
    assert response.status_code == 403
    assert "logged-in session" in response.json()["error"]["message"]
    assert ApiToken.objects.filter(user=lead).count() == 1


def test_a_session_creates_a_token_with_an_expiry(api_client, lead, review):
    api_client.force_login(lead)
    response = api_client.post("/api/v1/tokens/", {"name": "ci", "expires_in_days": 7}, format="json")
    assert response.status_code == 201
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert response.json()["expires_at"] is not None
    assert bearer(response.json()["key"]).get(f"/api/v1/reviews/{review.slug}/").status_code == 200


def test_an_expired_token_stops_working(lead, review):
    token, key = api_token_create(user=lead, name="short", expires_in_days=1)
    assert bearer(key).get(f"/api/v1/reviews/{review.slug}/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(key).get(f"/api/v1/reviews/{review.slug}/").status_code == 401


def test_a_token_without_expiry_keeps_working(lead, review):
    token, key = api_token_create(user=lead, name="long")
    assert token.expires_at is None
    assert bearer(key).get(f"/api/v1/reviews/{review.slug}/").status_code == 200


def test_expiry_out_of_range_is_refused(api_client, lead):
    api_client.force_login(lead)
    for days in (0, -1, 3651, "soon"):
        response = api_client.post("/api/v1/tokens/", {"name": "x", "expires_in_days": days}, format="json")
        assert response.status_code == 400 and "expires_in_days" in response.json()["error"]["fields"]
    assert not ApiToken.objects.filter(user=lead).exists()


def test_profile_page_creates_a_token_with_an_expiry(as_lead, lead):
    response = as_lead.post(reverse("accounts:profile"), {"name": "nightly", "expires_in_days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=lead)
    assert token.expires_at is not None and token.expires_at > timezone.now() + timedelta(days=29)
    response = as_lead.post(reverse("accounts:profile"), {"name": "bad", "expires_in_days": "0"})
    assert response.status_code == 400
    assert ApiToken.objects.filter(user=lead).count() == 1


def test_password_change_page_for_anonymous_redirects_to_login(db):
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_administrator_setting_the_password_revokes_the_tokens(lead):
    from tests.factories import UserFactory

    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    _token, key = api_token_create(user=lead, name="script")
    client = Client()
    client.force_login(admin_user)
    url = reverse("admin:auth_user_password_change", args=[lead.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password(NEW_PASSWORD)
    assert ApiToken.objects.get(user=lead).revoked_reason == "password set by an administrator"
    assert bearer(key).get("/api/v1/reviews/").status_code == 401

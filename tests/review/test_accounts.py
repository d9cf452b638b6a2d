from __future__ import annotations

from django.test import Client
from django.urls import reverse

from review.models import ApiToken
from tests.factories import PASSWORD


def test_login_page_and_login(client, lead):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("review:list")).status_code == 200


def test_login_is_rate_limited(client, lead):
    for _ in range(10):
        assert client.post(reverse("login"), {"username": "lead", "password": "wrong"}).status_code == 200
    response = client.post(reverse("login"), {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(as_lead):
    assert as_lead.get(reverse("logout")).status_code == 405
    assert as_lead.post(reverse("logout")).status_code == 302


def test_password_reset_sends_mail(client, lead, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):  # the mail goes out from a task after the commit
        response = client.post(reverse("password_reset"), {"email": "lead@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_password_change(client, lead):
    client.force_login(lead)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-phrase",
            "new_password2": "another-long-phrase",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password("another-long-phrase")


def test_profile_creates_and_revokes_tokens(as_lead, lead):
    response = as_lead.post(reverse("accounts:profile"), {"name": "my script"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=lead)
    key = response.context["new_key"]
    assert key.startswith(token.prefix) and token.key_hash != key  # only the hash is stored

    api = Client()
    assert api.get("/api/v1/reviews/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert as_lead.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 302
    assert api.get("/api/v1/reviews/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_cannot_revoke_someone_elses_token(as_outsider, lead):
    from review.services import api_token_create

    token, _key = api_token_create(user=lead, name="x")
    assert as_outsider.post(reverse("accounts:token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_profile_wrong_method(as_lead):
    assert as_lead.delete(reverse("accounts:profile")).status_code == 405


def test_healthz_reports_database(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_pages_send_a_strict_content_security_policy(as_lead, review):
    response = as_lead.get(reverse("review:home", args=[review.slug]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]

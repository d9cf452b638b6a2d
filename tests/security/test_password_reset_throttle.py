"""Password reset: throttled per address and per client; the mail is sent by a task, with a link from SITE_URL."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse

RESET = "/accounts/password/reset/"


def test_many_requests_for_one_address_send_at_most_the_limit(lead, django_capture_on_commit_callbacks):
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(15):
            # From fifteen different clients, so that only the per-address limit applies.
            response = Client(REMOTE_ADDR=f"192.0.2.{number}").post(RESET, {"email": lead.email})
            statuses.append(response.status_code)
    # Every request gets the same answer (the address is not confirmed or denied), but only three mails go out.
    assert statuses == [302] * 15
    assert len(mail.outbox) == 3
    assert {tuple(message.to) for message in mail.outbox} == {(lead.email,)}


def test_address_limit_ignores_case_and_spaces(lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number, spelling in enumerate([lead.email, lead.email.upper(), f" {lead.email} ", lead.email]):
            Client(REMOTE_ADDR=f"192.0.2.{number}").post(RESET, {"email": spelling})
    assert len(mail.outbox) == 3


def test_one_client_is_refused_after_its_limit(lead, db):
    client = Client(REMOTE_ADDR="192.0.2.80")
    for number in range(10):
        assert client.post(RESET, {"email": f"someone{number}@example.org"}).status_code == 302
    response = client.post(RESET, {"email": lead.email})
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert b"Too many reset requests" in response.content
    assert mail.outbox == []
    # Another client is not affected.
    assert Client(REMOTE_ADDR="192.0.2.81").post(RESET, {"email": lead.email}).status_code == 302


def test_the_mail_is_sent_by_a_task_not_inside_the_request(lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = Client().post(RESET, {"email": lead.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [lead.email]


def test_the_link_comes_from_site_url_not_the_host_header(settings, lead, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://reviews.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_HOST="attacker.example").post(RESET, {"email": lead.email})
    body = mail.outbox[0].body
    assert "https://reviews.example.org/accounts/reset/" in body and "attacker.example" not in body


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(RESET, {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_an_inactive_account_gets_no_mail(lead, django_capture_on_commit_callbacks):
    lead.is_active = False
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": lead.email})
    assert mail.outbox == []


def test_reset_page_wrong_method(client, db):
    assert client.put(RESET).status_code == 405

"""The log-in throttle: one count per account whatever the spelling, shared by the site's and the admin's log-in,
per real client behind a trusted proxy, and atomic under concurrent guesses."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_login_failed
from django.db import connections
from django.test import Client, RequestFactory

from accounts import throttles
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
FULL_WIDTH_LEAD = "\uff4c\uff45\uff41\uff44"  # "lead" in full-width letters; NFKC makes it "lead"


def fail(client: Client, url: str, username: str, times: int, **extra: str) -> None:
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"}, **extra)
        assert response.status_code == 200


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def test_admin_login_is_rate_limited(client, admin_user):
    fail(client, ADMIN_LOGIN, "admin", 10)
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429 and response["Retry-After"] == "300"
    assert SESSION_KEY not in client.session


def test_admin_login_shares_the_sites_count(client, admin_user):
    fail(client, LOGIN, "admin", 10)
    assert client.post(LOGIN, {"username": "admin", "password": PASSWORD}).status_code == 429
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_admin_login_still_works(client, admin_user):
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(admin_user.pk)


@pytest.mark.parametrize("spelling", [" lead", "lead ", FULL_WIDTH_LEAD, "LEAD"])
def test_other_spellings_of_a_locked_account_are_locked_too(lead, spelling):
    fail(Client(REMOTE_ADDR="192.0.2.1"), LOGIN, "lead", 10)
    # From another address, so that only the account's own count can refuse it.
    other = Client(REMOTE_ADDR="192.0.2.2")
    response = other.post(LOGIN, {"username": spelling, "password": PASSWORD})
    assert response.status_code == 429
    assert SESSION_KEY not in other.session


def test_spellings_count_towards_one_account(lead):
    for number, spelling in enumerate(("lead", " lead", "lead ", FULL_WIDTH_LEAD, "Lead")):
        fail(Client(REMOTE_ADDR=f"192.0.2.{number}"), LOGIN, spelling, 2)
    assert Client(REMOTE_ADDR="192.0.2.99").post(LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 429


def test_full_width_name_logs_in_when_not_locked(client, lead):
    # The lock must cover every spelling precisely because Django accepts them all as the same account.
    response = client.post(LOGIN, {"username": FULL_WIDTH_LEAD, "password": PASSWORD})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(lead.pk)


def test_a_locked_account_does_not_lock_another(client, lead, reviewer):
    fail(client, LOGIN, "lead", 10)
    response = client.post(LOGIN, {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(reviewer.pk)


def test_success_clears_the_accounts_failures(client, lead):
    fail(client, LOGIN, "lead", 9)
    assert Client().post(LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 302
    fail(client, LOGIN, "lead", 9)
    assert Client().post(LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 302


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 1


def test_one_person_behind_the_proxy_cannot_lock_everyone_out(behind_proxy, lead):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for number in range(60):
        attacker.post(LOGIN, {"username": f"guess{number}", "password": "wrong"})
    # The attacker's own address is now refused...
    assert attacker.post(LOGIN, {"username": "someone", "password": "wrong"}).status_code == 429
    # ...but a colleague arriving through the same proxy logs in.
    colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = colleague.post(LOGIN, {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302 and colleague.session[SESSION_KEY] == str(lead.pk)


def test_client_address_trusts_only_the_proxys_own_entry(behind_proxy):
    factory = RequestFactory()
    # The client wrote "1.2.3.4" itself; our proxy appended the address it really saw.
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert throttles.client_address(request) == "198.51.100.7"
    # A direct connection (no header) is counted by its socket address.
    assert throttles.client_address(factory.get("/", REMOTE_ADDR="192.0.2.9")) == "192.0.2.9"


def test_client_address_without_a_trusted_proxy_ignores_the_header(settings):
    settings.TRUSTED_PROXY_HEADER = ""
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert throttles.client_address(request) == "192.0.2.9"


def test_the_client_limit_still_stops_spraying_many_accounts(settings, db):
    settings.LOGIN_FAILURES_PER_CLIENT = 5
    client = Client(REMOTE_ADDR="192.0.2.50")
    for number in range(5):
        assert client.post(LOGIN, {"username": f"guess{number}", "password": "x"}).status_code == 200
    assert client.post(LOGIN, {"username": "guess99", "password": "x"}).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_never_check_more_passwords_than_the_limit():
    UserFactory(username="target")
    checked = []
    lock = threading.Lock()

    def count(sender, credentials, request=None, **kwargs):
        with lock:
            checked.append(credentials.get("username"))

    user_login_failed.connect(count, dispatch_uid="count-checks")
    attempts = 40
    barrier = threading.Barrier(attempts)
    statuses: list[int] = []

    def guess(number: int) -> None:
        try:
            barrier.wait()
            response = Client(REMOTE_ADDR=f"192.0.2.{number}").post(
                LOGIN, {"username": "target", "password": f"wrong{number}"}
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(attempts)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        user_login_failed.disconnect(dispatch_uid="count-checks")
    assert len(statuses) == attempts
    assert len(checked) <= 10
    assert statuses.count(429) == attempts - len(checked)


def test_a_password_reset_lifts_the_accounts_lock(lead, django_capture_on_commit_callbacks):
    import re

    from django.core import mail

    fail(Client(REMOTE_ADDR="192.0.2.1"), LOGIN, "lead", 10)
    owner = Client(REMOTE_ADDR="192.0.2.2")
    assert owner.post(LOGIN, {"username": "lead", "password": PASSWORD}).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        owner.post("/accounts/password/reset/", {"email": lead.email})
    path = re.search(r"/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    form_url = owner.get(path, follow=True).redirect_chain[-1][0]
    new = "a-brand-new-pass-phrase"
    assert owner.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    response = owner.post(LOGIN, {"username": "lead", "password": new})
    assert response.status_code == 302 and owner.session[SESSION_KEY] == str(lead.pk)

"""Joining a review needs consent; e-mail addresses are not disclosed; members can leave; invitation links come
from SITE_URL and the lead can copy them (issue #14 item 8, issue #17 item 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from review.models import AuditEvent, Invitation, Membership, Role
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory

SECRET_EMAIL = "alice.private@example.net"


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email=SECRET_EMAIL)


def members_url(review) -> str:
    return f"/api/v1/reviews/{review.slug}/members/"


# Consent and disclosure ----------------------------------------------------------------------------------------


def test_api_invite_by_username_neither_adds_nor_discloses(api_clients, outsider, alice):
    stranger = api_clients(outsider)
    created = stranger.post("/api/v1/reviews/", {"title": "Bait"}, format="json").json()
    response = stranger.post(
        f"/api/v1/reviews/{created['slug']}/members/", {"identifier": "alice", "role": "reviewer"}, format="json"
    )
    assert response.status_code == 202
    assert SECRET_EMAIL not in response.content.decode()
    assert response.json()["invited"] == "alice"
    assert not Membership.objects.filter(user=alice, review__slug=created["slug"]).exists()
    # Nor does any later answer about the review disclose it.
    for url in (f"/api/v1/reviews/{created['slug']}/members/", f"/api/v1/reviews/{created['slug']}/invitations/"):
        listed = stranger.get(url)
        assert listed.status_code == 200 and SECRET_EMAIL not in listed.content.decode()
    pending = stranger.get(f"/api/v1/reviews/{created['slug']}/invitations/").json()
    assert pending[0]["username"] == "alice" and pending[0]["email"] == ""


def test_page_invite_by_username_neither_adds_nor_discloses(as_outsider, outsider, alice):
    response = as_outsider.post(reverse("review:create"), {"title": "Bait"})
    slug = response["Location"].strip("/").split("/")[-1]
    response = as_outsider.post(
        reverse("review:members", args=[slug]), {"identifier": "alice", "role": "reviewer"}, follow=True
    )
    assert response.status_code == 200
    assert SECRET_EMAIL.encode() not in response.content
    assert b"alice is invited" in response.content
    assert not Membership.objects.filter(user=alice, review__slug=slug).exists()


def test_members_list_shows_only_your_own_address(api_clients, as_reviewer, lead, review, reviewer):
    body = api_clients(reviewer).get(members_url(review)).json()
    emails = {member["username"]: member["email"] for member in body}
    assert emails == {"lead": None, "reviewer": reviewer.email}
    page = as_reviewer.get(reverse("review:members", args=[review.slug]))
    assert reviewer.email.encode() in page.content and lead.email.encode() not in page.content


def test_inviting_an_account_by_its_address_shows_the_address_the_lead_typed(api_clients, lead, review, alice):
    response = api_clients(lead).post(
        members_url(review), {"identifier": SECRET_EMAIL, "role": "viewer"}, format="json"
    )
    assert response.status_code == 202 and response.json()["invited"] == SECRET_EMAIL
    invitation = Invitation.objects.get(review=review)
    assert invitation.invitee == alice and invitation.email == SECRET_EMAIL


def test_a_second_pending_invitation_for_one_account_is_refused(api_clients, lead, review, alice):
    client = api_clients(lead)
    assert client.post(members_url(review), {"identifier": "alice", "role": "viewer"}, format="json").status_code == 202
    response = client.post(members_url(review), {"identifier": SECRET_EMAIL, "role": "viewer"}, format="json")
    assert response.status_code == 400 and "pending invitation" in response.json()["error"]["message"]
    assert Invitation.objects.filter(review=review).count() == 1


def test_inviting_an_existing_member_is_refused(api_clients, lead, review, reviewer):
    response = api_clients(lead).post(members_url(review), {"identifier": "reviewer", "role": "viewer"}, format="json")
    assert response.status_code == 400 and "already a member" in response.json()["error"]["message"]
    assert not Invitation.objects.filter(review=review).exists()


# Accepting and declining ---------------------------------------------------------------------------------------


@pytest.fixture
def invitation(api_clients, lead, review, alice):
    response = api_clients(lead).post(members_url(review), {"identifier": "alice", "role": "reviewer"}, format="json")
    return Invitation.objects.get(pk=response.json()["id"])


def test_invitee_sees_the_invitation_on_the_reviews_page_and_accepts(review, alice, invitation):
    client = client_for(alice)
    page = client.get(reverse("review:list"))
    assert review.title.encode() in page.content and b"Invitations for you" in page.content
    response = client.post(reverse("review:invitation-accept", args=[invitation.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("review:home", args=[review.slug])
    assert Membership.objects.get(review=review, user=alice).role == Role.REVIEWER
    invitation.refresh_from_db()
    assert invitation.accepted_by == alice and invitation.accepted_at is not None
    assert AuditEvent.objects.filter(review=review, action="member.joined", actor=alice).exists()
    assert b"Invitations for you" not in client.get(reverse("review:list")).content


def test_invitee_declines_on_the_page(review, alice, invitation):
    response = client_for(alice).post(reverse("review:invitation-decline", args=[invitation.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(review=review, user=alice).exists()
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    # A declined invitation cannot be accepted afterwards.
    assert client_for(alice).post(reverse("review:invitation-accept", args=[invitation.pk])).status_code == 404
    assert not Membership.objects.filter(review=review, user=alice).exists()


def test_invitee_accepts_and_declines_through_the_api(api_clients, lead, review, alice, invitation):
    client = api_clients(alice)
    listed = client.get("/api/v1/invitations/").json()
    assert [(item["id"], item["review"], item["invited_by"]) for item in listed] == [
        (invitation.pk, review.slug, "lead")
    ]
    response = client.post(f"/api/v1/invitations/{invitation.pk}/accept/")
    assert response.status_code == 201 and response.json() == {"review": review.slug, "role": "reviewer"}
    assert Membership.objects.filter(review=review, user=alice).exists()
    assert client.get("/api/v1/invitations/").json() == []
    # Declining through the API (another invitation).
    other = api_clients(lead).post("/api/v1/reviews/", {"title": "Second"}, format="json").json()
    second = api_clients(lead).post(
        f"/api/v1/reviews/{other['slug']}/members/", {"identifier": "alice", "role": "viewer"}, format="json"
    )
    assert client.post(f"/api/v1/invitations/{second.json()['id']}/decline/").status_code == 204
    assert not Membership.objects.filter(review__slug=other["slug"], user=alice).exists()


def test_nobody_else_can_answer_an_invitation(api_clients, as_outsider, outsider, review, alice, invitation):
    assert as_outsider.post(reverse("review:invitation-accept", args=[invitation.pk])).status_code == 404
    assert api_clients(outsider).post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 404
    assert api_clients(outsider).post(f"/api/v1/invitations/{invitation.pk}/decline/").status_code == 404
    assert api_clients(outsider).get("/api/v1/invitations/").json() == []
    assert not Membership.objects.filter(review=review, user__in=[outsider, alice]).exists()
    invitation.refresh_from_db()
    assert invitation.declined_at is None and invitation.accepted_at is None


def test_expired_or_withdrawn_invitations_cannot_be_accepted(api_clients, lead, review, alice, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_clients(alice).post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now()
    )
    assert client_for(alice).post(reverse("review:invitation-accept", args=[invitation.pk])).status_code == 404
    assert not Membership.objects.filter(review=review, user=alice).exists()


def test_answer_routes_wrong_method(api_clients, alice, invitation):
    assert client_for(alice).get(reverse("review:invitation-accept", args=[invitation.pk])).status_code == 405
    assert api_clients(alice).get(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 405
    assert api_clients(alice).post("/api/v1/invitations/").status_code == 405


def test_anonymous_cannot_answer(client, invitation):
    response = client.post(reverse("review:invitation-accept", args=[invitation.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code in (401, 403)


# Leaving -------------------------------------------------------------------------------------------------------


def test_a_reviewer_leaves_on_the_page(as_reviewer, review, reviewer):
    response = as_reviewer.post(reverse("review:leave", args=[review.slug]))
    assert response.status_code == 302 and response["Location"] == reverse("review:list")
    assert not Membership.objects.filter(review=review, user=reviewer).exists()
    assert AuditEvent.objects.filter(review=review, action="member.left", actor=reviewer).exists()
    assert as_reviewer.get(reverse("review:home", args=[review.slug])).status_code == 404


def test_a_viewer_leaves_through_the_api(api_clients, review, viewer):
    response = api_clients(viewer).post(f"/api/v1/reviews/{review.slug}/leave/")
    assert response.status_code == 204
    assert not Membership.objects.filter(review=review, user=viewer).exists()


def test_the_only_lead_cannot_leave(api_clients, as_lead, lead, review):
    response = api_clients(lead).post(f"/api/v1/reviews/{review.slug}/leave/")
    assert response.status_code == 400 and "only lead" in response.json()["error"]["message"]
    response = as_lead.post(reverse("review:leave", args=[review.slug]), follow=True)
    assert b"only lead" in response.content
    assert Membership.objects.get(review=review, user=lead).role == Role.LEAD


def test_a_lead_with_a_co_lead_can_leave(api_clients, lead, review):
    MembershipFactory(review=review, user=UserFactory(username="colead"), role=Role.LEAD)
    assert api_clients(lead).post(f"/api/v1/reviews/{review.slug}/leave/").status_code == 204
    assert list(Membership.objects.filter(review=review).values_list("user__username", flat=True)) == ["colead"]


def test_an_outsider_cannot_leave_what_they_are_not_in(api_clients, as_outsider, outsider, review):
    before = Membership.objects.count()
    assert as_outsider.post(reverse("review:leave", args=[review.slug])).status_code == 404
    assert api_clients(outsider).post(f"/api/v1/reviews/{review.slug}/leave/").status_code == 404
    assert Membership.objects.count() == before


def test_leave_wrong_method(as_reviewer, api_clients, reviewer, review):
    assert as_reviewer.get(reverse("review:leave", args=[review.slug])).status_code == 405
    assert api_clients(reviewer).get(f"/api/v1/reviews/{review.slug}/leave/").status_code == 405
    assert Membership.objects.filter(review=review, user=reviewer).exists()


# Links ---------------------------------------------------------------------------------------------------------

SITE = "https://reviews.example.org:8443"


def test_links_come_from_site_url_in_the_mail_the_page_and_the_api(
    settings, api_clients, as_lead, lead, review, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE + "/"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_clients(lead).post(
            members_url(review), {"identifier": "new.person@example.org", "role": "reviewer"}, format="json"
        )
    link = response.json()["link"]
    assert link.startswith(f"{SITE}/accounts/invitation/")
    assert link in mail.outbox[0].body and "127.0.0.1" not in mail.outbox[0].body
    # The lead can copy the same link from the Members page, and read it from the API, whenever they need it.
    page = as_lead.get(reverse("review:members", args=[review.slug]))
    assert f'value="{link}"'.encode() in page.content and b"data-copy=" in page.content
    assert api_clients(lead).get(f"/api/v1/reviews/{review.slug}/invitations/").json()[0]["link"] == link
    # And the link works: the new person creates an account from it.
    path = link[len(SITE) :]
    response = Client().post(
        path, {"username": "newperson", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(review=review, user__username="newperson").role == Role.REVIEWER


def test_only_the_lead_sees_invitation_links(as_reviewer, api_clients, lead, reviewer, review, invitation):
    page = as_reviewer.get(reverse("review:members", args=[review.slug]))
    assert b"/accounts/invitation/" not in page.content
    assert api_clients(reviewer).get(f"/api/v1/reviews/{review.slug}/invitations/").status_code == 403


def test_an_accounts_invitation_link_is_answered_by_that_account_only(
    settings, api_clients, lead, review, alice, outsider, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    with django_capture_on_commit_callbacks(execute=True):
        response = api_clients(lead).post(members_url(review), {"identifier": "alice", "role": "viewer"}, format="json")
    # The mail goes to the invited account's own address, which the lead never sees.
    assert mail.outbox[0].to == [SECRET_EMAIL] and "Log in as alice" in mail.outbox[0].body
    path = response.json()["link"][len(SITE) :]
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client_for(outsider).get(path).status_code == 404
    page = client_for(alice).get(path)
    assert page.status_code == 200 and b"Accept" in page.content and b"Decline" in page.content
    # Someone holding the link cannot use it to create an account either.
    response = Client().post(path, {"username": "thief", "password1": "a-long-pass-phrase", "password2": "x"})
    assert response.status_code == 302
    assert not Membership.objects.filter(review=review).exclude(user=lead).exists()


def test_an_invitation_link_is_not_shown_once_the_secret_key_changed(settings, lead, review):
    from review.services import invitation_link, member_invite

    invitation, token = member_invite(review=review, by=lead, identifier="new@example.org", role="viewer")
    assert invitation_link(invitation=invitation).endswith(f"/accounts/invitation/{token}/")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert invitation_link(invitation=invitation) is None


def test_one_person_cannot_send_a_flood_of_invitations(settings, api_clients, as_lead, lead, review):
    settings.INVITATIONS_PER_HOUR = 3
    client = api_clients(lead)
    for number in range(3):
        response = client.post(members_url(review), {"identifier": f"p{number}@example.org", "role": "viewer"})
        assert response.status_code == 202
    response = client.post(members_url(review), {"identifier": "p9@example.org", "role": "viewer"})
    assert response.status_code == 429 and "invitations in the last hour" in response.json()["error"]["message"]
    page = as_lead.post(
        reverse("review:members", args=[review.slug]), {"identifier": "p8@example.org", "role": "viewer"}
    )
    assert page.status_code == 429 and b"invitations in the last hour" in page.content
    assert Invitation.objects.filter(review=review).count() == 3


def test_the_review_bundle_carries_no_other_members_address(lead, review, reviewer):
    import io
    import json
    import zipfile

    from reporting.exports.registry import export_chunks
    from review.access import review_for_user

    access = review_for_user(user=lead, slug=review.slug)
    data = b"".join(export_chunks(access=access, user=lead, kind="bundle"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        people = [json.loads(line) for line in archive.read("data/users.jsonl").decode().splitlines()]
    by_name = {person["username"]: person["email"] for person in people}
    assert by_name == {"lead": lead.email, "reviewer": ""}  # the member is there, without the address
    assert reviewer.email.encode() not in data


def test_reviews_and_members_pages_query_count_is_flat(lead, review, alice, django_assert_max_num_queries):
    from review.services import member_invite, review_create

    for number in range(5):
        other = review_create(by=lead, title=f"Review {number}")
        member_invite(review=other, by=lead, identifier="alice", role="viewer")
        member_invite(review=review, by=lead, identifier=f"p{number}@example.org", role="viewer")
    as_alice, as_lead = client_for(alice), client_for(lead)
    with django_assert_max_num_queries(6):
        page = as_alice.get(reverse("review:list"))
    assert page.content.count(b"Accept</button>") == 5
    with django_assert_max_num_queries(8):
        page = as_lead.get(reverse("review:members", args=[review.slug]))
    assert page.content.count(b"data-copy=") == 5

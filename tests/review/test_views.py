"""Review pages through HTTP: happy paths, outsiders, forbidden roles, wrong methods; response and rows."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from review.models import AuditEvent, Invitation, Membership, Review, Role
from screening.models import ScreeningSettings
from screening.selectors import settings_for
from tests.factories import set_screening_rules


def test_review_list_shows_only_my_reviews(as_lead, review, outsider):
    response = as_lead.get(reverse("review:list"))
    assert response.status_code == 200
    assert review.title.encode() in response.content
    assert b"Someone else's review" not in response.content


def test_review_list_needs_login(client, db):
    response = client.get(reverse("review:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_review_list_wrong_method(as_lead, review):
    assert as_lead.post(reverse("review:list")).status_code == 405


def test_review_create_makes_creator_lead(as_lead, lead):
    response = as_lead.post(
        reverse("review:create"),
        {
            "title": "Nudging and health",
            "description": "d",
            "inclusion_criteria": "",
            "exclusion_criteria": "",
        },
    )
    review = Review.objects.get(title="Nudging and health")
    assert response.status_code == 302 and response["Location"] == reverse("review:home", args=[review.slug])
    assert Membership.objects.get(review=review, user=lead).role == Role.LEAD
    assert not ScreeningSettings.objects.filter(review=review).exists()  # the screening defaults apply
    assert (settings_for(review).votes_required_title_abstract, settings_for(review).blinded) == (2, True)
    assert AuditEvent.objects.filter(review=review, action="review.created").count() == 1


def test_review_create_rejects_blank_title(as_lead, lead):
    response = as_lead.post(reverse("review:create"), {"title": "  "})
    assert response.status_code == 400 and b"This field is required" in response.content
    assert Review.objects.count() == 0


def test_review_home_for_every_member_role(review, as_lead, as_reviewer, as_viewer):
    for client in (as_lead, as_reviewer, as_viewer):
        response = client.get(reverse("review:home", args=[review.slug]))
        assert response.status_code == 200
        assert b"transfer learning" in response.content  # the criteria are shown


def test_review_home_shows_the_screening_rules_screening_keeps(review, as_viewer):
    set_screening_rules(review, votes_required_title_abstract=3, blinded=False)
    body = as_viewer.get(reverse("review:home", args=[review.slug])).content.decode()
    assert "Votes per record, title/abstract: 3" in body and "Votes per record, full text: 2" in body
    assert "Blinding: off" in body


def test_review_home_outsider_gets_404(as_outsider, review):
    assert as_outsider.get(reverse("review:home", args=[review.slug])).status_code == 404


def test_review_home_unknown_slug_is_404(as_lead, review):
    assert as_lead.get(reverse("review:home", args=["no-such-review"])).status_code == 404


def test_review_home_wrong_method(as_lead, review):
    assert as_lead.post(reverse("review:home", args=[review.slug])).status_code == 405


def test_settings_lead_updates_and_audits(as_lead, review):
    response = as_lead.post(
        reverse("review:settings", args=[review.slug]),
        {
            "title": review.title,
            "description": "new objective",
            "inclusion_criteria": "a",
            "exclusion_criteria": "b",
            # No longer a field of this page (a screening setting): sent by an older page, it changes nothing.
            "votes_required_title_abstract": 3,
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.description == "new objective"
    assert settings_for(review).votes_required_title_abstract == 2
    event = AuditEvent.objects.get(review=review, action="review.updated")
    assert event.detail["changes"]["description"]["to"] == "new objective"


def test_settings_rejects_a_blank_title(as_lead, review):
    response = as_lead.post(reverse("review:settings", args=[review.slug]), {"title": "  "})
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.title.strip()


@pytest.mark.parametrize("persona", ["as_reviewer", "as_viewer"])
def test_settings_forbidden_for_non_leads(request, review, persona):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("review:settings", args=[review.slug])).status_code == 403
    response = client.post(reverse("review:settings", args=[review.slug]), {"title": "hijacked"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.title != "hijacked"


def test_settings_outsider_404(as_outsider, review):
    assert as_outsider.get(reverse("review:settings", args=[review.slug])).status_code == 404


def test_settings_wrong_method(as_lead, review):
    assert as_lead.delete(reverse("review:settings", args=[review.slug])).status_code == 405


def test_members_page_lists_members(as_viewer, review, reviewer):
    response = as_viewer.get(reverse("review:members", args=[review.slug]))
    assert response.status_code == 200
    assert b"reviewer" in response.content
    assert b"Invite someone" not in response.content  # only leads see the form


def test_members_outsider_404(as_outsider, review):
    assert as_outsider.get(reverse("review:members", args=[review.slug])).status_code == 404


def test_members_wrong_method(as_lead, review):
    assert as_lead.put(reverse("review:members", args=[review.slug])).status_code == 405


def test_invite_existing_username_adds_member_once_accepted(as_lead, as_outsider, review, outsider):
    response = as_lead.post(reverse("review:members", args=[review.slug]), {"identifier": "outsider", "role": "viewer"})
    assert response.status_code == 302
    assert not Membership.objects.filter(review=review, user=outsider).exists()
    invitation = Invitation.objects.get(review=review, invitee=outsider)
    response = as_outsider.post(reverse("review:invitation-accept", args=[invitation.pk]))
    assert response.status_code == 302
    assert Membership.objects.get(review=review, user=outsider).role == Role.VIEWER


def test_invite_new_email_sends_single_use_link(as_lead, review, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_lead.post(
            reverse("review:members", args=[review.slug]),
            {"identifier": "New.Person@Example.org", "role": "reviewer"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(review=review)
    assert invitation.email == "new.person@example.org" and invitation.sent_at is not None
    assert len(mail.outbox) == 1
    link = next(word for word in mail.outbox[0].body.split() if "/accounts/invitation/" in word)
    path = link[link.index("/accounts/") :]

    assert client.get(path).status_code == 200
    response = client.post(
        path, {"username": "newperson", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(review=review, user__username="newperson")
    assert membership.role == Role.REVIEWER and membership.user.email == "new.person@example.org"
    # Single use: the same link does not work again.
    client.logout()
    assert client.get(path).status_code == 404
    response = client.post(
        path, {"username": "another", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    )
    assert response.status_code == 404
    assert not Membership.objects.filter(user__username="another").exists()


def test_expired_invitation_is_refused(as_lead, review, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_lead.post(
            reverse("review:members", args=[review.slug]),
            {"identifier": "late@example.org", "role": "viewer"},
        )
    from datetime import timedelta

    from django.utils import timezone

    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    link = next(word for word in mail.outbox[0].body.split() if "/accounts/invitation/" in word)
    response = client.get(link[link.index("/accounts/") :])
    assert response.status_code == 404 and b"expired" in response.content


def test_invite_unknown_username_explains(as_lead, review):
    response = as_lead.post(reverse("review:members", args=[review.slug]), {"identifier": "nobody", "role": "viewer"})
    assert response.status_code == 400
    assert b"No account is called" in response.content
    assert Membership.objects.filter(review=review).count() == 1


def test_invite_forbidden_for_reviewer(as_reviewer, review, outsider):
    response = as_reviewer.post(
        reverse("review:members", args=[review.slug]), {"identifier": "outsider", "role": "lead"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(review=review, user=outsider).exists()


def test_change_role_and_remove(as_lead, review, reviewer):
    membership = Membership.objects.get(review=review, user=reviewer)
    response = as_lead.post(reverse("review:member-role", args=[review.slug, membership.pk]), {"role": "lead"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.LEAD
    response = as_lead.post(reverse("review:member-remove", args=[review.slug, membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_change_role_htmx_returns_fragment(as_lead, review, reviewer):
    membership = Membership.objects.get(review=review, user=reviewer)
    response = as_lead.post(
        reverse("review:member-role", args=[review.slug, membership.pk]),
        {"role": "viewer"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<div id="member-list">')
    assert b"<html" not in response.content


def test_last_lead_cannot_be_demoted_or_removed(as_lead, review, lead):
    membership = Membership.objects.get(review=review, user=lead)
    response = as_lead.post(reverse("review:member-role", args=[review.slug, membership.pk]), {"role": "viewer"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.LEAD
    as_lead.post(reverse("review:member-remove", args=[review.slug, membership.pk]))
    assert Membership.objects.filter(pk=membership.pk, role=Role.LEAD).exists()


def test_member_id_of_another_review_is_404(as_lead, review, outsider):
    foreign = Membership.objects.get(user=outsider)
    response = as_lead.post(reverse("review:member-remove", args=[review.slug, foreign.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_member_role_wrong_method(as_lead, review, reviewer):
    membership = Membership.objects.get(review=review, user=reviewer)
    assert as_lead.get(reverse("review:member-role", args=[review.slug, membership.pk])).status_code == 405


def test_member_remove_forbidden_for_viewer(as_viewer, review, reviewer):
    membership = Membership.objects.get(review=review, user=reviewer)
    assert as_viewer.post(reverse("review:member-remove", args=[review.slug, membership.pk])).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_forms_require_csrf(lead, review):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    response = client.post(reverse("review:settings", args=[review.slug]), {"title": "no token"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.title != "no token"

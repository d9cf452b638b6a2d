"""The arbiter: a reviewer who may decide conflicts (the third reviewer of the protocol) without administering the
review; conflicts say who may decide them and the audit says who did, in which role."""

from __future__ import annotations

from django.urls import reverse

from review.models import AuditEvent, Membership, Role
from screening.models import Resolution, Stage, StageOutcome, Status, Vote

TA = Stage.TITLE_ABSTRACT.value


def url(name, review, *args):
    return reverse(f"screening:{name}", args=[review.slug, *args])


def test_arbiter_sees_and_decides_a_conflict_they_did_not_vote_on(as_arbiter, arbiter, review, conflict):
    listing = as_arbiter.get(url("conflicts", review, TA)).content.decode()
    assert f"/conflicts/{conflict.pk}/" in listing
    assert "lead (lead), arbiter (arbiter)" in listing
    page = as_arbiter.get(url("conflict", review, TA, conflict.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert "imaging only" in body  # the votes in conflict, which a blinded outsider to the conflict cannot see
    assert "Final decision" in body
    response = as_arbiter.post(
        url("conflict-resolve", review, TA, conflict.pk), {"decision": "include", "rationale": "ECG is clinical"}
    )
    assert response.status_code == 302
    resolution = Resolution.objects.get(record=conflict)
    assert resolution.decided_by == arbiter
    assert StageOutcome.objects.get(record=conflict, stage=TA).status == Status.INCLUDED
    event = AuditEvent.objects.get(review=review, action="screening.conflict_resolved")
    assert event.actor == arbiter and event.detail["role"] == "arbiter"


def test_a_reviewer_not_in_the_conflict_cannot_open_or_decide_it(as_reviewer, reviewer3, review, conflict):
    from tests.conftest import client_for

    third = client_for(reviewer3)
    assert third.get(url("conflict", review, TA, conflict.pk)).status_code == 403
    data = {"decision": "include", "rationale": "x"}
    assert third.post(url("conflict-resolve", review, TA, conflict.pk), data).status_code == 403
    assert as_reviewer.post(url("conflict-resolve", review, TA, conflict.pk), data).status_code == 403
    assert not Resolution.objects.exists()


def test_arbiter_cannot_administer_the_review(as_arbiter, arbiter, reviewer, review):
    member = Membership.objects.get(review=review, user=reviewer)
    response = as_arbiter.post(reverse("review:member-role", args=[review.slug, member.pk]), {"role": "lead"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=member.pk).role == Role.REVIEWER
    assert as_arbiter.post(reverse("review:settings", args=[review.slug]), {"title": "x"}).status_code == 403


def test_arbiter_screens_like_a_reviewer(as_arbiter, arbiter, review, records):
    body = as_arbiter.get(url("screen", review, TA)).content.decode()
    assert f'data-record="{records[0].pk}"' in body
    assert as_arbiter.post(url("vote", review, TA, records[0].pk), {"choice": "include"}).status_code == 302
    assert Vote.objects.get(record=records[0], reviewer=arbiter).choice == "include"


def test_api_arbiter_decides_and_the_lead_can_make_a_member_an_arbiter(
    api_clients, lead, arbiter, reviewer3, review, conflict
):
    path = f"/api/v1/reviews/{review.slug}/screening/{TA}/conflicts/{conflict.pk}/resolution/"
    response = api_clients(arbiter).post(path, {"decision": "exclude", "rationale": "imaging"}, format="json")
    assert response.status_code == 200 and response.json()["outcome"]["status"] == "excluded"
    member = Membership.objects.get(review=review, user=reviewer3)
    response = api_clients(lead).patch(
        f"/api/v1/reviews/{review.slug}/members/{member.pk}/", {"role": "arbiter"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Membership.objects.get(pk=member.pk).role == Role.ARBITER

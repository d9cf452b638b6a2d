"""Looking is not claiming: short holds renewed by the open page, released on leaving, and empty-queue messages
that say why nothing is offered (issue #17, the full-text hold that locked a reviewer out)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.models import QueueClaim, Stage, StageOutcome, Status
from screening.services.claims import CLAIM_TTL, queue_hold, queue_release
from screening.services.queue import queue_empty_why, queue_next_for
from tests.factories import set_screening_rules

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
HX = {"HTTP_HX_REQUEST": "true"}


def url(name, review, *args):
    return reverse(f"screening:{name}", args=[review.slug, *args])


@pytest.fixture
def one_record(review):
    from tests.screening.factories import RecordFactory

    return RecordFactory(review=review)


def test_a_hold_is_short_and_expires_without_the_page(review, reviewer, reviewer2, reviewer3, vote, one_record):
    vote(reviewer, one_record, "include")  # one slot left
    assert queue_next_for(review=review, stage=TA, reviewer=reviewer2) == one_record
    assert timedelta(minutes=2) >= CLAIM_TTL
    assert queue_next_for(review=review, stage=TA, reviewer=reviewer3) is None
    # The page was closed without a release: after the hold's short life the slot is free again.
    QueueClaim.objects.filter(reviewer=reviewer2).update(claimed_at=timezone.now() - CLAIM_TTL - timedelta(seconds=1))
    assert queue_empty_why(review=review, stage=TA, reviewer=reviewer3).held_by_others == 0
    assert queue_next_for(review=review, stage=TA, reviewer=reviewer3) == one_record


def test_holding_renews_the_claim_and_release_frees_it(review, reviewer, reviewer2, reviewer3, vote, one_record):
    vote(reviewer, one_record, "include")
    assert queue_next_for(review=review, stage=TA, reviewer=reviewer2) == one_record
    old = timezone.now() - timedelta(seconds=100)
    QueueClaim.objects.filter(reviewer=reviewer2).update(claimed_at=old)
    assert queue_hold(review=review, record=one_record, stage=TA, reviewer=reviewer2) is True
    assert QueueClaim.objects.get(reviewer=reviewer2).claimed_at > old
    # reviewer3 finds the last slot held and is told so, not "nothing left"
    assert queue_next_for(review=review, stage=TA, reviewer=reviewer3) is None
    why = queue_empty_why(review=review, stage=TA, reviewer=reviewer3)
    assert why.held_by_others == 1
    assert why.message == "1 record is open with other reviewers; try again in a minute."
    assert queue_release(review=review, stage=TA, reviewer=reviewer2, record=one_record) == 1
    assert queue_next_for(review=review, stage=TA, reviewer=reviewer3) == one_record


def test_hold_on_a_record_someone_else_now_holds_is_refused(review, reviewer, reviewer2, reviewer3, vote, one_record):
    vote(reviewer, one_record, "include")
    assert queue_next_for(review=review, stage=TA, reviewer=reviewer3) == one_record
    assert queue_hold(review=review, record=one_record, stage=TA, reviewer=reviewer2) is False
    assert not QueueClaim.objects.filter(reviewer=reviewer2).exists()


def test_empty_queue_message_counts_records_waiting_for_others(review, reviewer, vote, one_record):
    vote(reviewer, one_record, "include")
    why = queue_empty_why(review=review, stage=TA, reviewer=reviewer)
    assert (why.held_by_others, why.waiting_for_others) == (0, 1)
    assert "1 record has your vote and wait" in why.message


# ---- through the pages -------------------------------------------------------------------------------------


def test_full_text_hold_case_lead_marking_not_retrieved_does_not_lock_out_a_reviewer(
    review, lead, reviewer, reviewer2, as_lead, as_reviewer2, at_full_text, vote, records
):
    """The case from the issue: the lead opens Full text to mark one report not retrieved."""
    first, second = at_full_text(records[0]), at_full_text(records[1])
    vote(reviewer, second, "include", stage=FT)  # `second` needs one more full-text vote
    vote(reviewer, first, "include", stage=FT)
    # The lead opens the full-text screen: the queue shows them a record and holds a slot while they look.
    response = as_lead.get(url("screen", review, FT.value))
    assert response.status_code == 200
    assert QueueClaim.objects.filter(reviewer=lead, stage=FT).count() == 1
    shown = QueueClaim.objects.get(reviewer=lead, stage=FT).record
    other = second if shown == first else first
    # Marking it not retrieved is management: the lead is not handed (and does not hold) another record.
    response = as_lead.post(url("not-retrieved", review, shown.pk), {"note": "library and authors tried"}, **HX)
    assert response.status_code == 200
    assert f"Record {shown.pk} marked not retrieved." in response.content.decode()
    assert StageOutcome.objects.get(record=shown, stage=FT).status == Status.NOT_RETRIEVED
    assert not QueueClaim.objects.filter(reviewer=lead).exists()
    # The other reviewer is offered the remaining record at once.
    response = as_reviewer2.get(url("screen", review, FT.value))
    assert f'data-record="{other.pk}"' in response.content.decode()


def test_a_lead_who_looks_and_leaves_releases_the_slot(
    review, lead, reviewer, reviewer2, as_lead, as_reviewer2, vote, one_record
):
    vote(reviewer, one_record, "include")
    as_lead.get(url("screen", review, TA.value))
    assert QueueClaim.objects.filter(reviewer=lead, record=one_record).exists()
    body = as_reviewer2.get(url("screen", review, TA.value)).content.decode()
    assert "1 record is open with other reviewers; try again in a minute." in body
    assert "Nothing left" not in body
    response = as_lead.post(url("release", review, TA.value, one_record.pk))
    assert response.status_code == 204
    assert not QueueClaim.objects.filter(reviewer=lead).exists()
    body = as_reviewer2.get(url("screen", review, TA.value)).content.decode()
    assert f'data-record="{one_record.pk}"' in body


def test_hold_route_renews_and_answers_409_when_the_slot_is_gone(
    review, reviewer, reviewer2, reviewer3, as_reviewer2, vote, one_record
):
    vote(reviewer, one_record, "include")
    as_reviewer2.get(url("screen", review, TA.value))
    assert as_reviewer2.post(url("hold", review, TA.value, one_record.pk)).status_code == 204
    QueueClaim.objects.filter(reviewer=reviewer2).delete()
    queue_next_for(review=review, stage=TA, reviewer=reviewer3)  # reviewer3 takes the slot meanwhile
    assert as_reviewer2.post(url("hold", review, TA.value, one_record.pk)).status_code == 409


def test_hold_and_release_refuse_viewers_outsiders_and_get(review, as_viewer, as_outsider, as_reviewer, one_record):
    for name in ("hold", "release"):
        target = url(name, review, TA.value, one_record.pk)
        assert as_viewer.post(target).status_code == 403
        assert as_outsider.post(target).status_code == 404
        assert as_reviewer.get(target).status_code == 405
    assert not QueueClaim.objects.exists()


def test_screen_panel_carries_hold_release_and_record_urls(review, as_reviewer, one_record):
    body = as_reviewer.get(url("screen", review, TA.value)).content.decode()
    assert f'data-hold-url="{url("hold", review, TA.value, one_record.pk)}"' in body
    assert f'data-release-url="{url("release", review, TA.value, one_record.pk)}"' in body
    assert f'data-record-url="{url("record", review, TA.value, one_record.pk)}"' in body


# ---- the API -----------------------------------------------------------------------------------------------


def api_url(name, review, *args):
    return reverse(name, args=[review.slug, *args])


def test_api_next_says_why_nothing_is_offered_and_hold_route_holds_and_releases(
    review, reviewer, reviewer2, reviewer3, api_clients, vote, one_record
):
    vote(reviewer, one_record, "include")
    second, third = api_clients(reviewer2), api_clients(reviewer3)
    body = second.get(api_url("api-screening-next", review, TA.value)).json()
    assert body["record"]["id"] == one_record.pk
    body = third.get(api_url("api-screening-next", review, TA.value)).json()
    assert body["record"] is None
    assert body["why"]["held_by_others"] == 1
    assert body["why"]["message"] == "1 record is open with other reviewers; try again in a minute."
    hold = api_url("api-screening-hold", review, TA.value, one_record.pk)
    assert second.post(hold).status_code == 204
    response = third.post(hold)
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert second.delete(hold).status_code == 204
    assert not QueueClaim.objects.filter(reviewer=reviewer2).exists()
    assert third.get(api_url("api-screening-next", review, TA.value)).json()["record"]["id"] == one_record.pk


def test_stage_line_shows_another_reviewers_api_vote_at_once(review, records, as_reviewer, reviewer2, api_client):
    """The stage line is cached, but every outcome change forgets it: nobody sees a stale figure."""
    set_screening_rules(review, votes_required_title_abstract=1)
    page = url("screen", review, TA.value)
    assert "0 excluded" in as_reviewer.get(page).content.decode()
    api_client.force_authenticate(reviewer2)
    response = api_client.post(
        f"/api/v1/reviews/{review.slug}/screening/{TA.value}/records/{records[4].pk}/vote/",
        {"choice": "exclude"},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    assert "1 excluded" in as_reviewer.get(page).content.decode()

"""Screening API for the lead's set-up: settings, exclusion reasons, pilot rounds; and undoing my last vote.
The same services and roles as the settings page and the screening screen; response and rows."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from review.models import AuditEvent, Review
from screening.models import ExclusionReason, PilotRound, ScreeningSettings, Stage, StageOutcome, Vote, VoteEvent
from tests.screening.factories import ExclusionReasonFactory, RecordFactory

TA = Stage.TITLE_ABSTRACT.value


@pytest.fixture
def api_as(api_clients):
    return api_clients


def base(review):
    return f"/api/v1/reviews/{review.slug}/screening"


# ---- settings ------------------------------------------------------------------------------------------------


def test_lead_reads_the_screening_settings(api_as, lead, review):
    body = api_as(lead).get(f"{base(review)}/settings/").json()
    assert body == {
        "votes_required_title_abstract": 2,
        "votes_required_full_text": 2,
        "blinded": True,
        "maybe_goes_to_full_text": True,
        "reason_mismatch_is_conflict": True,
        "title_abstract_reasons": False,
        "order_title_abstract": "import",
        "order_full_text": "import",
        "random_seed": 1,
        "include_terms": [],
        "exclude_terms": [],
        "show_relevance": True,
        "stop_target_recall": 0.95,
        "stop_confidence": 0.95,
    }


def test_lead_changes_settings_and_only_the_fields_sent(api_as, lead, review):
    response = api_as(lead).patch(
        f"{base(review)}/settings/",
        {
            "maybe_goes_to_full_text": False,
            "reason_mismatch_is_conflict": True,
            "show_relevance": False,
            "include_terms": ["ECG", " transfer learning ", "ecg", ""],
            "exclude_terms": ["MRI"],
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["include_terms"] == ["ECG", "transfer learning"]
    config = ScreeningSettings.objects.get(review=review)
    assert config.maybe_goes_to_full_text is False and config.reason_mismatch_is_conflict is True
    assert config.show_relevance is False and config.exclude_terms == ["MRI"]
    assert config.order_title_abstract == "import" and config.random_seed == 1  # not sent, not changed
    event = AuditEvent.objects.get(review=review, action="screening.settings_updated")
    assert event.actor == lead and event.detail["changes"]["maybe_goes_to_full_text"] == {"from": True, "to": False}


def test_votes_required_and_blinding_are_one_setting_behind_the_review_and_screening_apis(
    api_as, lead, reviewer, review, records, vote
):
    client, review_url = api_as(lead), f"/api/v1/reviews/{review.slug}/"
    vote(reviewer, records[0], "include")  # one of the two votes required
    response = client.patch(f"{base(review)}/settings/", {"votes_required_title_abstract": 1}, format="json")
    assert response.status_code == 200 and response.json()["votes_required_title_abstract"] == 1
    assert StageOutcome.objects.get(record=records[0], stage=TA).status == "included"  # decided at once
    assert client.get(review_url).json()["votes_required_title_abstract"] == 1

    assert client.patch(review_url, {"blinded": False}, format="json").json()["blinded"] is False
    assert client.get(f"{base(review)}/settings/").json()["blinded"] is False
    events = AuditEvent.objects.filter(review=review, action="screening.settings_updated").order_by("id")
    assert [list(e.detail["changes"]) for e in events] == [["votes_required_title_abstract"], ["blinded"]]


@pytest.mark.parametrize("value", [0, 11])
def test_a_vote_count_outside_1_to_10_is_refused_by_both_apis(api_as, lead, review, value):
    client = api_as(lead)
    for path in (f"/api/v1/reviews/{review.slug}/", f"{base(review)}/settings/"):
        response = client.patch(path, {"votes_required_full_text": value}, format="json")
        assert response.status_code == 400
        assert "votes_required_full_text" in response.json()["error"]["fields"]
    assert not ScreeningSettings.objects.filter(review=review).exists()


@pytest.mark.parametrize("field", ["votes_required_title_abstract", "votes_required_full_text"])
def test_the_database_refuses_a_vote_count_outside_1_to_10(review, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningSettings.objects.create(review=review, **{field: 11})
    assert not ScreeningSettings.objects.filter(review=review).exists()


def test_reviewer_may_not_change_votes_required_through_the_review_api(api_as, reviewer, review):
    response = api_as(reviewer).patch(f"/api/v1/reviews/{review.slug}/", {"blinded": False}, format="json")
    assert response.status_code == 403
    assert not ScreeningSettings.objects.filter(review=review).exists()


def test_a_new_order_reorders_the_queue(api_as, lead, reviewer, review, django_capture_on_commit_callbacks):
    old, _middle, new = (RecordFactory(review=review, year=year) for year in (2001, 2010, 2024))
    assert api_as(reviewer).get(f"{base(review)}/{TA}/next/").json()["record"]["id"] == old.pk  # import order
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(lead).patch(f"{base(review)}/settings/", {"order_title_abstract": "year"}, format="json")
    assert response.status_code == 200 and response.json()["order_title_abstract"] == "year"
    assert ScreeningSettings.objects.get(review=review).order_title_abstract == "year"
    # In import order the lead would get the middle record next; newest first, it is the newest.
    assert api_as(lead).get(f"{base(review)}/{TA}/next/").json()["record"]["id"] == new.pk


def test_bad_settings_say_which_field_and_change_nothing(api_as, lead, review):
    client = api_as(lead)
    response = client.patch(f"{base(review)}/settings/", {"order_full_text": "alphabetical"}, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["order_full_text"]
    response = client.patch(f"{base(review)}/settings/", {"random_seed": -1}, format="json")
    assert response.status_code == 400 and "random_seed" in response.json()["error"]["fields"]
    assert not ScreeningSettings.objects.exclude(order_full_text="import").exists()
    assert not AuditEvent.objects.filter(action="screening.settings_updated").exists()


def test_settings_are_for_the_lead_only(api_as, reviewer, viewer, outsider, lead, review):
    url = f"{base(review)}/settings/"
    for user in (reviewer, viewer):
        assert api_as(user).get(url).status_code == 403
        assert api_as(user).patch(url, {"show_relevance": False}, format="json").status_code == 403
    assert api_as(outsider).get(url).status_code == 404
    assert api_as(outsider).patch(url, {"show_relevance": False}, format="json").status_code == 404
    assert api_as(lead).post(url, {}, format="json").status_code == 405
    assert not ScreeningSettings.objects.filter(review=review, show_relevance=False).exists()


# ---- exclusion reasons ---------------------------------------------------------------------------------------


@pytest.fixture
def three_reasons(review):
    return [
        ExclusionReasonFactory(review=review, label="Non-clinical research", position=1),
        ExclusionReasonFactory(review=review, label="No transfer learning", position=2),
        ExclusionReasonFactory(review=review, label="Review article", position=3),
    ]


def _labels(review):
    return list(ExclusionReason.objects.filter(review=review).values_list("label", flat=True))


def test_lead_renames_archives_and_unarchives_a_reason(api_as, lead, review, three_reasons):
    client = api_as(lead)
    url = f"{base(review)}/exclusion-reasons/{three_reasons[0].pk}/"
    response = client.patch(url, {"label": "Not clinical data"}, format="json")
    assert response.status_code == 200 and response.json()["label"] == "Not clinical data"
    assert ExclusionReason.objects.get(pk=three_reasons[0].pk).label == "Not clinical data"
    assert client.patch(url, {"archived": True}, format="json").json()["archived"] is True
    assert ExclusionReason.objects.get(pk=three_reasons[0].pk).archived is True
    # Archived reasons stay listed for the old votes, marked archived.
    listed = client.get(f"{base(review)}/exclusion-reasons/").json()
    assert (listed[0]["label"], listed[0]["archived"]) == ("Not clinical data", True)
    assert client.patch(url, {"archived": False}, format="json").json()["archived"] is False
    assert ExclusionReason.objects.get(pk=three_reasons[0].pk).archived is False
    actions = AuditEvent.objects.filter(review=review, action="screening.reason_updated").count()
    assert actions == 3


def test_renaming_to_a_label_in_the_list_is_refused(api_as, lead, review, three_reasons):
    url = f"{base(review)}/exclusion-reasons/{three_reasons[0].pk}/"
    response = api_as(lead).patch(url, {"label": "Review article"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"label": ["That reason is already in the list"]}
    assert _labels(review) == ["Non-clinical research", "No transfer learning", "Review article"]


def test_lead_moves_a_reason_up_and_down(api_as, lead, review, three_reasons):
    client = api_as(lead)
    response = client.post(
        f"{base(review)}/exclusion-reasons/{three_reasons[2].pk}/move/", {"direction": "up"}, format="json"
    )
    assert response.status_code == 200
    assert [r["label"] for r in response.json()] == ["Non-clinical research", "Review article", "No transfer learning"]
    assert _labels(review) == ["Non-clinical research", "Review article", "No transfer learning"]
    client.post(f"{base(review)}/exclusion-reasons/{three_reasons[0].pk}/move/", {"direction": "down"}, format="json")
    assert _labels(review) == ["Review article", "Non-clinical research", "No transfer learning"]
    bad = client.post(f"{base(review)}/exclusion-reasons/{three_reasons[0].pk}/move/", {"direction": "left"})
    assert bad.status_code == 400 and "direction" in bad.json()["error"]["fields"]


def test_lead_puts_the_reasons_in_a_new_order(api_as, lead, review, three_reasons):
    first, second, third = (r.pk for r in three_reasons)
    url = f"{base(review)}/exclusion-reasons/order/"
    response = api_as(lead).put(url, {"order": [third, first, second]}, format="json")
    assert response.status_code == 200 and [r["id"] for r in response.json()] == [third, first, second]
    assert _labels(review) == ["Review article", "Non-clinical research", "No transfer learning"]
    assert AuditEvent.objects.get(action="screening.reasons_reordered").detail["order"] == [third, first, second]


@pytest.mark.parametrize("order", [[1], [0, 0, 0], "same twice"])
def test_an_order_must_name_every_reason_once(api_as, lead, review, three_reasons, order):
    ids = [r.pk for r in three_reasons]
    order = [ids[0], ids[0], ids[1], ids[2]] if order == "same twice" else order
    response = api_as(lead).put(f"{base(review)}/exclusion-reasons/order/", {"order": order}, format="json")
    assert response.status_code == 400 and "order" in response.json()["error"]["fields"]
    assert _labels(review) == ["Non-clinical research", "No transfer learning", "Review article"]


def test_reason_changes_are_for_the_lead_only(api_as, lead, reviewer, viewer, outsider, review, three_reasons):
    reason = three_reasons[0]
    urls = [
        ("patch", f"{base(review)}/exclusion-reasons/{reason.pk}/", {"label": "x"}),
        ("post", f"{base(review)}/exclusion-reasons/{reason.pk}/move/", {"direction": "down"}),
        ("put", f"{base(review)}/exclusion-reasons/order/", {"order": [r.pk for r in three_reasons][::-1]}),
    ]
    for method, url, data in urls:
        for user in (reviewer, viewer):
            assert getattr(api_as(user), method)(url, data, format="json").status_code == 403, url
        assert getattr(api_as(outsider), method)(url, data, format="json").status_code == 404, url
        assert api_as(lead).get(url).status_code == 405, url
    assert _labels(review) == ["Non-clinical research", "No transfer learning", "Review article"]


def test_a_reason_of_another_review_is_404(api_as, lead, review, outsider):
    foreign = ExclusionReasonFactory(review=Review.objects.get(slug="other-review"), label="Theirs")
    url = f"{base(review)}/exclusion-reasons/{foreign.pk}/"
    assert api_as(lead).patch(url, {"label": "Mine"}, format="json").status_code == 404
    assert api_as(lead).post(f"{url}move/", {"direction": "up"}, format="json").status_code == 404
    assert ExclusionReason.objects.get(pk=foreign.pk).label == "Theirs"


# ---- pilot rounds --------------------------------------------------------------------------------------------


@pytest.fixture
def sample(review, reviewer, reviewer2):
    return [RecordFactory(review=review) for _ in range(6)]


def test_lead_starts_a_pilot_round(api_as, lead, review, sample):
    response = api_as(lead).post(f"{base(review)}/pilots/", {"size": 4}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["open"] is True and body["size"] == 4 and body["votes_required"] == 2 and body["stage"] == TA
    pilot = PilotRound.objects.get(review=review)
    assert pilot.pk == body["id"] and pilot.created_by == lead and pilot.closed_at is None
    in_pilot = StageOutcome.objects.filter(pilot=pilot)
    assert in_pilot.count() == 4 and set(in_pilot.values_list("votes_required", flat=True)) == {2}
    again = api_as(lead).post(f"{base(review)}/pilots/", {"size": 2}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert PilotRound.objects.count() == 1


def test_a_pilot_larger_than_the_unscreened_records_is_refused(api_as, lead, review, sample):
    response = api_as(lead).post(f"{base(review)}/pilots/", {"size": 50}, format="json")
    assert response.status_code == 400 and "size" in response.json()["error"]["fields"]
    response = api_as(lead).post(f"{base(review)}/pilots/", {"size": 1}, format="json")
    assert response.status_code == 400 and "size" in response.json()["error"]["fields"]
    assert not PilotRound.objects.exists() and not StageOutcome.objects.filter(pilot__isnull=False).exists()


def test_lead_closes_a_pilot_round(api_as, lead, review, sample):
    started = api_as(lead).post(f"{base(review)}/pilots/", {"size": 3}, format="json").json()
    url = f"{base(review)}/pilots/{started['id']}/close/"
    response = api_as(lead).post(url)
    assert response.status_code == 200 and response.json()["open"] is False
    closed_at = PilotRound.objects.get(pk=started["id"]).closed_at
    assert closed_at is not None
    assert api_as(lead).post(url).status_code == 200  # closing twice changes nothing
    assert PilotRound.objects.get(pk=started["id"]).closed_at == closed_at
    assert AuditEvent.objects.filter(action="screening.pilot_closed").count() == 1
    # The next pilot may start once this one is closed.
    assert api_as(lead).post(f"{base(review)}/pilots/", {"size": 2}, format="json").status_code == 201


def test_pilot_agreement_follows_the_blinding_of_the_progress_page(api_as, lead, reviewer, viewer, review, sample):
    from screening.services.votes import VoteInput, vote_cast

    pilot = api_as(lead).post(f"{base(review)}/pilots/", {"size": 2}, format="json").json()
    record = StageOutcome.objects.filter(pilot_id=pilot["id"]).order_by("pk").first().record
    voters = list(review.memberships.filter(role="reviewer").order_by("user__username"))
    for membership, choice in zip(voters, ("include", "exclude"), strict=True):
        vote_cast(review=review, record=record, stage=TA, reviewer=membership.user, data=VoteInput(choice=choice))
    lead_view = api_as(lead).get(f"{base(review)}/pilots/").json()
    assert lead_view[0]["complete"] == 1
    assert lead_view[0]["disagreements"] == [
        {
            "record": record.pk,
            "title": record.title,
            "votes": [{"reviewer": "reviewer", "choice": "include"}, {"reviewer": "reviewer2", "choice": "exclude"}],
        }
    ]
    assert lead_view[0]["agreement"]["pairs"][0]["records"] == 1
    # A conflict is not final: reviewers and viewers see no votes of it.
    for user in (reviewer, viewer):
        mine = api_as(user).get(f"{base(review)}/pilots/").json()
        assert mine[0]["disagreements"] == [] and mine[0]["agreement"]["pairs"] == []


def test_pilot_rounds_are_started_and_closed_by_the_lead_only(api_as, lead, reviewer, viewer, outsider, review, sample):
    for user in (reviewer, viewer):
        assert api_as(user).post(f"{base(review)}/pilots/", {"size": 2}, format="json").status_code == 403
    assert api_as(outsider).post(f"{base(review)}/pilots/", {"size": 2}, format="json").status_code == 404
    assert api_as(outsider).get(f"{base(review)}/pilots/").status_code == 404
    assert not PilotRound.objects.exists()
    pilot = api_as(lead).post(f"{base(review)}/pilots/", {"size": 2}, format="json").json()
    url = f"{base(review)}/pilots/{pilot['id']}/close/"
    for user in (reviewer, viewer):
        assert api_as(user).post(url).status_code == 403
    assert api_as(outsider).post(url).status_code == 404
    assert PilotRound.objects.get(pk=pilot["id"]).closed_at is None
    assert api_as(lead).get(url).status_code == 405
    assert api_as(lead).delete(f"{base(review)}/pilots/").status_code == 405
    assert api_as(lead).post(f"{base(review)}/pilots/{pilot['id'] + 99}/close/").status_code == 404


# ---- undo my last vote ---------------------------------------------------------------------------------------


def test_undo_withdraws_my_latest_vote_and_returns_its_record(api_as, vote, reviewer, reviewer2, review, records):
    vote(reviewer, records[0], "include")
    vote(reviewer, records[1], "include")
    vote(reviewer2, records[1], "include")
    response = api_as(reviewer).post(f"{base(review)}/{TA}/votes/mine/undo/")
    assert response.status_code == 409  # records[1] is decided: its votes no longer change
    assert Vote.objects.filter(reviewer=reviewer).count() == 2
    vote(reviewer, records[2], "maybe")
    response = api_as(reviewer).post(f"{base(review)}/{TA}/votes/mine/undo/")
    assert response.status_code == 200
    body = response.json()
    assert body["record"]["id"] == records[2].pk and body["votes"] == []
    assert not Vote.objects.filter(reviewer=reviewer, record=records[2]).exists()
    assert VoteEvent.objects.filter(reviewer=reviewer, record=records[2]).latest("id").action == "withdraw"
    assert Vote.objects.filter(reviewer=reviewer2).count() == 1  # nobody else's vote moves


def test_undo_without_a_vote_says_so(api_as, reviewer, review, records):
    response = api_as(reviewer).post(f"{base(review)}/{TA}/votes/mine/undo/")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "There is no vote of yours to undo",
        "fields": {},
    }


def test_undo_access(api_as, vote, reviewer, viewer, outsider, review, record):
    vote(reviewer, record, "include")
    url = f"{base(review)}/{TA}/votes/mine/undo/"
    assert api_as(viewer).post(url).status_code == 403
    assert api_as(outsider).post(url).status_code == 404
    assert api_as(reviewer).get(url).status_code == 405
    assert api_as(reviewer).post(f"{base(review)}/bogus/votes/mine/undo/").status_code == 404
    assert Vote.objects.filter(reviewer=reviewer).count() == 1

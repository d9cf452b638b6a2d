"""Prioritised screening in the app: labels, retraining after votes, scores, the queue following them, the
relevance indicator, the dashboard figures and the prioritisation API route."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.cache import cache

from review.models import AuditEvent
from screening.models import QueueOrder, RankerRun, RelevanceScore, Stage, StageOutcome, Status
from screening.ranking.features import stage_features
from screening.selectors import queue_key_for
from screening.selectors.prioritisation import prioritisation_summary, screened_since_last_include, stage_snapshot
from screening.services import prioritisation
from screening.services.common import settings_for
from screening.services.config import screening_settings_update
from screening.services.prioritisation import RETRAIN_EVERY_VOTES, relevance_retrain, relevance_retrain_soon
from screening.services.queue import outcomes_sync, queue_next_for
from tests.factories import set_screening_rules
from tests.screening.factories import RecordFactory

TA = Stage.TITLE_ABSTRACT

TOPIC = [
    ("Aerobic exercise for depression in older adults: a randomised trial", "Exercise reduced depressive symptoms."),
    ("Walking programme and depressive symptoms in late life", "A randomised exercise trial in depression."),
    ("Tai chi for late-life depression", "Older adults with depression practised tai chi exercise."),
    ("Resistance exercise training and major depression", "Exercise training lowered depression scores."),
    ("Yoga and exercise for depressed older people", "Depression improved after the exercise programme."),
]
OTHER = [
    ("Statin therapy and coronary heart disease", "Cholesterol lowering in middle-aged men."),
    ("Reading intervention for primary school pupils", "Dyslexia and reading fluency in children."),
    ("Antibiotic prophylaxis in hip replacement surgery", "Surgical site infection after arthroplasty."),
    ("Sprint training and muscle power in young athletes", "Jump height in adolescent footballers."),
    ("Dietary salt and blood pressure", "Sodium intake and hypertension in adults."),
    ("Hand hygiene compliance in intensive care", "Nurses and infection control audits."),
    ("Vitamin D and bone density in women", "Fracture risk after menopause."),
    ("Smartphone apps for asthma control", "Inhaler adherence in teenagers."),
    ("Cataract surgery outcomes in rural clinics", "Visual acuity after phacoemulsification."),
    ("Malaria bed nets and child mortality", "Insecticide treated nets in villages."),
]


@pytest.fixture
def topical(review):
    """Records in import order: the five on-topic ones interleaved late among ten others.

    The review is unblinded, so that a single vote is a training label and these tests can follow the ranker vote
    by vote; what a blinded review trains on is tested apart."""
    set_screening_rules(review, blinded=False)
    made = {}
    order = [OTHER[0], TOPIC[0], OTHER[1], OTHER[2], OTHER[3], OTHER[4], OTHER[5], TOPIC[1]]
    order += [OTHER[6], OTHER[7], TOPIC[2], OTHER[8], TOPIC[3], OTHER[9], TOPIC[4]]
    for title, abstract in order:
        made[title] = RecordFactory(review=review, title=title, abstract=abstract, keywords=[])
    outcomes_sync(review=review)
    return made


def on_topic(records, record) -> bool:
    return any(record.title == title for title, _ in TOPIC)


@pytest.fixture
def prioritised(review, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        screening_settings_update(review=review, by=lead, order_title_abstract=QueueOrder.PRIORITISED, random_seed=3)
    return review


# ---- labels ---------------------------------------------------------------------------------------------------


def _mixed_votes(records, vote, reviewer, reviewer2):
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "maybe")
    vote(reviewer, records[2], "include")
    vote(reviewer2, records[2], "exclude")  # a conflict
    vote(reviewer, records[3], "include")
    vote(reviewer2, records[3], "include")  # included
    vote(reviewer, records[4], "exclude")
    vote(reviewer2, records[4], "exclude")  # excluded


def test_labels_of_a_blinded_review_are_the_decided_outcomes_only(review, topical, vote, reviewer, reviewer2):
    """Every reviewer reads the ranker's figures and order: a vote on an undecided record must not move them."""
    set_screening_rules(review, blinded=True)
    records = list(topical.values())
    _mixed_votes(records, vote, reviewer, reviewer2)
    snapshot = stage_snapshot(review=review, stage=TA)
    by_record = {snapshot.record_ids[i]: label for i, label in snapshot.labels.items()}
    assert by_record == {records[3].pk: 1, records[4].pk: 0}
    # Whether a record has votes (not what they are) still keeps its score from being rewritten.
    assert {snapshot.record_ids[i] for i in snapshot.voted} == {r.pk for r in records[:5]}


def test_labels_of_an_unblinded_review_take_final_outcomes_first_then_any_include_or_maybe_vote(
    review, topical, vote, reviewer, reviewer2
):
    records = list(topical.values())
    _mixed_votes(records, vote, reviewer, reviewer2)
    snapshot = stage_snapshot(review=review, stage=TA)
    by_record = {snapshot.record_ids[i]: label for i, label in snapshot.labels.items()}
    assert by_record == {records[0].pk: 0, records[1].pk: 1, records[2].pk: 1, records[3].pk: 1, records[4].pk: 0}
    assert {snapshot.record_ids[i] for i in snapshot.voted} == set(by_record)


# ---- scheduling -----------------------------------------------------------------------------------------------


def test_retraining_is_asked_on_include_first_vote_and_every_tenth_vote(review):
    cache.clear()
    assert relevance_retrain_soon(review=review, stage=TA, choice="exclude")  # first after a quiet spell
    asked = [relevance_retrain_soon(review=review, stage=TA, choice="exclude") for _ in range(RETRAIN_EVERY_VOTES)]
    assert asked == [False] * (RETRAIN_EVERY_VOTES - 1) + [True]
    assert relevance_retrain_soon(review=review, stage=TA, choice="include")
    assert relevance_retrain_soon(review=review, stage=TA, choice="maybe")


def test_a_vote_retrains_after_commit_and_stores_scores_of_unvoted_records(
    review, topical, vote, reviewer, django_capture_on_commit_callbacks
):
    records = list(topical.values())
    relevant, irrelevant = records[1], records[0]
    with django_capture_on_commit_callbacks(execute=True):
        vote(reviewer, irrelevant, "exclude")
    assert RankerRun.objects.get(review=review, stage=TA).version == 0  # one class only: nothing to learn
    assert not RelevanceScore.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        vote(reviewer, relevant, "include")
    assert callbacks  # the retraining was sent after the vote committed, not inside it
    run = RankerRun.objects.get(review=review, stage=TA)
    assert (run.version, run.relevant_labels, run.irrelevant_labels) == (1, 1, 1)
    assert run.trained_at is not None and run.scored == len(records) - 2
    scores = dict(RelevanceScore.objects.values_list("record_id", "score"))
    assert set(scores) == {r.pk for r in records} - {relevant.pk, irrelevant.pk}
    assert all(s.version == 1 for s in RelevanceScore.objects.all())
    on = [scores[r.pk] for r in records if on_topic(records, r) and r.pk in scores]
    off = [scores[r.pk] for r in records if not on_topic(records, r) and r.pk in scores]
    assert min(on) > max(off)


def test_retraining_twice_with_nothing_new_changes_nothing_and_a_seed_gives_the_same_scores(
    review, topical, vote, reviewer
):
    records = list(topical.values())
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "include")
    first = relevance_retrain(review=review, stage=TA)
    scores = dict(RelevanceScore.objects.values_list("record_id", "score"))
    assert relevance_retrain(review=review, stage=TA).version == first.version
    forced = relevance_retrain(review=review, stage=TA, force=True)
    assert forced.version == first.version + 1
    again = dict(RelevanceScore.objects.values_list("record_id", "score"))
    assert again == pytest.approx(scores)


def test_a_record_score_is_frozen_once_someone_votes_on_it(review, topical, vote, reviewer, reviewer2):
    records = list(topical.values())
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "include")
    relevance_retrain(review=review, stage=TA)
    target = records[7]  # on topic, not yet voted on
    before = RelevanceScore.objects.get(record=target)
    vote(reviewer, target, "include")
    vote(reviewer, records[2], "exclude")
    relevance_retrain(review=review, stage=TA)
    after = RelevanceScore.objects.get(record=target)
    assert (after.score, after.version) == (before.score, before.version)
    assert RelevanceScore.objects.get(record=records[3]).version == 2


def test_features_are_built_once_per_set_of_records_and_read_back(review, topical, monkeypatch):
    ids = sorted(r.pk for r in topical.values())
    built = stage_features(review=review, stage=TA, record_ids=ids)

    def refuse(texts):
        raise AssertionError("the stored matrix should have been used")

    monkeypatch.setattr("screening.ranking.model.vectorise", refuse)
    stored = stage_features(review=review, stage=TA, record_ids=ids)
    assert (stored != built).nnz == 0 and stored.shape == built.shape
    with pytest.raises(AssertionError, match="stored matrix"):
        stage_features(review=review, stage=TA, record_ids=ids[:-1])


# ---- the queue ----------------------------------------------------------------------------------------------------


def test_prioritised_queue_is_random_with_the_seed_before_both_classes(
    review, lead, topical, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        screening_settings_update(review=review, by=lead, order_title_abstract=QueueOrder.PRIORITISED, random_seed=3)
    keys = dict(StageOutcome.objects.filter(stage=TA).values_list("record_id", "queue_key"))
    config = settings_for(review)
    config.order_title_abstract = QueueOrder.RANDOM
    expected = {pk: queue_key_for(settings=config, stage=TA, record_id=pk, year=None) for pk in keys}
    assert keys == expected


def test_queue_follows_the_scores_after_retraining_through_the_api(
    api_client, prioritised, topical, reviewer, reviewer2, django_capture_on_commit_callbacks
):
    records = list(topical.values())
    api_client.force_authenticate(reviewer)
    base = f"/api/v1/reviews/{prioritised.slug}/screening/{TA.value}"
    with django_capture_on_commit_callbacks(execute=True):
        for record, choice in ((records[0], "exclude"), (records[1], "include")):
            response = api_client.post(f"{base}/records/{record.pk}/vote/", {"choice": choice}, format="json")
            assert response.status_code == 200
    seen = []
    for _ in range(4):
        body = api_client.get(f"{base}/next/").json()
        record_id = body["record"]["id"]
        seen.append(record_id)
        with django_capture_on_commit_callbacks(execute=True):
            api_client.post(f"{base}/records/{record_id}/vote/", {"choice": "exclude"}, format="json")
    on_topic_ids = {r.pk for r in records if on_topic(records, r)} - {records[1].pk}
    # The four on-topic records left come first, although import order puts most of them last.
    assert set(seen) == on_topic_ids
    # The records voted on keep the key they had when the vote was cast; the others follow the new scores.
    scores = dict(RelevanceScore.objects.values_list("record_id", "score"))
    for record_id, key in StageOutcome.objects.filter(stage=TA, vote_count=0).values_list("record_id", "queue_key"):
        assert key == -scores[record_id]


def test_records_voted_before_the_first_model_come_first_for_their_remaining_votes(
    prioritised, topical, vote, reviewer, reviewer2
):
    records = list(topical.values())
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "include")
    relevance_retrain(review=prioritised, stage=TA)
    assert queue_next_for(review=prioritised, stage=TA, reviewer=reviewer2) == records[0]


def test_switching_to_prioritised_applies_existing_votes_at_once(
    review, lead, topical, vote, reviewer, django_capture_on_commit_callbacks
):
    records = list(topical.values())
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "include")
    with django_capture_on_commit_callbacks(execute=True):
        screening_settings_update(review=review, by=lead, order_title_abstract=QueueOrder.PRIORITISED)
    assert RankerRun.objects.get(stage=TA).version == 1
    first = StageOutcome.objects.filter(stage=TA, vote_count=0).order_by("queue_key").first()
    assert on_topic(records, first.record)


# ---- the screen, the dashboard and the API route --------------------------------------------------------------


def test_screen_shows_the_relevance_estimate_unless_the_lead_hides_it(
    review, lead, topical, vote, reviewer, reviewer2, as_reviewer2
):
    records = list(topical.values())
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "include")
    relevance_retrain(review=review, stage=TA)
    url = f"/reviews/{review.slug}/screening/{TA.value}/records/{records[7].pk}/"
    page = as_reviewer2.get(url).content.decode()
    assert "Relevance estimate" in page and "model v1" in page
    screening_settings_update(review=review, by=lead, show_relevance=False)
    assert "Relevance estimate" not in as_reviewer2.get(url).content.decode()


def test_dashboard_shows_screened_since_last_include_and_the_estimate(
    review, topical, vote, reviewer, as_reviewer, as_viewer, as_outsider
):
    records = list(topical.values())
    choices = ["exclude", "include", "exclude", "exclude", "maybe", "exclude"]
    for record, choice in zip(records[:6], choices, strict=True):
        vote(reviewer, record, choice)
    assert screened_since_last_include(review=review, stage=TA) == 4
    relevance_retrain(review=review, stage=TA)
    page = as_reviewer.get(f"/reviews/{review.slug}/screening/progress/")
    assert page.status_code == 200
    assert "screened since the last include" in page.content.decode()
    summary = page.context["prioritisation"][0]
    assert summary.screened_since_last_include == 4 and summary.unscreened == len(records) - 6
    assert as_viewer.get(f"/reviews/{review.slug}/screening/progress/").status_code == 200
    assert as_outsider.get(f"/reviews/{review.slug}/screening/progress/").status_code == 404


def test_estimate_of_relevant_remaining_is_given_once_calibration_has_both_classes(review, topical, vote, reviewer):
    records = list(topical.values())
    order = [records[0], records[1]]
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "include")
    relevance_retrain(review=review, stage=TA)
    assert prioritisation_summary(review=review, stage=TA).estimated_relevant_remaining is None
    # Screen the rest in the ranker's order, retraining after each, as the app does.
    while True:
        scored = RelevanceScore.objects.filter(record__stage_outcomes__vote_count=0, record__stage_outcomes__stage=TA)
        best = scored.order_by("-score").first()
        if best is None or len(order) >= 10:
            break
        vote(reviewer, best.record, "include" if on_topic(records, best.record) else "exclude")
        order.append(best.record)
        relevance_retrain(review=review, stage=TA)
    estimate = prioritisation_summary(review=review, stage=TA).estimated_relevant_remaining
    assert estimate is not None and 0 <= estimate < len(records) - 10
    assert np.isfinite(estimate)


def prio_url(review) -> str:
    return f"/api/v1/reviews/{review.slug}/screening/{TA.value}/prioritisation/"


def test_prioritisation_api_reads_for_members_and_hides_from_outsiders(api_client, review, viewer, outsider, topical):
    api_client.force_authenticate(viewer)
    response = api_client.get(prio_url(review))
    assert response.status_code == 200
    assert response.json()["version"] == 0 and response.json()["unscreened"] == len(topical)
    api_client.force_authenticate(outsider)
    assert api_client.get(prio_url(review)).status_code == 404
    assert api_client.post(prio_url(review)).status_code == 404


def test_prioritisation_api_retrain_is_for_the_lead_only(
    api_client, review, lead, reviewer, topical, vote, django_capture_on_commit_callbacks
):
    records = list(topical.values())
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "include")
    api_client.force_authenticate(reviewer)
    assert api_client.post(prio_url(review)).status_code == 403
    assert not RankerRun.objects.exists()
    api_client.force_authenticate(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(prio_url(review))
    assert response.status_code == 202
    assert RankerRun.objects.get(stage=TA).version == 1
    assert AuditEvent.objects.filter(review=review, action="screening.ranker_retrain_requested").exists()
    assert api_client.get(prio_url(review)).json()["version"] == 1


def test_prioritisation_api_refuses_other_methods_and_unknown_stages(api_client, review, lead):
    api_client.force_authenticate(lead)
    assert api_client.put(prio_url(review)).status_code == 405
    assert api_client.delete(prio_url(review)).status_code == 405
    assert api_client.get(f"/api/v1/reviews/{review.slug}/screening/nope/prioritisation/").status_code == 404


def test_nothing_is_excluded_by_the_ranker(review, topical, vote, reviewer):
    records = list(topical.values())
    vote(reviewer, records[0], "exclude")
    vote(reviewer, records[1], "include")
    relevance_retrain(review=review, stage=TA)
    assert not StageOutcome.objects.filter(stage=TA, status=Status.EXCLUDED).exists()
    assert prioritisation.MIN_CALIBRATION >= 2

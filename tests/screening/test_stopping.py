"""The stopping rule in the app: the lead begins the random sample, the queue follows its order, the progress page
states the recall bound and when the target is met, the evidence exports, and the settings hold the target."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from review.models import AuditEvent
from screening.models import ScreeningSettings, Stage, StageOutcome, Status, StoppingSample
from screening.services.common import settings_for
from screening.services.queue import outcomes_sync, queue_next_for
from screening.stopping import stopping_evidence, stopping_sample_rows, stopping_sample_start, stopping_state
from tests.factories import set_screening_rules
from tests.screening.factories import RecordFactory

TA = Stage.TITLE_ABSTRACT


def url(name: str, review, stage: str = TA.value) -> str:
    return reverse(f"screening:{name}", kwargs={"slug": review.slug, "stage": stage})


@pytest.fixture
def single(review):
    """A review screened by one vote per record, with 40 records."""
    set_screening_rules(review, votes_required_title_abstract=1)
    made = [RecordFactory(review=review, title=f"Record {i}", abstract="") for i in range(40)]
    outcomes_sync(review=review)
    return made


def _screen(vote, user, records, included) -> None:
    for record in records:
        vote(user, record, "include" if record.pk in included else "exclude")


def test_lead_begins_the_sample_of_unvoted_records_in_a_fixed_random_order(
    as_lead, single, vote, reviewer, review, lead
) -> None:
    _screen(vote, reviewer, single[:10], {single[0].pk})
    response = as_lead.post(url("stopping-sample", review))
    assert response.status_code == 302
    sample = StoppingSample.objects.get(review=review, stage=TA)
    assert sorted(sample.record_ids) == sorted(r.pk for r in single[10:])
    assert sample.record_ids != sorted(sample.record_ids)  # shuffled (30 records: a sorted draw is negligible)
    assert sample.screened_before == 10 and sample.started_by == lead
    assert AuditEvent.objects.filter(review=review, action="screening.stopping_sample_started").count() == 1
    # The queue now follows the sample's order.
    keys = dict(StageOutcome.objects.filter(review=review, stage=TA).values_list("record_id", "queue_key"))
    ordered = sorted(sample.record_ids, key=lambda r: keys[r])
    assert ordered == sample.record_ids
    assert queue_next_for(review=review, reviewer=reviewer, stage=TA).pk == sample.record_ids[0]


def test_a_second_sample_is_refused_and_nothing_changes(as_lead, single, review, lead) -> None:
    first = stopping_sample_start(review=review, stage=TA, by=lead)
    response = as_lead.post(url("stopping-sample", review), follow=True)
    assert "random sample of this stage began" in response.content.decode()
    assert StoppingSample.objects.filter(review=review).count() == 1
    assert StoppingSample.objects.get().record_ids == first.record_ids


def test_only_the_lead_begins_the_sample(as_reviewer, as_outsider, as_lead, single, review) -> None:
    assert as_reviewer.post(url("stopping-sample", review)).status_code == 403
    assert as_outsider.post(url("stopping-sample", review)).status_code == 404
    assert as_lead.get(url("stopping-sample", review)).status_code == 405
    assert as_lead.post(url("stopping-sample", review, "no-such-stage")).status_code == 404
    assert not StoppingSample.objects.exists()


def test_the_bound_counts_the_decided_prefix_of_the_sample(single, vote, reviewer, review, lead) -> None:
    _screen(vote, reviewer, single[:10], {single[0].pk, single[1].pk})
    sample = stopping_sample_start(review=review, stage=TA, by=lead)
    by_id = {r.pk: r for r in single}
    # Decide the sample's 2nd and 3rd records first: out of order, they do not count until the 1st is decided.
    _screen(vote, reviewer, [by_id[r] for r in sample.record_ids[1:3]], set())
    state = stopping_state(review=review, stage=TA, screened_since_last_include=0)
    assert state.estimate is not None and state.estimate.sampled == 0
    _screen(vote, reviewer, [by_id[sample.record_ids[0]]], set())
    state = stopping_state(review=review, stage=TA, screened_since_last_include=0)
    assert state.estimate is not None
    assert (state.estimate.urn, state.estimate.sampled, state.estimate.sampled_relevant) == (30, 3, 0)
    assert state.estimate.relevant_outside == 2 and not state.estimate.target_met


def test_screening_the_sample_meets_the_target_and_the_page_says_so(
    as_lead, as_viewer, single, vote, reviewer, review, lead
) -> None:
    _screen(vote, reviewer, single[:10], {single[0].pk})
    sample = stopping_sample_start(review=review, stage=TA, by=lead)
    body = as_viewer.get(reverse("screening:progress", kwargs={"slug": review.slug})).content.decode()
    assert "Target 95% recall not met yet" in body
    by_id = {r.pk: r for r in single}
    # One relevant found outside: one more in the urn would put recall below 95%, and a sample of 29 of 30 still
    # misses it with probability 1/30, above the 2.5% allowed with none found in the sample.
    _screen(vote, reviewer, [by_id[r] for r in sample.record_ids[:29]], set())
    state = stopping_state(review=review, stage=TA, screened_since_last_include=0)
    assert state.estimate is not None and not state.estimate.target_met and state.estimate.more_to_sample == 1
    body = as_viewer.get(reverse("screening:progress", kwargs={"slug": review.slug})).content.decode()
    assert "If none of the next 1 record of the sample is relevant" in body
    _screen(vote, reviewer, [by_id[sample.record_ids[29]]], set())
    state = stopping_state(review=review, stage=TA, screened_since_last_include=0)
    assert state.estimate is not None and state.estimate.target_met and state.estimate.left_unscreened == 0
    body = as_viewer.get(reverse("screening:progress", kwargs={"slug": review.slug})).content.decode()
    assert "With 95% confidence at least 100% of relevant records found" in body and "Target met" in body
    assert "0 records of the random sample left unscreened" in body


def test_evidence_exports_as_json_and_csv(as_viewer, as_outsider, single, vote, reviewer, review, lead) -> None:
    _screen(vote, reviewer, single[:10], {single[0].pk})
    sample = stopping_sample_start(review=review, stage=TA, by=lead)
    by_id = {r.pk: r for r in single}
    _screen(vote, reviewer, [by_id[r] for r in sample.record_ids[:5]], {sample.record_ids[2]})
    response = as_viewer.get(url("stopping-evidence-json", review))
    evidence = json.loads(response.content)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert evidence["status"] == "sampling" and evidence["urn"] == 30 and evidence["sampled"] == 5
    assert evidence["sampled_relevant"] == 1 and evidence["relevant_found_before_sample"] == 1
    assert "Callaghan" in evidence["method"] and evidence["target_recall"] == 0.95
    response = as_viewer.get(url("stopping-evidence-csv", review))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["record_id"]) for r in rows] == sample.record_ids[:5]
    assert [r["sampled_relevant"] for r in rows] == ["0", "0", "1", "1", "1"]
    assert rows[2]["outcome"] == Status.INCLUDED
    assert as_outsider.get(url("stopping-evidence-json", review)).status_code == 404
    assert as_outsider.get(url("stopping-evidence-csv", review)).status_code == 404
    assert as_viewer.post(url("stopping-evidence-csv", review)).status_code == 405


def test_before_a_sample_the_evidence_says_not_started(single, review) -> None:
    assert stopping_evidence(review=review, stage=TA)["status"] == "not started"
    assert stopping_sample_rows(review=review, stage=TA) == []


def test_target_and_confidence_are_review_settings(as_lead, api_clients, lead, review, single) -> None:
    client = api_clients(lead)
    api = reverse("api-screening-settings", kwargs={"review": review.slug})
    response = client.patch(api, {"stop_target_recall": 0.9, "stop_confidence": 0.99}, format="json")
    assert response.status_code == 200 and response.json()["stop_target_recall"] == 0.9
    config = ScreeningSettings.objects.get(review=review)
    assert (config.stop_target_recall, config.stop_confidence) == (0.9, 0.99)
    bad = client.patch(api, {"stop_target_recall": 1.0}, format="json")
    assert bad.status_code == 400
    assert ScreeningSettings.objects.get(review=review).stop_target_recall == 0.9
    review.refresh_from_db()  # the settings this object read before the requests above
    state = stopping_state(review=review, stage=TA, screened_since_last_include=0)
    assert (state.target_recall, state.confidence) == (0.9, 0.99)


def test_settings_page_saves_the_stopping_fields(as_lead, review) -> None:
    data = {
        "order_title_abstract": "import",
        "order_full_text": "import",
        "random_seed": 1,
        "stop_target_recall": "0.8",
        "stop_confidence": "0.9",
    }
    response = as_lead.post(reverse("screening:settings", kwargs={"slug": review.slug}), data)
    assert response.status_code == 302
    config = settings_for(review)
    assert (config.stop_target_recall, config.stop_confidence) == (0.8, 0.9)
    data["stop_confidence"] = "1.5"
    assert as_lead.post(reverse("screening:settings", kwargs={"slug": review.slug}), data).status_code == 400
    assert settings_for(review).stop_confidence == 0.9


def test_the_switch_is_suggested_after_a_run_without_include(single, review) -> None:
    # 40 records: the floor of 50 irrelevant records in a row (in practice, when every record is screened).
    assert not stopping_state(review=review, stage=TA, screened_since_last_include=49).switch_suggested
    assert stopping_state(review=review, stage=TA, screened_since_last_include=50).switch_suggested


def test_api_begins_the_sample_and_reads_the_evidence(api_clients, lead, reviewer, outsider, review, single) -> None:
    api = reverse("api-screening-stopping", kwargs={"review": review.slug, "stage": TA.value})
    assert api_clients(reviewer).get(api).json()["status"] == "not started"
    assert api_clients(reviewer).post(api).status_code == 403
    assert api_clients(outsider).get(api).status_code == 404
    assert not StoppingSample.objects.exists()
    response = api_clients(lead).post(api)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "sampling" and body["urn"] == 40 and body["sampled"] == 0
    assert len(StoppingSample.objects.get(review=review).record_ids) == 40
    again = api_clients(lead).post(api)
    assert again.status_code == 400 and "began on" in json.dumps(again.json())
    assert StoppingSample.objects.count() == 1
    assert api_clients(lead).delete(api).status_code == 405


def test_retraining_and_a_new_order_keep_the_sample_order(single, vote, reviewer, review, lead) -> None:
    from screening.models import QueueOrder, RelevanceScore
    from screening.services.config import screening_settings_update
    from screening.services.prioritisation import relevance_retrain
    from screening.tasks import queue_reorder_task

    screening_settings_update(review=review, by=lead, order_title_abstract=QueueOrder.PRIORITISED)
    _screen(vote, reviewer, single[:4], {single[0].pk})
    relevance_retrain(review=review, stage=TA, force=True)
    sample = stopping_sample_start(review=review, stage=TA, by=lead)
    expected = {r: i / len(sample.record_ids) for i, r in enumerate(sample.record_ids)}

    def keys() -> dict[int, float]:
        rows = StageOutcome.objects.filter(review=review, stage=TA, record_id__in=sample.record_ids)
        return dict(rows.values_list("record_id", "queue_key"))

    assert keys() == expected
    by_id = {r.pk: r for r in single}
    _screen(vote, reviewer, [by_id[sample.record_ids[0]]], {sample.record_ids[0]})
    relevance_retrain(review=review, stage=TA, force=True)
    # The ranker still scores the records, but the queue keeps the sample's order.
    assert RelevanceScore.objects.filter(review=review, stage=TA, record_id=sample.record_ids[1]).exists()
    assert {r: k for r, k in keys().items() if r != sample.record_ids[0]} == {
        r: k for r, k in expected.items() if r != sample.record_ids[0]
    }
    screening_settings_update(review=review, by=lead, random_seed=99)
    queue_reorder_task(review.pk, TA.value)
    assert {r: k for r, k in keys().items() if r != sample.record_ids[0]} == {
        r: k for r, k in expected.items() if r != sample.record_ids[0]
    }

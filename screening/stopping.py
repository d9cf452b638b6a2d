"""The stopping rule in the app: the lead begins a random sample of the records nobody has screened yet; as it is
screened, the progress page states the recall reached with the review's confidence, says when the target is met
and what is left, and the evidence is exported for the methods section.

The statistics are pure and live in screening/ranking/stopping.py (method and citation there and in
docs/prioritisation.md). This module decides what the sample is in a review:

- The urn: the stage's records (not merged, not removed) awaiting a decision with no vote when the sample
  begins, shuffled once with the review's seed. Their queue keys become their positions in that order (in [0, 1),
  after every record already voted on), and the ranker no longer reorders them, so reviewers screen the sample
  in its random order; a change of queue order or seed puts the sample's keys back.
- The sample: the longest prefix of that order whose records all have a final outcome. A prefix of a random
  order is a simple random sample whichever other records reviewers decided meanwhile; records decided out of
  order count only once the prefix reaches them.
- Relevant: a final "included" outcome at the stage. Relevant records found outside the urn are those included
  at the stage now; records in conflict there are not yet counted (fewer found makes the bound more cautious).

Records imported after the sample began are in neither the urn nor the bound; the evidence counts them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from review.errors import ServiceError
from review.models import Review
from review.services import audit
from screening.models import StageOutcome, Status, StoppingSample, Vote
from screening.ranking.stopping import (
    RecallEstimate,
    recall_estimate,
    sequential_met,
    sequential_p_values,
    switch_run_length,
)
from screening.services.common import parse_stage, settings_for

METHOD = (
    "Random sample of the records left after ranked screening; one-sided hypergeometric test "
    "(Callaghan & Mueller-Bloch 2020, Systematic Reviews 9:273, doi:10.1186/s13643-020-01521-4)"
)
DECIDED = (Status.INCLUDED, Status.EXCLUDED, Status.NOT_RETRIEVED)


@dataclass(frozen=True, slots=True)
class StoppingState:
    """What the progress page, the API and the export show about stopping at one stage."""

    stage: str
    target_recall: float
    confidence: float
    records: int  # records of the stage now
    screened_since_last_include: int
    switch_after: int  # irrelevant records in a row after which the random sample is suggested
    sample: StoppingSample | None
    estimate: RecallEstimate | None
    added_since: int  # records of the stage that are in neither the urn nor screened before it

    @property
    def switch_suggested(self) -> bool:
        return self.sample is None and self.screened_since_last_include >= self.switch_after


def _stage_rows(review: Review, stage: str) -> dict[int, str]:
    """record id -> status of the stage's live records (not merged, not removed)."""
    rows = StageOutcome.objects.filter(
        review=review, stage=stage, record__merged_into__isnull=True, record__removed_reason=""
    ).values_list("record_id", "status")
    return dict(rows)


@transaction.atomic
def stopping_sample_start(*, review: Review, stage: str, by: User) -> StoppingSample:
    """Begin the stage's random sample (lead): fix the urn and its random order, and queue it in that order."""
    stage = parse_stage(stage)
    # One sample per stage; the lock settles two leads pressing at once.
    Review.objects.select_for_update().get(pk=review.pk)
    existing = StoppingSample.objects.filter(review=review, stage=stage).first()
    if existing is not None:
        raise ServiceError(f"The random sample of this stage began on {existing.started_at:%Y-%m-%d %H:%M} UTC")
    statuses = _stage_rows(review, stage)
    voted = set(Vote.objects.filter(review=review, stage=stage).values_list("record_id", flat=True))
    urn = sorted(r for r, status in statuses.items() if status == Status.AWAITING and r not in voted)
    if not urn:
        raise ServiceError("Every record of this stage has a vote already: there is nothing left to sample")
    seed = settings_for(review).random_seed
    random.Random(f"stopping:{seed}:{stage.value}").shuffle(urn)
    sample = StoppingSample.objects.create(
        review=review,
        stage=stage,
        started_by=by,
        seed=seed,
        record_ids=urn,
        screened_before=len(statuses) - len(urn),
    )
    stopping_sample_keys(review=review, stage=stage)
    audit(review=review, actor=by, action="screening.stopping_sample_started", stage=stage.value, urn=len(urn))
    return sample


def stopping_sample_keys(*, review: Review, stage: str) -> int:
    """Give the sample's records still awaiting queue keys in the sample's order; returns how many changed."""
    sample = StoppingSample.objects.filter(review=review, stage=stage).first()
    if sample is None:
        return 0
    position = {record_id: i / len(sample.record_ids) for i, record_id in enumerate(sample.record_ids)}
    changed = [
        StageOutcome(pk=pk, queue_key=position[record_id])
        for pk, record_id, key in StageOutcome.objects.filter(
            review=review, stage=stage, record_id__in=sample.record_ids, status=Status.AWAITING
        ).values_list("pk", "record_id", "queue_key")
        if key != position[record_id]
    ]
    StageOutcome.objects.bulk_update(changed, ["queue_key"], batch_size=2000)
    return len(changed)


def stopping_sample_active(*, review: Review, stage: str) -> bool:
    return StoppingSample.objects.filter(review=review, stage=stage).exists()


def _sample_prefix(sample: StoppingSample, statuses: dict[int, str]) -> list[tuple[int, str]]:
    """(record id, status) of the sample so far: the urn's order up to its first record without a decision."""
    prefix: list[tuple[int, str]] = []
    for record_id in sample.record_ids:
        status = statuses.get(record_id)
        if status is None:
            continue  # merged or removed since: no longer a record of the review, it cannot be missed
        if status not in DECIDED:
            break
        prefix.append((record_id, status))
    return prefix


def stopping_state(*, review: Review, stage: str, screened_since_last_include: int) -> StoppingState:
    """The stage's stopping figures (``screened_since_last_include`` as the prioritisation summary counts it)."""
    stage = parse_stage(stage)
    config = settings_for(review)
    statuses = _stage_rows(review, stage)
    sample = StoppingSample.objects.filter(review=review, stage=stage).first()
    estimate = None
    added = 0
    if sample is not None:
        estimate, added = _estimate(sample, statuses, config.stop_target_recall, config.stop_confidence)
    return StoppingState(
        stage=stage.value,
        target_recall=config.stop_target_recall,
        confidence=config.stop_confidence,
        records=len(statuses),
        screened_since_last_include=screened_since_last_include,
        switch_after=switch_run_length(len(statuses)),
        sample=sample,
        estimate=estimate,
        added_since=added,
    )


def _estimate(
    sample: StoppingSample, statuses: dict[int, str], target: float, confidence: float
) -> tuple[RecallEstimate, int]:
    urn = set(sample.record_ids)
    live_urn = [r for r in sample.record_ids if r in statuses]
    prefix = _sample_prefix(sample, statuses)
    outside = sum(1 for r, status in statuses.items() if r not in urn and status == Status.INCLUDED)
    estimate = recall_estimate(
        urn=len(live_urn),
        sampled=len(prefix),
        sampled_relevant=sum(1 for _, status in prefix if status == Status.INCLUDED),
        relevant_outside=outside,
        target_recall=target,
        confidence=confidence,
    )
    added = max(0, len(statuses) - len(live_urn) - sample.screened_before)
    return estimate, added


def stopping_evidence(*, review: Review, stage: str) -> dict[str, object]:
    """Everything a methods section needs about the stop, as plain data (the JSON export)."""
    from screening.selectors.prioritisation import screened_since_last_include

    stage = parse_stage(stage)
    state = stopping_state(
        review=review, stage=stage, screened_since_last_include=screened_since_last_include(review=review, stage=stage)
    )
    evidence: dict[str, object] = {
        "review": review.slug,
        "stage": stage.value,
        "method": METHOD,
        "target_recall": state.target_recall,
        "confidence": state.confidence,
        "records": state.records,
        "exported_at": timezone.now().isoformat(),
        "sample_started_at": None,
        "sample_started_by": None,
    }
    if state.sample is None or state.estimate is None:
        evidence["status"] = "not started"
        return evidence
    estimate = state.estimate
    evidence.update(
        status="target met" if estimate.target_met else "sampling",
        sample_started_at=state.sample.started_at.isoformat(),
        sample_started_by=state.sample.started_by.get_username(),
        sample_seed=state.sample.seed,
        screened_before_sample=state.sample.screened_before,
        relevant_found_before_sample=estimate.relevant_outside,
        urn=estimate.urn,
        sampled=estimate.sampled,
        sampled_relevant=estimate.sampled_relevant,
        left_unscreened=estimate.left_unscreened,
        relevant_missed_upper=estimate.relevant_missed_upper,
        recall_lower_bound=round(estimate.recall_lower, 6),
        p_value=estimate.p_value,
        target_met=estimate.target_met,
        more_to_sample=estimate.more_to_sample,
        records_added_since_sample=state.added_since,
    )
    return evidence


def stopping_sample_rows(*, review: Review, stage: str) -> list[dict[str, object]]:
    """One row per sampled record, in the sample's order, with the test's p-value as it stood after that record
    (the CSV export): the whole sequence of looks the stop rests on."""
    stage = parse_stage(stage)
    sample = StoppingSample.objects.filter(review=review, stage=stage).first()
    if sample is None:
        return []
    config = settings_for(review)
    statuses = _stage_rows(review, stage)
    urn = set(sample.record_ids)
    live_urn = sum(1 for r in sample.record_ids if r in statuses)
    outside = sum(1 for r, status in statuses.items() if r not in urn and status == Status.INCLUDED)
    prefix = _sample_prefix(sample, statuses)
    relevant = np.cumsum([status == Status.INCLUDED for _, status in prefix], dtype=np.int64)
    p_values = sequential_p_values(
        urn=live_urn, sampled_relevant=relevant, relevant_outside=outside, target_recall=config.stop_target_recall
    )
    met = sequential_met(
        urn=live_urn,
        sampled_relevant=relevant,
        relevant_outside=outside,
        target_recall=config.stop_target_recall,
        confidence=config.stop_confidence,
    )
    return [
        {
            "position": position,
            "record_id": record_id,
            "outcome": status,
            "sampled_relevant": int(relevant[position - 1]),
            "p_value": round(float(p_values[position - 1]), 6),
            "target_met": bool(met[position - 1]),
        }
        for position, (record_id, status) in enumerate(prefix, start=1)
    ]

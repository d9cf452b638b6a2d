"""Screening prioritisation, the reads: the labels a retraining learns from and the figures pages and the API
show. The writes are in screening/services/prioritisation.py.

Training labels, per record at the stage, in a blinded review: the final outcome of records decided by votes or
by the lead (included = relevant, excluded = irrelevant; "not retrieved" says nothing about relevance and is left
out). Votes on undecided records are not used: the scores, the queue order and the figures are read by every
reviewer, and until a record is decided nothing a reviewer reads may depend on another reviewer's choice on it
(issue #14: the count of relevant labels rose right after a single include on an undecided record). In an
unblinded review, where every vote is visible anyway, an undecided record's current votes count too (relevant
when any vote is include or maybe), so the ranker is not blind for most of a dual-screened stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max

from review.models import Record, Review
from screening.models import (
    Choice,
    QueueOrder,
    RankerRun,
    RelevanceScore,
    Resolution,
    Stage,
    StageOutcome,
    Status,
    Vote,
    VoteEvent,
)
from screening.selectors import is_blinded, settings_for
from screening.services.common import parse_stage

RELEVANT_CHOICES = (Choice.INCLUDE, Choice.MAYBE)


# ---- training labels ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageSnapshot:
    """What one retraining sees: the stage's records (sorted by id) and their labels, read at one moment."""

    outcome_ids: list[int]
    record_ids: list[int]
    statuses: list[str]
    labels: dict[int, int]  # row index -> 1 relevant / 0 irrelevant
    voted: set[int]  # row indices of records with a vote or a final outcome
    last_event_id: int
    last_resolution_id: int


def stage_snapshot(*, review: Review, stage: str) -> StageSnapshot:
    """The stage's screenable records and training labels (see the module docstring for the label rule)."""
    # Watermarks first: a vote arriving while the rest is read is then seen again by the next retraining.
    last_event = VoteEvent.objects.filter(review=review, stage=stage).aggregate(m=Max("id"))["m"] or 0
    last_resolution = Resolution.objects.filter(review=review, stage=stage).aggregate(m=Max("id"))["m"] or 0
    rows = list(
        StageOutcome.objects.filter(
            review=review, stage=stage, record__merged_into__isnull=True, record__removed_reason=""
        )
        .order_by("record_id")
        .values_list("pk", "record_id", "status")
    )
    index = {record_id: i for i, (_, record_id, _) in enumerate(rows)}
    labels: dict[int, int] = {}
    voted = {index[r] for r in Vote.objects.filter(review=review, stage=stage).values_list("record_id", flat=True)
             if r in index}  # fmt: skip
    if not is_blinded(review):
        for record_id, choice in Vote.objects.filter(review=review, stage=stage).values_list("record_id", "choice"):
            i = index.get(record_id)
            if i is not None:
                labels[i] = max(labels.get(i, 0), int(choice in RELEVANT_CHOICES))
    for i, (_, _, status) in enumerate(rows):
        if status == Status.INCLUDED:
            labels[i] = 1
        elif status == Status.EXCLUDED:
            labels[i] = 0
        elif status == Status.NOT_RETRIEVED:
            labels.pop(i, None)
        if status in (Status.INCLUDED, Status.EXCLUDED, Status.NOT_RETRIEVED):
            voted.add(i)
    return StageSnapshot(
        outcome_ids=[pk for pk, _, _ in rows],
        record_ids=[record_id for _, record_id, _ in rows],
        statuses=[status for _, _, status in rows],
        labels=labels,
        voted=voted,
        last_event_id=last_event,
        last_resolution_id=last_resolution,
    )


# ---- reads for pages and the API ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrioritisationSummary:
    stage: Stage
    order: str
    prioritised: bool
    version: int
    trained_at: datetime | None
    relevant_labels: int
    irrelevant_labels: int
    estimated_relevant_remaining: float | None
    screened_since_last_include: int
    unscreened: int


def relevance_of(*, record: Record, stage: str) -> RelevanceScore | None:
    """The record's stored relevance estimate at the stage (None before the ranker could score it)."""
    return RelevanceScore.objects.filter(record=record, stage=stage).first()


def screened_since_last_include(*, review: Review, stage: str) -> int:
    """Records given a vote since the latest include vote at the stage (every voted record if none yet).

    A long run without an include is what reviewers watch when deciding whether to stop screening early. In a
    blinded review only include votes on records since included count, so that the figure never moves with
    another reviewer's vote on a record still undecided (issue #14).
    """
    events = VoteEvent.objects.filter(review=review, stage=stage)
    includes = events.filter(choice=Choice.INCLUDE).exclude(action=VoteEvent.Action.WITHDRAW)
    if is_blinded(review):
        decided = StageOutcome.objects.filter(review=review, stage=stage, status=Status.INCLUDED).values("record_id")
        includes = includes.filter(record_id__in=decided)
    last_include = includes.aggregate(m=Max("id"))["m"]
    cast = events.filter(action=VoteEvent.Action.CAST)
    if last_include is not None:
        cast = cast.filter(id__gt=last_include)
    return cast.values("record_id").distinct().count()


def prioritisation_summary(*, review: Review, stage: str) -> PrioritisationSummary:
    stage = parse_stage(stage)
    config = settings_for(review)
    run = RankerRun.objects.filter(review=review, stage=stage).first()
    voted = Vote.objects.filter(review=review, stage=stage).values("record_id")
    unscreened = (
        StageOutcome.objects.filter(review=review, stage=stage, status=Status.AWAITING)
        .exclude(record_id__in=voted)
        .count()
    )
    return PrioritisationSummary(
        stage=stage,
        order=config.order_for(stage),
        prioritised=config.order_for(stage) == QueueOrder.PRIORITISED,
        version=run.version if run else 0,
        trained_at=run.trained_at if run else None,
        relevant_labels=run.relevant_labels if run else 0,
        irrelevant_labels=run.irrelevant_labels if run else 0,
        estimated_relevant_remaining=run.estimated_relevant_remaining if run else None,
        screened_since_last_include=screened_since_last_include(review=review, stage=stage),
        unscreened=unscreened,
    )

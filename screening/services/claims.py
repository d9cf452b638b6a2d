"""Claims on a record's vote slots: taken when a record is served, renewed while its page is open, given back
when the page is left or the record is skipped. See screening/services/queue.py for how records are served.

A claim holds one of the record's vote slots for CLAIM_TTL; every claim is created under the record's outcome row
lock and after the slots were counted again, so two reviewers cannot both take the last one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from review.errors import ServiceError
from review.models import Record, Review
from screening.models import QueueClaim, QueueSkip, StageOutcome, Status, Vote
from screening.services.common import lock_outcome, parse_stage, votes_required

# Short enough that a closed laptop frees a record within two minutes; the page renews every 30 s (static/js).
CLAIM_TTL = timedelta(minutes=2)


def held_by_others(*, stage: str, reviewer: User, since: datetime) -> Subquery:
    claims = (
        QueueClaim.objects.filter(record=OuterRef("record"), stage=stage, claimed_at__gte=since)
        .exclude(reviewer=reviewer)
        .values("record")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Subquery(claims, output_field=IntegerField())


def has_free_slot(*, review: Review, outcome: StageOutcome, reviewer: User, since: datetime) -> bool:
    if outcome.status != Status.AWAITING:
        return False
    # One query: whether I voted already, and how many slots other reviewers' live claims hold.
    mine, held = (
        StageOutcome.objects.filter(pk=outcome.pk)
        .annotate(
            mine=Exists(Vote.objects.filter(record=OuterRef("record"), stage=outcome.stage, reviewer=reviewer)),
            held=Coalesce(held_by_others(stage=outcome.stage, reviewer=reviewer, since=since), Value(0)),
        )
        .values_list("mine", "held")
        .get()
    )
    return not mine and outcome.vote_count + held < votes_required(review=review, stage=outcome.stage, outcome=outcome)


@transaction.atomic
def queue_skip(*, review: Review, record: Record, stage: str, reviewer: User) -> None:
    """Put a record at the back of this reviewer's queue and free its slot for others."""
    stage = parse_stage(stage)
    lock_outcome(review=review, record=record, stage=stage)
    QueueClaim.objects.filter(record=record, stage=stage, reviewer=reviewer).delete()
    QueueSkip.objects.update_or_create(record=record, stage=stage, reviewer=reviewer, defaults={"at": timezone.now()})


@transaction.atomic
def queue_claim(*, review: Review, record: Record, stage: str, reviewer: User) -> None:
    """Claim a specific record for the reviewer (going back to a record, or undoing a vote on it)."""
    stage = parse_stage(stage)
    outcome = lock_outcome(review=review, record=record, stage=stage)
    if not has_free_slot(review=review, outcome=outcome, reviewer=reviewer, since=timezone.now() - CLAIM_TTL):
        raise ServiceError("This record does not need your vote now", code="conflict")
    QueueClaim.objects.filter(reviewer=reviewer, stage=stage, record__review=review).delete()
    QueueClaim.objects.create(record=record, stage=stage, reviewer=reviewer, claimed_at=timezone.now())


@transaction.atomic
def queue_hold(*, review: Review, record: Record, stage: str, reviewer: User) -> bool:
    """Renew the reviewer's claim on the record they are looking at; True while they hold one of its slots.

    A claim that expired meanwhile is taken again only if a slot is still free (someone else may have it now)."""
    stage = parse_stage(stage)
    renewed = QueueClaim.objects.filter(
        record=record, stage=stage, reviewer=reviewer, claimed_at__gte=timezone.now() - CLAIM_TTL
    ).update(claimed_at=timezone.now())
    if renewed:
        return True
    try:
        queue_claim(review=review, record=record, stage=stage, reviewer=reviewer)
    except ServiceError:
        return False
    return True


def queue_release(*, review: Review, stage: str, reviewer: User, record: Record | None = None) -> int:
    """Give back the reviewer's claims at the stage (the page was left); returns how many were released."""
    stage = parse_stage(stage)
    claims = QueueClaim.objects.filter(reviewer=reviewer, stage=stage, record__review=review)
    if record is not None:
        claims = claims.filter(record=record)
    deleted, _ = claims.delete()
    return deleted

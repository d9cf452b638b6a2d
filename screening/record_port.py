"""Screening's answers to the records list (review.extensions, through ScreeningConfig): status per stage and the
stage filters. Blinding: filtering by another reviewer's votes is for those who may see votes (lead, arbiter, or
an unblinded review); anyone may filter by their own."""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from review.access import ReviewAccess
from review.errors import ServiceError
from review.models import Membership, Record, Review
from screening.models import Stage, StageOutcome, Status, Vote
from screening.services.common import settings_for, votes_required

NOT_SCREENED = "not_screened"


FILTER_NAMES = frozenset({"stage", "status", "reviewer", "awaiting_second", "conflicts"})
STATUS_CHOICES = [(NOT_SCREENED, "Not screened yet"), *Status.choices]


def voted_record_ids(*, review: Review, user: User) -> QuerySet:
    return Vote.objects.filter(review=review, reviewer=user).values("record_id")


def statuses(*, review: Review, record_ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    # Ordered, so that a record's stages come out in the same order whatever plan the database picks.
    rows = (
        StageOutcome.objects.filter(review=review, record_id__in=record_ids)
        .order_by("record_id", "-stage")
        .values_list("record_id", "stage", "status")
    )
    for record_id, stage, status in rows:
        found.setdefault(record_id, {})[stage] = status
    return found


def filter_records(
    records: QuerySet[Record], *, access: ReviewAccess, user: User, params: Mapping[str, str]
) -> QuerySet[Record]:
    stage_name = params.get("stage", "") or Stage.TITLE_ABSTRACT.value
    if stage_name not in Stage.values:
        raise ServiceError(f"stage is one of: {', '.join(Stage.values)}", field="stage")
    stage = Stage(stage_name)
    outcomes = StageOutcome.objects.filter(record=OuterRef("pk"), stage=stage)
    status = params.get("status", "")
    if status == NOT_SCREENED:
        records = records.exclude(Exists(outcomes.exclude(status=Status.AWAITING, vote_count=0)))
    elif status:
        if status not in Status.values:
            allowed = ", ".join([*Status.values, NOT_SCREENED])
            raise ServiceError(f"status is one of: {allowed}", field="status")
        records = records.filter(Exists(outcomes.filter(status=status)))
    if _flag(params, "conflicts"):
        records = records.filter(Exists(outcomes.filter(status=Status.CONFLICT)))
    if _flag(params, "awaiting_second"):
        required = votes_required(review=access.review, stage=stage)
        waiting = outcomes.filter(status=Status.AWAITING, vote_count__gte=1).filter(
            vote_count__lt=Coalesce(F("votes_required"), required)
        )
        records = records.filter(Exists(waiting))
    reviewer = params.get("reviewer", "").strip()
    if reviewer:
        member = Membership.objects.filter(review=access.review, user__username=reviewer).select_related("user").first()
        if member is None:
            raise ServiceError("reviewer is the username of a member of this review", field="reviewer")
        may_see = member.user_id == user.pk or access.can_resolve or not settings_for(access.review).blinded
        if not may_see:
            raise ServiceError("While the review is blinded you may filter by your own votes only", field="reviewer")
        records = records.filter(Exists(Vote.objects.filter(record=OuterRef("pk"), stage=stage, reviewer=member.user)))
    return records


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "")
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise ServiceError(f"{name} is 1 or 0", field=name)

"""The lead's screening configuration: votes required, blinding, rules switches, queue order, highlighted terms,
exclusion reasons and pilot rounds. Every change is audited."""

from __future__ import annotations

import random
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from review.errors import ServiceError
from review.models import Membership, Review, Role
from review.services import audit
from screening.models import ExclusionReason, PilotRound, QueueOrder, ScreeningSettings, Stage, StageOutcome, Status
from screening.services.common import parse_stage, settings_for, settings_for_update
from screening.services.queue import outcomes_sync
from screening.services.votes import outcomes_recheck_required

SETTING_FIELDS = (
    "votes_required_title_abstract",
    "votes_required_full_text",
    "blinded",
    "maybe_goes_to_full_text",
    "reason_mismatch_is_conflict",
    "title_abstract_reasons",
    "order_title_abstract",
    "order_full_text",
    "random_seed",
    "include_terms",
    "exclude_terms",
    "show_relevance",
    "stop_target_recall",
    "stop_confidence",
)
# The settings that the review API also shows and accepts (review.extensions.review_settings_fields).
REVIEW_LEVEL_FIELDS = ("votes_required_title_abstract", "votes_required_full_text", "blinded")
STOP_RANGE = (0.5, 0.999)  # below half the statement is useless; 1 would need every record screened


VOTES_RANGE = (1, 10)  # the database refuses anything else (screening_votes_ta_range, screening_votes_ft_range)


def _votes(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise ServiceError("must be a whole number", field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError("must be a whole number", field=field) from None
    if number != value and str(number) != str(value).strip():
        raise ServiceError("must be a whole number", field=field)
    if not VOTES_RANGE[0] <= number <= VOTES_RANGE[1]:
        raise ServiceError(f"must be between {VOTES_RANGE[0]} and {VOTES_RANGE[1]}", field=field)
    return number


def _terms(value: Any, field: str) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    if not isinstance(value, list):
        raise ServiceError("Give one term per line", field=field)
    seen: dict[str, str] = {}
    for term in value:
        term = str(term).strip()
        if term and term.lower() not in seen:
            seen[term.lower()] = term[:100]
    return list(seen.values())[:200]


@transaction.atomic
def screening_settings_update(*, review: Review, by: User, **fields: Any) -> ScreeningSettings:
    unknown = set(fields) - set(SETTING_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown screening settings: {', '.join(sorted(unknown))}")
    config = settings_for_update(review)
    for name in ("order_title_abstract", "order_full_text"):
        if name in fields and fields[name] not in QueueOrder.values:
            raise ServiceError("Unknown order", field=name)
    for name in ("stop_target_recall", "stop_confidence"):
        if name in fields:
            value = fields[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not value == value:
                raise ServiceError("Give a number such as 0.95", field=name)
            if not STOP_RANGE[0] <= value <= STOP_RANGE[1]:
                raise ServiceError(f"Give a share between {STOP_RANGE[0]} and {STOP_RANGE[1]}", field=name)
            fields[name] = float(value)
    for name in ("include_terms", "exclude_terms"):
        if name in fields:
            fields[name] = _terms(fields[name], name)
    for name in ("votes_required_title_abstract", "votes_required_full_text"):
        if name in fields:
            fields[name] = _votes(fields[name], name)
    if "blinded" in fields and not isinstance(fields["blinded"], bool):
        raise ServiceError("must be true or false", field="blinded")
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if getattr(config, name) != value:
            changed[name] = {"from": getattr(config, name), "to": value}
            setattr(config, name, value)
    if not changed:
        return config
    config.save()
    audit(review=review, actor=by, action="screening.settings_updated", changes=changed)
    # Records that a lower vote count now settles are decided here, not left waiting for a vote nobody is asked for.
    outcomes_recheck_required(review, by, changed)
    reorder = {"order_title_abstract", "order_full_text", "random_seed"} & set(changed)
    if reorder:
        from screening.tasks import queue_reorder_task

        stages = [Stage.TITLE_ABSTRACT, Stage.FULL_TEXT]
        if reorder == {"order_title_abstract"}:
            stages = [Stage.TITLE_ABSTRACT]
        elif reorder == {"order_full_text"}:
            stages = [Stage.FULL_TEXT]
        for stage in stages:
            transaction.on_commit(partial(queue_reorder_task.delay, review.pk, stage.value))
    return config


def review_unblind(*, review: Review, by: User, blinded: bool = False) -> ScreeningSettings:
    """Switch blinding off (or back on)."""
    return screening_settings_update(review=review, by=by, blinded=blinded)


# ---- exclusion reasons ------------------------------------------------------------------------------------


@transaction.atomic
def exclusion_reason_add(*, review: Review, by: User, label: str) -> ExclusionReason:
    label = label.strip()[:200]
    if not label:
        raise ServiceError("A reason needs a label", field="label")
    position = (ExclusionReason.objects.filter(review=review).aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            reason = ExclusionReason.objects.create(review=review, label=label, position=position)
    except IntegrityError:
        raise ServiceError("That reason is already in the list", field="label") from None
    audit(review=review, actor=by, action="screening.reason_added", reason=reason.pk, label=label)
    return reason


@transaction.atomic
def exclusion_reason_update(
    *, review: Review, by: User, reason: ExclusionReason, label: str | None = None, archived: bool | None = None
) -> ExclusionReason:
    if reason.review_id != review.pk:
        raise ServiceError("No such reason", code="not_found")
    changes: dict[str, Any] = {}
    if label is not None:
        label = label.strip()[:200]
        if not label:
            raise ServiceError("A reason needs a label", field="label")
        if label != reason.label:
            if ExclusionReason.objects.filter(review=review, label=label).exclude(pk=reason.pk).exists():
                raise ServiceError("That reason is already in the list", field="label")
            changes["label"] = {"from": reason.label, "to": label}
            reason.label = label
    if archived is not None and archived != reason.archived:
        changes["archived"] = {"from": reason.archived, "to": archived}
        reason.archived = archived
    if changes:
        reason.save()
        audit(review=review, actor=by, action="screening.reason_updated", reason=reason.pk, changes=changes)
    return reason


@transaction.atomic
def exclusion_reasons_reorder(*, review: Review, by: User, ordered_ids: list[int]) -> None:
    reasons = {r.pk: r for r in ExclusionReason.objects.select_for_update().filter(review=review)}
    if len(ordered_ids) != len(reasons) or set(ordered_ids) != set(reasons):
        raise ServiceError("Give every reason of the list exactly once", field="order")
    for position, pk in enumerate(ordered_ids, start=1):
        reasons[pk].position = position
    ExclusionReason.objects.bulk_update(reasons.values(), ["position"])
    audit(review=review, actor=by, action="screening.reasons_reordered", order=ordered_ids)


@transaction.atomic
def exclusion_reason_move(*, review: Review, by: User, reason: ExclusionReason, offset: int) -> None:
    ids = list(ExclusionReason.objects.filter(review=review).values_list("pk", flat=True))
    index = ids.index(reason.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    exclusion_reasons_reorder(review=review, by=by, ordered_ids=ids)


# ---- pilot rounds -------------------------------------------------------------------------------------------


@transaction.atomic
def pilot_start(*, review: Review, by: User, stage: str = Stage.TITLE_ABSTRACT, size: int = 25) -> PilotRound:
    """Draw a calibration sample (records nobody has voted on yet, seeded) that every reviewer screens before
    the main round; each pilot record needs a vote from every member with the reviewer role."""
    stage = parse_stage(stage)
    if not 2 <= size <= 500:
        raise ServiceError("A pilot sample has between 2 and 500 records", field="size")
    if PilotRound.objects.filter(review=review, stage=stage, closed_at__isnull=True).exists():
        raise ServiceError("A pilot round is already open at this stage", code="conflict")
    reviewers = Membership.objects.filter(review=review, role=Role.REVIEWER).count()
    if reviewers < 2:
        raise ServiceError("A pilot round needs at least two members with the reviewer role", field="size")
    if stage == Stage.TITLE_ABSTRACT:
        outcomes_sync(review=review)
    fresh = list(
        StageOutcome.objects.filter(
            review=review, stage=stage, status=Status.AWAITING, vote_count=0, pilot__isnull=True
        ).values_list("pk", flat=True)
    )
    if len(fresh) < size:
        raise ServiceError(f"Only {len(fresh)} records have no votes yet; choose a smaller sample", field="size")
    sample = random.Random(settings_for(review).random_seed).sample(sorted(fresh), size)
    try:
        with transaction.atomic():
            pilot = PilotRound.objects.create(review=review, stage=stage, votes_required=reviewers, created_by=by)
    except IntegrityError:
        raise ServiceError("A pilot round is already open at this stage", code="conflict") from None
    StageOutcome.objects.filter(pk__in=sample).update(pilot=pilot, votes_required=reviewers)
    audit(review=review, actor=by, action="screening.pilot_started", pilot=pilot.pk, stage=stage, size=size)
    return pilot


@transaction.atomic
def pilot_close(*, review: Review, by: User, pilot: PilotRound) -> PilotRound:
    """End the pilot: the main round starts. Pilot records keep needing every reviewer's vote."""
    if pilot.review_id != review.pk:
        raise ServiceError("No such pilot round", code="not_found")
    if pilot.closed_at is None:
        pilot.closed_at = timezone.now()
        pilot.save(update_fields=["closed_at"])
        audit(review=review, actor=by, action="screening.pilot_closed", pilot=pilot.pk)
    return pilot

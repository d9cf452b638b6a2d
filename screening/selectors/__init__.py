"""Reads of the screening app. Blinding lives here: every view and API route reads votes through these functions.
The progress dashboard's figures (per-reviewer progress, agreement, pilot summaries) are in `progress.py` beside
this module.

Blinding rule (settings `blinded`): until a record is included or excluded at a stage, a person sees only their own
vote on it. Exceptions: a record in conflict (every required vote in) shows all its votes to the lead and to the
reviewers who voted on it (they must discuss it); a record marked "not retrieved" shows them to the lead only,
since an uploaded report reopens it for the reviewers who have not voted yet. An unblinded review shows every
vote.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from review.access import ReviewAccess
from review.models import Membership, Record, Review, Role
from screening.models import (
    FINAL_STATUSES,
    REVEALING_STATUSES,
    BulkFullText,
    ConflictComment,
    ExclusionReason,
    FullText,
    PilotRound,
    QueueOrder,
    Resolution,
    ScreeningSettings,
    Stage,
    StageOutcome,
    Status,
    Vote,
    VoteEvent,
)
from screening.rules import first_reason


def settings_for(review: Review) -> ScreeningSettings:
    """The review's screening settings. A review whose lead never changed them has no row: reads get the defaults
    (an unsaved instance) and never write one; `services.common.settings_for_update` creates it when a setting
    changes. The row (or its absence) is remembered on the review object, so a page asks once."""
    try:
        return review.screening
    except ScreeningSettings.DoesNotExist:
        return ScreeningSettings(review_id=review.pk)


def is_blinded(review: Review) -> bool:
    """Whether reviewers see only their own vote on a record until it is decided."""
    return settings_for(review).blinded


def screenable_records(*, review: Review) -> QuerySet[Record]:
    """The records that enter screening: not merged into another record and not removed before screening."""
    return Record.objects.filter(review=review, merged_into__isnull=True, removed_reason="")


# ---- queue order -------------------------------------------------------------------------------------------


def queue_key_for(
    *, settings: ScreeningSettings, stage: str, record_id: int, year: int | None, score: float | None = None
) -> float:
    """The one place that decides queue order: a sort key per record, smallest first.

    The key is stored on the record's outcome row (and indexed), so serving the next record never sorts the
    whole stage. A relevance ranker plugs in by passing `score` (higher = more likely relevant), which wins over
    the review's order when given; `queue_reorder` recomputes the stored keys.
    """
    if score is not None:
        return -float(score)
    order = settings.order_for(stage)
    # A prioritised stage starts (and places records imported since the last retraining) in the seeded random
    # order: the keys of unscored records then fall after every scored one (-1 <= -score <= 0).
    if order in (QueueOrder.RANDOM, QueueOrder.PRIORITISED):
        digest = hashlib.blake2b(f"{settings.random_seed}:{record_id}".encode(), digest_size=6).digest()
        return float(int.from_bytes(digest, "big"))
    if order == QueueOrder.YEAR:
        # Newest first, records without a year last; the record id breaks ties in import order.
        return float((3000 - year) * 10**10 + record_id) if year else float(3000 * 10**10 + record_id)
    return float(record_id)


QUEUE_ORDERING = ("queue_key", "record_id")


# ---- outcomes and votes ------------------------------------------------------------------------------------


def open_pilot(*, review: Review, stage: str) -> PilotRound | None:
    return PilotRound.objects.filter(review=review, stage=stage, closed_at__isnull=True).first()


def outcome_of(*, record: Record, stage: str) -> StageOutcome | None:
    return StageOutcome.objects.filter(record=record, stage=stage).first()


def votes_visible_to(
    *,
    access: ReviewAccess,
    user: User,
    record: Record,
    stage: str,
    outcome: StageOutcome | None,
    not_voted_by_user: bool = False,
) -> list[Vote]:
    """The votes on a record at a stage that this person may see (see the module's blinding rule).

    `not_voted_by_user`: the caller knows this person has no vote on it (a record just served to them from
    their queue), so while blinding hides the others' votes there is nothing to read."""
    if not_voted_by_user and not unblinded_for(access=access, user=user, outcome=outcome):
        return []
    votes = Vote.objects.filter(record=record, stage=stage).select_related("reviewer", "reason").order_by("cast_at")
    if unblinded_for(access=access, user=user, outcome=outcome):
        return list(votes)
    return [vote for vote in votes if vote.reviewer_id == user.pk]


def unblinded_for(*, access: ReviewAccess, user: User, outcome: StageOutcome | None) -> bool:
    if not is_blinded(access.review):
        return True
    if outcome is None:
        return False
    if outcome.status in REVEALING_STATUSES:
        return True
    if outcome.status == Status.NOT_RETRIEVED:
        return access.is_lead
    if outcome.status == Status.CONFLICT:
        if access.can_resolve:
            return True
        return Vote.objects.filter(record_id=outcome.record_id, stage=outcome.stage, reviewer=user).exists()
    return False


def votes_visible_bulk(
    *, access: ReviewAccess, user: User, stage: str, record_ids: list[int] | None = None
) -> QuerySet[Vote]:
    """Every vote at a stage this member may see, in one query: the same rule as `unblinded_for`, as a filter."""
    votes = Vote.objects.filter(review=access.review, stage=stage)
    if record_ids is not None:
        votes = votes.filter(record_id__in=record_ids)
    if is_blinded(access.review):
        outcomes = StageOutcome.objects.filter(review=access.review, stage=stage)
        revealing = outcomes.filter(status__in=REVEALING_STATUSES).values("record_id")
        conflict = outcomes.filter(status=Status.CONFLICT).values("record_id")
        visible = Q(reviewer=user) | Q(record_id__in=revealing)
        if access.is_lead:
            visible |= Q(record_id__in=outcomes.filter(status=Status.NOT_RETRIEVED).values("record_id"))
        if access.can_resolve:
            visible |= Q(record_id__in=conflict)
        else:
            mine = Vote.objects.filter(review=access.review, stage=stage, reviewer=user).values("record_id")
            visible |= Q(record_id__in=conflict) & Q(record_id__in=mine)
        votes = votes.filter(visible)
    return votes.select_related("reviewer", "reason").order_by("record_id", "cast_at", "id")


def my_vote(*, user: User, record: Record, stage: str) -> Vote | None:
    return Vote.objects.filter(record=record, stage=stage, reviewer=user).select_related("reason").first()


def my_last_vote(*, review: Review, user: User, stage: str) -> VoteEvent | None:
    """This person's latest vote cast or changed at the stage (withdrawals aside), with its record: what the
    screening screen goes back to, and what undo withdraws."""
    return (
        VoteEvent.objects.filter(review=review, stage=stage, reviewer=user)
        .exclude(action=VoteEvent.Action.WITHDRAW)
        .select_related("record")
        .order_by("-at", "-id")
        .first()
    )


def my_vote_count(*, review: Review, user: User, stage: str) -> int:
    return Vote.objects.filter(review=review, stage=stage, reviewer=user).count()


def has_votes(*, record: Record, stage: str) -> bool:
    return Vote.objects.filter(record=record, stage=stage).exists()


def my_votes(*, review: Review, user: User, stage: str) -> QuerySet[Vote]:
    return (
        Vote.objects.filter(review=review, stage=stage, reviewer=user)
        .select_related("record", "reason")
        .order_by("-updated_at", "-id")
    )


def exclusion_reasons(*, review: Review, include_archived: bool = False) -> QuerySet[ExclusionReason]:
    reasons = ExclusionReason.objects.filter(review=review)
    return reasons if include_archived else reasons.filter(archived=False)


def current_fulltext(*, record: Record) -> FullText | None:
    return FullText.objects.filter(record=record, replaced_at__isnull=True).first()


def fulltext_history(*, record: Record) -> QuerySet[FullText]:
    return FullText.objects.filter(record=record).select_related("uploaded_by").order_by("-uploaded_at", "-id")


# ---- conflicts ---------------------------------------------------------------------------------------------


def conflicts_for(
    *,
    access: ReviewAccess,
    user: User,
    stage: str,
    state: str = "open",
    query: str = "",
    reviewer_id: int | None = None,
) -> QuerySet[StageOutcome]:
    """Conflicts at a stage: open ones (awaiting a decision) or resolved ones (settled by the lead or by a changed
    vote). The lead sees all; a reviewer sees those they voted on, since nobody else may see those votes."""
    outcomes = StageOutcome.objects.filter(review=access.review, stage=stage).select_related("record")
    resolved_ids = Resolution.objects.filter(review=access.review, stage=stage).values("record_id")
    if state == "resolved":
        outcomes = outcomes.filter(record_id__in=resolved_ids)
    else:
        outcomes = outcomes.filter(status=Status.CONFLICT)
    if not access.can_resolve:
        outcomes = outcomes.filter(Exists(Vote.objects.filter(record=OuterRef("record"), stage=stage, reviewer=user)))
    if reviewer_id is not None and access.can_resolve:
        voted = Vote.objects.filter(record=OuterRef("record"), stage=stage, reviewer_id=reviewer_id)
        outcomes = outcomes.filter(Exists(voted))
    if query:
        outcomes = outcomes.filter(record__title__icontains=query)
    return outcomes.order_by("updated_at", "record_id")


def conflict_thread(*, record: Record, stage: str) -> QuerySet[ConflictComment]:
    return ConflictComment.objects.filter(record=record, stage=stage).select_related("author")


def resolutions_of(*, record: Record, stage: str) -> QuerySet[Resolution]:
    return Resolution.objects.filter(record=record, stage=stage).select_related("decided_by", "reason")


def conflict_screeners(*, review: Review) -> QuerySet[Membership]:
    """The members whose votes a lead may filter the conflict list by."""
    return (
        Membership.objects.filter(review=review, role__in=[Role.REVIEWER, Role.ARBITER, Role.LEAD])
        .select_related("user")
        .order_by("user__username")
    )


# ---- pilots and bulk full texts ------------------------------------------------------------------------------


def pilots_of(*, review: Review) -> QuerySet[PilotRound]:
    return PilotRound.objects.filter(review=review).select_related("created_by").order_by("-created_at")


def bulk_fulltexts_pending(*, review: Review) -> QuerySet[BulkFullText]:
    return BulkFullText.objects.filter(review=review, status=BulkFullText.Status.PENDING).select_related("proposed")


def bulk_fulltexts_skipped(*, review: Review) -> QuerySet[BulkFullText]:
    """Files of a bulk upload that were set aside with a problem (not a PDF, unreadable), for the page to list."""
    return BulkFullText.objects.filter(review=review, status=BulkFullText.Status.DISCARDED).exclude(problem="")


def records_at_full_text(*, review: Review) -> QuerySet[Record]:
    """The records that reached the full-text stage: those a bulk-uploaded PDF may be attached to."""
    at_full_text = StageOutcome.objects.filter(review=review, stage=Stage.FULL_TEXT).values("record_id")
    return Record.objects.filter(pk__in=at_full_text).only("pk", "title", "year").order_by("pk")


# ---- contracts for other apps --------------------------------------------------------------------------------


def records_included_at_full_text(*, review: Review) -> QuerySet[Record]:
    """The studies to chart: records whose full-text outcome is included (by votes or by the lead)."""
    return Record.objects.filter(
        review=review,
        stage_outcomes__stage=Stage.FULL_TEXT,
        stage_outcomes__status=Status.INCLUDED,
    ).order_by("id")


def stage_counts(*, review: Review) -> dict[str, dict[str, Any]]:
    """Per stage: total (records that entered the stage), screened (final outcome), included, excluded,
    conflicts, awaiting; at full text also not_retrieved and excluded_by_reason ({label: n}, one reason per
    excluded report, so the reasons sum to `excluded`).

    Title/abstract `total` counts screenable records, including those nobody has opened yet.
    """
    rows = (
        StageOutcome.objects.filter(review=review, record__merged_into__isnull=True, record__removed_reason="")
        .values("stage", "status")
        .annotate(n=Count("id"))
    )
    by_stage: dict[str, Counter[str]] = {Stage.TITLE_ABSTRACT: Counter(), Stage.FULL_TEXT: Counter()}
    for row in rows:
        by_stage[row["stage"]][row["status"]] += row["n"]
    result: dict[str, dict[str, Any]] = {}
    for stage, counter in by_stage.items():
        total = sum(counter.values())
        if stage == Stage.TITLE_ABSTRACT:
            total = screenable_records(review=review).count()
        decided = sum(counter[s] for s in FINAL_STATUSES)
        result[stage] = {
            "total": total,
            "screened": decided,
            "included": counter[Status.INCLUDED],
            "excluded": counter[Status.EXCLUDED],
            "conflicts": counter[Status.CONFLICT],
            "awaiting": total - decided - counter[Status.CONFLICT],
        }
    reasons: Counter[str] = Counter()
    rank = exclusion_reason_rank(review=review)
    for labels in StageOutcome.objects.filter(review=review, stage=Stage.FULL_TEXT, status=Status.EXCLUDED).values_list(
        "reasons", flat=True
    ):
        # One reason per report (the first in the ranked list where older data holds two), as PRISMA counts.
        reasons[first_reason(labels, rank) if labels else "(no reason recorded)"] += 1
    result[Stage.FULL_TEXT]["not_retrieved"] = by_stage[Stage.FULL_TEXT][Status.NOT_RETRIEVED]
    result[Stage.FULL_TEXT]["excluded_by_reason"] = dict(reasons.most_common())
    return result


def review_home_counts(review: Review) -> dict[str, int]:
    """Figures for the review's home page (ScreeningConfig.home_counts)."""
    counts = stage_counts(review=review)
    ta, ft = counts[Stage.TITLE_ABSTRACT], counts[Stage.FULL_TEXT]
    return {
        "to screen (title/abstract)": ta["awaiting"],
        "conflicts": ta["conflicts"] + ft["conflicts"],
        "at full text": ft["total"],
        "included": ft["included"],
    }


def records_with_votes(review: Review) -> set[int]:
    """Records someone has voted on (at any stage, withdrawn votes aside): deduplication never hides them on its own.

    Review asks for them through review.extensions.locked_record_ids, since it cannot import screening.
    """
    return set(Vote.objects.filter(review=review).values_list("record_id", flat=True).distinct())


def exclusion_reason_rank(*, review: Review) -> dict[str, int]:
    """The lead's ranked list of exclusion reasons, label -> place (archived reasons keep their place)."""
    labels = ExclusionReason.objects.filter(review=review).order_by("position", "pk").values_list("label", flat=True)
    return {label: i for i, label in enumerate(labels)}


def _stage_totals_key(review_id: int, stage: str) -> str:
    return f"screening:totals:{review_id}:{stage}"


def stage_totals(*, review: Review, stage: str) -> dict[str, int]:
    """Status counts of a stage for the screening screen's header. Kept in the cache until an outcome of the stage
    changes (stage_totals_forget), so a page re-rendered after each vote does not count the whole stage each time
    while the figures it shows are never stale."""
    key = _stage_totals_key(review.pk, stage)
    totals = cache.get(key)
    if totals is None:
        rows = StageOutcome.objects.filter(review=review, stage=stage).values("status").annotate(n=Count("id"))
        totals = {row["status"]: row["n"] for row in rows}
        totals["total"] = sum(totals.values())
        cache.set(key, totals, 3600)
    return totals


def stage_totals_forget(*, review: Review, stage: str) -> None:
    """Called by every service that changes an outcome's status: forgotten at once, and again once the change
    commits (a page rendered meanwhile may have cached the figures from before it)."""
    key = _stage_totals_key(review.pk, stage)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))

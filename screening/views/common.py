"""Helpers the screening views share."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.http import Http404

from review.models import Review
from screening.models import Stage, StageOutcome
from screening.services.votes import VoteInput


def stage_or_404(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise Http404("No such screening stage") from None


def stage_totals(*, review: Review, stage: str) -> dict[str, int]:
    """Status counts of a stage for the screening screen's header; cached for a few seconds because every vote
    re-renders it and an exact figure there is not worth a count over the whole stage each time."""
    key = f"screening:totals:{review.pk}:{stage}"
    totals = cache.get(key)
    if totals is None:
        rows = StageOutcome.objects.filter(review=review, stage=stage).values("status").annotate(n=Count("id"))
        totals = {row["status"]: row["n"] for row in rows}
        totals["total"] = sum(totals.values())
        cache.set(key, totals, 10)
    return totals


def stage_totals_forget(*, review: Review, stage: str) -> None:
    """After one's own vote the line must show it: the next render counts again (others' votes show within 10 s)."""
    cache.delete(f"screening:totals:{review.pk}:{stage}")


def vote_input_from(post: Any, *, choice: str) -> VoteInput:
    """The vote a screening or conflict form posted (reason as an id, free-text reason, note)."""
    reason = post.get("reason", "")
    return VoteInput(
        choice=choice,
        reason_id=int(reason) if reason.isdigit() else None,
        reason_other=post.get("reason_other", ""),
        note=post.get("note", ""),
    )

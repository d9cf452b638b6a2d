"""Helpers the screening views share."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from screening.models import Stage
from screening.services.votes import VoteInput


def stage_or_404(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise Http404("No such screening stage") from None


def vote_input_from(post: Any, *, choice: str) -> VoteInput:
    """The vote a screening or conflict form posted (reason as an id, free-text reason, note)."""
    reason = post.get("reason", "")
    return VoteInput(
        choice=choice,
        reason_id=int(reason) if reason.isdigit() else None,
        reason_other=post.get("reason_other", ""),
        note=post.get("note", ""),
    )

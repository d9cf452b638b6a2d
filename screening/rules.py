"""The screening rules as pure functions: which outcome a set of votes gives. No database here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from screening.models import Choice, Stage, Status


@dataclass(frozen=True, slots=True)
class CastVote:
    choice: str
    reason: str = ""  # the exclusion reason's label ("Other: ..." for free text); full text only


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    reasons: list[str] = field(default_factory=list)


def outcome_for(
    *,
    stage: str,
    votes: Sequence[CastVote],
    required: int,
    maybe_goes_to_full_text: bool = True,
    reason_mismatch_is_conflict: bool = False,
) -> Outcome:
    """The outcome of a record at a stage from its current votes.

    Awaiting until `required` votes are in. Then: all include -> included; all exclude -> excluded (at full
    text with every reason kept, or a conflict if reasons differ and the review asks for that); include and
    maybe, or only maybes -> included at title/abstract ("in case of uncertainty, go to full text"), or a
    conflict if the review switched that off; any exclude beside an include or a maybe -> conflict.
    """
    if len(votes) < required:
        return Outcome(Status.AWAITING)
    choices = {vote.choice for vote in votes}
    if choices == {Choice.EXCLUDE}:
        reasons = sorted({vote.reason for vote in votes if vote.reason})
        if stage == Stage.FULL_TEXT and reason_mismatch_is_conflict and len(reasons) > 1:
            return Outcome(Status.CONFLICT)
        return Outcome(Status.EXCLUDED, reasons if stage == Stage.FULL_TEXT else [])
    if Choice.EXCLUDE in choices:
        return Outcome(Status.CONFLICT)
    if choices == {Choice.INCLUDE}:
        return Outcome(Status.INCLUDED)
    # Only include and maybe remain, with at least one maybe.
    if stage == Stage.TITLE_ABSTRACT and maybe_goes_to_full_text:
        return Outcome(Status.INCLUDED)
    return Outcome(Status.CONFLICT)


def allowed_choices(stage: str) -> tuple[str, ...]:
    if stage == Stage.FULL_TEXT:
        return (Choice.INCLUDE.value, Choice.EXCLUDE.value)
    return (Choice.INCLUDE.value, Choice.EXCLUDE.value, Choice.MAYBE.value)

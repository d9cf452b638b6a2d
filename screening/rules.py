"""The screening rules as pure functions: which outcome a set of votes gives. No database here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def first_reason(reasons: Sequence[str], rank: Mapping[str, int]) -> str:
    """The reason that comes first in the lead's ranked list (free-text "Other: ..." reasons after every listed
    one, alphabetically)."""
    return min(reasons, key=lambda label: (rank.get(label, len(rank)), label))


def outcome_for(
    *,
    stage: str,
    votes: Sequence[CastVote],
    required: int,
    maybe_goes_to_full_text: bool = True,
    reason_mismatch_is_conflict: bool = True,
    reason_rank: Mapping[str, int] | None = None,
) -> Outcome:
    """The outcome of a record at a stage from its current votes.

    Awaiting until `required` votes are in. Then: all include -> included; all exclude -> excluded with one
    reason (PRISMA counts each excluded report once): at full text, differing reasons are a conflict for the
    lead, or, if the review says so, the first of them in the lead's ranked list (`reason_rank`, label -> place)
    is the reason; at title/abstract (where reasons are optional) the ranked list always picks. Include and
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
        return Outcome(Status.EXCLUDED, [first_reason(reasons, reason_rank or {})] if reasons else [])
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

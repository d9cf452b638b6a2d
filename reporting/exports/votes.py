"""votes.csv: one row per record x stage x reviewer who ever voted on it, for analysing screening in R or Stata.

A row holds the reviewer's first choice (as cast, before anyone saw anything), the independent choice the app's
agreement statistics use (the choice as it stood when the record's required votes were first all in), every
later change with its time, the current vote, and the record's outcome at the stage with how it was reached.
Cohen's kappa per reviewer pair is recomputed from `independent_choice` over the rows whose `outcome` is final
(and, for a lead, in conflict), exactly as the Progress page and agreement.csv compute it.

Blinding is the records export's: someone who is not a lead sees another reviewer's row only once the record's
outcome at that stage is final (or when the review is not blinded).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import User

from reporting.exports.csvfast import text
from reporting.exports.records import _may_see
from review.access import ReviewAccess
from review.models import Record
from screening.models import FINAL_STATUSES, Resolution, StageOutcome, Vote, VoteEvent

CHUNK = 2000

VOTES_HEADER = [
    "record_id", "stage", "reviewer", "pilot_round", "first_choice", "first_reason", "first_note", "first_at",
    "independent_choice", "changes", "history", "current_choice", "current_reason", "current_note", "current_at",
    "withdrawn", "outcome", "outcome_reasons", "outcome_reached_by", "decided_at", "resolution_decision",
    "resolution_reason", "resolution_by", "resolution_at", "resolution_rationale",
]  # fmt: skip


def _reason(label: str | None, other: str) -> str:
    return label or (f"Other: {other}" if other else "")


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def votes_export(*, access: ReviewAccess, user: User) -> tuple[list[str], Iterator[list[Any]]]:
    return list(VOTES_HEADER), _rows(access=access, user=user)


def _rows(*, access: ReviewAccess, user: User) -> Iterator[list[Any]]:
    review = access.review
    names = dict(User.objects.filter(memberships__review=review).values_list("pk", "username"))
    last = 0
    while True:
        ids = list(
            Record.objects.filter(review=review, pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            return
        span = {"review": review, "record_id__gte": ids[0], "record_id__lte": ids[-1]}
        last = ids[-1]
        events: dict[tuple[int, str, int], list[tuple[Any, ...]]] = defaultdict(list)
        for row in (
            VoteEvent.objects.filter(**span)
            .order_by("record_id", "stage", "reviewer_id", "at", "pk")
            .values_list("record_id", "stage", "reviewer_id", "action", "choice", "reason__label", "reason_other",
                         "note", "at")
        ):  # fmt: skip
            events[(row[0], row[1], row[2])].append(row[3:])
        if not events:
            continue
        current = {
            (row[0], row[1], row[2]): row[3:]
            for row in Vote.objects.filter(**span).values_list(
                "record_id", "stage", "reviewer_id", "choice", "reason__label", "reason_other", "note", "updated_at",
                "independent_choice",
            )
        }  # fmt: skip
        outcomes = {
            (row[0], row[1]): row[2:]
            for row in StageOutcome.objects.filter(**span).values_list(
                "record_id", "stage", "status", "reasons", "decided_by", "decided_at", "pilot_id"
            )
        }
        resolutions: dict[tuple[int, str], tuple[Any, ...]] = {}
        for resolved in (
            Resolution.objects.filter(**span)
            .order_by("at", "pk")
            .values_list("record_id", "stage", "decision", "reason__label", "reason_other", "decided_by_id", "at",
                         "rationale")
        ):  # fmt: skip
            resolutions[(resolved[0], resolved[1])] = resolved[2:]
        missing = {key[2] for key in events} | {r[3] for r in resolutions.values()}
        missing -= set(names)
        if missing:
            names.update(User.objects.filter(pk__in=missing).values_list("pk", "username"))
        changed_in_discussion = {
            (key[0], key[1])
            for key, vote in current.items()
            if vote[5] and vote[5] != vote[0]  # the current choice differs from the independent one
        }
        for key in sorted(events):
            record_id, stage, reviewer_id = key
            outcome = outcomes.get((record_id, stage))
            status = outcome[0] if outcome else ""
            if not _may_see(access=access, user=user, status=status, reviewer_id=reviewer_id):
                continue
            yield _row(key, events[key], current.get(key), outcome, resolutions.get((record_id, stage)), names,
                       (record_id, stage) in changed_in_discussion)  # fmt: skip


def _step(action: str, choice: str, reason: str, at: Any) -> str:
    step = f"{_iso(at)} {action}"
    if choice:
        step += f" {choice}"
    return f"{step} ({reason})" if reason else step


def _row(
    key: tuple[int, str, int],
    history: list[tuple[Any, ...]],
    vote: tuple[Any, ...] | None,
    outcome: tuple[Any, ...] | None,
    resolution: tuple[Any, ...] | None,
    names: dict[int, str],
    changed: bool,
) -> list[Any]:
    record_id, stage, reviewer_id = key
    first = history[0]  # always a cast: the first thing a reviewer does with a record is vote on it
    _action, first_choice, first_label, first_other, first_note, first_at = first
    later = history[1:]
    steps = [_step(action, choice, _reason(label, other), at) for action, choice, label, other, _note, at in later]
    cells: list[Any] = [
        record_id, stage, text(names.get(reviewer_id, "")), "", first_choice, text(_reason(first_label, first_other)),
        text(first_note), _iso(first_at),
    ]  # fmt: skip
    if vote is not None:
        choice, label, other, note, at, independent = vote
        cells += [independent, len(later), text(" | ".join(steps)), choice, text(_reason(label, other)), text(note),
                  _iso(at), 0]  # fmt: skip
    else:
        cells += ["", len(later), text(" | ".join(steps)), "", "", "", "", 1]
    if outcome is not None:
        status, reasons, decided_by, decided_at, pilot_id = outcome
        cells[3] = pilot_id or ""
        final = status in FINAL_STATUSES
        reached = ""
        if final:
            reached = decided_by
            if decided_by == "votes" and changed:
                reached = "votes_after_change"
        cells += [status, text("; ".join(reasons or [])) if final else "", reached, _iso(decided_at) if final else ""]
    else:
        cells += ["", "", "", ""]
    if resolution is not None:
        decision, label, other, by_id, at, rationale = resolution
        cells += [decision, text(_reason(label, other)), text(names.get(by_id, "")), _iso(at), text(rationale)]
    else:
        cells += ["", "", "", "", ""]
    return cells

"""The records CSV: every record with its provenance, dedup group, votes, outcomes and resolutions per stage.

Blinding: a lead sees every vote. Anyone else sees their own votes, and another reviewer's vote only once the
record's outcome at that stage is final (or when the lead has unblinded the review), so no export can tell a
reviewer how a colleague voted on a record that is still open. Conflicts are final only once resolved.

Columns are stable: the vote columns are numbered slots (`ta_vote1_reviewer` ...), as many as the stage's
required votes or the most votes any record has, whichever is larger; never named after people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Max

from review.access import ReviewAccess
from review.models import Record, Search
from screening.models import FINAL_STATUSES, Resolution, Stage, StageOutcome, Vote

CHUNK = 2000
STAGES = ((Stage.TITLE_ABSTRACT, "ta"), (Stage.FULL_TEXT, "ft"))

RECORD_COLUMNS = [
    "record_id", "search_id", "search", "search_kind", "database", "is_register", "other_method", "platform",
    "date_searched", "source_database", "file_name", "position", "title", "authors", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "pmcid", "url", "language", "publication_type", "keywords", "abstract",
    "dedup_group", "duplicate_of", "removed_reason", "report_of",
]  # fmt: skip
STAGE_COLUMNS = ["status", "decided_by", "decided_at", "reasons", "note"]
VOTE_COLUMNS = ["reviewer", "choice", "reason", "note", "at"]
RESOLUTION_COLUMNS = [
    "resolution_decision",
    "resolution_reason",
    "resolution_by",
    "resolution_at",
    "resolution_rationale",
]


def vote_slots(*, review_id: int, stage: str, required: int) -> int:
    most = (
        Vote.objects.filter(review_id=review_id, stage=stage)
        .values("record_id")
        .annotate(n=Count("pk"))
        .aggregate(m=Max("n"))["m"]
    )
    return max(required, most or 0)


def records_header(*, slots: dict[str, int]) -> list[str]:
    header = list(RECORD_COLUMNS)
    for stage, prefix in STAGES:
        header += [f"{prefix}_{name}" for name in STAGE_COLUMNS]
        for slot in range(1, slots[stage] + 1):
            header += [f"{prefix}_vote{slot}_{name}" for name in VOTE_COLUMNS]
        header += [f"{prefix}_{name}" for name in RESOLUTION_COLUMNS]
    return header


def _may_see(*, access: ReviewAccess, user: User, status: str | None, reviewer_id: int) -> bool:
    if access.is_lead or not access.review.blinded or reviewer_id == user.pk:
        return True
    return status in FINAL_STATUSES


def records_export(*, access: ReviewAccess, user: User) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and a lazy iterator of rows, one per record, in record id order."""
    review = access.review
    slots: dict[str, int] = {
        Stage.TITLE_ABSTRACT: vote_slots(
            review_id=review.pk, stage=Stage.TITLE_ABSTRACT, required=review.votes_required_title_abstract
        ),
        Stage.FULL_TEXT: vote_slots(
            review_id=review.pk, stage=Stage.FULL_TEXT, required=review.votes_required_full_text
        ),
    }
    return records_header(slots=slots), _rows(access=access, user=user, slots=slots)


def _rows(*, access: ReviewAccess, user: User, slots: dict[str, int]) -> Iterator[list[Any]]:
    review = access.review
    searches = {s.pk: s for s in Search.objects.filter(review=review)}
    file_names = dict(review.search_files.values_list("pk", "original_name"))
    names = dict(User.objects.filter(memberships__review=review).values_list("pk", "username"))
    fields = [
        "pk", "search_id", "search_file_id", "position", "title", "authors", "year", "journal", "volume", "issue",
        "pages", "doi", "pmid", "pmcid", "url", "language", "publication_type", "keywords", "abstract",
        "source_database", "merged_into_id", "removed_reason", "report_of_id",
    ]  # fmt: skip
    # Keyset pagination on the primary key: each chunk is one small query, so memory stays flat on any size.
    last = 0
    while True:
        chunk = list(Record.objects.filter(review=review, pk__gt=last).order_by("pk").values(*fields)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]["pk"]
        ids = [row["pk"] for row in chunk]
        outcomes = {(o.record_id, o.stage): o for o in StageOutcome.objects.filter(record_id__in=ids)}
        votes: dict[tuple[int, str], list[Vote]] = defaultdict(list)
        for vote in Vote.objects.filter(record_id__in=ids).select_related("reason").order_by("cast_at", "pk"):
            votes[(vote.record_id, vote.stage)].append(vote)
        resolutions: dict[tuple[int, str], Resolution] = {}
        for resolution in Resolution.objects.filter(record_id__in=ids).select_related("reason").order_by("at", "pk"):
            resolutions[(resolution.record_id, resolution.stage)] = resolution
        missing = {v.reviewer_id for vs in votes.values() for v in vs} - set(names)
        missing |= {r.decided_by_id for r in resolutions.values()} - set(names)
        if missing:
            names.update(User.objects.filter(pk__in=missing).values_list("pk", "username"))
        for row in chunk:
            yield _row(row, searches, file_names, names, outcomes, votes, resolutions, slots, access, user)


def _row(
    row: dict[str, Any],
    searches: dict[int, Search],
    file_names: dict[int, str],
    names: dict[int, str],
    outcomes: dict[tuple[int, str], StageOutcome],
    votes: dict[tuple[int, str], list[Vote]],
    resolutions: dict[tuple[int, str], Resolution],
    slots: dict[str, int],
    access: ReviewAccess,
    user: User,
) -> list[Any]:
    pk = row["pk"]
    search = searches[row["search_id"]]
    cells: list[Any] = [
        pk, search.pk, search.label, search.kind, search.database, search.is_register, search.other_method,
        search.platform, search.date_searched, row["source_database"], file_names.get(row["search_file_id"], ""),
        row["position"], row["title"], row["authors"], row["year"], row["journal"], row["volume"], row["issue"],
        row["pages"], row["doi"], row["pmid"], row["pmcid"], row["url"], row["language"], row["publication_type"],
        row["keywords"], row["abstract"], row["merged_into_id"] or pk, row["merged_into_id"], row["removed_reason"],
        row["report_of_id"],
    ]  # fmt: skip
    for stage, _prefix in STAGES:
        outcome = outcomes.get((pk, stage))
        status = outcome.status if outcome else None
        final = status in FINAL_STATUSES
        cells += [
            status or "",
            outcome.decided_by if outcome and final else "",
            outcome.decided_at if outcome and final else None,
            outcome.reasons if outcome and final else "",
            outcome.note if outcome and final else "",
        ]
        visible = [
            v
            for v in votes.get((pk, stage), [])
            if _may_see(access=access, user=user, status=status, reviewer_id=v.reviewer_id)
        ]
        for slot in range(slots[stage]):
            if slot < len(visible):
                vote = visible[slot]
                cells += [names.get(vote.reviewer_id, ""), vote.choice, vote.reason_label, vote.note, vote.updated_at]
            else:
                cells += ["", "", "", "", ""]
        resolution = resolutions.get((pk, stage))
        if resolution is not None:
            reason = resolution.reason.label if resolution.reason else resolution.reason_other
            cells += [
                resolution.decision,
                reason,
                names.get(resolution.decided_by_id, ""),
                resolution.at,
                resolution.rationale,
            ]
        else:
            cells += ["", "", "", None, ""]
    return cells

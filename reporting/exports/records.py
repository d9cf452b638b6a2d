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

from reporting.exports.citations import subset_records
from reporting.exports.csvfast import text
from reporting.exports.sql import JoinedList
from review.access import ReviewAccess
from review.models import Record, Search
from review.selectors.records import record_tags
from screening.models import FINAL_STATUSES, REVEALING_STATUSES, Resolution, Stage, StageOutcome, Vote
from screening.selectors import settings_for

CHUNK = 2000
STAGES = ((Stage.TITLE_ABSTRACT, "ta"), (Stage.FULL_TEXT, "ft"))

RECORD_COLUMNS = [
    "record_id", "search_id", "search", "search_kind", "database", "is_register", "other_method", "platform",
    "date_searched", "source_database", "file_name", "position", "title", "authors", "year", "journal", "volume",
    "issue", "pages", "doi", "pmid", "pmcid", "url", "language", "publication_type", "keywords", "abstract",
    "dedup_group", "duplicate_of", "removed_reason", "removed_automatic", "report_of",
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
    # Last, so that every earlier column keeps its place: the team's tags (those the reader may see).
    return [*header, "tags"]


def _may_see(*, access: ReviewAccess, user: User, status: str | None, reviewer_id: int) -> bool:
    if access.is_lead or not settings_for(access.review).blinded or reviewer_id == user.pk:
        return True
    return status in REVEALING_STATUSES


def records_export(
    *, access: ReviewAccess, user: User, subset: str = "", reason: str = ""
) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and a lazy iterator of rows, one per record, in record id order; `subset` narrows them to the
    records behind one PRISMA number (see citations.subset_records)."""
    review = access.review
    config = settings_for(review)
    slots: dict[str, int] = {
        Stage.TITLE_ABSTRACT: vote_slots(
            review_id=review.pk, stage=Stage.TITLE_ABSTRACT, required=config.votes_required_title_abstract
        ),
        Stage.FULL_TEXT: vote_slots(
            review_id=review.pk, stage=Stage.FULL_TEXT, required=config.votes_required_full_text
        ),
    }
    return records_header(slots=slots), _rows(access=access, user=user, slots=slots, subset=subset, reason=reason)


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _join(values: list[Any] | None) -> str:
    return text("; ".join(str(v) for v in values)) if values else ""


def _rows(
    *, access: ReviewAccess, user: User, slots: dict[str, int], subset: str = "", reason: str = ""
) -> Iterator[list[Any]]:
    """Rows whose cells are already CSV-safe (the same rules as review.csv_export.cell, applied per column, since
    a per-cell type check over seven million cells dominated the time of a 100,000-record export)."""
    review = access.review
    searches = {
        s.pk: [s.pk, text(s.label), s.kind, text(s.database), int(s.is_register), s.other_method, text(s.platform),
               _iso(s.date_searched)]
        for s in Search.objects.filter(review=review)
    }  # fmt: skip
    file_names = {pk: text(name) for pk, name in review.search_files.values_list("pk", "original_name")}
    names = dict(User.objects.filter(memberships__review=review).values_list("pk", "username"))
    empty_stage = {stage: [""] * (len(STAGE_COLUMNS) + len(VOTE_COLUMNS) * slots[stage] + len(RESOLUTION_COLUMNS))
                   for stage, _ in STAGES}  # fmt: skip
    fields = (
        "pk", "search_id", "search_file_id", "source_database", "position", "title", "authors_text", "year", "journal",
        "volume", "issue", "pages", "doi", "pmid", "pmcid", "url", "language", "publication_type", "keywords_text",
        "abstract", "merged_into_id", "removed_reason", "removed_automatic", "report_of_id",
    )  # fmt: skip
    # Keyset pagination on the primary key: each chunk is one small query, so memory stays flat on any size.
    chosen = Record.objects.filter(review=review)
    if subset and subset != "all":
        chosen = chosen.filter(pk__in=subset_records(review=review, node=subset, reason=reason).values("pk"))
    last = 0
    while True:
        chunk = list(
            chosen.filter(pk__gt=last)
            .annotate(authors_text=JoinedList("authors"), keywords_text=JoinedList("keywords"))
            .order_by("pk")
            .values_list(*fields)[:CHUNK]
        )
        if not chunk:
            return
        # A range of record ids rather than a list of 2,000 parameters: the same rows, read through the
        # (record, stage) indexes, and far less SQL to build and parse per chunk.
        span = {"review": review, "record_id__gte": chunk[0][0], "record_id__lte": chunk[-1][0]}
        last = chunk[-1][0]
        outcomes = {
            (row[0], row[1]): row[2:]
            for row in StageOutcome.objects.filter(**span).values_list(
                "record_id", "stage", "status", "decided_by", "decided_at", "reasons", "note"
            )
        }
        votes: dict[tuple[int, str], list[tuple[Any, ...]]] = defaultdict(list)
        for row in (
            Vote.objects.filter(**span)
            .order_by("cast_at", "pk")
            .values_list(
                "record_id", "stage", "reviewer_id", "choice", "reason__label", "reason_other", "note", "updated_at"
            )
        ):
            votes[(row[0], row[1])].append(row[2:])
        resolutions: dict[tuple[int, str], tuple[Any, ...]] = {}
        for resolved in (
            Resolution.objects.filter(**span)
            .order_by("at", "pk")
            .values_list(
                "record_id", "stage", "decision", "reason__label", "reason_other", "decided_by_id", "at", "rationale"
            )
        ):
            resolutions[(resolved[0], resolved[1])] = resolved[2:]
        missing = {v[0] for vs in votes.values() for v in vs} | {r[3] for r in resolutions.values()}
        missing -= set(names)
        if missing:
            names.update(User.objects.filter(pk__in=missing).values_list("pk", "username"))
        tags = record_tags(access=access, user=user, record_ids=[record[0] for record in chunk])
        for record in chunk:
            pk = record[0]
            cells = _record_cells(record, searches, file_names)
            for stage, _prefix in STAGES:
                key = (pk, stage)
                if key not in outcomes and key not in votes:
                    cells += empty_stage[stage]
                else:
                    cells += _stage_cells(
                        outcomes.get(key), votes.get(key, []), resolutions.get(key), slots[stage], names, access, user
                    )
            cells.append(_join([row.tag.name for row in tags[pk]]))
            yield cells


def _record_cells(record: tuple[Any, ...], searches: dict[int, list[Any]], file_names: dict[int, str]) -> list[Any]:
    (pk, search_id, file_id, source, position, title, authors, year, journal, volume, issue, pages, doi, pmid, pmcid,
     url, language, publication_type, keywords, abstract, merged_into, removed, automatic,
     report_of) = record  # fmt: skip
    return [
        pk, *searches[search_id], text(source), file_names.get(file_id, ""), position, text(title), text(authors),
        year if year is not None else "", text(journal), text(volume), text(issue), text(pages), text(doi),
        text(pmid), text(pmcid), text(url), text(language), text(publication_type), text(keywords), text(abstract),
        merged_into or pk, merged_into or "", text(removed), int(automatic) if removed else "", report_of or "",
    ]  # fmt: skip


def _stage_cells(
    outcome: tuple[Any, ...] | None,
    votes: list[tuple[Any, ...]],
    resolution: tuple[Any, ...] | None,
    slots: int,
    names: dict[int, str],
    access: ReviewAccess,
    user: User,
) -> list[Any]:
    status = outcome[0] if outcome else None
    if outcome is not None and status in FINAL_STATUSES:
        _status, decided_by, decided_at, reasons, note = outcome
        cells: list[Any] = [status, decided_by, _iso(decided_at), _join(reasons), text(note)]
    else:
        cells = [status or "", "", "", "", ""]
    visible = [v for v in votes if _may_see(access=access, user=user, status=status, reviewer_id=v[0])]
    for slot in range(slots):
        if slot < len(visible):
            reviewer_id, choice, reason_label, reason_other, note, at = visible[slot]
            reason = reason_label or (f"Other: {reason_other}" if reason_other else "")
            cells += [text(names.get(reviewer_id, "")), choice, text(reason), text(note), _iso(at)]
        else:
            cells += ["", "", "", "", ""]
    if resolution is not None:
        decision, reason_label, reason_other, by_id, at, rationale = resolution
        cells += [decision, text(reason_label or reason_other), text(names.get(by_id, "")), _iso(at), text(rationale)]
    else:
        cells += ["", "", "", "", ""]
    return cells

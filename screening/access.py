"""The one door to each screening object: a record at a stage, a conflict, a full text.

Each door takes the `ReviewAccess` that `review/access.py::review_for_user` returned (the review and the caller's
role are settled there) and an id, fetches the object scoped to that review and refuses with a `ServiceError`:
`not_found` for an id of another review (or of nothing), `forbidden` for a member whose role, or whose part in the
record, does not allow what they ask. Pages, API views and services all call these, and `review/errors.py` maps the
codes to HTTP statuses, so each rule is written here once.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from review.access import ReviewAccess, role_in
from review.errors import ServiceError
from review.models import Record, Review
from screening.models import FullText, Stage, Vote


def stage_of(value: str) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        raise ServiceError(f"Unknown screening stage {value!r}", field="stage", code="not_found") from None


def access_of(*, user: AbstractBaseUser | AnonymousUser, review: Review) -> ReviewAccess:
    """The caller's access to a review they are already known to act in (services get a review, not a request)."""
    role = role_in(user=user, review=review)
    if role is None:
        raise ServiceError("You are not a member of this review", code="forbidden")
    return ReviewAccess(review=review, role=role)


def _record(access: ReviewAccess, record_id: int, *, screenable: bool = False) -> Record:
    records = Record.objects.filter(review=access.review)
    if screenable:
        records = records.filter(merged_into__isnull=True, removed_reason="")
    found = records.defer("raw").filter(pk=record_id).first()
    if found is None:
        raise ServiceError("No such record in this review", code="not_found")
    return found


# ---- a record at a stage -------------------------------------------------------------------------------------


def record_check(*, access: ReviewAccess) -> None:
    """Reading a record's votes and voting on it at a stage is for those who screen: reviewers, arbiters, the lead."""
    if not access.can_screen:
        raise ServiceError("Screening needs the reviewer role in this review", code="forbidden")


def record_at_stage(*, access: ReviewAccess, stage: str, record_id: int, screenable: bool = False) -> Record:
    """A record of the review at a stage the caller screens. `screenable`: not merged into another record nor
    removed before screening (serving and holding it only make sense then)."""
    stage_of(stage)
    record_check(access=access)
    return _record(access, record_id, screenable=screenable)


# ---- a conflict ----------------------------------------------------------------------------------------------


def conflict_check(
    *, access: ReviewAccess, user: AbstractBaseUser | AnonymousUser, record: Record, stage: str, resolve: bool = False
) -> None:
    """The lead or an arbiter, or a reviewer who voted on this record at this stage, may open or discuss its
    conflict (nobody else may see those votes); only the lead or an arbiter may decide it (`resolve`)."""
    if access.can_resolve:
        return
    if resolve:
        raise ServiceError("Only the review's lead or an arbiter can decide a conflict", code="forbidden")
    if not Vote.objects.filter(record_id=record.pk, stage=stage, reviewer_id=user.pk).exists():
        raise ServiceError(
            "Only the lead, arbiters and the reviewers in this conflict can open or discuss it", code="forbidden"
        )


def conflict_for(
    *, access: ReviewAccess, user: AbstractBaseUser | AnonymousUser, stage: str, record_id: int, resolve: bool = False
) -> Record:
    """The record of a conflict at a stage, for someone who may open it (or decide it: `resolve`)."""
    stage = stage_of(stage)
    record = _record(access, record_id)
    conflict_check(access=access, user=user, record=record, stage=stage, resolve=resolve)
    return record


# ---- a full text ---------------------------------------------------------------------------------------------


class FullTextAction(StrEnum):
    READ = "read"  # view or download the PDF: every member, as everyone may read the included studies
    REPLACE = "replace"  # upload a PDF or replace it (the old one is kept): those who screen
    NOT_RETRIEVED = "not_retrieved"  # record that the report could not be obtained: the lead only (issue #14)


def fulltext_check(*, access: ReviewAccess, action: FullTextAction) -> None:
    if action == FullTextAction.REPLACE and not access.can_screen:
        raise ServiceError("Uploading a full text needs the reviewer role in this review", code="forbidden")
    if action == FullTextAction.NOT_RETRIEVED and not access.is_lead:
        raise ServiceError("Only the lead marks a report as not retrieved", code="forbidden")


def fulltext_record_for(*, access: ReviewAccess, record_id: int, action: FullTextAction) -> Record:
    """The record whose full text the caller means to upload, replace or mark not retrieved."""
    fulltext_check(access=access, action=action)
    return _record(access, record_id)


def fulltext_for(*, access: ReviewAccess, record_id: int, version: int | None = None) -> FullText:
    """A record's current full text (or an older `version` of it) for a member to read."""
    fulltext_check(access=access, action=FullTextAction.READ)
    record = _record(access, record_id)
    files = FullText.objects.filter(record=record)
    found = files.filter(pk=version).first() if version is not None else files.filter(replaced_at__isnull=True).first()
    if found is None:
        raise ServiceError("No full text for this record", code="not_found")
    return found

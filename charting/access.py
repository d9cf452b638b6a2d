"""One door per charting object, used alike by the pages, the API and the services.

An extraction is fetched scoped to the review from `review/access.py` (another review's id is a 404). Who may
then open or change it, and who may set a study's consensus, is decided here and nowhere else:
- an extraction: its extractor opens and edits it (edits only while it is a draft, which the services check);
  anyone else of the review, the lead included, opens it only once every extractor of the study has submitted
  (blinding); a withdrawn extraction is its extractor's and the lead's;
- the consensus of a study: the lead or one of the study's own extractors, once all of them have submitted.
  The arbiter settles screening conflicts only: charting differences are reconciled by the people who know the
  study's form, so the arbiter role gives nothing more here than a reviewer's.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from charting import selectors
from charting.models import Extraction, Form
from review.access import ReviewAccess, role_in
from review.models import Record, Role

BLINDED = "Extractions stay hidden until every extractor of this study has submitted"
NOT_YOURS = "Only its extractor can change an extraction"

# Anyone a request or a service acts for: pages pass request.user, services the person doing the change.
Person = AbstractBaseUser | AnonymousUser


def _scoped(access: ReviewAccess) -> QuerySet[Extraction]:
    return Extraction.objects.filter(review=access.review).select_related("record", "extractor", "version", "form")


def extraction_may_read(*, access: ReviewAccess, extraction: Extraction, user: Person) -> bool:
    if extraction.extractor_id == user.pk:
        return True
    if extraction.status == Extraction.Status.WITHDRAWN:
        return access.is_lead
    group = selectors.active_extractions(review=access.review, record=extraction.record, round=extraction.round)
    return selectors.all_submitted(group)


def extraction_for_reader(*, access: ReviewAccess, user: Person, extraction_id: int) -> Extraction:
    """An extraction of this review that `user` may open; 404 for another review's, 403 while blinded."""
    extraction = get_object_or_404(_scoped(access), pk=extraction_id)
    if not extraction_may_read(access=access, extraction=extraction, user=user):
        raise PermissionDenied(BLINDED)
    return extraction


def extraction_for_editor(*, access: ReviewAccess, user: Person, extraction_id: int) -> Extraction:
    """One's own extraction of this review, to change; 404 for another review's, 403 for someone else's."""
    extraction = get_object_or_404(_scoped(access), pk=extraction_id)
    extraction_check_editor(extraction=extraction, user=user)
    return extraction


def extraction_check_editor(*, extraction: Extraction, user: Person) -> None:
    """Services call this on the row they locked, so a page, the API and a script get the same answer."""
    if extraction.extractor_id != user.pk:
        raise PermissionDenied(NOT_YOURS)


def extraction_for_lead(*, access: ReviewAccess, extraction_id: int) -> Extraction:
    """Any extraction of this review, for the lead's actions on it (reassign, reopen); the caller's `access` was
    asked for with min_role=LEAD."""
    if not access.is_lead:
        raise PermissionDenied("Only the lead manages extractions")
    return get_object_or_404(_scoped(access), pk=extraction_id)


def consensus_source(*, access: ReviewAccess, record: Record, extraction_id: int) -> Extraction:
    """The extraction a consensus value is taken from: one of this study's, in this review; 404 otherwise."""
    return get_object_or_404(Extraction, pk=extraction_id, review=access.review, record=record)


def consensus_may_decide(*, form: Form, record: Record, user: Person, group: list[Extraction]) -> bool:
    """The lead, or one of the study's own extractors, once all of them have submitted (`group` is the study's
    active main-round extractions)."""
    if not selectors.all_submitted(group):
        return False
    return role_in(user=user, review=form.review) == Role.LEAD or any(e.extractor_id == user.pk for e in group)

"""Conflicts: the list per stage, and one conflict's votes, discussion and the lead's decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from review import selectors as review_selectors
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest, page_status, refusals_as_http
from review.models import Record, Role
from screening import selectors
from screening.access import conflict_for
from screening.forms import ConflictCommentForm, ConflictResolutionForm, VoteForm
from screening.models import Stage
from screening.services.conflicts import conflict_comment_add, conflict_resolve
from screening.services.votes import vote_cast
from screening.views.common import stage_or_404


@login_required
@require_http_methods(["GET"])
def conflicts_home(request: AuthedRequest, slug: str) -> HttpResponse:
    review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    return redirect("screening:conflicts", slug=slug, stage=Stage.TITLE_ABSTRACT.value)


@login_required
@require_http_methods(["GET"])
def conflict_list(request: AuthedRequest, slug: str, stage: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    state = "resolved" if request.GET.get("state") == "resolved" else "open"
    query = request.GET.get("q", "").strip()[:200]
    reviewer = request.GET.get("reviewer", "")
    outcomes = selectors.conflicts_for(
        access=access,
        user=request.user,
        stage=stage_value,
        state=state,
        query=query,
        reviewer_id=int(reviewer) if reviewer.isdigit() else None,
    )
    page = Paginator(outcomes, 50).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "review": access.review,
        "stage": stage_value,
        "stages": list(Stage),
        "page": page,
        "state": state,
        "q": query,
        "reviewer": reviewer,
        "resolvers": review_selectors.review_resolvers(review=access.review),
        "reviewers": selectors.conflict_screeners(review=access.review) if access.can_resolve else [],
    }
    template = "screening/conflicts.html#conflict-table" if request.htmx else "screening/conflicts.html"
    return render(request, template, context)


def _detail_context(request: AuthedRequest, access: ReviewAccess, stage: Stage, record: Record) -> dict[str, Any]:
    outcome = selectors.outcome_of(record=record, stage=stage)
    votes = selectors.votes_visible_to(access=access, user=request.user, record=record, stage=stage, outcome=outcome)
    return {
        "access": access,
        "review": access.review,
        "stage": stage,
        "record": record,
        "outcome": outcome,
        "votes": votes,
        "my_vote": next((v for v in votes if v.reviewer_id == request.user.pk), None),
        "comments": selectors.conflict_thread(record=record, stage=stage),
        "resolutions": selectors.resolutions_of(record=record, stage=stage),
        "reasons": list(selectors.exclusion_reasons(review=access.review)) if stage == Stage.FULL_TEXT else [],
        "config": None,
        "resolvers": review_selectors.review_resolvers(review=access.review),
    }


@login_required
@require_http_methods(["GET"])
@refusals_as_http
def conflict_detail(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = conflict_for(access=access, user=request.user, stage=stage_value, record_id=record_id)
    if not selectors.has_votes(record=record, stage=stage_value):
        raise PermissionDenied("This record has no votes at this stage")
    return render(request, "screening/conflict.html", _detail_context(request, access, stage_value, record))


def _back(request: AuthedRequest, slug: str, stage: Stage, record: Record, status: int = 200) -> HttpResponse:
    """The conflict again after a post; `record` came through the conflict door (screening/access.py)."""
    if request.htmx:
        access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
        context = _detail_context(request, access, stage, record)
        return render(request, "screening/conflict.html#conflict-body", context, status=status)
    return redirect("screening:conflict", slug=slug, stage=stage.value, record_id=record.pk)


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def conflict_comment(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = conflict_for(access=access, user=request.user, stage=stage_value, record_id=record_id)
    form = ConflictCommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(first_error(form), field="text")
        text = form.cleaned_data["text"]
        conflict_comment_add(review=access.review, record=record, stage=stage_value, by=request.user, text=text)
    except ServiceError as error:
        status = page_status(error)
        messages.error(request, error.message)
        return _back(request, slug, stage_value, record, status=status)
    return _back(request, slug, stage_value, record)


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def conflict_resolution(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.ARBITER)
    stage_value = stage_or_404(stage)
    record = conflict_for(access=access, user=request.user, stage=stage_value, record_id=record_id, resolve=True)
    form = ConflictResolutionForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(first_error(form))
        values = form.cleaned_data
        conflict_resolve(
            review=access.review,
            record=record,
            stage=stage_value,
            by=request.user,
            decision=values["decision"],
            rationale=values["rationale"],
            reason_id=values["reason"],
            reason_other=values["reason_other"],
        )
    except ServiceError as error:
        status = page_status(error)
        messages.error(request, error.message)
        return _back(request, slug, stage_value, record, status=status)
    messages.success(request, "Decision recorded.")
    return _back(request, slug, stage_value, record)


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def conflict_vote(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    """A reviewer in the conflict changes their own vote after the discussion."""
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = conflict_for(access=access, user=request.user, stage=stage_value, record_id=record_id)
    if selectors.my_vote(user=request.user, record=record, stage=stage_value) is None:
        raise PermissionDenied("Only the reviewers in this conflict change their votes here")
    form = VoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(first_error(form), field="choice")
        vote_cast(review=access.review, record=record, stage=stage_value, reviewer=request.user, data=form.vote_input())
    except ServiceError as error:
        status = page_status(error)
        messages.error(request, error.message)
        return _back(request, slug, stage_value, record, status=status)
    messages.success(request, "Your vote was changed.")
    return _back(request, slug, stage_value, record)

"""Conflicts: the list per stage, and one conflict's votes, discussion and the lead's decision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.http import AuthedRequest
from review.models import Membership, Record, Role
from screening import selectors
from screening.models import Stage, Vote
from screening.services.conflicts import conflict_comment_add, conflict_resolve
from screening.services.votes import vote_cast
from screening.views.common import stage_or_404, vote_input_from


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
        "reviewers": (
            Membership.objects.filter(review=access.review, role__in=[Role.REVIEWER, Role.LEAD])
            .select_related("user")
            .order_by("user__username")
            if access.is_lead
            else []
        ),
    }
    template = "screening/conflicts.html#conflict-table" if request.htmx else "screening/conflicts.html"
    return render(request, template, context)


def _detail_context(request: AuthedRequest, access: ReviewAccess, stage: Stage, record: Record) -> dict[str, Any]:
    outcome = selectors.outcome_of(record=record, stage=stage)
    votes = selectors.votes_visible_to(access=access, user=request.user, record=record, stage=stage, outcome=outcome)
    involved = any(v.reviewer_id == request.user.pk for v in votes)
    if not (access.is_lead or involved):
        raise PermissionDenied("Only the lead and the reviewers in this conflict can open it")
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
    }


@login_required
@require_http_methods(["GET"])
def conflict_detail(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    if not Vote.objects.filter(record=record, stage=stage_value).exists():
        raise PermissionDenied("This record has no votes at this stage")
    return render(request, "screening/conflict.html", _detail_context(request, access, stage_value, record))


def _back(request: AuthedRequest, slug: str, stage: Stage, record: Record, status: int = 200) -> HttpResponse:
    if request.htmx:
        access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
        context = _detail_context(request, access, stage, record)
        return render(request, "screening/conflict.html#conflict-body", context, status=status)
    return redirect("screening:conflict", slug=slug, stage=stage.value, record_id=record.pk)


@login_required
@require_http_methods(["POST"])
def conflict_comment(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    try:
        conflict_comment_add(
            review=access.review, record=record, stage=stage_value, by=request.user, text=request.POST.get("text", "")
        )
    except ServiceError as error:
        if error.http_status == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
        return _back(request, slug, stage_value, record, status=400)
    return _back(request, slug, stage_value, record)


@login_required
@require_http_methods(["POST"])
def conflict_resolution(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    stage_value = stage_or_404(stage)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    reason = request.POST.get("reason", "")
    try:
        conflict_resolve(
            review=access.review,
            record=record,
            stage=stage_value,
            by=request.user,
            decision=request.POST.get("decision", ""),
            rationale=request.POST.get("rationale", ""),
            reason_id=int(reason) if reason.isdigit() else None,
            reason_other=request.POST.get("reason_other", ""),
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return _back(request, slug, stage_value, record, status=409 if error.code == "conflict" else 400)
    messages.success(request, "Decision recorded.")
    return _back(request, slug, stage_value, record)


@login_required
@require_http_methods(["POST"])
def conflict_vote(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    """A reviewer in the conflict changes their own vote after the discussion."""
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    data = vote_input_from(request.POST, choice=request.POST.get("choice", ""))
    if not Vote.objects.filter(record=record, stage=stage_value, reviewer=request.user).exists():
        raise PermissionDenied("Only the reviewers in this conflict change their votes here")
    try:
        vote_cast(review=access.review, record=record, stage=stage_value, reviewer=request.user, data=data)
    except ServiceError as error:
        messages.error(request, error.message)
        return _back(request, slug, stage_value, record, status=409 if error.code == "conflict" else 400)
    messages.success(request, "Your vote was changed.")
    return _back(request, slug, stage_value, record)

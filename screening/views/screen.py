"""The screening screens: one record at a time, keyboard first; each decision swaps in the next record (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest, page_status, refusals_as_http
from review.models import Record, Role
from review.views.labels import labels_context
from screening import selectors
from screening.access import record_at_stage
from screening.forms import VoteForm
from screening.models import Stage
from screening.selectors import stage_totals
from screening.selectors.prioritisation import relevance_of
from screening.services.claims import queue_hold, queue_release, queue_skip
from screening.services.common import settings_for, votes_required
from screening.services.queue import queue_empty_why, queue_next_for
from screening.services.votes import vote_cast, vote_undo_last, vote_withdraw
from screening.views.common import stage_or_404

TEMPLATE = "screening/screen.html"


@login_required
@require_http_methods(["GET"])
def overview(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.VIEWER)
    counts = selectors.stage_counts(review=access.review)
    mine = {stage: selectors.my_vote_count(review=access.review, user=request.user, stage=stage) for stage in Stage}
    stages = [{"stage": stage, "counts": counts[stage], "mine": mine[stage]} for stage in Stage]
    pilots = {stage: selectors.open_pilot(review=access.review, stage=stage) for stage in Stage}
    context = {"access": access, "review": access.review, "stages": stages, "pilots": pilots}
    return render(request, "screening/overview.html", context)


def _panel_context(
    request: AuthedRequest, access: ReviewAccess, stage: Stage, record: Record | None, **extra: Any
) -> dict[str, Any]:
    review = access.review
    outcome = selectors.outcome_of(record=record, stage=stage) if record else None
    last = selectors.my_last_vote(review=review, user=request.user, stage=stage)
    last_id = last.record_id if last is not None else None
    context: dict[str, Any] = {
        "access": access,
        "review": review,
        "stage": stage,
        "record": record,
        "outcome": outcome,
        "config": settings_for(review),
        "totals": stage_totals(review=review, stage=stage),
        "my_done": selectors.my_vote_count(review=review, user=request.user, stage=stage),
        "pilot": selectors.open_pilot(review=review, stage=stage),
        "previous_id": last_id if last_id != (record.pk if record else None) else None,
        "message": "",
        "error": "",
    }
    if record is not None:
        context["my_vote"] = selectors.my_vote(user=request.user, record=record, stage=stage)
        context["votes"] = selectors.votes_visible_to(
            access=access, user=request.user, record=record, stage=stage, outcome=outcome
        )
        context["required"] = votes_required(review=review, stage=stage, outcome=outcome)
        if context["config"].show_relevance:
            context["relevance"] = relevance_of(record=record, stage=stage)
        context.update(labels_context(access, request.user, record))
        if stage == Stage.FULL_TEXT or context["config"].title_abstract_reasons:
            context["reasons"] = list(selectors.exclusion_reasons(review=review))
        if stage == Stage.FULL_TEXT:
            versions = list(selectors.fulltext_history(record=record)[:10])
            context["fulltext"] = next((f for f in versions if f.replaced_at is None), None)
            context["fulltext_versions"] = versions
    context.update(extra)
    return context


def render_panel(
    request: AuthedRequest,
    access: ReviewAccess,
    stage: Stage,
    record: Record | None = None,
    *,
    status: int = 200,
    serve: bool = True,
    **extra: Any,
) -> HttpResponse:
    """The screening panel for `record`, or (`serve`) the next record of the caller's queue, claimed for them."""
    if record is None and serve:
        record = queue_next_for(review=access.review, stage=stage, reviewer=request.user)
        if record is None:
            extra["empty"] = queue_empty_why(review=access.review, stage=stage, reviewer=request.user)
    context = _panel_context(request, access, stage, record, **extra)
    template = f"{TEMPLATE}#screen-panel" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET"])
def screen(request: AuthedRequest, slug: str, stage: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    return render_panel(request, access, stage_or_404(stage))


@login_required
@require_http_methods(["GET"])
@refusals_as_http
def record_view(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    """One given record on the screening screen: going back to the previous record to change a vote."""
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = record_at_stage(access=access, stage=stage_value, record_id=record_id, screenable=True)
    return render_panel(request, access, stage_value, record)


@login_required
@require_http_methods(["GET"])
@refusals_as_http
def previous(request: AuthedRequest, slug: str, stage: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    last = selectors.my_last_vote(review=access.review, user=request.user, stage=stage_value)
    if last is None:
        return render_panel(request, access, stage_value, message="You have not voted at this stage yet.")
    return render_panel(request, access, stage_value, last.record)


def _after(request: AuthedRequest, access: ReviewAccess, stage: Stage, **extra: Any) -> HttpResponse:
    if request.htmx:
        return render_panel(request, access, stage, **extra)
    return redirect("screening:screen", slug=access.review.slug, stage=stage.value)


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def vote(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = record_at_stage(access=access, stage=stage_value, record_id=record_id)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return render_panel(request, access, stage_value, record, status=400, error=first_error(form))
    data = form.vote_input()
    try:
        vote_cast(review=access.review, record=record, stage=stage_value, reviewer=request.user, data=data)
    except ServiceError as error:
        # Show the same record again with the reason it was refused.
        status = page_status(error)
        return render_panel(request, access, stage_value, record, status=status, error=error.message)
    return _after(request, access, stage_value, message=f"Saved: {data.choice} on record {record.pk}.")


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def withdraw(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = record_at_stage(access=access, stage=stage_value, record_id=record_id)
    try:
        vote_withdraw(review=access.review, record=record, stage=stage_value, reviewer=request.user)
    except ServiceError as error:
        return render_panel(request, access, stage_value, record, status=page_status(error), error=error.message)
    return render_panel(request, access, stage_value, record, message="Your vote was withdrawn.")


@login_required
@require_http_methods(["POST"])
def undo(request: AuthedRequest, slug: str, stage: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    try:
        record = vote_undo_last(review=access.review, stage=stage_value, reviewer=request.user)
    except ServiceError as error:
        return render_panel(request, access, stage_value, status=page_status(error), error=error.message)
    return render_panel(request, access, stage_value, record, message="Your last vote was undone.")


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def skip(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = record_at_stage(access=access, stage=stage_value, record_id=record_id)
    try:
        queue_skip(review=access.review, record=record, stage=stage_value, reviewer=request.user)
    except ServiceError as error:
        return render_panel(request, access, stage_value, status=page_status(error), error=error.message)
    return _after(request, access, stage_value, message="Skipped; it comes back later.")


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def hold(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    """Sent by the open screening page every 30 s while it is in use: keeps the record's vote slot for me."""
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = record_at_stage(access=access, stage=stage_value, record_id=record_id, screenable=True)
    held = queue_hold(review=access.review, record=record, stage=stage_value, reviewer=request.user)
    return HttpResponse(status=204 if held else 409)


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def release(request: AuthedRequest, slug: str, stage: str, record_id: int) -> HttpResponse:
    """Sent when the screening page is left: the record's slot is free for others at once."""
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    stage_value = stage_or_404(stage)
    record = record_at_stage(access=access, stage=stage_value, record_id=record_id)
    queue_release(review=access.review, stage=stage_value, reviewer=request.user, record=record)
    return HttpResponse(status=204)

"""Deduplication pages: summary with progress, possible-duplicates queue, groups and split, the log as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from review.access import ReviewAccess, review_for_user
from review.csv_export import csv_response
from review.errors import ServiceError
from review.forms import DuplicateVerdictForm, GroupSplitForm
from review.http import AuthedRequest
from review.models import PossibleDuplicate, Record, Role
from review.selectors import dedup as selectors_dedup
from review.services import dedup
from review.services.jobs import job_live


def _summary_context(access: object, review: object) -> dict[str, object]:
    summary = selectors_dedup.dedup_summary(review=review)  # type: ignore[arg-type]
    run = summary["last_run"]
    job = job_live(run.job) if run is not None and run.job is not None else None
    return {"access": access, "review": review, "summary": summary, "job": job, "polling": job and not job.finished}


@login_required
@require_http_methods(["GET", "POST"])
def dedup_home(request: AuthedRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
        dedup.dedup_start(review=access.review, by=request.user)
        return redirect("review:dedup", slug=slug)
    access = review_for_user(user=request.user, slug=slug)
    context = _summary_context(access, access.review)
    if request.htmx:
        response = render(request, "review/dedup.html#dedup-status", context)
        if not context["polling"]:
            response.status_code = 286
        return response
    return render(request, "review/dedup.html", context)


@login_required
@require_http_methods(["GET"])
def possible_next(request: AuthedRequest, slug: str) -> HttpResponse:
    return _possible_page(request, review_for_user(user=request.user, slug=slug))


def _possible_page(request: AuthedRequest, access: ReviewAccess) -> HttpResponse:
    pairs = selectors_dedup.possible_pairs(review=access.review)
    pair = pairs.first()
    context = {
        "access": access,
        "review": access.review,
        "pair": pair,
        "remaining": pairs.count(),
        "rows": selectors_dedup.pair_comparison(pair) if pair else [],
    }
    template = "review/possible.html#possible-pair" if request.htmx else "review/possible.html"
    return render(request, template, context)


@login_required
@require_http_methods(["POST"])
def possible_decide(request: AuthedRequest, slug: str, pair_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    pair = get_object_or_404(PossibleDuplicate, pk=pair_id, review=access.review)
    form = DuplicateVerdictForm(request.POST)
    if not form.is_valid():
        return HttpResponse("verdict must be 'same' or 'different'", status=400)
    same = form.cleaned_data["verdict"] == "same"
    try:
        dedup.duplicate_decide(review=access.review, pair=pair, same=same, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    if request.htmx:
        return _possible_page(request, access)
    return redirect("review:possible", slug=slug)


@login_required
@require_http_methods(["GET"])
def group_list(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    groups = selectors_dedup.duplicate_groups(review=access.review)[:500]
    return render(request, "review/groups.html", {"access": access, "review": access.review, "groups": groups})


@login_required
@require_http_methods(["GET", "POST"])
def group_detail(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    kept = get_object_or_404(Record.objects.select_related("search"), pk=record_id, review=access.review)
    needs_confirmation = ""
    if request.method == "POST":
        access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
        form = GroupSplitForm(request.POST)
        if not form.is_valid():
            return HttpResponse("confirm must be 'yes' or left out", status=400)
        try:
            separated = dedup.group_split(
                review=access.review, kept=kept, by=request.user, confirm=form.cleaned_data["confirm"] == "yes"
            )
        except ServiceError as error:
            if error.code != "confirm_required":  # not an error: the page asks again, and says why (409)
                messages.error(request, error.message)
                return redirect("review:group", slug=slug, record_id=kept.pk)
            needs_confirmation = error.message
        else:
            messages.success(request, f"Group split: {len(separated)} records are screened on their own again.")
            return redirect("review:group", slug=slug, record_id=kept.pk)
    members = kept.duplicates.select_related("search").order_by("pk")
    context = {
        "access": access,
        "review": access.review,
        "kept": kept,
        "members": members,
        "needs_confirmation": needs_confirmation,
    }
    return render(request, "review/group.html", context, status=409 if needs_confirmation else 200)


@login_required
@require_http_methods(["GET"])
def dedup_log_csv(request: AuthedRequest, slug: str) -> StreamingHttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    return csv_response(
        f"{access.review.slug}-dedup-log.csv",
        selectors_dedup.DEDUP_LOG_HEADER,
        selectors_dedup.dedup_log_rows(review=access.review),
    )

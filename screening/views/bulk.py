"""Bulk full-text upload: drop many PDFs or a zip, check the proposed record of each, correct, attach."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from review.access import review_for_user
from review.errors import ServiceError
from review.http import AuthedRequest
from review.models import Record, Role
from screening.models import BulkFullText, Stage, StageOutcome
from screening.services.bulk_fulltexts import bulk_fulltext_apply, bulk_fulltext_upload


@login_required
@require_http_methods(["GET", "POST"])
def bulk_fulltexts(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    status, error = 200, ""
    if request.method == "POST":
        uploads = [(f.name or "file.pdf", f.read()) for f in request.FILES.getlist("files")]
        try:
            if not uploads:
                raise ServiceError("Choose PDF files or a zip of them", field="files")
            rows = bulk_fulltext_upload(review=access.review, by=request.user, uploads=uploads)
        except ServiceError as problem:
            status, error = 400, problem.message
        else:
            certain = sum(1 for row in rows if row.certain)
            messages.success(
                request,
                f"{len(rows)} files read: {certain} matched with certainty; check each match below, then attach.",
            )
            return redirect("screening:bulk-fulltexts", slug=slug)
    pending = list(
        BulkFullText.objects.filter(review=access.review, status=BulkFullText.Status.PENDING).select_related("proposed")
    )
    skipped = BulkFullText.objects.filter(review=access.review, status=BulkFullText.Status.DISCARDED).exclude(
        problem=""
    )[:50]
    at_full_text = StageOutcome.objects.filter(review=access.review, stage=Stage.FULL_TEXT).values("record_id")
    records = Record.objects.filter(pk__in=at_full_text).only("pk", "title", "year").order_by("pk")
    context = {
        "access": access,
        "review": access.review,
        "pending": pending,
        "skipped": skipped,
        "records": records,
        "error": error,
    }
    return render(request, "screening/bulk_fulltexts.html", context, status=status)


@login_required
@require_http_methods(["POST"])
def bulk_fulltexts_apply(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    decisions: dict[int, int | None] = {}
    for key in request.POST:
        value = str(request.POST.get(key, ""))
        if not key.startswith("item_") or not key[5:].isdigit() or value == "":
            continue
        if value == "discard":
            decisions[int(key[5:])] = None
        elif value.isdigit():
            decisions[int(key[5:])] = int(value)
    try:
        counts = bulk_fulltext_apply(review=access.review, by=request.user, decisions=decisions)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{counts['attached']} attached, {counts['discarded']} discarded.")
    return redirect("screening:bulk-fulltexts", slug=slug)

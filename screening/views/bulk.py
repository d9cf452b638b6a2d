"""Bulk full-text upload: drop many PDFs or a zip, check the proposed record of each, correct, attach."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest, page_status
from review.models import Role
from screening import selectors
from screening.forms import BulkApplyForm, BulkUploadForm
from screening.services.bulk_fulltexts import bulk_fulltext_apply, bulk_fulltext_upload


def _page(request: AuthedRequest, access: ReviewAccess, *, status: int = 200, error: str = "") -> HttpResponse:
    context = {
        "access": access,
        "review": access.review,
        "pending": list(selectors.bulk_fulltexts_pending(review=access.review)),
        "skipped": selectors.bulk_fulltexts_skipped(review=access.review)[:50],
        "records": selectors.records_at_full_text(review=access.review),
        "error": error,
    }
    return render(request, "screening/bulk_fulltexts.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def bulk_fulltexts(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    if request.method == "GET":
        return _page(request, access)
    form = BulkUploadForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ServiceError(first_error(form), field="files")
        uploads = [(f.name or "file.pdf", f.read()) for f in form.cleaned_data["files"]]
        rows = bulk_fulltext_upload(review=access.review, by=request.user, uploads=uploads)
    except ServiceError as problem:
        return _page(request, access, status=page_status(problem), error=problem.message)
    certain = sum(1 for row in rows if row.certain)
    messages.success(
        request,
        f"{len(rows)} files read: {certain} matched with certainty; check each match below, then attach.",
    )
    return redirect("screening:bulk-fulltexts", slug=slug)


@login_required
@require_http_methods(["POST"])
def bulk_fulltexts_apply(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    form = BulkApplyForm(request.POST)
    if not form.is_valid():
        return _page(request, access, status=400, error=first_error(form))
    try:
        counts = bulk_fulltext_apply(review=access.review, by=request.user, decisions=form.cleaned_data["decisions"])
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{counts['attached']} attached, {counts['discarded']} discarded.")
    return redirect("screening:bulk-fulltexts", slug=slug)

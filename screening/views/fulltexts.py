"""Full-text files: upload or replace from the full-text screen, serve to members only, mark not retrieved."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from review.access import review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest, page_status, refusals_as_http
from review.models import Role
from screening.access import FullTextAction, fulltext_for, fulltext_record_for
from screening.forms import FullTextUploadForm, NotRetrievedForm
from screening.models import FullText, Stage
from screening.services.claims import queue_release
from screening.services.fulltexts import fulltext_mark_not_retrieved, fulltext_upload
from screening.views.screen import render_panel


def fulltext_response(fulltext: FullText, *, download: bool) -> FileResponse:
    """Stream a stored PDF under a name we choose, inline for the viewer or as an attachment."""
    handle = fulltext.file.open("rb")
    response = FileResponse(
        handle,
        as_attachment=download,
        filename=f"record-{fulltext.record_id}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET"])
@refusals_as_http
def fulltext(request: AuthedRequest, slug: str, record_id: int) -> FileResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.VIEWER)
    version = request.GET.get("version", "")
    number = int(version) if version.isascii() and version.isdigit() and len(version) < 19 else None
    found = fulltext_for(access=access, record_id=record_id, version=number)
    return fulltext_response(found, download=request.GET.get("download") == "1")


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def fulltext_upload_view(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    record = fulltext_record_for(access=access, record_id=record_id, action=FullTextAction.REPLACE)
    form = FullTextUploadForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ServiceError(first_error(form), field="file")
        fulltext_upload(review=access.review, record=record, by=request.user, upload=form.cleaned_data["file"])
    except ServiceError as error:
        status = page_status(error)
        return render_panel(request, access, Stage.FULL_TEXT, record, status=status, error=error.message)
    if not request.htmx:
        return redirect("screening:record", slug=slug, stage=Stage.FULL_TEXT.value, record_id=record.pk)
    return render_panel(request, access, Stage.FULL_TEXT, record, message="Full text saved.")


@login_required
@require_http_methods(["POST"])
@refusals_as_http
def not_retrieved(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    # The lead's call: "not retrieved" ends screening of the record without votes (see fulltext_mark_not_retrieved).
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    record = fulltext_record_for(access=access, record_id=record_id, action=FullTextAction.NOT_RETRIEVED)
    form = NotRetrievedForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(first_error(form), field="note")
        fulltext_mark_not_retrieved(
            review=access.review, record=record, by=request.user, note=form.cleaned_data["note"]
        )
    except ServiceError as error:
        status = page_status(error)
        return render_panel(request, access, Stage.FULL_TEXT, record, status=status, error=error.message)
    queue_release(review=access.review, stage=Stage.FULL_TEXT, reviewer=request.user, record=record)
    if not request.htmx:
        return redirect("screening:record", slug=slug, stage=Stage.FULL_TEXT.value, record_id=record.pk)
    # A management action, not screening: show the record just marked rather than claiming the next one.
    return render_panel(request, access, Stage.FULL_TEXT, record, message=f"Record {record.pk} marked not retrieved.")

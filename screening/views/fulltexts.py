"""Full-text files: upload or replace from the full-text screen, serve to members only, mark not retrieved."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from review.access import review_for_user
from review.errors import ServiceError
from review.http import AuthedRequest
from review.models import Record, Role
from screening import selectors
from screening.models import FullText, Stage
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
def fulltext(request: AuthedRequest, slug: str, record_id: int) -> FileResponse:
    access = review_for_user(user=request.user, slug=slug)  # any member may read the full texts
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    version = request.GET.get("version", "")
    if version.isdigit():
        found = FullText.objects.filter(record=record, pk=int(version)).first()
    else:
        found = selectors.current_fulltext(record=record)
    if found is None:
        raise Http404("No full text for this record")
    return fulltext_response(found, download=request.GET.get("download") == "1")


@login_required
@require_http_methods(["POST"])
def fulltext_upload_view(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ServiceError("Choose a PDF file", field="file")
        fulltext_upload(review=access.review, record=record, by=request.user, upload=upload)
    except ServiceError as error:
        status = 409 if error.code == "conflict" else 400
        return render_panel(request, access, Stage.FULL_TEXT, record, status=status, error=error.message)
    if not request.htmx:
        return redirect("screening:record", slug=slug, stage=Stage.FULL_TEXT.value, record_id=record.pk)
    return render_panel(request, access, Stage.FULL_TEXT, record, message="Full text saved.")


@login_required
@require_http_methods(["POST"])
def not_retrieved(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    # The lead's call: "not retrieved" ends screening of the record without votes (see fulltext_mark_not_retrieved).
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    try:
        fulltext_mark_not_retrieved(
            review=access.review, record=record, by=request.user, note=request.POST.get("note", "")
        )
    except ServiceError as error:
        status = 409 if error.code == "conflict" else 400
        return render_panel(request, access, Stage.FULL_TEXT, record, status=status, error=error.message)
    if not request.htmx:
        return redirect("screening:screen", slug=slug, stage=Stage.FULL_TEXT.value)
    return render_panel(request, access, Stage.FULL_TEXT, message=f"Record {record.pk} marked not retrieved.")

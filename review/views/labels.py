"""Tags, notes and corrections on one record: small forms on the record page and the screening screen (htmx
swaps the record's labels box in place)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import NoteAddForm, RecordEditForm, TagAddForm, first_error
from review.http import AuthedRequest
from review.models import Record, Role, Tag
from review.selectors.records import labels_unblinded, record_notes, record_tags, review_tags
from review.services import labels
from review.services.record_edits import EDITABLE, record_edit, record_originals

LABELS = "review/_record_labels.html"


def labels_context(access: ReviewAccess, user: Any, record: Record, **extra: Any) -> dict[str, Any]:
    return {
        "access": access,
        "review": access.review,
        "label_record": record,
        "record_tag_rows": record_tags(access=access, user=user, record_ids=[record.pk])[record.pk],
        "record_note_rows": record_notes(access=access, user=user, record=record),
        "known_tags": review_tags(access=access),
        "labels_error": "",
        "labels_unblinded": labels_unblinded(access=access),
        **extra,
    }


def _labels_response(request: AuthedRequest, access: ReviewAccess, record: Record, status: int = 200, **extra: Any):
    if not request.htmx:
        if extra.get("labels_error"):
            messages.error(request, extra["labels_error"])
        return redirect("review:record", slug=access.review.slug, record_id=record.pk)
    return render(request, LABELS, labels_context(access, request.user, record, **extra), status=status)


@login_required
@require_http_methods(["POST"])
def tag_add(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    form = TagAddForm(request.POST)
    if not form.is_valid():
        return _labels_response(request, access, record, status=400, labels_error=first_error(form))
    try:
        labels.tag_add(review=access.review, record=record, name=form.cleaned_data["name"], by=request.user)
    except ServiceError as error:
        return _labels_response(request, access, record, status=error.http_status, labels_error=error.message)
    return _labels_response(request, access, record)


@login_required
@require_http_methods(["POST"])
def tag_remove(request: AuthedRequest, slug: str, record_id: int, tag_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    tag = get_object_or_404(Tag, pk=tag_id, review=access.review)
    try:
        labels.tag_remove(review=access.review, record=record, tag=tag, by=request.user)
    except ServiceError as error:
        return _labels_response(request, access, record, status=error.http_status, labels_error=error.message)
    return _labels_response(request, access, record)


@login_required
@require_http_methods(["POST"])
def note_add(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    form = NoteAddForm(request.POST)
    if not form.is_valid():
        return _labels_response(request, access, record, status=400, labels_error=first_error(form))
    try:
        labels.note_add(review=access.review, record=record, text=form.cleaned_data["text"], by=request.user)
    except ServiceError as error:
        return _labels_response(request, access, record, status=error.http_status, labels_error=error.message)
    return _labels_response(request, access, record)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit_view(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    """Correct a record's title, abstract, authors, year, journal, DOI, PMID or keywords; the originals stay."""
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    error: ServiceError | None = None
    status = 200
    form = RecordEditForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not form.is_valid():
        # Shown like the service's own refusals: the field and what is wrong with it.
        field, problems = next(iter(form.errors.items()))
        error, status = ServiceError(str(problems[0]), field=field), 400
    elif request.method == "POST":
        try:
            edits = record_edit(
                review=access.review,
                record=record,
                by=request.user,
                changes=form.changes(),
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as problem:
            error, status = problem, problem.http_status
        else:
            changed = ", ".join(edit.field for edit in edits) or "nothing"
            messages.success(request, f"Saved: {changed} changed.")
            return redirect("review:record", slug=slug, record_id=record.pk)
    values: dict[str, Any]
    if error:
        values = {field: form.data.get(field, "") for field in EDITABLE}
    else:
        values = {field: getattr(record, field) for field in EDITABLE}
        values.update(authors="\n".join(record.authors), keywords="\n".join(record.keywords))
        values["year"] = record.year or ""
    context = {
        "access": access,
        "review": access.review,
        "record": record,
        "values": values,
        "error": error,
        "originals": record_originals(record=record),
    }
    return render(request, "review/record_edit.html", context, status=status)

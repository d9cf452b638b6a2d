"""Charting one study: the extraction screen (metadata, full text, form), drafts saved as one types, submit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from charting import selectors, services
from charting.models import Extraction
from charting.widgets import posted_values, widgets_for
from review.access import ReviewAccess, review_for_user
from review.http import AuthedRequest
from review.models import Record, Role


def current_fulltext(record: Record) -> Any:
    """The study's current full-text PDF, stored and served by screening (None when it has none)."""
    from screening.selectors import current_fulltext as screening_fulltext

    return screening_fulltext(record=record)


def _extraction(access: ReviewAccess, extraction_id: int) -> Extraction:
    return get_object_or_404(
        Extraction.objects.select_related("record", "extractor", "version", "form"),
        pk=extraction_id,
        review=access.review,
    )


def _may_read(access: ReviewAccess, extraction: Extraction, user_id: int) -> bool:
    """Blinding: one's own extraction always; anyone else's once every extractor of the study has submitted."""
    if extraction.extractor_id == user_id:
        return True
    if extraction.status == Extraction.Status.WITHDRAWN:
        return access.is_lead
    group = selectors.active_extractions(review=access.review, record=extraction.record, round=extraction.round)
    return selectors.all_submitted(group)


def _screen_context(
    access: ReviewAccess,
    extraction: Extraction,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    values = selectors.extraction_values(extraction=extraction)
    sections = selectors.version_sections(version=extraction.version)
    fields = [f for _s, group in sections for f in group]
    widgets = widgets_for(fields, values, errors=errors, typed=typed)
    editable = extraction.extractor_id == user_id and extraction.status == Extraction.Status.DRAFT
    return {
        "access": access,
        "review": access.review,
        "extraction": extraction,
        "record": extraction.record,
        "fulltext": current_fulltext(extraction.record),
        "sections": [(section, [widgets[f.key] for f in group]) for section, group in sections],
        "editable": editable,
        "errors": errors or {},
        "answered": sum(1 for f in fields if f.key in values),
        "total": len(fields),
    }


@login_required
@require_http_methods(["GET"])
def extraction_screen(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    extraction = _extraction(access, extraction_id)
    if not _may_read(access, extraction, request.user.pk):
        raise PermissionDenied("Extractions stay hidden until every extractor of this study has submitted")
    return render(request, "charting/extract.html", _screen_context(access, extraction, request.user.pk))


def _own_draft(request: AuthedRequest, slug: str, extraction_id: int) -> tuple[ReviewAccess, Extraction]:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    extraction = _extraction(access, extraction_id)
    if extraction.extractor_id != request.user.pk:
        raise PermissionDenied("Only its extractor can change an extraction")
    return access, extraction


@login_required
@require_http_methods(["POST"])
def extraction_save(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    """Draft save (htmx, debounced as one types): stores valid answers, returns the status and field errors."""
    access, extraction = _own_draft(request, slug, extraction_id)
    if extraction.status != Extraction.Status.DRAFT:
        locked: dict[str, Any] = {"saved_at": None, "errors": {}, "locked": True, "field_errors": []}
        return render(request, "charting/extract.html#save-status", locked, status=409)
    fields = selectors.version_fields(version=extraction.version)
    result = services.extraction_save_draft(
        extraction=extraction, by=request.user, values=posted_values(fields, request.POST)
    )
    if not request.htmx:
        if result.errors:
            messages.error(request, "Some answers were not saved: see the messages under the fields.")
            typed = posted_values(fields, request.POST)
            page = _screen_context(access, extraction, request.user.pk, errors=result.errors, typed=typed)
            return render(request, "charting/extract.html", page, status=400)
        messages.success(request, "Draft saved.")
        return redirect("charting:extract", slug=slug, extraction_id=extraction.pk)
    labels = {f.key: f.label for f in fields}
    context: dict[str, Any] = {
        "saved_at": timezone.now(),
        "saved": len(result.saved),
        "errors": {labels.get(k, k): v for k, v in result.errors.items()},
        "field_errors": [(f.key, result.errors.get(f.key, "")) for f in fields],
        "locked": False,
    }
    return render(request, "charting/extract.html#save-status", context, status=200)


@login_required
@require_http_methods(["POST"])
def extraction_submit(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    access, extraction = _own_draft(request, slug, extraction_id)
    fields = selectors.version_fields(version=extraction.version)
    typed = posted_values(fields, request.POST)
    try:
        services.extraction_submit(extraction=extraction, by=request.user, values=typed)
    except services.ExtractionIncomplete as error:
        messages.error(request, f"Not submitted: {error.message}.")
        context = _screen_context(access, extraction, request.user.pk, errors=error.errors, typed=typed)
        return render(request, "charting/extract.html", context, status=400)
    messages.success(request, f"Extraction of “{extraction.record.title[:80]}” submitted.")
    return redirect("charting:home", slug=slug)

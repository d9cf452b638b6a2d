"""Charting one study: the extraction screen (metadata, full text, form), drafts saved as one types, submit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from charting import selectors, services
from charting.access import extraction_for_editor, extraction_for_reader
from charting.answers import MAX_INSTANCES, SEP, instance_count
from charting.forms import InstanceRemoveForm
from charting.models import Extraction, Field
from charting.widgets import Widget, posted_answers, widgets_for
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest
from review.models import Record, Role


def current_fulltext(record: Record) -> Any:
    """The study's current full-text PDF, stored and served by screening (None when it has none)."""
    from screening.selectors import current_fulltext as screening_fulltext

    return screening_fulltext(record=record)


def _screen_context(
    access: ReviewAccess,
    extraction: Extraction,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    values, sources = selectors.latest_answers([extraction.pk])
    mine, cited = values.get(extraction.pk, {}), sources.get(extraction.pk, {})
    if typed:  # a refused save shows again what was typed, instances included
        mine = {**mine, **{a: v for a, v in typed.items() if a in (errors or {})}}
    sections = selectors.version_sections(version=extraction.version)
    fields = [f for _s, group in sections for f in group]
    editable = extraction.extractor_id == user_id and extraction.status == Extraction.Status.DRAFT
    widgets = widgets_for(fields, mine, errors=errors, typed=typed, sources=cited)
    shown = []
    for section, group in sections:
        if not section.repeating:
            shown.append({"section": section, "widgets": [widgets[f.key] for f in group]})
            continue
        count = instance_count(mine, [f.key for f in group])
        instances = [(n, _instance_widgets(fields, group, mine, errors, typed, cited, n)) for n in range(1, count + 1)]
        if not instances and editable:
            instances = [(1, _instance_widgets(fields, group, mine, errors, typed, cited, 1))]
        shown.append({"section": section, "instances": instances, "next": len(instances) + 1})
    reports = selectors.study_reports(record=extraction.record)
    return {
        "access": access,
        "review": access.review,
        "extraction": extraction,
        "record": extraction.record,
        "fulltext": current_fulltext(extraction.record),
        # Every report of the study, each with its full text: a study is charted once, from all its reports.
        "reports": [(report, current_fulltext(report)) for report in reports[1:]],
        "sections": shown,
        "editable": editable,
        "errors": errors or {},
        "answered": len(mine),
        "total": len(fields),
    }


def _instance_widgets(
    fields: list[Field],
    group: list[Field],
    values: dict[str, Any],
    errors: dict[str, str] | None,
    typed: dict[str, Any] | None,
    sources: dict[str, tuple[str, str]],
    instance: int,
) -> list[Widget]:
    widgets = widgets_for(fields, values, errors=errors, typed=typed, sources=sources, instance=instance)
    return [widgets[f.key] for f in group]


@login_required
@require_http_methods(["GET"])
def extraction_screen(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    extraction = extraction_for_reader(access=access, user=request.user, extraction_id=extraction_id)
    return render(request, "charting/extract.html", _screen_context(access, extraction, request.user.pk))


def _own_draft(request: AuthedRequest, slug: str, extraction_id: int) -> tuple[ReviewAccess, Extraction]:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.REVIEWER)
    return access, extraction_for_editor(access=access, user=request.user, extraction_id=extraction_id)


@login_required
@require_http_methods(["POST"])
def extraction_save(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    """Draft save (htmx, debounced as one types): stores valid answers, returns the status and field errors."""
    access, extraction = _own_draft(request, slug, extraction_id)
    if extraction.status != Extraction.Status.DRAFT:
        locked: dict[str, Any] = {"saved_at": None, "errors": {}, "locked": True, "field_errors": []}
        return render(request, "charting/extract.html#save-status", locked, status=409)
    fields = selectors.version_fields(version=extraction.version)
    typed, sources = posted_answers(fields, request.POST)
    result = services.extraction_save_draft(extraction=extraction, by=request.user, values=typed, sources=sources)
    if not request.htmx:
        if result.errors:
            messages.error(request, "Some answers were not saved: see the messages under the fields.")
            page = _screen_context(access, extraction, request.user.pk, errors=result.errors, typed=typed)
            return render(request, "charting/extract.html", page, status=400)
        messages.success(request, "Draft saved.")
        return redirect("charting:extract", slug=slug, extraction_id=extraction.pk)
    context: dict[str, Any] = {
        "saved_at": timezone.now(),
        "saved": len(result.saved),
        "errors": {_label(fields, a): v for a, v in result.errors.items()},
        "field_errors": [(_element_id(a), result.errors.get(a, "")) for a in typed],
        "locked": False,
    }
    return render(request, "charting/extract.html#save-status", context, status=200)


@login_required
@require_http_methods(["POST"])
def extraction_submit(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    access, extraction = _own_draft(request, slug, extraction_id)
    fields = selectors.version_fields(version=extraction.version)
    typed, sources = posted_answers(fields, request.POST)
    try:
        services.extraction_submit(extraction=extraction, by=request.user, values=typed, sources=sources)
    except services.ExtractionIncomplete as error:
        messages.error(request, f"Not submitted: {error.message}.")
        context = _screen_context(access, extraction, request.user.pk, errors=error.errors, typed=typed)
        return render(request, "charting/extract.html", context, status=400)
    messages.success(request, f"Extraction of “{extraction.record.title[:80]}” submitted.")
    return redirect("charting:home", slug=slug)


def _label(fields: list[Field], addr: str) -> str:
    key, _sep, number = addr.partition(SEP)
    label = next((f.label for f in fields if f.key == key), key)
    return f"{label} ({number})" if number else label


def _element_id(addr: str) -> str:
    """The id of an answer's error element: `aim`, or `model_name-2` (ids never carry '#')."""
    return addr.replace(SEP, "-")


@login_required
@require_http_methods(["GET"])
def extraction_instance(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    """One more, empty instance of a repeating group (htmx), followed by the button that adds the next one."""
    access, extraction = _own_draft(request, slug, extraction_id)
    fields = selectors.version_fields(version=extraction.version)
    group = [f for f in fields if f.section.repeating and f.section.key == request.GET.get("group", "")]
    number = request.GET.get("n", "")
    if not group or not number.isdigit() or not 1 <= int(number) <= MAX_INSTANCES:
        raise Http404("No such group or instance")
    instance = int(number)
    context = {
        "access": access,
        "review": access.review,
        "extraction": extraction,
        "editable": extraction.status == Extraction.Status.DRAFT,
        "item": {"section": group[0].section, "next": instance + 1},
        "n": instance,
        "widgets": _instance_widgets(fields, group, {}, None, None, {}, instance),
    }
    return render(request, "charting/extract.html#group-instance-added", context)


@login_required
@require_http_methods(["POST"])
def extraction_instance_remove(request: AuthedRequest, slug: str, extraction_id: int) -> HttpResponse:
    """Save what is on the page, then remove one instance of a repeating group ("group:n")."""
    _access, extraction = _own_draft(request, slug, extraction_id)
    which = InstanceRemoveForm(request.POST)
    fields = selectors.version_fields(version=extraction.version)
    typed, sources = posted_answers(fields, request.POST)
    try:
        if not which.is_valid():
            raise ServiceError(first_error(which))
        services.extraction_save_draft(extraction=extraction, by=request.user, values=typed, sources=sources)
        group, number = which.group_and_instance()
        services.extraction_remove_instance(extraction=extraction, by=request.user, group=group, instance=number)
        messages.success(request, "Removed; the later ones moved up.")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("charting:extract", slug=slug, extraction_id=extraction.pk)

"""Report pages: the live PRISMA diagram with its drill-down lists and downloads, the exports page, and the
record actions PRISMA needs (removal before screening, linking an additional report to its study)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from charting.services.studies import study_link_report
from reporting.exports.registry import KINDS, SubsetError
from reporting.exports.response import export_response
from reporting.forms import RecordActionForm
from reporting.prisma import NODE_LABELS, prisma_records
from reporting.selectors import prisma_diagram
from reporting.selectors import prisma_svg as prisma_svg_document
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest
from review.models import Record, Role
from review.services.records import record_remove_before_screening, record_restore

# How often the page asks for the diagram again while it may still change (`PrismaDiagram.pending`).
POLL_SECONDS = 10
# htmx stops an `every` poll when the answer has this status: https://htmx.org/docs/#polling
STOP_POLLING = 286


@login_required
@require_http_methods(["GET"])
def prisma(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    shown = prisma_diagram(review=access.review)
    context = {
        "access": access,
        "review": access.review,
        "counts": shown.counts,
        "checks": shown.checks,
        "diagram": shown.diagram,
        "pending": shown.pending,
        "poll_seconds": POLL_SECONDS,
    }
    if request.htmx:
        # Once nothing can change on its own, the fragment comes back without its trigger and with the status
        # that tells htmx to stop asking; a page opened later polls again only if something is pending then.
        status = 200 if shown.pending else STOP_POLLING
        return render(request, "reporting/prisma.html#prisma-diagram", context, status=status)
    return render(request, "reporting/prisma.html", context)


@login_required
@require_http_methods(["GET"])
def prisma_svg(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    response = HttpResponse(prisma_svg_document(review=access.review), content_type="image/svg+xml; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{access.review.slug}-prisma.svg"'
    return response


@login_required
@require_http_methods(["GET"])
def prisma_node_records(request: AuthedRequest, slug: str, node: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    if node not in NODE_LABELS:
        raise Http404("No such PRISMA number")
    reason, database = request.GET.get("reason", "")[:300], request.GET.get("database", "")[:120]
    records = prisma_records(review=access.review, node=node, reason=reason, database=database)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "review": access.review,
        "node": node,
        "label": NODE_LABELS[node],
        "reason": reason,
        "database": database,
        "page": page,
    }
    return render(request, "reporting/node_records.html", context)


@login_required
@require_http_methods(["GET"])
def exports(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    kinds = [kind for kind in KINDS.values() if access.at_least(kind.min_role)]
    return render(request, "reporting/exports.html", {"access": access, "review": access.review, "kinds": kinds})


@login_required
@require_http_methods(["GET"])
def export_download(request: AuthedRequest, slug: str, kind: str) -> HttpResponseBase:
    access = review_for_user(user=request.user, slug=slug)
    if kind not in KINDS:
        raise Http404("No such export")
    try:
        return export_response(
            access=access,
            user=request.user,
            kind=kind,
            bom=bool(request.GET.get("bom")),
            subset=request.GET.get("subset", ""),
            reason=request.GET.get("reason", ""),
        )
    except SubsetError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")


# ---- record actions that PRISMA counts ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def record_prisma(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    """Where a record stands for PRISMA; the lead removes it before screening, restores it, or links it as an
    additional report of another record's study."""
    access = review_for_user(user=request.user, slug=slug)
    record = get_object_or_404(Record.objects.select_related("search", "report_of"), pk=record_id, review=access.review)
    status = 200
    if request.method == "POST":
        access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
        form = RecordActionForm(request.POST, review=access.review)
        try:
            if not form.is_valid():
                raise ServiceError(first_error(form))
            _record_action(request, access, record, form.cleaned_data)
        except ServiceError as error:
            messages.error(request, error.message)
            status = 400
        else:
            return redirect("reporting:record", slug=slug, record_id=record.pk)
    context = {"access": access, "review": access.review, "record": record, "reports": record.additional_reports.all()}
    return render(request, "reporting/record.html", context, status=status)


def _record_action(request: AuthedRequest, access: ReviewAccess, record: Record, data: dict[str, Any]) -> None:
    action = data["action"]
    review, by = access.review, request.user
    if action == "remove":
        record_remove_before_screening(
            review=review, record=record, reason=data["reason"], automatic=data["automatic"], by=by
        )
        messages.success(request, "Record removed before screening.")
    elif action == "restore":
        record_restore(review=review, record=record, by=by)
        messages.success(request, "Record restored; it enters screening again.")
    else:
        study = data["study"]
        study_link_report(review=review, record=record, study=study, by=by)
        messages.success(request, "Linked as an additional report." if study else "Link removed.")

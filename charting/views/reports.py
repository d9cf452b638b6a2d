"""Reports and studies: the lead groups the reports of one study (suggested pairs, or any two records), so that
charting, the exports and the PRISMA diagram count each study once."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from charting import selectors, services
from charting.forms import ReportLinkForm
from charting.selectors.studies import study_suggestions
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest
from review.models import Role


def _context(access: ReviewAccess) -> dict[str, Any]:
    studies = selectors.chartable_records(review=access.review)
    reports = selectors.reports_by_study(review=access.review, study_ids=studies.values_list("pk", flat=True))
    grouped = {pk for pk, ids in reports.items() if len(ids) > 1}
    records = selectors.records_by_id(review=access.review, ids=[pk for pk in grouped for pk in reports[pk]])
    return {
        "access": access,
        "review": access.review,
        "suggestions": study_suggestions(review=access.review),
        "groups": [(records[pk], [records[r] for r in reports[pk][1:]]) for pk in sorted(grouped)],
        "study_count": len(reports),
    }


@login_required
@require_http_methods(["GET", "POST"])
def study_reports(request: AuthedRequest, slug: str) -> HttpResponse:
    """GET: suggestions and the studies that have several reports. POST (lead): link or unlink a report, or
    dismiss a suggestion."""
    if request.method == "GET":
        access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
        return render(request, "charting/reports.html", _context(access))
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    posted = ReportLinkForm(request.POST, review=access.review)
    if not posted.is_valid():
        messages.error(request, first_error(posted))
        return render(request, "charting/reports.html", _context(access), status=400)
    action, report = posted.cleaned_data["action"], posted.cleaned_data["report"]
    study = None if action == "unlink" else posted.cleaned_data["study"]
    try:
        if action == "dismiss" and study is not None:  # the form requires a study to dismiss
            services.study_suggestion_dismiss(review=access.review, study=study, report=report, by=request.user)
            messages.success(request, f"Records {study.pk} and {report.pk} will not be suggested again.")
            return redirect("charting:reports", slug=slug)
        services.study_link_report(review=access.review, record=report, study=study, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return render(request, "charting/reports.html", _context(access), status=error.http_status)
    if study is None:
        messages.success(request, f"Record {report.pk} is a study of its own again.")
    else:
        messages.success(request, f"Record {report.pk} is now a report of study {report.report_of_id}.")
    return redirect("charting:reports", slug=slug)

"""The page where the lead records counts from outside the app: per search, the hits the database reported and
the records removed before import (with a note), and what a previous version of the review included."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reporting.forms import OutsideSearchForm, PreviousVersionForm
from reporting.selectors import review_searches
from review.access import review_for_user
from review.errors import ServiceError
from review.forms import first_error
from review.http import AuthedRequest
from review.models import Role
from review.services.outside import review_previous_set, search_outside_counts_set


@login_required
@require_http_methods(["GET", "POST"])
def outside_counts(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug)
    status = 200
    if request.method == "POST":
        access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
        post = request.POST
        try:
            if post.get("action") == "previous":
                previous = PreviousVersionForm(post)
                if not previous.is_valid():
                    raise ServiceError(first_error(previous))
                review_previous_set(
                    review=access.review,
                    by=request.user,
                    studies=previous.cleaned_data["previous_studies"],
                    reports=previous.cleaned_data["previous_reports"],
                    note=previous.cleaned_data["previous_note"],
                )
            else:
                counts = OutsideSearchForm(post, review=access.review)
                if not counts.is_valid():
                    raise ServiceError(first_error(counts))
                hits = counts.cleaned_data["hits_reported"]
                search_outside_counts_set(
                    review=access.review,
                    search=counts.cleaned_data["search"],
                    by=request.user,
                    hits_reported="" if hits is None else hits,
                    removed_before_import=counts.cleaned_data["removed_before_import"] or 0,
                    note=counts.cleaned_data["outside_note"],
                )
        except ServiceError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, "Saved; the PRISMA diagram and CSV use it now.")
            return redirect("reporting:outside", slug=slug)
    searches = review_searches(review=access.review)
    context = {"access": access, "review": access.review, "searches": searches}
    return render(request, "reporting/outside.html", context, status=status)

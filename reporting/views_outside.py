"""The page where the lead records counts from outside the app: per search, the hits the database reported and
the records removed before import (with a note), and what a previous version of the review included."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from review.access import review_for_user
from review.errors import ServiceError
from review.http import AuthedRequest
from review.models import Role, Search
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
                review_previous_set(
                    review=access.review,
                    by=request.user,
                    studies=post.get("previous_studies", ""),
                    reports=post.get("previous_reports", ""),
                    note=post.get("previous_note", ""),
                )
            else:
                raw = post.get("search", "")
                search = get_object_or_404(Search, pk=int(raw) if raw.isdigit() else 0, review=access.review)
                search_outside_counts_set(
                    review=access.review,
                    search=search,
                    by=request.user,
                    hits_reported=post.get("hits_reported", ""),
                    removed_before_import=post.get("removed_before_import", "") or 0,
                    note=post.get("outside_note", ""),
                )
        except ServiceError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, "Saved; the PRISMA diagram and CSV use it now.")
            return redirect("reporting:outside", slug=slug)
    searches = Search.objects.filter(review=access.review).order_by("created_at", "pk")
    context = {"access": access, "review": access.review, "searches": searches}
    return render(request, "reporting/outside.html", context, status=status)

"""The stopping rule's pages: the lead begins the random sample; every member can export the evidence."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from review.access import review_for_user
from review.csv_export import csv_response
from review.errors import ServiceError
from review.http import AuthedRequest
from review.models import Role
from screening.stopping import stopping_evidence, stopping_sample_rows, stopping_sample_start
from screening.views.common import stage_or_404

SAMPLE_COLUMNS = ("position", "record_id", "outcome", "sampled_relevant", "p_value", "target_met")


@login_required
@require_http_methods(["POST"])
def sample_start(request: AuthedRequest, slug: str, stage: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    found = stage_or_404(stage)
    try:
        sample = stopping_sample_start(review=access.review, stage=found, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Random sample begun: the {len(sample.record_ids)} records nobody has screened now come in a random "
            "order. Screen them in the queue's order; the progress page says when the target recall is met.",
        )
    return redirect("screening:progress", slug=slug)


@login_required
@require_http_methods(["GET"])
def evidence_json(request: AuthedRequest, slug: str, stage: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.VIEWER)
    found = stage_or_404(stage)
    evidence = stopping_evidence(review=access.review, stage=found)
    response = HttpResponse(json.dumps(evidence, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="stopping-{found.value}.json"'
    return response


@login_required
@require_http_methods(["GET"])
def evidence_csv(request: AuthedRequest, slug: str, stage: str) -> StreamingHttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.VIEWER)
    found = stage_or_404(stage)
    rows = stopping_sample_rows(review=access.review, stage=found)
    return csv_response(
        f"stopping-sample-{found.value}.csv", SAMPLE_COLUMNS, ([row[c] for c in SAMPLE_COLUMNS] for row in rows)
    )

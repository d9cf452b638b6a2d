"""The audit trail as a page and an API route: who did what, when, in a review or on one record (lead only: the
trail names tags, notes and people, which blinding keeps from reviewers)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.http import AuthedRequest, api_user
from review.models import AuditEvent, Record, Role
from review.selectors.records import query_params

FILTERS = frozenset({"record", "actor", "action", "since", "until", "page", "page_size"})


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ServiceError(f"{field} is a date (YYYY-MM-DD)", field=field) from None


def audit_events(*, access: ReviewAccess, params: Mapping[str, str]) -> QuerySet[AuditEvent]:
    """The review's audit events, newest first, filtered by record id, actor's username, action (or its prefix
    ending in '.', e.g. 'screening.') and a date range; unknown parameters are refused."""
    unknown = sorted(set(params) - FILTERS)
    if unknown:
        raise ServiceError(f"Unknown filter: {', '.join(unknown)}", field=unknown[0])
    events = AuditEvent.objects.filter(review=access.review).select_related("actor")
    record = params.get("record", "").strip()
    if record:
        if not record.isdigit():
            raise ServiceError("record is a record id", field="record")
        events = events.filter(detail__record=int(record))
    actor = params.get("actor", "").strip()
    if actor:
        events = events.filter(actor__username=actor)
    action = params.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
    tz = timezone.get_current_timezone()
    if params.get("since"):
        events = events.filter(at__gte=datetime.combine(_day(params["since"], "since"), time.min, tzinfo=tz))
    if params.get("until"):
        end = _day(params["until"], "until") + timedelta(days=1)
        events = events.filter(at__lt=datetime.combine(end, time.min, tzinfo=tz))
    return events.order_by("-at", "-id")


def _page(request: AuthedRequest, access: ReviewAccess, params: dict[str, str], **extra: object) -> HttpResponse:
    error, status = "", 200
    try:
        events = audit_events(access=access, params=params)
    except ServiceError as problem:
        error, status = problem.message, 400
        events = AuditEvent.objects.none()
    others = request.GET.copy()
    others.pop("page", None)
    context = {
        "access": access,
        "review": access.review,
        "page": Paginator(events, 100).get_page(request.GET.get("page")),
        "f": {name: params.get(name, "") for name in ("record", "actor", "action", "since", "until")},
        "actions": [
            (action, AuditEvent(action=action).action_label)
            for action in sorted(set(AuditEvent.objects.filter(review=access.review).values_list("action", flat=True)))
        ],
        "query_without_page": others.urlencode(),
        "error": error,
        **extra,
    }
    template = "review/audit.html#audit-table" if request.htmx else "review/audit.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET"])
def audit_page(request: AuthedRequest, slug: str) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    return _page(request, access, query_params(request.GET, drop_empty=True))


@login_required
@require_http_methods(["GET"])
def record_audit_page(request: AuthedRequest, slug: str, record_id: int) -> HttpResponse:
    access = review_for_user(user=request.user, slug=slug, min_role=Role.LEAD)
    record = get_object_or_404(Record, pk=record_id, review=access.review)
    params = query_params(request.GET, drop_empty=True)
    params["record"] = str(record.pk)
    return _page(request, access, params, record=record)


class AuditEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", default=None)
    action = serializers.CharField()
    detail = serializers.JSONField()


class AuditList(GenericAPIView):
    serializer_class = AuditEventOut

    @extend_schema(
        parameters=[
            OpenApiParameter("record", int, description="Events about this record"),
            OpenApiParameter("actor", str, description="Events by this username"),
            OpenApiParameter("action", str, description="An action (record.edited) or a prefix ending in '.'"),
            OpenApiParameter("since", str, description="From this day (YYYY-MM-DD)"),
            OpenApiParameter("until", str, description="To this day, inclusive"),
        ],
        responses=AuditEventOut(many=True),
        summary="The review's audit trail, newest first (lead; paginated; unknown filters: 400)",
    )
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        events = audit_events(access=access, params=query_params(request.query_params))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AuditEventOut(page, many=True).data)

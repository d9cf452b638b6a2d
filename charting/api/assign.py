"""Assigning studies to extractors through the API (lead): every waiting study, one study, handing a draft to
someone else, and the pilot round. Same services as the charting pages; extractors are named by username and
looked up among the review's reviewers and leads, never trusted from the request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charting import selectors, services
from charting.access import extraction_for_lead
from charting.api.extractions import ExtractionOut
from charting.models import Extraction, Form
from charting.selectors.charted import pilot_agreement
from review.access import ReviewAccess, review_for_user
from review.errors import ServiceError
from review.http import api_user
from review.models import Record, Role


def _lead(request: Request, review: str) -> tuple[ReviewAccess, Form]:
    access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("Build the charting form first")
    return access, form


def _extractors(access: ReviewAccess, usernames: list[str], field: str = "extractors") -> list[User]:
    eligible = {u.get_username(): u for u in selectors.eligible_extractors(review=access.review)}
    unknown = [name for name in usernames if name not in eligible]
    if unknown:
        raise ServiceError(f"No reviewer or lead of this review is called: {', '.join(unknown)}", field=field)
    return [eligible[name] for name in dict.fromkeys(usernames)]


def _extractions_out(extractions: list[Extraction]) -> list[dict[str, Any]]:
    return list(ExtractionOut(selectors.extractions_by_id(e.pk for e in extractions), many=True).data)


class ExtractorsIn(serializers.Serializer):
    extractors = serializers.ListField(
        child=serializers.CharField(max_length=150), help_text="Usernames of reviewers or leads of this review"
    )


class AssignmentsOut(serializers.Serializer):
    extractors_per_study = serializers.IntegerField()
    extractors = serializers.ListField(child=serializers.CharField(), help_text="Who may chart (usernames)")
    unassigned = serializers.ListField(
        child=serializers.IntegerField(), help_text="Included studies with fewer extractors than needed (record ids)"
    )


class AssignedOut(serializers.Serializer):
    created = serializers.IntegerField(help_text="Extractions created")


class Assignments(APIView):
    @extend_schema(responses=AssignmentsOut, summary="Who may chart and which studies wait for extractors (lead)")
    def get(self, request: Request, review: str) -> Response:
        access, form = _lead(request, review)
        waiting = selectors.unassigned_records(review=access.review, needed=form.extractors_per_study)
        body = {
            "extractors_per_study": form.extractors_per_study,
            "extractors": [u.get_username() for u in selectors.eligible_extractors(review=access.review)],
            "unassigned": list(waiting.values_list("pk", flat=True)),
        }
        return Response(AssignmentsOut(body).data)

    @extend_schema(
        request=ExtractorsIn,
        responses=AssignedOut,
        summary="Give every waiting study its missing extractors, spreading the work evenly (lead)",
        examples=[OpenApiExample("Two extractors", value={"extractors": ["alice", "bob"]})],
    )
    def post(self, request: Request, review: str) -> Response:
        access, _form = _lead(request, review)
        data = ExtractorsIn(data=request.data)
        data.is_valid(raise_exception=True)
        people = _extractors(access, data.validated_data["extractors"])
        made = services.extractions_assign_pending(review=access.review, by=api_user(request), extractors=people)
        return Response(AssignedOut({"created": made}).data)


class StudyAssign(APIView):
    @extend_schema(
        request=ExtractorsIn,
        responses={201: ExtractionOut(many=True)},
        summary="Assign one included study to extractors in the main round (lead)",
        examples=[OpenApiExample("One more extractor", value={"extractors": ["alice"]})],
    )
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access, _form = _lead(request, review)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        data = ExtractorsIn(data=request.data)
        data.is_valid(raise_exception=True)
        people = _extractors(access, data.validated_data["extractors"])
        created = services.extraction_assign(
            review=access.review, record=record, extractors=people, by=api_user(request)
        )
        return Response(_extractions_out(created), status=status.HTTP_201_CREATED)


class ReassignIn(serializers.Serializer):
    extractor = serializers.CharField(max_length=150, help_text="Username of a reviewer or lead of this review")


class ExtractionReassign(APIView):
    @extend_schema(
        request=ReassignIn,
        responses={201: ExtractionOut},
        summary="Hand an unfinished extraction to someone else (lead); the old one is withdrawn, its values kept",
        examples=[OpenApiExample("To alice", value={"extractor": "alice"})],
    )
    def post(self, request: Request, review: str, extraction_id: int) -> Response:
        access, _form = _lead(request, review)
        extraction = extraction_for_lead(access=access, extraction_id=extraction_id)
        data = ReassignIn(data=request.data)
        data.is_valid(raise_exception=True)
        (person,) = _extractors(access, [data.validated_data["extractor"]], field="extractor")
        created = services.extraction_reassign(extraction=extraction, to=person, by=api_user(request))
        return Response(_extractions_out([created])[0], status=status.HTTP_201_CREATED)


class PilotExtractionOut(serializers.Serializer):
    id = serializers.IntegerField()
    extractor = serializers.CharField(source="extractor.username")
    status = serializers.CharField()


class PilotStudyOut(serializers.Serializer):
    record = serializers.IntegerField(source="record.pk")
    title = serializers.CharField(source="record.title")
    submitted = serializers.IntegerField()
    extractions = PilotExtractionOut(many=True)


class PilotFieldOut(serializers.Serializer):
    field = serializers.CharField(source="field.key")
    label = serializers.CharField(source="field.label")  # type: ignore[assignment]
    compared = serializers.IntegerField(help_text="Pilot studies whose extractors have all submitted")
    agreed = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    disagreements = serializers.ListField(child=serializers.CharField(), help_text="Studies where answers differ")


class PilotOut(serializers.Serializer):
    studies = PilotStudyOut(many=True)
    agreement = PilotFieldOut(many=True, help_text="Per field; only studies whose extractors all submitted count")


class PilotIn(ExtractorsIn):
    records = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of included studies")


class Pilot(APIView):
    @extend_schema(responses=PilotOut, summary="The charting pilot: its studies and the agreement per field")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        form = selectors.form_for_review(review=access.review)
        if form is None:
            raise Http404("No charting form")
        progress = selectors.round_progress(review=access.review, round=Extraction.Round.PILOT)
        return Response(PilotOut({"studies": progress, "agreement": pilot_agreement(form=form)}).data)

    @extend_schema(
        request=PilotIn,
        responses=AssignedOut,
        summary="Every chosen extractor charts every chosen pilot study (lead)",
        examples=[OpenApiExample("Two studies", value={"records": [12, 15], "extractors": ["alice", "bob"]})],
    )
    def post(self, request: Request, review: str) -> Response:
        access, _form = _lead(request, review)
        data = PilotIn(data=request.data)
        data.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(data.validated_data["records"]))
        found = selectors.records_by_id(review=access.review, ids=ids)
        records = [found[pk] for pk in sorted(found)]
        missing = sorted(set(ids) - {r.pk for r in records})
        if missing:
            raise ServiceError(f"No record {', '.join(map(str, missing))} in this review", field="records")
        people = _extractors(access, data.validated_data["extractors"])
        made = services.pilot_assign(review=access.review, records=records, extractors=people, by=api_user(request))
        return Response(AssignedOut({"created": made}).data)

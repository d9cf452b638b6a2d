"""REST API for charting: forms and versions, extractions (read, save draft, submit), comparison, consensus,
summaries and exports. Same services, selectors, roles and blinding as the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charting import selectors, services
from charting.access import consensus_source, extraction_for_editor, extraction_for_lead, extraction_for_reader
from charting.models import Extraction, Form, FormVersion
from review.access import ReviewAccess, review_for_user
from review.http import api_user
from review.models import Record, Role


def _form(access: ReviewAccess) -> Form:
    form = selectors.form_for_review(review=access.review)
    if form is None:
        raise Http404("No charting form")
    return form


class FormOut(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Form
        fields = ["id", "title", "extractors_per_study", "origin", "created_at", "current_version"]

    def get_current_version(self, form: Form) -> int:
        return selectors.form_current_version(form=form).number


class FormIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    template = serializers.CharField(max_length=60, required=False, allow_blank=True)
    copy_from = serializers.SlugField(required=False, help_text="Slug of another review you lead")


class VersionOut(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = FormVersion
        fields = ["number", "note", "created_by", "created_at"]


class DefinitionOut(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    sections = serializers.JSONField()


class FormListCreate(APIView):
    @extend_schema(responses=FormOut(many=True), summary="The review's charting form (a list of at most one)")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        return Response(FormOut(selectors.review_forms(review=access.review), many=True).data)

    @extend_schema(
        request=FormIn,
        responses={201: FormOut},
        summary="Create the charting form: empty, from a template, or copied from a review you lead (lead)",
        examples=[OpenApiExample("From the template", value={"template": "transfer-learning"})],
    )
    def post(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        data = FormIn(data=request.data)
        data.is_valid(raise_exception=True)
        source = None
        if data.validated_data.get("copy_from"):
            source = _form(
                review_for_user(user=api_user(request), slug=data.validated_data["copy_from"], min_role=Role.LEAD)
            )
        form = services.form_create(
            review=access.review,
            by=api_user(request),
            title=data.validated_data.get("title", ""),
            template=data.validated_data.get("template", ""),
            copy_from=source,
        )
        return Response(FormOut(form).data, status=status.HTTP_201_CREATED)


class FormVersions(APIView):
    @extend_schema(responses=VersionOut(many=True), summary="Versions of the charting form, newest first")
    def get(self, request: Request, review: str, form_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        form = get_object_or_404(Form, pk=form_id, review=access.review)
        return Response(VersionOut(selectors.form_versions(form=form), many=True).data)


class FormVersionDetail(APIView):
    @extend_schema(responses=DefinitionOut, summary="One version's sections and fields")
    def get(self, request: Request, review: str, form_id: int, number: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        form = get_object_or_404(Form, pk=form_id, review=access.review)
        version = get_object_or_404(FormVersion, form=form, number=number)
        return Response({"number": version.number, **services.form_definition(version=version)})


class ExtractionOut(serializers.ModelSerializer):
    record = serializers.IntegerField(source="record_id")
    extractor = serializers.CharField(source="extractor.username")
    form_version = serializers.IntegerField(source="version.number")
    round = serializers.CharField(help_text="pilot or main")
    status = serializers.CharField(help_text="draft, submitted or withdrawn (reassigned)")

    class Meta:
        model = Extraction
        fields = ["id", "record", "extractor", "round", "status", "form_version", "assigned_at", "submitted_at"]


class ExtractionDetailOut(ExtractionOut):
    values = serializers.SerializerMethodField(
        help_text="Answer address to value: 'aim', or 'model_name#2' for instance 2 of a repeating group"
    )
    sources = serializers.SerializerMethodField(help_text="Answer address to {quote, page}, where one was given")

    class Meta(ExtractionOut.Meta):
        fields = [*ExtractionOut.Meta.fields, "values", "sources"]

    def get_values(self, extraction: Extraction) -> dict[str, Any]:
        return selectors.latest_values([extraction.pk]).get(extraction.pk, {})

    def get_sources(self, extraction: Extraction) -> dict[str, dict[str, str]]:
        cited = selectors.latest_answers([extraction.pk])[1].get(extraction.pk, {})
        return {addr: {"quote": quote, "page": page} for addr, (quote, page) in cited.items()}


VALUES_HELP = (
    "Answer address to answer, e.g. {'sample_size': 120, 'software': {'choices': ['python']}, "
    "'model_name#2': 'ResNet-50', 'auc#2': {'not_reported': true}}"
)
SOURCES_HELP = "Answer address to its source in the report, e.g. {'sample_size': {'quote': 'n = 120', 'page': '4'}}"


class ValuesIn(serializers.Serializer):
    values = serializers.DictField(child=serializers.JSONField(allow_null=True), help_text=VALUES_HELP)
    sources = serializers.DictField(
        child=serializers.JSONField(allow_null=True), required=False, help_text=SOURCES_HELP
    )


class SubmitIn(serializers.Serializer):
    values = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False, help_text=VALUES_HELP)
    sources = serializers.DictField(
        child=serializers.JSONField(allow_null=True), required=False, help_text=SOURCES_HELP
    )


class InstanceRemoveIn(serializers.Serializer):
    group = serializers.SlugField(help_text="The repeating section's key")
    instance = serializers.IntegerField(min_value=1, help_text="1-based; later instances move up one place")


class SaveOut(serializers.Serializer):
    saved = serializers.ListField(child=serializers.CharField())
    errors = serializers.DictField(child=serializers.CharField())  # type: ignore[assignment]
    values = serializers.DictField()


class ExtractionList(APIView):
    @extend_schema(
        responses=ExtractionOut(many=True), summary="My extractions (the lead sees everyone's, without values)"
    )
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        mine = None if access.is_lead else api_user(request)
        rows = selectors.review_extractions(review=access.review, extractor=mine)
        return Response(ExtractionOut(rows, many=True).data)


class ExtractionDetail(APIView):
    @extend_schema(responses=ExtractionDetailOut, summary="An extraction with its current answers (blinded)")
    def get(self, request: Request, review: str, extraction_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        extraction = extraction_for_reader(access=access, user=api_user(request), extraction_id=extraction_id)
        return Response(ExtractionDetailOut(extraction).data)

    @extend_schema(request=ValuesIn, responses=SaveOut, summary="Save a draft: valid answers stored, invalid reported")
    def patch(self, request: Request, review: str, extraction_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.REVIEWER)
        extraction = extraction_for_editor(access=access, user=api_user(request), extraction_id=extraction_id)
        data = ValuesIn(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.extraction_save_draft(
            extraction=extraction,
            by=api_user(request),
            values=data.validated_data["values"],
            sources=data.validated_data.get("sources"),
        )
        body = {"saved": result.saved, "errors": result.errors, "values": result.values}
        return Response(body, status=status.HTTP_400_BAD_REQUEST if result.errors else status.HTTP_200_OK)


class ExtractionSubmit(APIView):
    @extend_schema(request=SubmitIn, responses=ExtractionDetailOut, summary="Submit an extraction (its extractor)")
    def post(self, request: Request, review: str, extraction_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.REVIEWER)
        extraction = extraction_for_editor(access=access, user=api_user(request), extraction_id=extraction_id)
        data = SubmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            submitted = services.extraction_submit(
                extraction=extraction,
                by=api_user(request),
                values=data.validated_data.get("values"),
                sources=data.validated_data.get("sources"),
            )
        except services.ExtractionIncomplete as error:
            body = {"code": "invalid", "message": error.message, "fields": {k: [v] for k, v in error.errors.items()}}
            return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ExtractionDetailOut(submitted).data)


class ExtractionInstanceRemove(APIView):
    @extend_schema(
        request=InstanceRemoveIn, responses=SaveOut, summary="Remove one instance of a repeating group (its extractor)"
    )
    def post(self, request: Request, review: str, extraction_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.REVIEWER)
        extraction = extraction_for_editor(access=access, user=api_user(request), extraction_id=extraction_id)
        data = InstanceRemoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.extraction_remove_instance(extraction=extraction, by=api_user(request), **data.validated_data)
        return Response({"saved": result.saved, "errors": result.errors, "values": result.values})


class ExtractionReopen(APIView):
    @extend_schema(
        request=None, responses=ExtractionOut, summary="Send a submitted extraction back to its extractor (lead)"
    )
    def post(self, request: Request, review: str, extraction_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
        extraction = services.extraction_reopen(
            extraction=extraction_for_lead(access=access, extraction_id=extraction_id), by=api_user(request)
        )
        return Response(ExtractionOut(selectors.extractions_by_id([extraction.pk]).get()).data)


class ComparisonOut(serializers.Serializer):
    record = serializers.IntegerField()
    round = serializers.CharField()
    visible = serializers.BooleanField()
    extractions = ExtractionOut(many=True)
    fields = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]


class Comparison(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("round", str, enum=["main", "pilot"])],
        responses=ComparisonOut,
        summary="Every extractor's answer and the consensus per field (once all have submitted)",
    )
    def get(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        form = _form(access)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        round = request.query_params.get("round", Extraction.Round.MAIN)
        if round not in Extraction.Round.values:
            raise Http404("No such round")
        group = selectors.active_extractions(review=access.review, record=record, round=round)
        visible = selectors.all_submitted(group)
        rows: list[dict[str, Any]] = []
        if visible:
            values, sources = selectors.latest_answers(e.pk for e in group)
            final, final_sources = selectors.final_answers(form=form, record_ids=[record.pk])
            decided, cited = final.get(record.pk, {}), final_sources.get(record.pk, {})
            fields = selectors.version_fields(version=selectors.form_current_version(form=form))
            sets = [values.get(e.pk, {}) for e in group]
            for field, instance, addr in selectors.study_addresses(fields, [*sets, decided]):
                answers = {e.extractor.username: values.get(e.pk, {}).get(addr) for e in group}
                distinct = {repr(a) for a in answers.values()}
                quotes = {
                    e.extractor.username: _source(sources.get(e.pk, {}).get(addr))
                    for e in group
                    if addr in sources.get(e.pk, {})
                }
                rows.append(
                    {
                        "key": field.key,
                        "address": addr,
                        "group": field.section.key if instance else "",
                        "instance": instance,
                        "answers": answers,
                        "sources": quotes,
                        "differs": len(distinct) > 1,
                        "final": decided.get(addr),
                        "final_source": _source(cited.get(addr)),
                    }
                )
        body = {"record": record.pk, "round": round, "visible": visible, "extractions": group, "fields": rows}
        return Response(ComparisonOut(body).data)


def _source(pair: tuple[str, str] | None) -> dict[str, str] | None:
    return {"quote": pair[0], "page": pair[1]} if pair else None


class ConsensusIn(serializers.Serializer):
    field = serializers.SlugField()
    instance = serializers.IntegerField(
        required=False, min_value=0, default=0, help_text="The instance (1, 2 ...) for a field of a repeating group"
    )
    value = serializers.JSONField(required=False, allow_null=True)
    extraction = serializers.IntegerField(required=False, help_text="Take the answer of this extraction")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ConsensusOut(serializers.Serializer):
    field = serializers.CharField(source="field_key")
    instance = serializers.IntegerField()
    value = serializers.JSONField()
    quote = serializers.CharField()
    page = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    note = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username", default=None)
    decided_at = serializers.DateTimeField()


class Consensus(APIView):
    @extend_schema(responses=ConsensusOut(many=True), summary="Every consensus decision of a study, newest first")
    def get(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        return Response(ConsensusOut(selectors.consensus_history(form=_form(access), record=record), many=True).data)

    @extend_schema(
        request=ConsensusIn,
        responses={201: ConsensusOut},
        summary="Set a field's final value (lead or the study's extractors, after all submitted)",
        examples=[OpenApiExample("Entered", value={"field": "sample_size", "value": 120, "note": "Table 1"})],
    )
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.REVIEWER)
        form = _form(access)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        data = ConsensusIn(data=request.data)
        data.is_valid(raise_exception=True)
        source = None
        if data.validated_data.get("extraction") is not None:
            source = consensus_source(access=access, record=record, extraction_id=data.validated_data["extraction"])
        row = services.consensus_set(
            form=form,
            record=record,
            by=api_user(request),
            field_key=data.validated_data["field"],
            instance=data.validated_data["instance"],
            value=data.validated_data.get("value"),
            from_extraction=source,
            note=data.validated_data.get("note", ""),
        )
        return Response(ConsensusOut(row).data, status=status.HTTP_201_CREATED)

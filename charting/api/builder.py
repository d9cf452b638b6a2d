"""Building the form through the API (lead): the form's settings, sections (add, rename, delete) and fields (add,
change, move, delete). Same services as the builder page, so an edit after extraction has started makes a new
version here too."""

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
from charting.api.extractions import FormOut
from charting.fieldtypes import FieldType
from charting.keys import ChoiceLinesError, choice_entries, parse_choice_lines
from charting.models import Field, Form, Section
from review.access import review_for_user
from review.errors import ServiceError
from review.http import api_user
from review.models import Role


class FieldOut(serializers.ModelSerializer):
    section = serializers.CharField(source="section.key")
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = Field
        fields = ["key", "label", "type", "section", "help_text", "required", "unit", "choices", "allow_other"]
        fields += ["condition_key", "condition_value", "version"]


class ChoicesField(serializers.ListField):
    """Options as labels ("CNN") or as {"value": "cnn", "label": "CNN"}."""

    child = serializers.JSONField()


class FieldIn(serializers.Serializer):
    section = serializers.SlugField(required=False, help_text="Section key (required when adding)")
    key = serializers.SlugField(required=False, help_text="Column name; made from the label when left out")
    label = serializers.CharField(max_length=300, required=False)  # type: ignore[assignment]
    type = serializers.ChoiceField(choices=FieldType.choices, required=False)
    help_text = serializers.CharField(required=False, allow_blank=True)  # type: ignore[assignment]
    required = serializers.BooleanField(required=False)  # type: ignore[assignment]
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True)
    choices = ChoicesField(required=False)
    allow_other = serializers.BooleanField(required=False)
    condition_key = serializers.CharField(max_length=60, required=False, allow_blank=True)
    condition_value = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SectionIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    repeating = serializers.BooleanField(
        required=False, help_text="A repeating group: its fields are filled once per instance (model, dataset...)"
    )
    instance_label = serializers.CharField(max_length=60, required=False, allow_blank=True, help_text="e.g. Model")


class SectionOut(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    repeating = serializers.BooleanField()
    instance_label = serializers.CharField()


class FormSettingsIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    extractors_per_study = serializers.IntegerField(
        min_value=1, max_value=5, required=False, help_text="Independent extractions of each study in the main round"
    )


class SectionMoveOut(serializers.Serializer):
    section = serializers.CharField()
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(), help_text="The section's field keys in their new order"
    )


class FieldMoveIn(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"], help_text="Within its section")


def _lead_form(request: Request, review: str, form_id: int) -> Form:
    access = review_for_user(user=api_user(request), slug=review, min_role=Role.LEAD)
    return get_object_or_404(Form, pk=form_id, review=access.review)


def _choices(raw: list[Any], existing: list[dict[str, str]]) -> list[dict[str, str]]:
    if all(isinstance(item, dict) for item in raw):
        return [{"value": str(item.get("value", "")), "label": str(item.get("label", ""))} for item in raw]
    if all(isinstance(item, str) for item in raw):
        try:
            return parse_choice_lines("\n".join(raw), existing) if existing else choice_entries(raw)
        except ChoiceLinesError as error:
            raise ServiceError(str(error), field="choices") from None
    raise ServiceError("Give options as labels or as {value, label} objects", field="choices")


def _field_out(form: Form, key: str) -> dict[str, Any]:
    field = selectors.current_field(form=form, key=key)
    if field is None:
        raise Http404("No such field")
    return dict(FieldOut(field).data)


def _current_section(form: Form, key: str) -> Section:
    return get_object_or_404(Section, version=selectors.form_current_version(form=form), key=key)


class FormDetail(APIView):
    @extend_schema(responses=FormOut, summary="The charting form: title, extractors per study, current version")
    def get(self, request: Request, review: str, form_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        return Response(FormOut(get_object_or_404(Form, pk=form_id, review=access.review)).data)

    @extend_schema(
        request=FormSettingsIn,
        responses=FormOut,
        summary="Change the form's title or how many people chart each study (lead)",
        examples=[OpenApiExample("Three extractors", value={"extractors_per_study": 3})],
    )
    def patch(self, request: Request, review: str, form_id: int) -> Response:
        form = _lead_form(request, review, form_id)
        data = FormSettingsIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        updated = services.form_update_settings(
            form=form,
            by=api_user(request),
            title=values.get("title", form.title),
            extractors_per_study=values.get("extractors_per_study", form.extractors_per_study),
        )
        return Response(FormOut(updated).data)


class SectionCreate(APIView):
    @extend_schema(request=SectionIn, responses={201: SectionOut}, summary="Add a section to the form (lead)")
    def post(self, request: Request, review: str, form_id: int) -> Response:
        form = _lead_form(request, review, form_id)
        data = SectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        section = services.section_add(form=form, by=api_user(request), **data.validated_data)
        return Response(SectionOut(section).data, status=status.HTTP_201_CREATED)


class SectionDetail(APIView):
    @extend_schema(
        request=SectionIn,
        responses=SectionOut,
        summary="Rename a section or make it a repeating group (lead); its key never changes",
        examples=[OpenApiExample("Rename", value={"title": "Study design"})],
    )
    def patch(self, request: Request, review: str, form_id: int, section_key: str) -> Response:
        form = _lead_form(request, review, form_id)
        _current_section(form, section_key)
        data = SectionIn(data=request.data)
        data.is_valid(raise_exception=True)
        section = services.section_update(
            form=form,
            by=api_user(request),
            section_key=section_key,
            title=data.validated_data["title"],
            repeating=data.validated_data.get("repeating"),
            instance_label=data.validated_data.get("instance_label"),
        )
        return Response(SectionOut(section).data)

    @extend_schema(responses={204: None}, summary="Delete an empty section (lead); a form keeps at least one")
    def delete(self, request: Request, review: str, form_id: int, section_key: str) -> Response:
        form = _lead_form(request, review, form_id)
        _current_section(form, section_key)
        services.section_delete(form=form, by=api_user(request), section_key=section_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FieldCreate(APIView):
    @extend_schema(
        request=FieldIn,
        responses={201: FieldOut},
        summary="Add a field (lead)",
        examples=[
            OpenApiExample(
                "Multiple choice",
                value={
                    "section": "transfer",
                    "label": "Validation",
                    "type": "multiple",
                    "choices": ["Internal", "External"],
                },
            )
        ],
    )
    def post(self, request: Request, review: str, form_id: int) -> Response:
        form = _lead_form(request, review, form_id)
        data = FieldIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        for name in ("section", "label", "type"):
            if not values.get(name):
                raise ServiceError(f"'{name}' is required to add a field", field=name)
        if "choices" in values:
            values["choices"] = _choices(values["choices"], [])
        field = services.field_add(
            form=form,
            by=api_user(request),
            section_key=values.pop("section"),
            label=values.pop("label"),
            type=values.pop("type"),
            **values,
        )
        return Response(_field_out(form, field.key), status=status.HTTP_201_CREATED)


class FieldDetail(APIView):
    @extend_schema(request=FieldIn, responses=FieldOut, summary="Change a field (lead); its key never changes")
    def patch(self, request: Request, review: str, form_id: int, key: str) -> Response:
        form = _lead_form(request, review, form_id)
        data = FieldIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "key"}
        current = get_object_or_404(Field, version=selectors.form_current_version(form=form), key=key)
        if "choices" in values:
            values["choices"] = _choices(values["choices"], list(current.choices))
        section_key = values.pop("section", "")
        services.field_update(form=form, by=api_user(request), key=key, section_key=section_key, **values)
        return Response(_field_out(form, key))

    @extend_schema(
        parameters=[OpenApiParameter("confirm", bool, description="Required when studies have data in the field")],
        responses={204: None},
        summary="Remove a field from the form (lead); its data is kept",
    )
    def delete(self, request: Request, review: str, form_id: int, key: str) -> Response:
        form = _lead_form(request, review, form_id)
        get_object_or_404(Field, version=selectors.form_current_version(form=form), key=key)
        confirm = request.query_params.get("confirm") in ("1", "true")
        services.field_delete(form=form, by=api_user(request), key=key, confirm=confirm)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FieldMove(APIView):
    @extend_schema(
        request=FieldMoveIn,
        responses=SectionMoveOut,
        summary="Move a field one place up or down in its section (lead)",
        examples=[OpenApiExample("Up", value={"direction": "up"})],
    )
    def post(self, request: Request, review: str, form_id: int, key: str) -> Response:
        form = _lead_form(request, review, form_id)
        get_object_or_404(Field, version=selectors.form_current_version(form=form), key=key)
        data = FieldMoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.field_move(form=form, by=api_user(request), key=key, direction=data.validated_data["direction"])
        field = selectors.current_field(form=form, key=key)
        if field is None:
            raise Http404("No such field")
        return Response({"section": field.section.key, "fields": selectors.section_field_keys(section=field.section)})

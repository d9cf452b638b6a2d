"""Screening API: the lead's screening settings and the list of full-text exclusion reasons.

The same services as the settings page. Votes required and blinding are screening settings that the review's own
API also shows and accepts (`review_level_fields`, through review.extensions), so either route changes them.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.access import ReviewAccess
from review.http import api_user
from review.models import Role
from screening import selectors
from screening.api.common import access_for
from screening.api.files import ScreeningReasonOut
from screening.models import ExclusionReason, QueueOrder, ScreeningSettings
from screening.services import config as config_services
from screening.services.common import settings_for


class ScreeningSettingsOut(serializers.ModelSerializer):
    class Meta:
        model = ScreeningSettings
        fields = list(config_services.SETTING_FIELDS)


def review_level_fields() -> dict[str, serializers.Field]:
    """The settings the review API shows and accepts too; new field instances on every call."""
    return {
        "votes_required_title_abstract": serializers.IntegerField(
            required=False, min_value=1, max_value=10, help_text="Votes each record needs at title/abstract"
        ),
        "votes_required_full_text": serializers.IntegerField(
            required=False, min_value=1, max_value=10, help_text="Votes each record needs at full text"
        ),
        "blinded": serializers.BooleanField(
            required=False, help_text="Reviewers see only their own vote on a record until it is decided"
        ),
    }


class ScreeningSettingsIn(serializers.Serializer):
    maybe_goes_to_full_text = serializers.BooleanField(
        required=False, help_text="At title/abstract, include+maybe and maybe+maybe go to full text"
    )
    reason_mismatch_is_conflict = serializers.BooleanField(
        required=False,
        help_text="At full text, exclusions with different reasons are a conflict for the lead (false: the first "
        "of them in the ranked list of reasons is the report's reason)",
    )
    title_abstract_reasons = serializers.BooleanField(
        required=False,
        help_text="Reviewers may give a reason when excluding at title/abstract (false: a reason sent there is "
        "refused with 400)",
    )
    order_title_abstract = serializers.ChoiceField(choices=QueueOrder.choices, required=False)
    order_full_text = serializers.ChoiceField(choices=QueueOrder.choices, required=False)
    random_seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    show_relevance = serializers.BooleanField(
        required=False, help_text="Reviewers see the ranker's relevance estimate beside each record"
    )
    stop_target_recall = serializers.FloatField(
        min_value=0.5, max_value=0.999, required=False, help_text="Stopping rule: recall to reach (e.g. 0.95)"
    )
    stop_confidence = serializers.FloatField(
        min_value=0.5, max_value=0.999, required=False, help_text="Stopping rule: confidence of the statement"
    )
    include_terms = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="Terms highlighted green"
    )
    exclude_terms = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="Terms highlighted red"
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        return {**review_level_fields(), **super().get_fields()}


class ScreeningSettingsView(APIView):
    @extend_schema(responses=ScreeningSettingsOut, summary="The review's screening settings (lead)")
    def get(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.LEAD)
        return Response(ScreeningSettingsOut(settings_for(access.review)).data)

    @extend_schema(
        request=ScreeningSettingsIn,
        responses=ScreeningSettingsOut,
        summary="Change screening settings (lead); a new order or seed reorders the queues in the background",
        examples=[
            OpenApiExample(
                "Prioritised order and highlighted terms",
                value={"order_title_abstract": "prioritised", "include_terms": ["transfer learning", "ECG"]},
            ),
            OpenApiExample("Maybe votes are a conflict", value={"maybe_goes_to_full_text": False}),
        ],
    )
    def patch(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.LEAD)
        data = ScreeningSettingsIn(data=request.data)
        data.is_valid(raise_exception=True)
        config = config_services.screening_settings_update(
            review=access.review, by=api_user(request), **data.validated_data
        )
        return Response(ScreeningSettingsOut(config).data)


# ---- exclusion reasons ------------------------------------------------------------------------------------


def _reasons(access: ReviewAccess) -> list[dict[str, object]]:
    reasons = selectors.exclusion_reasons(review=access.review, include_archived=True)
    return list(ScreeningReasonOut(reasons, many=True).data)


class ScreeningReasonChangeIn(serializers.Serializer):
    label = serializers.CharField(max_length=200, required=False)  # type: ignore[assignment]
    archived = serializers.BooleanField(
        required=False, help_text="Archived reasons are no longer offered; votes that used them keep them"
    )


class ExclusionReasonDetail(APIView):
    @extend_schema(
        request=ScreeningReasonChangeIn,
        responses=ScreeningReasonOut,
        summary="Rename, archive or unarchive an exclusion reason (lead)",
        examples=[
            OpenApiExample("Rename", value={"label": "Not clinical data"}),
            OpenApiExample("Archive", value={"archived": True}),
        ],
    )
    def patch(self, request: Request, review: str, reason_id: int) -> Response:
        access = access_for(request, review, Role.LEAD)
        reason = get_object_or_404(ExclusionReason, pk=reason_id, review=access.review)
        data = ScreeningReasonChangeIn(data=request.data)
        data.is_valid(raise_exception=True)
        changed = config_services.exclusion_reason_update(
            review=access.review,
            by=api_user(request),
            reason=reason,
            label=data.validated_data.get("label"),
            archived=data.validated_data.get("archived"),
        )
        return Response(ScreeningReasonOut(changed).data)


class ScreeningReasonMoveIn(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"])


class ExclusionReasonMove(APIView):
    @extend_schema(
        request=ScreeningReasonMoveIn,
        responses=ScreeningReasonOut(many=True),
        summary="Move an exclusion reason one place up or down (lead); answers the whole list",
        examples=[OpenApiExample("Up", value={"direction": "up"})],
    )
    def post(self, request: Request, review: str, reason_id: int) -> Response:
        access = access_for(request, review, Role.LEAD)
        reason = get_object_or_404(ExclusionReason, pk=reason_id, review=access.review)
        data = ScreeningReasonMoveIn(data=request.data)
        data.is_valid(raise_exception=True)
        offset = -1 if data.validated_data["direction"] == "up" else 1
        config_services.exclusion_reason_move(review=access.review, by=api_user(request), reason=reason, offset=offset)
        return Response(_reasons(access))


class ScreeningReasonOrderIn(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every reason id of the review (archived too), in the new order"
    )


class ExclusionReasonOrder(APIView):
    @extend_schema(
        request=ScreeningReasonOrderIn,
        responses=ScreeningReasonOut(many=True),
        summary="Put the exclusion reasons in a new order (lead); answers the whole list",
        examples=[OpenApiExample("Three reasons", value={"order": [3, 1, 2]})],
    )
    def put(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.LEAD)
        data = ScreeningReasonOrderIn(data=request.data)
        data.is_valid(raise_exception=True)
        config_services.exclusion_reasons_reorder(
            review=access.review, by=api_user(request), ordered_ids=data.validated_data["order"]
        )
        return Response(_reasons(access))

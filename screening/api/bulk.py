"""API for bulk full-text upload: the same services as the page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.errors import ServiceError
from review.http import api_user
from review.models import Role
from screening import selectors
from screening.api.common import access_for
from screening.models import BulkFullText
from screening.services.bulk_fulltexts import bulk_fulltext_apply, bulk_fulltext_upload


class BulkItemOut(serializers.ModelSerializer):
    proposed = serializers.IntegerField(source="proposed_id", allow_null=True)
    attached_to = serializers.IntegerField(source="attached_to_id", allow_null=True)

    class Meta:
        model = BulkFullText
        fields = [
            "id", "original_name", "size", "proposed", "method", "score", "certain", "alternatives", "problem",
            "status", "attached_to", "uploaded_at",
        ]  # fmt: skip


class BulkUploadIn(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), help_text="PDFs and/or zips of PDFs")


class BulkDecisionIn(serializers.Serializer):
    id = serializers.IntegerField()
    record = serializers.IntegerField(allow_null=True, help_text="The record to attach it to; null discards it")


class BulkApplyIn(serializers.Serializer):
    items = BulkDecisionIn(many=True)


class BulkApplyOut(serializers.Serializer):
    attached = serializers.IntegerField()
    discarded = serializers.IntegerField()


class BulkFullTexts(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=BulkItemOut(many=True), summary="Uploaded PDFs waiting for confirmation")
    def get(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        items = selectors.bulk_fulltexts_pending(review=access.review)
        return Response(BulkItemOut(items, many=True).data)

    @extend_schema(
        request={"multipart/form-data": BulkUploadIn},
        responses={201: BulkItemOut(many=True)},
        summary="Upload many PDFs (or zips) and match each to a record; nothing is attached yet (reviewer)",
    )
    def post(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        files = request.FILES.getlist("files")
        if not files:
            raise ServiceError("Send the PDFs as 'files'", field="files")
        uploads = [(f.name or "file.pdf", f.read()) for f in files]
        rows = bulk_fulltext_upload(review=access.review, by=api_user(request), uploads=uploads)
        return Response(BulkItemOut(rows, many=True).data, status=status.HTTP_201_CREATED)


class BulkFullTextsApply(APIView):
    parser_classes = [JSONParser]

    @extend_schema(request=BulkApplyIn, responses=BulkApplyOut, summary="Attach (or discard) uploaded PDFs")
    def post(self, request: Request, review: str) -> Response:
        access = access_for(request, review, Role.REVIEWER)
        data = BulkApplyIn(data=request.data)
        data.is_valid(raise_exception=True)
        decisions = {item["id"]: item["record"] for item in data.validated_data["items"]}
        return Response(bulk_fulltext_apply(review=access.review, by=api_user(request), decisions=decisions))

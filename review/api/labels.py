"""API for tags, notes and corrections of records: the same services and selectors (hence the same blinding)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review.access import review_for_user
from review.http import api_user
from review.models import Record, RecordEdit, Role, Tag
from review.selectors.records import record_notes, record_tags, review_tags
from review.services import labels
from review.services.record_edits import EDITABLE, record_edit, record_originals


class TagOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    records = serializers.IntegerField(source="n", help_text="Records with this tag (all, whoever tagged them)")


class RecordTagOut(serializers.Serializer):
    id = serializers.IntegerField(source="tag_id")
    name = serializers.CharField(source="tag.name")
    added_by = serializers.CharField(source="added_by.username", default=None)
    added_at = serializers.DateTimeField()


class NoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username", default=None)
    text = serializers.CharField()
    at = serializers.DateTimeField()


class TagIn(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)


class NoteIn(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)


class EditOut(serializers.Serializer):
    id = serializers.IntegerField()
    field = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()
    reason = serializers.CharField()
    by = serializers.CharField(source="by.username", default=None)
    at = serializers.DateTimeField()


class EditIn(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True)
    abstract = serializers.CharField(required=False, allow_blank=True)
    authors = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    year = serializers.IntegerField(required=False, allow_null=True)
    journal = serializers.CharField(required=False, allow_blank=True)
    doi = serializers.CharField(required=False, allow_blank=True)
    pmid = serializers.CharField(required=False, allow_blank=True)
    keywords = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class EditsOut(serializers.Serializer):
    originals = serializers.DictField(help_text="{field: imported value} of every corrected field")
    edits = EditOut(many=True)


class ReviewTags(APIView):
    @extend_schema(responses=TagOut(many=True), summary="The review's tags with how many records carry each")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        return Response(TagOut(review_tags(access=access), many=True).data)


class RecordTags(APIView):
    @extend_schema(
        responses=RecordTagOut(many=True), summary="A record's tags (others' only after your vote, if blinded)"
    )
    def get(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        rows = record_tags(access=access, user=api_user(request), record_ids=[record.pk])[record.pk]
        return Response(RecordTagOut(rows, many=True).data)

    @extend_schema(request=TagIn, responses={201: RecordTagOut}, summary="Tag a record (reviewer)")
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.REVIEWER)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        data = TagIn(data=request.data)
        data.is_valid(raise_exception=True)
        row = labels.tag_add(
            review=access.review, record=record, name=data.validated_data["name"], by=api_user(request)
        )
        return Response(RecordTagOut(row).data, status=status.HTTP_201_CREATED)


class RecordTagDetail(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Take a tag off a record (reviewer)")
    def delete(self, request: Request, review: str, record_id: int, tag_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.REVIEWER)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        tag = get_object_or_404(Tag, pk=tag_id, review=access.review)
        labels.tag_remove(review=access.review, record=record, tag=tag, by=api_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecordNotes(APIView):
    @extend_schema(responses=NoteOut(many=True), summary="Notes on a record (others' only after your vote, if blinded)")
    def get(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        return Response(NoteOut(record_notes(access=access, user=api_user(request), record=record), many=True).data)

    @extend_schema(request=NoteIn, responses={201: NoteOut}, summary="Add a note for the team (reviewer)")
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.REVIEWER)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        data = NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        note = labels.note_add(
            review=access.review, record=record, text=data.validated_data["text"], by=api_user(request)
        )
        return Response(NoteOut(note).data, status=status.HTTP_201_CREATED)


class RecordEdits(APIView):
    @extend_schema(responses=EditsOut, summary="Corrections of a record, and the imported values they replaced")
    def get(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        edits = RecordEdit.objects.filter(record=record).select_related("by")
        return Response({"originals": record_originals(record=record), "edits": EditOut(edits, many=True).data})

    @extend_schema(request=EditIn, responses={201: EditsOut}, summary="Correct a record's metadata (reviewer)")
    def post(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=api_user(request), slug=review, min_role=Role.REVIEWER)
        record = get_object_or_404(Record, pk=record_id, review=access.review)
        data = EditIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        changes = {field: values[field] for field in EDITABLE if field in values}
        record_edit(review=access.review, record=record, by=api_user(request), changes=changes, reason=reason)
        edits = RecordEdit.objects.filter(record=record).select_related("by")
        body = {"originals": record_originals(record=record), "edits": EditOut(edits, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)

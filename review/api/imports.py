"""API for searches, file uploads and their jobs, and records."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from review import selectors
from review.access import review_for_user
from review.errors import ServiceError
from review.http import api_user
from review.importers import ENCODING_CHOICES, FORMATS
from review.models import Job, Record, Role, Search, SearchFile
from review.selectors.records import query_params, record_rows, records_find
from review.services import imports
from review.services.jobs import job_live


class SearchOut(serializers.ModelSerializer):
    record_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Search
        fields = [
            "id", "kind", "database", "is_register", "other_method", "platform", "date_searched", "query", "notes",
            "created_at", "archived_at", "record_count",
        ]  # fmt: skip


class SearchIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Search.Kind.choices, default=Search.Kind.DATABASE)
    database = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_register = serializers.BooleanField(required=False, default=False)
    other_method = serializers.ChoiceField(choices=Search.OtherMethod.choices, required=False, allow_blank=True)
    platform = serializers.CharField(max_length=120, required=False, allow_blank=True)
    date_searched = serializers.DateField(required=False, allow_null=True)
    query = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class SearchPatchIn(SearchIn):
    kind = serializers.ChoiceField(choices=Search.Kind.choices, required=False)


class SearchDeletedOut(serializers.Serializer):
    result = serializers.ChoiceField(choices=["deleted", "archived"])


class JobOut(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "state", "done", "total", "percent", "message", "result", "created_at", "finished_at"]


class SearchFileOut(serializers.ModelSerializer):
    job = serializers.SerializerMethodField()

    class Meta:
        model = SearchFile
        fields = [
            "id", "search", "original_name", "size", "sha256", "status", "format", "requested_encoding", "encoding",
            "encoding_certain", "encoding_lines", "detected_database", "record_count", "preview", "problem_count",
            "problems", "error", "duplicate_of", "uploaded_at", "imported_at", "job",
        ]  # fmt: skip

    def get_job(self, search_file: SearchFile) -> dict[str, Any] | None:
        return JobOut(job_live(search_file.job)).data if search_file.job else None


class UploadIn(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=["auto", *FORMATS], default="auto")
    encoding = serializers.CharField(
        max_length=40,
        default="auto",
        help_text=f"How to read the bytes: auto (decide from them) or one of {', '.join(ENCODING_CHOICES)}",
    )
    confirm = serializers.BooleanField(
        default=False, help_text="Import as soon as the preview has read the file, without a separate import call"
    )


class EncodingIn(serializers.Serializer):
    encoding = serializers.CharField(
        max_length=40, help_text=f"auto, or one of {', '.join(ENCODING_CHOICES)} (aliases such as latin-1 accepted)"
    )


class RecordOut(serializers.ModelSerializer):
    search_label = serializers.CharField(source="search.label", read_only=True)

    class Meta:
        model = Record
        fields = [
            "id", "search", "search_label", "search_file", "position", "line", "title", "abstract", "authors", "year",
            "journal", "journal_abbrev", "volume", "issue", "pages", "doi", "pmid", "pmcid", "accession_numbers",
            "issn", "isbn", "keywords", "mesh", "language", "publication_type", "url", "source_database",
            "merged_into", "removed_reason", "created_at",
        ]  # fmt: skip


class RecordListOut(RecordOut):
    status = serializers.DictField(child=serializers.CharField(), help_text="{stage: outcome}")
    duplicate_group = serializers.IntegerField(allow_null=True, help_text="The id of the record kept for the group")
    tags = serializers.ListField(child=serializers.CharField())

    class Meta(RecordOut.Meta):
        fields = [*RecordOut.Meta.fields, "status", "duplicate_group", "tags"]


class RecordDetailOut(RecordOut):
    class Meta(RecordOut.Meta):
        fields = [*RecordOut.Meta.fields, "raw"]


class RecordIn(serializers.Serializer):
    search = serializers.IntegerField(help_text="The search (usually an other-methods source) it came from")
    title = serializers.CharField()
    abstract = serializers.CharField(required=False, allow_blank=True)
    authors = serializers.ListField(child=serializers.CharField(), required=False)
    year = serializers.IntegerField(required=False, min_value=1000, max_value=2100, allow_null=True)
    journal = serializers.CharField(required=False, allow_blank=True)
    volume = serializers.CharField(required=False, allow_blank=True, max_length=60)
    issue = serializers.CharField(required=False, allow_blank=True, max_length=60)
    pages = serializers.CharField(required=False, allow_blank=True, max_length=60)
    doi = serializers.CharField(required=False, allow_blank=True)
    pmid = serializers.CharField(required=False, allow_blank=True)
    url = serializers.URLField(required=False, allow_blank=True)


class SearchListCreate(APIView):
    @extend_schema(responses=SearchOut(many=True), summary="Searches and other-methods sources of a review")
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review)
        return Response(SearchOut(selectors.searches_for_review(review=access.review), many=True).data)

    @extend_schema(request=SearchIn, responses={201: SearchOut}, summary="Record a search (lead)")
    def post(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        data = SearchIn(data=request.data)
        data.is_valid(raise_exception=True)
        search = imports.search_create(review=access.review, by=api_user(request), **data.validated_data)
        return Response(SearchOut(search).data, status=status.HTTP_201_CREATED)


class SearchDetail(APIView):
    @extend_schema(responses=SearchOut, summary="A search")
    def get(self, request: Request, review: str, search_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review)
        search = get_object_or_404(selectors.searches_for_review(review=access.review), pk=search_id)
        return Response(SearchOut(search).data)

    @extend_schema(request=SearchPatchIn, responses=SearchOut, summary="Correct a search's description (lead)")
    def patch(self, request: Request, review: str, search_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        search = get_object_or_404(Search, pk=search_id, review=access.review)
        data = SearchPatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        imports.search_update(review=access.review, search=search, by=api_user(request), **data.validated_data)
        search = get_object_or_404(selectors.searches_for_review(review=access.review), pk=search_id)
        return Response(SearchOut(search).data)

    @extend_schema(
        request=None,
        responses={200: SearchDeletedOut},
        summary="Delete a search with its files and records, or archive it if any of them was screened (lead)",
    )
    def delete(self, request: Request, review: str, search_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        search = get_object_or_404(Search, pk=search_id, review=access.review)
        result = imports.search_delete(review=access.review, search=search, by=api_user(request))
        return Response({"result": result})


class SearchFileUpload(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": UploadIn},
        responses={202: SearchFileOut},
        summary="Upload an export file to a search; starts its preview job (lead)",
    )
    def post(self, request: Request, review: str, search_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        search = get_object_or_404(Search, pk=search_id, review=access.review)
        data = UploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        search_file = imports.search_file_upload(
            review=access.review,
            search=search,
            by=api_user(request),
            name=upload.name,
            data=upload,
            requested_format=data.validated_data["format"],
            requested_encoding=data.validated_data["encoding"],
            import_when_previewed=data.validated_data["confirm"],
        )
        search_file.refresh_from_db()
        return Response(SearchFileOut(search_file).data, status=status.HTTP_202_ACCEPTED)


class SearchFileDetail(APIView):
    @extend_schema(responses=SearchFileOut, summary="An uploaded file: preview, problems, import state")
    def get(self, request: Request, review: str, file_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review)
        search_file = get_object_or_404(SearchFile.objects.select_related("job"), pk=file_id, review=access.review)
        return Response(SearchFileOut(search_file).data)


class SearchFileConfirm(APIView):
    @extend_schema(request=None, responses={202: SearchFileOut}, summary="Import a previewed file (lead)")
    def post(self, request: Request, review: str, file_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        search_file = get_object_or_404(SearchFile, pk=file_id, review=access.review)
        imports.search_file_confirm(review=access.review, search_file=search_file, by=api_user(request))
        search_file.refresh_from_db()
        return Response(SearchFileOut(search_file).data, status=status.HTTP_202_ACCEPTED)


class SearchFileEncoding(APIView):
    @extend_schema(
        request=EncodingIn,
        responses={202: SearchFileOut},
        summary="Read a file not yet imported with another encoding: its preview runs again (lead)",
    )
    def post(self, request: Request, review: str, file_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        search_file = get_object_or_404(SearchFile, pk=file_id, review=access.review)
        data = EncodingIn(data=request.data)
        data.is_valid(raise_exception=True)
        encoding = data.validated_data["encoding"]
        search_file = imports.search_file_choose_encoding(
            review=access.review, search_file=search_file, encoding=encoding, by=api_user(request)
        )
        return Response(SearchFileOut(search_file).data, status=status.HTTP_202_ACCEPTED)


class JobDetail(APIView):
    @extend_schema(responses=JobOut, summary="A background job's state and progress")
    def get(self, request: Request, review: str, job_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review)
        job = get_object_or_404(Job, pk=job_id, review=access.review)
        return Response(JobOut(job_live(job)).data)


class RecordListCreate(GenericAPIView):
    serializer_class = RecordOut

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words of the title or an author, a DOI, or a PMID"),
            OpenApiParameter("text", str, description="Full-text search over title, abstract and keywords"),
            OpenApiParameter("search", int, description="Only records of this search"),
            OpenApiParameter("database", str, description="Only records from this database"),
            OpenApiParameter("tag", str, description="Only records with this tag"),
            OpenApiParameter("year", str, description="A year (2021) or a range (2019-2021)"),
            OpenApiParameter("duplicates", str, description="hide: no duplicates; only: duplicate groups only"),
            OpenApiParameter("stage", str, description="Stage the next filters read (default title-abstract)"),
            OpenApiParameter("status", str, description="Outcome at the stage, or not_screened"),
            OpenApiParameter("reviewer", str, description="Voted on at the stage by this username"),
            OpenApiParameter("awaiting_second", bool, description="1: has votes but waits for more"),
            OpenApiParameter("conflicts", bool, description="1: in conflict at the stage"),
        ],
        responses=RecordListOut(many=True),
        summary="Records of a review with status per stage, duplicate group and tags (paginated; unknown filters: 400)",
    )
    def get(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review)
        records = records_find(access=access, user=api_user(request), params=query_params(request.query_params))
        page = self.paginate_queryset(records)
        rows = record_rows(access=access, user=api_user(request), records=list(page or []))
        out = []
        for row, data in zip(rows, RecordOut(page, many=True).data, strict=True):
            out.append(
                {**data, "status": row["status"], "duplicate_group": row["duplicate_group"], "tags": row["tags"]}
            )
        return self.get_paginated_response(out)

    @extend_schema(request=RecordIn, responses={201: RecordDetailOut}, summary="Add a record by hand (lead)")
    def post(self, request: Request, review: str) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        data = RecordIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        search = Search.objects.filter(pk=fields.pop("search"), review=access.review).first()
        if search is None:
            raise ServiceError("No such search in this review", field="search")
        record = imports.record_add(review=access.review, search=search, by=api_user(request), **fields)
        return Response(RecordDetailOut(record).data, status=status.HTTP_201_CREATED)


class RecordDetail(APIView):
    @extend_schema(responses=RecordDetailOut, summary="A record with every original tag")
    def get(self, request: Request, review: str, record_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review)
        record = get_object_or_404(Record.objects.select_related("search"), pk=record_id, review=access.review)
        return Response(RecordDetailOut(record).data)


class SearchFileDiscard(APIView):
    @extend_schema(request=None, responses={200: SearchFileOut}, summary="Discard a file that was not imported (lead)")
    def post(self, request: Request, review: str, file_id: int) -> Response:
        access = review_for_user(user=request.user, slug=review, min_role=Role.LEAD)
        search_file = get_object_or_404(SearchFile, pk=file_id, review=access.review)
        imports.search_file_discard(review=access.review, search_file=search_file, by=api_user(request))
        search_file.refresh_from_db()
        return Response(SearchFileOut(search_file).data)

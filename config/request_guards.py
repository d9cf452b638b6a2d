"""Guards on what a request may carry before any view reads it: body size and NUL bytes.

Upload size (issue #14): the body of an upload is refused before it is read when its Content-Length is over the
route's limit, and counted as it streams to a temporary file otherwise (a chunked body has no length), so that
no request ever holds more than one chunk of a file in memory or writes more than the limit to disk. The limits
are MAX_IMPORT_FILE_MB for a search's routes and MAX_FULLTEXT_FILE_MB for PDFs; other requests are capped by the
larger of the two (their fields are capped again by DATA_UPLOAD_MAX_MEMORY_SIZE).

NUL bytes: PostgreSQL text cannot hold them, so a NUL in a query string or a form field reaching a query ended
in a server error. The path and query string are checked here; anything else that reaches the database with a
NUL (a raw form field or a JSON string read without a serializer) is answered the same way when psycopg
refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from rest_framework import status
from rest_framework.exceptions import APIException

# A multipart body carries a few hundred bytes per part around the file: allow that much over the file limit.
MULTIPART_OVERHEAD = 64 * 1024
FULLTEXT_ROUTE = re.compile(r"/records/\d+/fulltext/")
IMPORT_ROUTE = re.compile(r"/searches/\d+/")


class UploadTooLarge(APIException):
    """A body over the route's limit. In the API it answers 413 in the error shape; pages get a short page."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def upload_limit_mb(path: str) -> int:
    if FULLTEXT_ROUTE.search(path):
        return int(settings.MAX_FULLTEXT_FILE_MB)
    if IMPORT_ROUTE.search(path):
        return int(settings.MAX_IMPORT_FILE_MB)
    return max(int(settings.MAX_IMPORT_FILE_MB), int(settings.MAX_FULLTEXT_FILE_MB))


def _too_large(path: str) -> UploadTooLarge:
    return UploadTooLarge(f"The upload is too large; the limit is {upload_limit_mb(path)} MB")


class UploadLimitHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts the bytes of every file in the body and stops at the route's limit.

    It passes each chunk on unchanged to the handlers after it (memory for small files, a temporary file for
    the rest), so nothing is buffered here."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.path = request.path if request is not None else ""
        self.limit = upload_limit_mb(self.path) * 1024 * 1024
        self.received = 0

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        if content_length and content_length > self.limit + MULTIPART_OVERHEAD:
            raise _too_large(self.path)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise _too_large(self.path)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def error_response(request: HttpRequest, *, status_code: int, code: str, message: str) -> HttpResponse:
    """The API's error shape under /api/, a short page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status_code)
    return HttpResponse(
        f"<!doctype html><title>Request refused</title><p>{escape(message)}</p>",
        status=status_code,
        content_type="text/html; charset=utf-8",
    )


NUL_MESSAGE = "The request contains a NUL character (0x00), which no field accepts"


class RequestGuardMiddleware:
    """Refuses, before anything reads the body: a declared body over the route's limit (413) and a NUL byte in
    the path or query string (400). Turns an upload stopped while streaming and a NUL refused by the database
    into the same answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or "0"
        limit = upload_limit_mb(request.path) * 1024 * 1024 + MULTIPART_OVERHEAD
        if length.isdigit() and int(length) > limit:
            error = _too_large(request.path)
            return error_response(request, status_code=413, code="too_large", message=str(error.detail))
        query = [item for key, values in request.GET.lists() for item in (key, *values)]
        if "\x00" in request.path or any("\x00" in item for item in query):
            return error_response(request, status_code=400, code="invalid", message=NUL_MESSAGE)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, UploadTooLarge):
            return error_response(request, status_code=413, code="too_large", message=str(exception.detail))
        if isinstance(exception, DataError | ValueError) and "NUL" in str(exception):
            return error_response(request, status_code=400, code="invalid", message=NUL_MESSAGE)
        return None

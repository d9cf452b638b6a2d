"""The streamed download of one export, shared by the exports page and the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse

from reporting.exports.registry import KINDS, export_chunks, export_filename, subset_check
from review.access import ReviewAccess


def export_response(
    *, access: ReviewAccess, user: Any, kind: str, bom: bool = False, subset: str = "", reason: str = ""
) -> StreamingHttpResponse:
    """Raises SubsetError for a subset the export does not have, PermissionDenied for a role below the export's."""
    spec = KINDS[kind]
    if not access.at_least(spec.min_role):
        raise PermissionDenied(f"This export needs the {spec.min_role.label.lower()} role")
    node, reason = subset_check(kind=kind, subset=subset, reason=reason)
    chunks = export_chunks(access=access, user=user, kind=kind, bom=bom, subset=node, reason=reason)
    body = (chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in chunks)
    response = StreamingHttpResponse(body, content_type=spec.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(slug=access.review.slug, kind=kind)}"'
    return response

"""Renderers for API routes that answer with a file (CSV, SVG, RIS, zip) rather than JSON."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer


class FileRenderer(BaseRenderer):
    """Lets a client that asks for text/csv, image/svg+xml or application/zip get the file; errors stay JSON."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        # Files are returned as Django responses and never pass through here; only error bodies do.
        if data is None:
            return b""
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data).encode()


FILE_RENDERERS = [JSONRenderer, FileRenderer]

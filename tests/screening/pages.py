"""What the screening page tests share: stage values, the htmx header, a minimal PDF and URL reversal."""

from __future__ import annotations

from django.urls import reverse

from screening.models import Stage

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value
HX = {"HTTP_HX_REQUEST": "true"}
PDF = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"


def url(name: str, review, *args) -> str:
    return reverse(f"screening:{name}", args=[review.slug, *args])

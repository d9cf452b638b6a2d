"""Helpers the screening views share."""

from __future__ import annotations

from django.http import Http404

from review.errors import ServiceError
from screening.access import stage_of
from screening.models import Stage


def stage_or_404(value: str) -> Stage:
    try:
        return stage_of(value)
    except ServiceError as error:
        raise Http404(error.message) from None

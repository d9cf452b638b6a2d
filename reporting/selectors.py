"""Reads behind the report pages and the API: the PRISMA diagram with its checks, and whether it is still moving.

The counts themselves and the records behind each number are in `reporting/prisma.py`; this module puts them
together the way both the page and the API show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.template.loader import render_to_string

from reporting.diagram import Diagram, build_diagram
from reporting.prisma import PrismaCounts, prisma_counts
from reporting.prisma_checks import Check, consistency_checks
from review.models import Job, Review, Search, SearchFile


@dataclass(frozen=True, slots=True)
class PrismaDiagram:
    review: Review
    counts: PrismaCounts
    checks: list[Check]
    diagram: Diagram
    # True while some number can still change without anyone opening the page: a job (import, deduplication)
    # is queued or running, a file is being imported, or records and reports await a screening decision.
    pending: bool


def prisma_pending(*, review: Review, counts: PrismaCounts) -> bool:
    """Whether the diagram may still change on its own, so that a page showing it should keep asking."""
    if counts.records_awaiting or counts.other_records_awaiting or counts.dbr_awaiting or counts.other_awaiting:
        return True
    if Job.objects.filter(review=review, state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists():
        return True
    return SearchFile.objects.filter(review=review, status=SearchFile.Status.IMPORTING).exists()


def prisma_diagram(*, review: Review) -> PrismaDiagram:
    counts = prisma_counts(review=review)
    return PrismaDiagram(
        review=review,
        counts=counts,
        checks=consistency_checks(counts),
        diagram=build_diagram(counts=counts, slug=review.slug),
        pending=prisma_pending(review=review, counts=counts),
    )


def prisma_svg(*, review: Review) -> str:
    """The diagram as a standalone SVG document, as the page's download and the API give it."""
    counts = prisma_counts(review=review)
    body = render_to_string(
        "reporting/_diagram.svg", {"review": review, "diagram": build_diagram(counts=counts, slug=review.slug)}
    )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body


def review_searches(*, review: Review) -> QuerySet[Search]:
    """The searches whose outside counts the lead records, in the order they were added."""
    return Search.objects.filter(review=review).order_by("created_at", "pk")

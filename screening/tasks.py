"""Celery tasks: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from review.models import Review


@shared_task(acks_late=True)
def queue_reorder_task(review_id: int, stage: str) -> int:
    from screening.services.queue import queue_reorder

    # Recomputing every key gives the same result however often it runs, so a retried task is harmless.
    return queue_reorder(review=Review.objects.get(pk=review_id), stage=stage)

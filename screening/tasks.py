"""Celery tasks: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from review.models import Review


@shared_task(acks_late=True)
def queue_reorder_task(review_id: int, stage: str) -> int:
    from screening.services.prioritisation import relevance_reorder
    from screening.services.queue import queue_reorder
    from screening.stopping import stopping_sample_keys

    # Recomputing every key gives the same result however often it runs, so a retried task is harmless.
    review = Review.objects.get(pk=review_id)
    changed = queue_reorder(review=review, stage=stage)
    # In the same task, so that a prioritised stage's scores always come after (and win over) the plain order.
    relevance_reorder(review=review, stage=stage)
    # And the stopping rule's random sample keeps its own order whatever the stage's order.
    stopping_sample_keys(review=review, stage=stage)
    return changed


@shared_task(acks_late=True)
def relevance_retrain_task(review_id: int, stage: str, force: bool = False) -> int:
    """Retrain the relevance ranker of a stage; returns the model version. Skipped when nothing new arrived,
    unless `force`."""
    from screening.services.prioritisation import relevance_retrain

    review = Review.objects.filter(pk=review_id).first()
    if review is None:
        return 0  # the review was deleted after the vote
    return relevance_retrain(review=review, stage=stage, force=force).version

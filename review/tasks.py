"""Celery tasks: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from review import services


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def invitation_send(self, invitation_id: int, token: str) -> None:  # type: ignore[no-untyped-def]
    try:
        services.invitation_mark_sent(invitation_id=invitation_id, token=token)
    except OSError as error:  # the mail server is down: try again later
        raise self.retry(exc=error) from error


@shared_task(acks_late=True)
def search_file_preview_task(search_file_id: int, job_id: int) -> None:
    from review.services.imports import search_file_preview

    search_file_preview(search_file_id=search_file_id, job_id=job_id)


@shared_task(acks_late=True)
def search_file_import_task(search_file_id: int, job_id: int) -> None:
    from review.services.imports import search_file_import

    search_file_import(search_file_id=search_file_id, job_id=job_id)


@shared_task(acks_late=True)
def dedup_run_task(run_id: int) -> None:
    from review.services.dedup import dedup_run

    dedup_run(run_id=run_id)

"""The encoding a file is read with: decided from its bytes, or chosen by the person after the preview."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from review.errors import ServiceError
from review.importers import encoding_choice
from review.models import Review, SearchFile
from review.services.jobs import enqueue, job_create
from review.services.reviews import audit


def encoding_or_error(encoding: str) -> str:
    """'auto' or the canonical name of a supported encoding; ServiceError naming the accepted ones otherwise."""
    encoding = (encoding or "auto").strip()
    if encoding.lower() == "auto":
        return "auto"
    try:
        return encoding_choice(encoding)
    except ValueError as error:
        raise ServiceError(str(error), field="encoding") from error


def search_file_choose_encoding(*, review: Review, search_file: SearchFile, encoding: str, by: User) -> SearchFile:
    """Read a file that is not imported yet with another encoding ('auto' to let the import decide): the preview
    runs again with it, and the import uses it."""
    encoding = encoding_or_error(encoding)
    with transaction.atomic():
        locked = SearchFile.objects.select_for_update().get(pk=search_file.pk, review=review)
        if locked.status not in (SearchFile.Status.PREVIEWED, SearchFile.Status.UNREADABLE, SearchFile.Status.FAILED):
            raise ServiceError(
                f"The encoding of {locked.original_name} cannot be changed now: it is "
                f"{locked.get_status_display().lower()}",
                code="conflict",
            )
        job = job_create(review=review, kind="import-preview", by=by)
        locked.requested_encoding = encoding
        locked.status = SearchFile.Status.UPLOADED
        locked.job = job
        locked.save(update_fields=["requested_encoding", "status", "job"])
        audit(
            review=review,
            actor=by,
            action="import.encoding_chosen",
            file=locked.pk,
            name=locked.original_name,
            encoding=encoding,
        )
        from review.tasks import search_file_preview_task

        enqueue(search_file_preview_task, locked.pk, job.pk, job=job)
    locked.refresh_from_db()
    return locked

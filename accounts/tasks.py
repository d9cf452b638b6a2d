from __future__ import annotations

from celery import shared_task


# The name is the one the task was registered under before accounts had its own app, so that reset mails queued
# before an upgrade are still delivered after it.
@shared_task(name="review.tasks.password_reset_send", bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def password_reset_send(self, user_id: int) -> None:  # type: ignore[no-untyped-def]
    from accounts.services.passwords import password_reset_mail_send

    try:
        password_reset_mail_send(user_id=user_id)
    except OSError as error:  # the mail server is down: try again later
        raise self.retry(exc=error) from error

"""Create a demo review with a lead and two reviewers, once. Passwords are printed only when created."""

from __future__ import annotations

import secrets
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from review import services
from review.models import Review, Role

DEMO_SLUG = "demo-review"


class Command(BaseCommand):
    help = "Create the demo review and its accounts unless they exist."

    def handle(self, *args: Any, **options: Any) -> None:
        if Review.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("Demo review exists; its accounts keep the passwords printed when they were made.")
            return
        User = get_user_model()
        created: list[tuple[str, str, str]] = []
        accounts: dict[str, tuple[Any, Role]] = {}
        with transaction.atomic():
            for username, role in (
                ("lead", Role.LEAD),
                ("reviewer1", Role.REVIEWER),
                ("reviewer2", Role.REVIEWER),
                ("arbiter", Role.ARBITER),
            ):
                password = secrets.token_urlsafe(9)
                user, fresh = User.objects.get_or_create(
                    username=username, defaults={"email": f"{username}@example.org"}
                )
                if fresh:
                    user.set_password(password)
                    user.save()
                    created.append((username, password, str(role.value)))
                accounts[username] = (user, role)
            lead = accounts["lead"][0]
            review = services.review_create(
                by=lead,
                title="Demo: transfer learning in clinical data",
                description=(
                    "Scoping review of studies that apply transfer learning to clinical (non-image) data "
                    "such as time series, tabular records, audio and text."
                ),
                inclusion_criteria=(
                    "Original research applying transfer learning to clinical data\n"
                    "Human subjects or patient data\nPublished in English"
                ),
                exclusion_criteria=(
                    "Imaging-only studies\nNon-clinical research\nReviews, editorials and conference abstracts"
                ),
            )
            Review.objects.filter(pk=review.pk).update(slug=DEMO_SLUG)
            review.slug = DEMO_SLUG
            for username in ("reviewer1", "reviewer2", "arbiter"):
                user, role = accounts[username]
                services.member_add(review=review, by=lead, user=user, role=role)
        self.stdout.write(self.style.SUCCESS(f"Demo review created: /reviews/{DEMO_SLUG}/"))
        # Screening owns votes and full texts; `review` only asks it by command name, when it is installed.
        if apps.is_installed("screening"):
            call_command("demo_screening", review=DEMO_SLUG, stdout=self.stdout)
        if apps.is_installed("charting"):
            call_command("demo_charting", review=DEMO_SLUG, stdout=self.stdout)
        for username, password, role_name in created:
            self.stdout.write(f"  {role_name:9s} username: {username:10s} password: {password}")
        if created:
            self.stdout.write("These passwords are shown only now.")

"""Give the demo review (`demo_setup`) records at every screening stage; does nothing if it has records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from review.models import Record, Review
from screening.demo_data import demo_screening_seed


class Command(BaseCommand):
    help = "Add generated records, votes, a conflict and full texts to the demo review (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--review", default="demo-review")

    def handle(self, *args: Any, **options: Any) -> None:
        review = Review.objects.filter(slug=options["review"]).first()
        if review is None:
            raise CommandError(f"No review {options['review']}; run demo_setup first")
        if Record.objects.filter(review=review).exists():
            self.stdout.write("The demo review has records already.")
            return
        users = {
            u.username: u for u in get_user_model().objects.filter(username__in=["lead", "reviewer1", "reviewer2"])
        }
        if len(users) != 3:
            raise CommandError("The demo accounts lead, reviewer1 and reviewer2 are missing")
        counts = demo_screening_seed(
            review=review, lead=users["lead"], reviewers=[users["reviewer1"], users["reviewer2"]]
        )
        self.stdout.write(
            f"Demo records: {counts['records']} ({counts['duplicates']} duplicates), {counts['fulltexts']} full texts."
        )

"""Chart one included study of the demo review (`demo_setup`), once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from charting.demo_data import demo_charting_seed
from review.models import Review


class Command(BaseCommand):
    help = "Give the demo review a charting form and one study charted to consensus (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--review", default="demo-review")

    def handle(self, *args: Any, **options: Any) -> None:
        review = Review.objects.filter(slug=options["review"]).first()
        if review is None:
            raise CommandError(f"No review {options['review']}; run demo_setup first")
        users = {
            u.username: u for u in get_user_model().objects.filter(username__in=["lead", "reviewer1", "reviewer2"])
        }
        if len(users) != 3:
            raise CommandError("The demo accounts lead, reviewer1 and reviewer2 are missing")
        charted = demo_charting_seed(
            review=review, lead=users["lead"], extractors=[users["reviewer1"], users["reviewer2"]]
        )
        self.stdout.write(f"Demo studies charted: {charted}.")

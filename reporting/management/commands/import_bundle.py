"""manage.py import_bundle FILE [--slug NEW] [--as USERNAME]

Loads a review bundle (made by `export --review SLUG bundle`) into this instance: the review, its searches with
their original files, records, deduplication, screening, charting and history, in one transaction. People are
matched by username; those missing are created without a password. Prints the PRISMA counts it rebuilt and
whether they equal the ones recorded in the bundle.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from reporting.bundle.read import BundleError, load_bundle
from reporting.prisma import prisma_counts


class Command(BaseCommand):
    help = "Load a review bundle (zip) into this instance"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The bundle's zip file")
        parser.add_argument("--slug", default=None, help="Give the review another slug (the original is taken)")
        parser.add_argument("--as", dest="username", default="", help="The account that imports (becomes a lead)")

    def handle(self, *args: Any, **options: Any) -> None:
        by = None
        if options["username"]:
            by = User.objects.filter(username=options["username"]).first()
            if by is None:
                raise CommandError(f"No user {options['username']!r}")
        try:
            with open(options["file"], "rb") as handle:
                result = load_bundle(file=handle, slug=options["slug"], by=by)
        except (BundleError, OSError) as error:
            raise CommandError(str(getattr(error, "message", error))) from None
        counts = prisma_counts(review=result.review).as_dict()
        rows = ", ".join(f"{label}: {n}" for label, n in result.rows.items() if n)
        self.stdout.write(f"Imported review {result.review.slug!r} ({rows})")
        if result.users_created:
            self.stdout.write(f"Accounts created without a password: {', '.join(result.users_created)}")
        same = {k: v for k, v in counts.items()} == result.expected_prisma
        self.stdout.write("PRISMA counts match the bundle" if same else "PRISMA counts DIFFER from the bundle")
        if not same:
            raise CommandError("The imported review's PRISMA counts differ from the bundle's")

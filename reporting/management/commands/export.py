"""manage.py export --review SLUG KIND --out FILE [--as USERNAME] [--bom]

Writes one export of a review to a file, streaming, through the same function as the browser and the API. Without
--as the export is made as the review's first lead (a command run on the server is an operator's act).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from reporting.exports.registry import KINDS, export_chunks
from review.access import review_for_user
from review.models import Membership, Review, Role


class Command(BaseCommand):
    help = "Write one export of a review (records, PRISMA, dedup log, charted data, bundle ...) to a file"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--review", required=True, help="The review's slug")
        parser.add_argument("kind", choices=sorted(KINDS), help="What to export")
        parser.add_argument("--out", required=True, help="File to write ('-' for standard output)")
        parser.add_argument("--as", dest="username", default="", help="Export as this member (blinding applies)")
        parser.add_argument("--bom", action="store_true", help="Start CSV files with a UTF-8 BOM (for Excel)")

    def handle(self, *args: Any, **options: Any) -> None:
        slug, kind = options["review"], options["kind"]
        if not Review.objects.filter(slug=slug).exists():
            raise CommandError(f"No review {slug!r}")
        user = self._user(slug, options["username"])
        try:
            access = review_for_user(user=user, slug=slug)
        except Http404:
            raise CommandError(f"{user.username} is not a member of {slug!r}") from None
        if not access.at_least(KINDS[kind].min_role):
            raise CommandError(f"{user.username} may not export {kind} (needs {KINDS[kind].min_role.label})")
        chunks = export_chunks(access=access, user=user, kind=kind, bom=options["bom"])
        written = 0
        out = sys.stdout.buffer if options["out"] == "-" else open(options["out"], "wb")  # noqa: SIM115
        try:
            for chunk in chunks:
                data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
                out.write(data)
                written += len(data)
        finally:
            if out is not sys.stdout.buffer:
                out.close()
        if options["out"] != "-":
            self.stderr.write(f"{kind}: {written} bytes written to {options['out']}")

    def _user(self, slug: str, username: str) -> User:
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}")
            return user
        lead = (
            Membership.objects.filter(review__slug=slug, role=Role.LEAD).select_related("user").order_by("pk").first()
        )
        if lead is None:
            raise CommandError("The review has no lead; pass --as USERNAME")
        return lead.user

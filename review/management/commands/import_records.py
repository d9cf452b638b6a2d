"""Import export files into a review's search from the command line, or check them with --dry-run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from review.importers import FORMATS, ImportFileError, parse
from review.models import Review, Search
from review.services import imports


class Command(BaseCommand):
    help = "Import literature database exports (RIS, nbib, EndNote XML, BibTeX, CSV, WoS, Ovid, Cochrane)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--review", help="The review's slug (required unless --dry-run)")
        parser.add_argument("--database", help="The database searched, e.g. PubMed (required unless --dry-run)")
        parser.add_argument("--platform", default="")
        parser.add_argument("--date", help="Date searched, YYYY-MM-DD")
        parser.add_argument("--query", default="")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument("--dry-run", action="store_true", help="Parse and report; write nothing")
        parser.add_argument("--json", action="store_true", help="Print one JSON list with an object per file")
        parser.add_argument("--user", help="Username recorded as the importer (default: the review's first lead)")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        if not dry_run and not (options["review"] and options["database"]):
            raise CommandError("--review and --database are required unless --dry-run is given")
        searched = None
        if options["date"]:
            try:
                searched = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date in the form YYYY-MM-DD") from None

        parsed = []
        for name in options["files"]:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{name}: cannot read the file ({error.strerror})") from None
            try:
                result = parse(data, format=options["format"], filename=path.name)
            except ImportFileError as error:
                raise CommandError(f"{name}: {error}") from None
            if data.strip() and not result.records:
                raise CommandError(f"{name}: no records found in a non-empty {result.format} file")
            parsed.append((path, data, result))

        summary: list[dict[str, Any]] = [
            {
                "file": str(path),
                "format": result.format,
                "database": result.database,
                "records": len(result.records),
                "problems": [
                    {"severity": p.severity, "message": p.message, "record": p.record, "line": p.line}
                    for p in result.problems
                ],
            }
            for path, _data, result in parsed
        ]
        if not dry_run:
            self._store(options, searched, parsed)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1))
        else:
            for item in summary:
                self.stdout.write(
                    f"{item['file']}: {item['format']}, {item['records']} records, "
                    f"{len(item['problems'])} problems{' (dry run)' if dry_run else ''}"
                )

    def _store(self, options: dict[str, Any], searched: date | None, parsed: list[Any]) -> None:
        review = Review.objects.filter(slug=options["review"]).first()
        if review is None:
            raise CommandError(f"No review with the slug {options['review']!r}")
        if options["user"]:
            user = User.objects.filter(username=options["user"], memberships__review=review).first()
            if user is None:
                raise CommandError(f"{options['user']!r} is not a member of {review.slug}")
        else:
            user = User.objects.filter(memberships__review=review, memberships__role="lead").order_by("pk").first()
        assert user is not None
        # All files or none: one transaction for the search and every file's records.
        with transaction.atomic():
            search = imports.search_create(
                review=review,
                by=user,
                kind=Search.Kind.DATABASE,
                database=options["database"],
                platform=options["platform"],
                date_searched=searched,
                query=options["query"],
            )
            for path, data, result in parsed:
                search_file = imports.search_file_record_parsed(
                    review=review, search=search, by=user, name=path.name, data=data, result=result
                )
                self.stderr.write(f"{path}: {search_file.record_count} records imported into {search.label}")

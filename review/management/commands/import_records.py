"""Import export files into a review's search from the command line, or check them with --dry-run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from review.importers import ENCODING_CHOICES, FORMATS, ImportFileError, ParseStream, parse_stream
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
        parser.add_argument(
            "--encoding",
            default="auto",
            choices=["auto", *ENCODING_CHOICES],
            help="How to read the files' bytes (default: decide from them)",
        )
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

        files: list[tuple[Path, bytes]] = []
        for name in options["files"]:
            path = Path(name)
            try:
                files.append((path, path.read_bytes()))
            except OSError as error:
                raise CommandError(f"{name}: cannot read the file ({error.strerror})") from None

        if dry_run:
            summary = [self._check(path, data, options["format"], options["encoding"]) for path, data in files]
        else:
            summary = self._store(options, searched, files)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=1))
        else:
            for item in summary:
                self.stdout.write(
                    f"{item['file']}: {item['format']}, {item['records']} records, "
                    f"{len(item['problems'])} problems{' (dry run)' if dry_run else ''}"
                )

    def _check(self, path: Path, data: bytes, format: str, encoding: str) -> dict[str, Any]:
        try:
            result = parse_stream(
                data, format=format, encoding=encoding, filename=path.name, limits=imports.field_limits()
            )
            for _record in result:
                pass  # counted as read; nothing is kept
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from None
        return self._summary(path, data, result)

    def _summary(self, path: Path, data: bytes, result: ParseStream) -> dict[str, Any]:
        if result.count == 0 and not data.isspace():
            raise CommandError(f"{path}: no records found in a non-empty {result.format} file")
        return {
            "file": str(path),
            "format": result.format,
            "encoding": result.encoding,
            "encoding_certain": result.encoding_certain,
            "database": result.database,
            "records": result.count,
            "problems": [
                {"severity": p.severity, "message": p.message, "record": p.record, "line": p.line}
                for p in result.problems
            ],
        }

    def _store(self, options: dict[str, Any], searched: date | None, files: list[tuple[Path, bytes]]) -> list[Any]:
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
        summary = []
        # All files or none: one transaction for the search and every file's records. Each file is parsed as it is
        # stored, so an unreadable file (found at once or part-way) rolls back every file before it.
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
            for path, data in files:
                try:
                    result = parse_stream(
                        data,
                        format=options["format"],
                        encoding=options["encoding"],
                        filename=path.name,
                        limits=imports.field_limits(),
                    )
                    search_file = imports.search_file_record_parsed(
                        review=review,
                        search=search,
                        by=user,
                        name=path.name,
                        data=data,
                        result=result,
                        requested_encoding=options["encoding"],
                    )
                except ImportFileError as error:
                    raise CommandError(f"{path}: {error}") from None
                summary.append(self._summary(path, data, result))
                self.stderr.write(f"{path}: {search_file.record_count} records imported into {search.label}")
        return summary

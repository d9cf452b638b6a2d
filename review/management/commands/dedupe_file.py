"""Deduplicate one file without a review, with the same engine and settings as the application."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from review.dedup.cli import dedupe_file
from review.dedup.scoring import VERSIONS
from review.importers import ImportFileError


class Command(BaseCommand):
    help = (
        "Group duplicate records of a CSV (record_id,title,authors,year,journal,volume,issue,pages,doi,abstract,"
        "isbn_issn) or of any importable export file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", metavar="IN")
        parser.add_argument("--out", help="CSV of record_id,group_id (automatic merges only)")
        parser.add_argument("--pairs-out", help="CSV of the possible duplicates with their scores")
        parser.add_argument("--json", action="store_true", help="Print the summary as one JSON object")
        parser.add_argument(
            "--versions",
            choices=VERSIONS,
            default="possible",
            help="A preprint and its journal version: ask a person (default), merge them (same), or keep apart",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = dedupe_file(
                options["input"], out=options["out"], pairs_out=options["pairs_out"], versions=options["versions"]
            )
        except (OSError, ImportFileError, ValueError) as error:
            raise CommandError(f"{options['input']}: {error}") from None
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(", ".join(f"{key}: {value}" for key, value in summary.items()))

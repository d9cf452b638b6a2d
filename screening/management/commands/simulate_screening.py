"""Simulate prioritised screening of a labelled CSV and print the work it saves (WSS@95, recall@10%).

    python manage.py simulate_screening DATA.csv [--prior-ids ID,ID,...] [--prior-included 1 --prior-excluded 1]
        [--seed N] [--batch N] [--target-recall 0.95] [--confidence 0.95] [--json]

The CSV has the columns record_id, title, abstract, label_included (1/0) and optionally keywords (separated by
semicolons). A thin wrapper over screening.ranking.simulate: the same ranker as the app's retraining task, and
the same stopping procedure as a team follows in the app (ranked order, then a random sample of the rest until
the recall test is met); "stop" gives its result.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.ranking.simulate import read_dataset, simulate


class Command(BaseCommand):
    help = "Simulate prioritised screening of a labelled CSV: WSS@95, recall after 10% screened, seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="labelled CSV: record_id, title, abstract, label_included[, keywords]")
        parser.add_argument("--prior-ids", default="", help="comma-separated record ids screened first")
        parser.add_argument("--prior-included", type=int, default=1, help="included priors drawn with the seed")
        parser.add_argument("--prior-excluded", type=int, default=1, help="excluded priors drawn with the seed")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--batch", type=int, default=None, help="retrain every BATCH records screened (default: the app's schedule)"
        )
        parser.add_argument("--target-recall", type=float, default=0.95, help="stopping rule's target recall")
        parser.add_argument("--confidence", type=float, default=0.95, help="stopping rule's confidence")
        parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            ids, texts, labels = read_dataset(path)
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
        except (ValueError, OSError) as error:
            # read_dataset names the file and the line of the first bad row.
            raise CommandError(str(error)) from None
        prior_ids = [p.strip() for p in options["prior_ids"].split(",") if p.strip()] or None
        try:
            result = simulate(
                texts,
                labels,
                ids=ids,
                prior_ids=prior_ids,
                prior_included=options["prior_included"],
                prior_excluded=options["prior_excluded"],
                seed=options["seed"],
                batch=options["batch"],
                target_recall=options["target_recall"],
                confidence=options["confidence"],
            )
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from None
        stop = result.stop
        assert stop is not None  # the stopping procedure runs unless simulate() is told otherwise
        figures = {
            "wss95": round(result.wss95, 4),
            "recall_at_10pct": round(result.recall_at_10pct, 4),
            "n_screened_to_95recall": result.n_screened_to_95recall,
            "seconds": round(result.seconds, 3),
            "stop": {
                "screened": stop.screened,
                "recall": round(stop.recall, 4),
                "target_recall": stop.target_recall,
                "confidence": stop.confidence,
                "switched_at": stop.switched_at,
                "work_saved": round(stop.work_saved, 4),
            },
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(
            f"{path}: {len(texts)} records, {sum(labels)} included\n"
            f"WSS@95: {figures['wss95']:.3f}\n"
            f"recall after 10% screened: {figures['recall_at_10pct']:.3f}\n"
            f"records screened to reach 95% recall: {figures['n_screened_to_95recall']}\n"
            f"seconds: {figures['seconds']:.2f}\n"
            f"stopping rule ({stop.target_recall:g} recall with {stop.confidence:g} confidence): "
            f"stopped after {stop.screened} records (random sample from record {stop.switched_at + 1}), "
            f"recall {stop.recall:.3f}, work saved {stop.work_saved:.3f}"
        )

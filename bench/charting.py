"""Charting summaries and exports on a large review: N studies, each charted by two extractors, with consensus.

Seeds a fresh PostgreSQL database (charting_bench, dropped and re-created) with the built-in form, N included
studies (the rows are inserted directly: this measures the reads, not screening), two submitted extractions and
the final values per study, then times what a lead and an analyst do: the summaries page, the cross-table, the
Sankey links, and the CSV exports (consumed to the last row). Each study also has a repeating group of two models
(name and AUC with a source quote). The database is dropped at the end.

Figures on the 2-core development machine (best of 3): 300 studies: summaries page 0.4 s, wide CSV 0.4 s,
long CSV 0.6 s; 2,000 studies: summaries page 2.9 s, wide CSV 2.5 s, long CSV 6 s. With the repeating group of two
models per study, 300 studies, load average about 8 (other work running): charted data 0.42 s, wide CSV 0.46 s,
long CSV 1.1 s, column dictionary 0.43 s, summaries page 0.71 s.

Run from the project root:  .venv/bin/python bench/charting.py [--studies 2000]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import django_on

DB = os.environ.get("BENCH_CHARTING_DB", "charting_bench")  # a database of its own per concurrent run


def _seed(n: int) -> object:
    from django.contrib.auth.models import User
    from django.utils import timezone

    from charting import services
    from charting.models import ConsensusValue, Extraction, ExtractionValue
    from review.models import Membership, Record, Review, Search

    lead = User.objects.create_user("lead")
    people = [User.objects.create_user(f"extractor{i}") for i in range(2)]
    review = Review.objects.create(title="Charting bench", slug="bench-charting", created_by=lead)
    Membership.objects.create(review=review, user=lead, role="lead")
    for person in people:
        Membership.objects.create(review=review, user=person, role="reviewer")
    search = Search.objects.create(review=review, database="PubMed")
    Record.objects.bulk_create(
        Record(
            review=review,
            search=search,
            position=i + 1,
            title=f"Study {i}",
            authors=[f"Author{i}, A."],
            year=2012 + i % 12,
            raw=[["DA", f"{2012 + i % 12}/{1 + i % 12:02d}/01"]],
        )
        for i in range(n)
    )
    form = services.form_create(review=review, by=lead, template="transfer-learning")
    # A repeating group: two models per study, each with a name and an AUC (with a source quote).
    group = services.section_add(form=form, by=lead, title="Models", repeating=True, instance_label="Model")
    services.field_add(form=form, by=lead, section_key=group.key, label="Model name", type="short_text")
    services.field_add(form=form, by=lead, section_key=group.key, label="AUC", type="decimal")
    version = form.versions.get()
    now = timezone.now()
    records = list(Record.objects.filter(review=review).order_by("id"))
    Extraction.objects.bulk_create(
        Extraction(
            review=review,
            form=form,
            version=version,
            record=r,
            extractor=p,
            status="submitted",
            submitted_at=now,
        )
        for r in records
        for p in people
    )
    rng = random.Random(7)
    choices = {
        "specialty": ["cardiology", "neurology", "oncology", "psychiatry", "critical_care"],
        "target_data_type": ["time_series", "tabular", "audio", "text"],
        "source_data_type": ["images", "time_series", "text"],
        "transfer_type": ["fine_tuning", "feature_representation", "both"],
    }
    answers = {}
    for r in records:
        values = {key: {"choice": rng.choice(options)} for key, options in choices.items()}
        values["sample_size"] = rng.randint(20, 5000)
        values["model_architecture"] = {"choices": rng.sample(["cnn", "rnn", "lstm", "transformer"], 2)}
        values["model_public"] = rng.choice(["yes", "no", "unclear"])
        for n in (1, 2):
            values[f"model_name#{n}"] = rng.choice(["ResNet-50", "VGG-16", "LSTM", "BERT"])
            values[f"auc#{n}"] = f"0.{rng.randint(60, 99)}"
        answers[r.pk] = values
    rows = []
    for extraction in Extraction.objects.filter(form=form).only("id", "record_id"):
        for addr, v in answers[extraction.record_id].items():
            key, _sep, n = addr.partition("#")
            quote = "reported in Table 2" if key == "auc" else ""
            rows.append(
                ExtractionValue(
                    extraction_id=extraction.pk, field_key=key, instance=int(n or 0), value=v, quote=quote, page="4"
                )
            )
    ExtractionValue.objects.bulk_create(rows, batch_size=5000)
    ConsensusValue.objects.bulk_create(
        (
            ConsensusValue(
                review=review,
                form=form,
                record_id=rid,
                field_key=k.partition("#")[0],
                instance=int(k.partition("#")[2] or 0),
                value=v,
                source="agreed",
            )
            for rid, values in answers.items()
            for k, v in values.items()
        ),
        batch_size=5000,
    )
    return form


def _time(label: str, work: Callable[[], object], repeat: int = 3) -> None:
    best = min(_once(work) for _ in range(repeat))
    print(f"  {label:<44} {best * 1000:8.0f} ms")


def _once(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--studies", type=int, default=2000)
    args = parser.parse_args()
    django_on(DB)
    from django.test import Client

    from charting import exports
    from charting.selectors.charted import charted_data, field_summaries
    from charting.summaries import crosstab, sankey_links

    started = time.perf_counter()
    form = _seed(args.studies)
    print(f"seeded {args.studies} studies x 2 extractions in {time.perf_counter() - started:.1f} s")
    data = charted_data(form=form)  # type: ignore[arg-type]
    fields = {f.key: f for f in data.fields}
    lead = Client()
    from django.contrib.auth.models import User

    lead.force_login(User.objects.get(username="lead"))

    def consume(rows: object) -> int:
        return sum(1 for _ in itertools.chain.from_iterable([rows]))  # type: ignore[list-item]

    _time("charted data (final values, status)", lambda: charted_data(form=form))  # type: ignore[arg-type]
    _time("final values only (what a chart reads)", lambda: charted_data(form=form, with_status=False))  # type: ignore[arg-type]
    _time("field summaries", lambda: field_summaries(data=data))
    _time(
        "cross-table target x specialty",
        lambda: crosstab(fields["target_data_type"], fields["specialty"], data.studies),
    )
    _time(
        "Sankey source -> target",
        lambda: sankey_links(fields["source_data_type"], fields["target_data_type"], data.studies),
    )
    _time("wide CSV (all rows)", lambda: consume(exports.charted_wide_rows(form=form)))  # type: ignore[arg-type]
    _time("long CSV (all rows)", lambda: consume(exports.charted_long_rows(form=form)))  # type: ignore[arg-type]
    _time("codebook CSV", lambda: consume(exports.codebook_rows(form=form)))  # type: ignore[arg-type]
    _time("wide column dictionary CSV", lambda: consume(exports.charted_columns_rows(form=form)))  # type: ignore[arg-type]
    _time(
        "summaries page over HTTP",
        lambda: lead.get("/reviews/bench-charting/charting/summaries/", HTTP_HOST="localhost"),
    )
    _time(
        "wide CSV over HTTP",
        lambda: b"".join(
            lead.get("/reviews/bench-charting/charting/exports/wide.csv", HTTP_HOST="localhost").streaming_content
        ),
    )


def _drop() -> None:
    import os

    import psycopg
    from django.db import connections

    connections.close_all()
    server = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    try:
        main()
    finally:
        _drop()

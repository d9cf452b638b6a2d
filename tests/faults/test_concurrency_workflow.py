"""Workflow steps that collide in real use, run at the same instant on PostgreSQL with real threads and connections.

Two leads (or one lead in two tabs) import two exports into one review at once; deduplication runs while reviewers
are voting. Whatever the interleaving, no record is lost and no record somebody has voted on disappears behind a
duplicate without a person saying so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count, Q

from review.errors import ServiceError
from review.models import DedupRun, DuplicateDecision, Record, Role, SearchFile
from review.services import dedup, imports
from screening.models import Stage, Vote
from screening.services.votes import VoteInput, vote_cast
from tests.factories import MembershipFactory, UserFactory
from tests.screening.factories import RecordFactory, SearchFactory

TA = Stage.TITLE_ABSTRACT

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and real connections"),
]


def run_together(functions: list[Callable[[], Any]]) -> list[Any]:
    """Start every function at the same instant in its own thread and connection; return results or errors."""
    barrier = threading.Barrier(len(functions))
    results: list[Any] = [None] * len(functions)

    def worker(index: int, function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # kept and asserted on by the test, never swallowed
            results[index] = error
        finally:
            # Each thread has its own connection; leaving it open would block dropping the test database.
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [t for t in threads if t.is_alive()], "a thread did not finish within two minutes"
    return results


def ris_export(prefix: str, count: int) -> bytes:
    lines = []
    for n in range(1, count + 1):
        lines += [
            "TY  - JOUR",
            f"TI  - {prefix} cohort study {n} of pretrained networks on clinical signals",
            f"AU  - {prefix}author{n}, A.",
            f"PY  - {2000 + n % 24}",
            f"JO  - Journal of {prefix} studies",
            f"DO  - 10.4242/{prefix.lower()}.{n}",
            "AB  - Electrocardiogram classification with fine-tuning.",
            "ER  - ",
            "",
        ]
    return "\n".join(lines).encode()


def import_file(review, search, lead, name: str, data: bytes) -> int:
    # Preview and import both run in this thread: tasks are in-process in tests and start on commit.
    search_file = imports.search_file_upload(review=review, search=search, by=lead, name=name, data=data)
    search_file.refresh_from_db()
    assert search_file.status == SearchFile.Status.PREVIEWED, search_file.error
    imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    return search_file.pk


def test_two_imports_into_one_review_at_once_keep_every_record_of_both_files(review, lead):
    counts = {"Embase": 700, "Scopus": 900}
    searches = {name: SearchFactory(review=review, database=name) for name in counts}
    results = run_together(
        [
            lambda name=name: import_file(
                review, searches[name], lead, f"{name.lower()}.ris", ris_export(name, counts[name])
            )
            for name in counts
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    for name, count in counts.items():
        search_file = SearchFile.objects.get(search=searches[name])
        assert search_file.status == SearchFile.Status.IMPORTED, search_file.error
        assert search_file.record_count == count
        records = Record.objects.filter(search_file=search_file)
        # Nothing lost and nothing twice: every position of the file exactly once.
        assert records.count() == count
        assert sorted(records.values_list("position", flat=True)) == list(range(1, count + 1))
        assert records.filter(search=searches[name]).count() == count
    assert Record.objects.filter(review=review).count() == sum(counts.values())


def duplicate_pairs(review, count: int) -> list[tuple[Record, Record]]:
    """Pairs that any deduplication merges: the same work exported by two databases."""
    embase, pubmed = SearchFactory(review=review, database="Embase"), SearchFactory(review=review, database="PubMed")
    pairs = []
    for n in range(count):
        fields = {
            "title": f"Transfer learning from ImageNet for sleep staging in cohort {n} of adults",
            "authors": [f"Author{n} A", f"Second{n} B"],
            "year": 2015 + n % 8,
            "journal": "Journal of Sleep Research",
            "volume": str(10 + n),
            "pages": f"{100 + n}-{110 + n}",
            "doi": f"10.7777/sleep.{n}",
            "pmid": str(31000000 + n),
        }
        pairs.append(
            (
                RecordFactory(review=review, search=embase, **fields),
                RecordFactory(review=review, search=pubmed, **fields),
            )
        )
    return pairs


def test_dedup_while_reviewers_vote_never_hides_a_voted_record_without_the_leads_word(review, lead):
    reviewers = [UserFactory(username=f"voter{i}") for i in range(4)]
    for user in reviewers:
        MembershipFactory(review=review, user=user, role=Role.REVIEWER)
    pairs = duplicate_pairs(review, 40)
    # A record voted on before the run starts is already "locked" for deduplication.
    for first, _second in pairs[:10]:
        vote_cast(review=review, record=first, stage=TA, reviewer=reviewers[0], data=VoteInput("include"))
    run = DedupRun.objects.create(review=review, started_by=lead)

    def votes_by(user, records: list[Record]) -> Callable[[], int]:
        def cast_all() -> int:
            cast = 0
            for record in records:
                # The record object was read before the run: the service must notice a merge made since.
                try:
                    vote_cast(review=review, record=record, stage=TA, reviewer=user, data=VoteInput("exclude"))
                    cast += 1
                except ServiceError:
                    pass  # refused because the record was merged meanwhile: the right answer, nothing written
            return cast

        return cast_all

    later = [record for pair in pairs[10:] for record in pair]
    results = run_together(
        [
            lambda: dedup.dedup_run(run_id=run.pk),
            votes_by(reviewers[1], later[0::2]),
            votes_by(reviewers[2], later[1::2]),
            votes_by(reviewers[3], [first for first, _second in pairs[:10]]),
        ]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    run.refresh_from_db()

    confirmed: set[int] = set()
    for a, b in DuplicateDecision.objects.filter(review=review, same=True).values_list("record_a", "record_b"):
        confirmed |= {a, b}
    voted = Record.objects.filter(review=review).annotate(
        votes=Count("screening_votes", filter=Q(screening_votes__stage=TA))
    )
    hidden = sorted(
        voted.filter(votes__gt=0, merged_into__isnull=False).exclude(pk__in=confirmed).values_list("pk", flat=True)
    )
    # Both failures are reported together: a deadlocked vote is an error page for a reviewer, a hidden record is
    # a study silently taken out of screening.
    assert not errors and not hidden, (
        f"errors in the threads: {errors}; {len(hidden)} records with screening votes were merged into another "
        f"record without a person's decision (does screening answer review.extensions.locked_record_ids?): "
        f"{hidden[:10]}"
    )
    assert run.finished_at is not None
    # Every vote is still on a record that reviewers can see; none was lost either.
    assert Vote.objects.filter(review=review, stage=TA).count() == sum(results[1:]) + 10

"""Votes and claims at the same instant, on PostgreSQL with real threads and connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from review.errors import ServiceError
from review.models import Role
from screening.models import QueueClaim, Stage, StageOutcome, Status, Vote, VoteEvent
from screening.services.conflicts import conflict_resolve
from screening.services.queue import queue_next_for
from screening.services.votes import VoteInput, vote_cast
from tests.factories import MembershipFactory, UserFactory
from tests.screening.factories import RecordFactory

TA = Stage.TITLE_ABSTRACT

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(functions):
    """Start every function at the same instant in its own thread (own connection); return results/errors."""
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def reviewers_of(review, n):
    users = [UserFactory(username=f"parallel{i}") for i in range(n)]
    for user in users:
        MembershipFactory(review=review, user=user, role=Role.REVIEWER)
    return users


def cast(review, record, user, choice):
    return lambda: vote_cast(review=review, record=record, stage=TA, reviewer=user, data=VoteInput(choice))


def test_two_votes_at_once_are_both_kept_and_give_one_outcome(review):
    record = RecordFactory(review=review)
    a, b = reviewers_of(review, 2)
    for _ in range(1):
        results = run_together([cast(review, record, a, "include"), cast(review, record, b, "include")])
    assert not [r for r in results if isinstance(r, Exception)]
    assert Vote.objects.filter(record=record).count() == 2
    outcomes = StageOutcome.objects.filter(record=record)
    assert outcomes.filter(stage=TA).count() == 1
    assert outcomes.get(stage=TA).status == Status.INCLUDED and outcomes.get(stage=TA).vote_count == 2
    assert outcomes.filter(stage=Stage.FULL_TEXT).count() == 1


def test_eight_reviewers_at_once_never_exceed_the_required_votes(review):
    record = RecordFactory(review=review)
    users = reviewers_of(review, 8)
    results = run_together([cast(review, record, u, "exclude") for u in users])
    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(accepted) == 2 and len(refused) == 6
    assert Vote.objects.filter(record=record).count() == 2
    assert VoteEvent.objects.filter(record=record).count() == 2
    outcome = StageOutcome.objects.get(record=record, stage=TA)
    assert (outcome.status, outcome.vote_count) == (Status.EXCLUDED, 2)


def test_the_same_reviewer_voting_twice_at_once_keeps_one_current_vote(review):
    record = RecordFactory(review=review)
    (user,) = reviewers_of(review, 1)
    results = run_together([cast(review, record, user, "include"), cast(review, record, user, "exclude")])
    assert not [r for r in results if isinstance(r, Exception)]
    assert Vote.objects.filter(record=record, reviewer=user).count() == 1
    assert VoteEvent.objects.filter(record=record).count() == 2
    assert StageOutcome.objects.get(record=record, stage=TA).vote_count == 1


def test_concurrent_reviewers_are_not_all_handed_the_last_vote(review):
    first, waiting = RecordFactory(review=review), RecordFactory(review=review)
    starter, *others = reviewers_of(review, 3)
    vote_cast(review=review, record=first, stage=TA, reviewer=starter, data=VoteInput("include"))
    served = run_together([lambda u=u: queue_next_for(review=review, stage=TA, reviewer=u) for u in others])
    assert sorted(r.pk for r in served) == sorted([first.pk, waiting.pk])
    assert QueueClaim.objects.filter(record=first).count() == 1


def test_many_reviewers_claiming_at_once_respect_every_records_slots(review):
    records = [RecordFactory(review=review) for _ in range(6)]
    users = reviewers_of(review, 10)
    served = run_together([lambda u=u: queue_next_for(review=review, stage=TA, reviewer=u) for u in users])
    assert not [r for r in served if isinstance(r, Exception)]
    per_record = {r.pk: sum(1 for s in served if s.pk == r.pk) for r in records}
    assert max(per_record.values()) <= 2
    assert sum(per_record.values()) == 10


def test_a_vote_change_racing_the_leads_resolution_leaves_one_consistent_final_state(review, lead):
    record = RecordFactory(review=review)
    a, b = reviewers_of(review, 2)
    vote_cast(review=review, record=record, stage=TA, reviewer=a, data=VoteInput("include"))
    vote_cast(review=review, record=record, stage=TA, reviewer=b, data=VoteInput("exclude"))
    results = run_together(
        [
            cast(review, record, b, "include"),
            lambda: conflict_resolve(
                review=review, record=record, stage=TA, by=lead, decision="exclude", rationale="out of scope"
            ),
        ]
    )
    outcome = StageOutcome.objects.get(record=record, stage=TA)
    assert sum(isinstance(r, ServiceError) for r in results) == 1
    assert outcome.status in (Status.INCLUDED, Status.EXCLUDED)
    assert outcome.decided_by in ("votes", "lead")


def test_a_vote_waiting_on_a_claim_in_progress_does_not_deadlock_with_it(review):
    """A claim locks the outcome row and inserts a claim whose foreign key to the record is checked at commit;
    a vote on the same record at that moment locks the record and waits for the outcome row. The record lock
    must not block the claim's key check, or the two transactions deadlock and one of them fails."""
    from django.db import transaction
    from django.utils import timezone

    from screening.services.claims import CLAIM_TTL
    from screening.services.queue import _claim_first_free

    record = RecordFactory(review=review)
    claimer, voter = reviewers_of(review, 2)
    queue_next_for(review=review, stage=TA, reviewer=voter)  # the voter holds a claim on the record
    claimed = threading.Event()

    def claim_and_hold():
        now = timezone.now()
        with transaction.atomic():
            served = _claim_first_free(review=review, stage=TA, reviewer=claimer, now=now, since=now - CLAIM_TTL)
            claimed.set()
            threading.Event().wait(0.5)  # the vote is now waiting for the outcome row this transaction holds
        return served

    def vote_after_claim():
        claimed.wait(10)
        return vote_cast(review=review, record=record, stage=TA, reviewer=voter, data=VoteInput("include"))

    served, outcome = run_together([claim_and_hold, vote_after_claim])
    assert not isinstance(served, Exception), served
    assert not isinstance(outcome, Exception), outcome
    assert served.record_id == record.pk
    assert list(Vote.objects.filter(record=record).values_list("reviewer__username", flat=True)) == [voter.username]
    assert StageOutcome.objects.get(record=record, stage=TA).vote_count == 1
    assert QueueClaim.objects.filter(record=record, reviewer=claimer).exists()

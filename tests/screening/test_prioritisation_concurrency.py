"""A retraining never holds up a vote: on PostgreSQL, with the retraining in its own thread and connection."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from screening.models import QueueOrder, RankerRun, RelevanceScore, Stage, StageOutcome, Vote
from screening.ranking import model
from screening.services.config import screening_settings_update
from screening.services.prioritisation import relevance_retrain
from screening.services.votes import VoteInput, vote_cast
from tests.factories import set_screening_rules
from tests.screening.factories import RecordFactory

TA = Stage.TITLE_ABSTRACT

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and connections"),
]


def test_a_vote_is_accepted_while_a_retraining_is_running(review, lead, reviewer, reviewer2, monkeypatch):
    # Unblinded, so that the two single votes below are training labels and the ranker fits at once (a blinded
    # review trains on decided records only).
    set_screening_rules(review, blinded=False)
    topic = [RecordFactory(review=review, title=f"Exercise for depression, trial {i}") for i in range(6)]
    other = [RecordFactory(review=review, title=f"Statins and heart disease, cohort {i}") for i in range(6)]
    screening_settings_update(review=review, by=lead, order_title_abstract=QueueOrder.PRIORITISED)
    vote_cast(review=review, record=topic[0], stage=TA, reviewer=reviewer, data=VoteInput("include"))
    vote_cast(review=review, record=other[0], stage=TA, reviewer=reviewer, data=VoteInput("exclude"))

    fitting, release = threading.Event(), threading.Event()
    real_fit = model.Ranker.fit

    def slow_fit(self, *args, **kwargs):
        fitting.set()
        # Hold the retraining in the middle of its work until the vote below is in.
        assert release.wait(30), "the vote never finished"
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(model.Ranker, "fit", slow_fit)
    outcome: list[object] = []

    def retrain() -> None:
        try:
            outcome.append(relevance_retrain(review=review, stage=TA))
        except Exception as error:  # reported to the main thread, which fails the test with it
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=retrain)
    thread.start()
    try:
        assert fitting.wait(30), "the retraining never started fitting"
        started = time.perf_counter()
        for record in (topic[1], other[1]):
            vote_cast(review=review, record=record, stage=TA, reviewer=reviewer2, data=VoteInput("exclude"))
        waited = time.perf_counter() - started
        assert not release.is_set()
    finally:
        release.set()
        thread.join(60)
    assert waited < 2, f"the votes took {waited:.1f} s while the ranker was fitting"
    assert Vote.objects.filter(reviewer=reviewer2).count() == 2
    run = outcome[0]
    assert isinstance(run, RankerRun) and run.version == 1
    # The retraining read its labels before those votes: it scored those records (without their labels), and
    # the next retraining sees the votes.
    assert RelevanceScore.objects.filter(record=topic[1]).exists()
    assert relevance_retrain(review=review, stage=TA).version == 2
    scored = StageOutcome.objects.filter(stage=TA, vote_count=0).exclude(queue_key__gt=0).count()
    assert scored == StageOutcome.objects.filter(stage=TA, vote_count=0).count()

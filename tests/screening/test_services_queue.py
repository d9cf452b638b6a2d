"""Serving records: order, fairness through claims, skipping, syncing new records, reordering."""

from __future__ import annotations

import pytest

from screening.models import QueueClaim, Stage, StageOutcome
from screening.services.claims import queue_skip
from screening.services.config import screening_settings_update
from screening.services.queue import queue_next_for, queue_reorder
from tests.screening.factories import RecordFactory

TA = Stage.TITLE_ABSTRACT


def next_for(user, review):
    return queue_next_for(review=review, stage=TA, reviewer=user)


@pytest.mark.django_db
class TestQueue:
    def test_serves_records_in_import_order_from_the_rows_their_creation_wrote(self, review, reviewer, records):
        assert StageOutcome.objects.filter(review=review, stage=TA).count() == len(records)  # before any read
        assert next_for(reviewer, review) == records[0]

    def test_a_reload_serves_the_same_claimed_record(self, review, reviewer, records):
        assert next_for(reviewer, review) == next_for(reviewer, review) == records[0]
        assert QueueClaim.objects.filter(reviewer=reviewer).count() == 1

    def test_voting_moves_the_reviewer_on(self, review, vote, reviewer, records):
        vote(reviewer, next_for(reviewer, review), "include")
        assert next_for(reviewer, review) == records[1]
        assert not QueueClaim.objects.filter(reviewer=reviewer, record=records[0]).exists()

    def test_two_reviewers_are_not_both_handed_the_last_vote(
        self, review, vote, reviewer, reviewer2, reviewer3, records
    ):
        vote(reviewer, records[0], "include")  # record 0 needs one more vote
        assert next_for(reviewer2, review) == records[0]
        # record 0's last slot is held by reviewer2: reviewer3 gets a record with no votes instead
        assert next_for(reviewer3, review) == records[1]

    def test_both_reviewers_get_the_same_fresh_record_when_it_needs_two_votes(
        self, review, reviewer, reviewer2, records
    ):
        assert next_for(reviewer, review) == next_for(reviewer2, review) == records[0]

    def test_records_I_voted_on_are_not_served_again(self, review, vote, reviewer, records):
        for record in records:
            vote(reviewer, record, "exclude")
        assert next_for(reviewer, review) is None

    def test_decided_records_are_not_served(self, review, vote, reviewer, reviewer2, reviewer3, records):
        vote(reviewer, records[0], "include")
        vote(reviewer2, records[0], "include")
        assert next_for(reviewer3, review) == records[1]

    def test_skipped_record_comes_back_after_the_others(self, review, vote, reviewer, records):
        queue_skip(review=review, record=records[0], stage=TA, reviewer=reviewer)
        served = []
        while (record := next_for(reviewer, review)) is not None:
            served.append(record)
            vote(reviewer, record, "include")
        assert served == [*records[1:], records[0]]

    def test_records_merged_after_the_stage_rows_exist_are_not_served(self, review, reviewer, records):
        next_for(reviewer, review)
        QueueClaim.objects.all().delete()
        records[0].merged_into = records[1]
        records[0].save()
        assert next_for(reviewer, review) == records[1]

    def test_random_order_is_fixed_by_the_seed(
        self, review, lead, reviewer, reviewer2, django_capture_on_commit_callbacks
    ):
        RecordFactory.create_batch(30, review=review)
        with django_capture_on_commit_callbacks(execute=True):  # the new order is written once the change commits
            screening_settings_update(review=review, by=lead, order_title_abstract="random", random_seed=7)

        def served_order() -> list[int]:
            rows = StageOutcome.objects.filter(review=review, stage=TA).order_by("queue_key", "record_id")
            return list(rows.values_list("record_id", flat=True))

        shuffled = served_order()
        # 30 records: the chance that a shuffle keeps import order is 1 in 30!, so this cannot pass by luck.
        assert shuffled != sorted(shuffled)
        first = next_for(reviewer, review)
        assert first.pk == shuffled[0]
        assert next_for(reviewer2, review) == first
        with django_capture_on_commit_callbacks(execute=True):
            screening_settings_update(review=review, by=lead, random_seed=8)
        assert served_order() != shuffled
        with django_capture_on_commit_callbacks(execute=True):
            screening_settings_update(review=review, by=lead, random_seed=7)
        assert served_order() == shuffled  # the seed alone fixes the order

    def test_year_order_serves_the_newest_first(self, review, lead, reviewer, django_capture_on_commit_callbacks):
        RecordFactory(review=review, year=2015)
        newest = RecordFactory(review=review, year=2024)
        RecordFactory(review=review, year=None)
        with django_capture_on_commit_callbacks(execute=True):
            screening_settings_update(review=review, by=lead, order_title_abstract="year")
        assert next_for(reviewer, review) == newest

    def test_ranker_scores_put_scored_records_first(self, review, reviewer, records):
        next_for(reviewer, review)
        QueueClaim.objects.all().delete()
        queue_reorder(review=review, stage=TA, scores={records[3].pk: 0.9, records[2].pk: 0.4})
        assert next_for(reviewer, review) == records[3]

    def test_queue_view_query_count_does_not_grow_with_records(
        self, review, reviewer, records, django_assert_max_num_queries
    ):
        next_for(reviewer, review)
        QueueClaim.objects.all().delete()
        for _ in range(50):
            RecordFactory(review=review)
        next_for(reviewer, review)  # sync once
        QueueClaim.objects.all().delete()
        with django_assert_max_num_queries(12):
            next_for(reviewer, review)

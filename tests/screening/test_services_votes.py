"""Voting through the services: outcomes, changes, withdrawals, history, limits, full-text reasons."""

from __future__ import annotations

import pytest

from review.errors import ServiceError
from review.models import AuditEvent
from screening.models import Stage, StageOutcome, Status, Vote, VoteEvent
from screening.services.config import screening_settings_update
from screening.services.votes import vote_undo_last, vote_withdraw
from tests.factories import set_screening_rules

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT


def outcome(record, stage=TA):
    return StageOutcome.objects.get(record=record, stage=stage)


@pytest.mark.django_db
class TestTitleAbstractOutcomes:
    def test_first_vote_leaves_the_record_awaiting(self, vote, reviewer, record):
        result = vote(reviewer, record, "include")
        assert (result.status, result.vote_count) == (Status.AWAITING, 1)

    def test_two_includes_include_and_move_the_record_to_full_text(self, at_full_text, record):
        at_full_text(record)
        assert outcome(record).status == Status.INCLUDED
        assert outcome(record).decided_by == "votes"
        assert outcome(record, FT).status == Status.AWAITING

    def test_two_excludes_exclude_without_full_text(self, vote, reviewer, reviewer2, record):
        vote(reviewer, record, "exclude")
        vote(reviewer2, record, "exclude")
        assert outcome(record).status == Status.EXCLUDED
        assert not StageOutcome.objects.filter(record=record, stage=FT).exists()

    @pytest.mark.parametrize(("a", "b"), [("include", "maybe"), ("maybe", "maybe")])
    def test_uncertainty_goes_to_full_text(self, vote, reviewer, reviewer2, record, a, b):
        vote(reviewer, record, a)
        vote(reviewer2, record, b)
        assert outcome(record).status == Status.INCLUDED
        assert StageOutcome.objects.filter(record=record, stage=FT).exists()

    def test_uncertainty_is_a_conflict_when_the_lead_switches_it(self, vote, review, lead, reviewer, reviewer2, record):
        screening_settings_update(review=review, by=lead, maybe_goes_to_full_text=False)
        vote(reviewer, record, "include")
        vote(reviewer2, record, "maybe")
        assert outcome(record).status == Status.CONFLICT

    @pytest.mark.parametrize(("a", "b"), [("include", "exclude"), ("maybe", "exclude")])
    def test_disagreement_opens_a_conflict(self, vote, reviewer, reviewer2, record, a, b):
        vote(reviewer, record, a)
        vote(reviewer2, record, b)
        assert outcome(record).status == Status.CONFLICT
        assert not StageOutcome.objects.filter(record=record, stage=FT).exists()

    def test_votes_required_comes_from_the_screening_settings(
        self, vote, review, reviewer, reviewer2, reviewer3, record
    ):
        set_screening_rules(review, votes_required_title_abstract=3)
        vote(reviewer, record, "include")
        vote(reviewer2, record, "include")
        assert outcome(record).status == Status.AWAITING
        vote(reviewer3, record, "include")
        assert outcome(record).status == Status.INCLUDED


@pytest.mark.django_db
class TestChangesAndHistory:
    def test_changing_a_vote_keeps_one_current_vote_and_the_whole_history(self, vote, reviewer, record):
        vote(reviewer, record, "include")
        vote(reviewer, record, "exclude", note="on reflection, imaging")
        current = Vote.objects.get(record=record, reviewer=reviewer)
        assert (current.choice, current.note) == ("exclude", "on reflection, imaging")
        history = list(VoteEvent.objects.filter(record=record).values_list("action", "choice"))
        assert history == [("cast", "include"), ("change", "exclude")]

    def test_casting_the_same_vote_again_writes_nothing(self, vote, reviewer, record):
        vote(reviewer, record, "include")
        vote(reviewer, record, "include")
        assert VoteEvent.objects.filter(record=record).count() == 1

    def test_withdrawing_removes_the_current_vote_and_is_recorded(self, vote, review, reviewer, record):
        vote(reviewer, record, "include")
        result = vote_withdraw(review=review, record=record, stage=TA, reviewer=reviewer)
        assert result.vote_count == 0
        assert not Vote.objects.filter(record=record).exists()
        assert list(VoteEvent.objects.filter(record=record).values_list("action", flat=True)) == ["cast", "withdraw"]

    def test_a_final_outcome_refuses_changes_and_withdrawals(self, vote, review, reviewer, reviewer2, record):
        vote(reviewer, record, "exclude")
        vote(reviewer2, record, "exclude")
        with pytest.raises(ServiceError) as error:
            vote(reviewer, record, "include")
        assert error.value.code == "conflict"
        with pytest.raises(ServiceError):
            vote_withdraw(review=review, record=record, stage=TA, reviewer=reviewer)
        assert Vote.objects.get(record=record, reviewer=reviewer).choice == "exclude"

    def test_a_reviewer_settles_a_conflict_by_changing_their_vote_and_it_is_audited(
        self, vote, review, reviewer, reviewer2, record
    ):
        vote(reviewer, record, "include")
        vote(reviewer2, record, "exclude")
        vote(reviewer2, record, "include")
        assert outcome(record).status == Status.INCLUDED
        assert AuditEvent.objects.filter(review=review, action="screening.conflict_settled_by_votes").count() == 1

    def test_withdrawing_during_a_conflict_reopens_the_record(self, vote, review, reviewer, reviewer2, record):
        vote(reviewer, record, "include")
        vote(reviewer2, record, "exclude")
        vote_withdraw(review=review, record=record, stage=TA, reviewer=reviewer2)
        assert outcome(record).status == Status.AWAITING

    def test_independent_choice_is_frozen_when_the_votes_are_complete(self, vote, reviewer, reviewer2, record):
        vote(reviewer, record, "maybe")
        vote(reviewer, record, "include")  # a change before the votes are complete is still independent
        vote(reviewer2, record, "exclude")
        vote(reviewer2, record, "include")  # changed after the conflict: not independent
        independent = dict(Vote.objects.filter(record=record).values_list("reviewer__username", "independent_choice"))
        assert independent == {"reviewer": "include", "reviewer2": "exclude"}

    def test_undo_withdraws_my_last_vote(self, vote, review, reviewer, records):
        vote(reviewer, records[0], "include")
        vote(reviewer, records[1], "exclude")
        assert vote_undo_last(review=review, stage=TA, reviewer=reviewer) == records[1]
        assert list(Vote.objects.filter(reviewer=reviewer).values_list("record", flat=True)) == [records[0].pk]

    def test_undo_without_a_vote_is_refused(self, review, reviewer, records):
        with pytest.raises(ServiceError):
            vote_undo_last(review=review, stage=TA, reviewer=reviewer)


@pytest.mark.django_db
class TestLimits:
    def test_a_record_never_gets_more_votes_than_required(self, vote, reviewer, reviewer2, reviewer3, record):
        vote(reviewer, record, "include")
        vote(reviewer2, record, "exclude")
        with pytest.raises(ServiceError) as error:
            vote(reviewer3, record, "include")
        assert error.value.code == "conflict"
        assert Vote.objects.filter(record=record).count() == 2

    def test_unknown_choice_is_refused(self, vote, reviewer, record):
        with pytest.raises(ServiceError) as error:
            vote(reviewer, record, "perhaps")
        assert error.value.field == "choice"
        assert not Vote.objects.exists()

    def test_merged_records_cannot_be_voted_on(self, vote, reviewer, records):
        records[1].merged_into = records[0]
        records[1].save()
        with pytest.raises(ServiceError):
            vote(reviewer, records[1], "include")

    def test_full_text_votes_need_the_record_to_be_at_full_text(self, vote, reviewer, record):
        with pytest.raises(ServiceError):
            vote(reviewer, record, "include", stage=FT)


@pytest.mark.django_db
class TestFullText:
    def test_maybe_is_refused_at_full_text(self, vote, at_full_text, reviewer, record):
        at_full_text(record)
        with pytest.raises(ServiceError):
            vote(reviewer, record, "maybe", stage=FT)

    def test_exclusion_needs_a_reason(self, vote, at_full_text, reviewer, record, reasons):
        at_full_text(record)
        with pytest.raises(ServiceError) as error:
            vote(reviewer, record, "exclude", stage=FT)
        assert error.value.field == "reason"
        assert not Vote.objects.filter(stage=FT).exists()

    def test_another_reviews_reason_is_refused(self, vote, at_full_text, reviewer, record, outsider):
        from review.models import Review
        from tests.screening.factories import ExclusionReasonFactory

        foreign = ExclusionReasonFactory(review=Review.objects.get(slug="other-review"))
        at_full_text(record)
        with pytest.raises(ServiceError):
            vote(reviewer, record, "exclude", stage=FT, reason=foreign)

    def test_exclusions_with_different_reasons_are_a_conflict_by_default(
        self, vote, at_full_text, reviewer, reviewer2, record, reasons
    ):
        at_full_text(record)
        vote(reviewer, record, "exclude", stage=FT, reason=reasons[0])
        vote(reviewer2, record, "exclude", stage=FT, other="Conference abstract only")
        result = outcome(record, FT)
        assert (result.status, result.reasons) == (Status.CONFLICT, [])

    def test_different_reasons_take_the_first_in_the_ranked_list_when_switched_off(
        self, vote, review, lead, at_full_text, reviewer, reviewer2, record, reasons
    ):
        screening_settings_update(review=review, by=lead, reason_mismatch_is_conflict=False)
        at_full_text(record)
        vote(reviewer, record, "exclude", stage=FT, reason=reasons[1])
        vote(reviewer2, record, "exclude", stage=FT, reason=reasons[0])
        result = outcome(record, FT)
        assert (result.status, result.reasons) == (Status.EXCLUDED, [reasons[0].label])

    def test_a_free_text_reason_ranks_after_every_listed_one(
        self, vote, review, lead, at_full_text, reviewer, reviewer2, record, reasons
    ):
        screening_settings_update(review=review, by=lead, reason_mismatch_is_conflict=False)
        at_full_text(record)
        vote(reviewer, record, "exclude", stage=FT, other="Conference abstract only")
        vote(reviewer2, record, "exclude", stage=FT, reason=reasons[-1])
        assert outcome(record, FT).reasons == [reasons[-1].label]

    def test_a_reason_with_an_include_is_refused_not_dropped(self, vote, at_full_text, reviewer, record, reasons):
        at_full_text(record)
        with pytest.raises(ServiceError) as error:
            vote(reviewer, record, "include", stage=FT, reason=reasons[0])
        assert error.value.field == "reason"
        assert not Vote.objects.filter(stage=FT).exists()

    def test_title_abstract_reason_refused_where_the_review_does_not_use_them(self, vote, reviewer, record, reasons):
        with pytest.raises(ServiceError) as error:
            vote(reviewer, record, "exclude", reason=reasons[0])
        assert error.value.field == "reason"
        assert not Vote.objects.filter(record=record).exists()

    def test_title_abstract_reasons_kept_when_the_review_uses_them(
        self, vote, review, lead, reviewer, reviewer2, record, reasons
    ):
        screening_settings_update(review=review, by=lead, title_abstract_reasons=True)
        vote(reviewer, record, "exclude", reason=reasons[1])
        vote(reviewer2, record, "exclude")  # a reason stays optional at title/abstract
        assert Vote.objects.get(reviewer=reviewer, record=record).reason == reasons[1]
        result = outcome(record, Stage.TITLE_ABSTRACT)
        assert (result.status, result.reasons) == (Status.EXCLUDED, [reasons[1].label])


@pytest.mark.django_db
class TestChangingTheVotesRequired:
    def test_lowering_it_decides_the_records_that_now_have_enough_votes(
        self, vote, lead, reviewer, reviewer2, review, records
    ):
        from review.services import review_update

        review_update(review=review, by=lead, votes_required_title_abstract=3)
        vote(reviewer, records[0], "include")
        vote(reviewer2, records[0], "include")  # two of three: waiting for a third
        vote(reviewer, records[1], "include")
        vote(reviewer2, records[1], "exclude")
        vote(reviewer, records[2], "exclude")  # one vote only
        assert outcome(records[0]).status == outcome(records[1]).status == Status.AWAITING

        review_update(review=review, by=lead, votes_required_title_abstract=2)

        assert (outcome(records[0]).status, outcome(records[0]).decided_by) == (Status.INCLUDED, "votes")
        assert outcome(records[0], FT).status == Status.AWAITING  # moved on to full text
        assert outcome(records[1]).status == Status.CONFLICT
        assert outcome(records[2]).status == Status.AWAITING
        assert set(Vote.objects.filter(record=records[0], stage=TA).values_list("independent_choice", flat=True)) == {
            "include"
        }

    def test_raising_it_leaves_decided_records_decided(self, vote, lead, reviewer, reviewer2, review, records):
        from review.services import review_update

        vote(reviewer, records[0], "exclude")
        vote(reviewer2, records[0], "exclude")
        vote(reviewer, records[1], "include")
        review_update(review=review, by=lead, votes_required_title_abstract=3)
        assert outcome(records[0]).status == Status.EXCLUDED
        assert outcome(records[1]).status == Status.AWAITING

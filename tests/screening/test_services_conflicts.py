"""Conflict discussion and the lead's resolution; pilot rounds; blinding in the selectors; stage counts."""

from __future__ import annotations

import pytest

from review.access import ReviewAccess
from review.errors import ServiceError
from review.models import AuditEvent, Role
from screening.models import ConflictComment, Resolution, Stage, StageOutcome, Status
from screening.selectors import records_included_at_full_text, stage_counts, votes_visible_to
from screening.selectors.progress import agreement_for, pilot_summary, reviewer_progress
from screening.services.config import pilot_close, pilot_start
from screening.services.conflicts import conflict_comment_add, conflict_resolve
from screening.services.queue import queue_next_for
from tests.factories import set_screening_rules

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT


@pytest.fixture
def conflict(vote, reviewer, reviewer2, record):
    vote(reviewer, record, "include", note="ECG, fits")
    vote(reviewer2, record, "exclude", note="imaging")
    return record


def access(review, role):
    return ReviewAccess(review=review, role=role)


@pytest.mark.django_db
class TestResolution:
    def test_lead_includes_a_conflict_with_a_rationale_and_it_goes_to_full_text(self, review, lead, conflict):
        outcome = conflict_resolve(
            review=review, record=conflict, stage=TA, by=lead, decision="include", rationale="ECG is in scope"
        )
        assert (outcome.status, outcome.decided_by) == (Status.INCLUDED, "lead")
        assert Resolution.objects.get(record=conflict).rationale == "ECG is in scope"
        assert StageOutcome.objects.filter(record=conflict, stage=FT).exists()
        assert AuditEvent.objects.filter(review=review, action="screening.conflict_resolved").count() == 1

    def test_the_leads_decision_is_final(self, review, lead, vote, reviewer2, conflict):
        conflict_resolve(review=review, record=conflict, stage=TA, by=lead, decision="exclude", rationale="imaging")
        with pytest.raises(ServiceError):
            vote(reviewer2, conflict, "include")
        with pytest.raises(ServiceError):
            conflict_resolve(review=review, record=conflict, stage=TA, by=lead, decision="include", rationale="x")
        assert Resolution.objects.count() == 1

    def test_a_reviewer_cannot_resolve(self, review, reviewer, conflict):
        with pytest.raises(ServiceError) as error:
            conflict_resolve(review=review, record=conflict, stage=TA, by=reviewer, decision="include", rationale="x")
        assert error.value.code == "forbidden"
        assert StageOutcome.objects.get(record=conflict, stage=TA).status == Status.CONFLICT

    def test_resolution_needs_a_rationale(self, review, lead, conflict):
        with pytest.raises(ServiceError) as error:
            conflict_resolve(review=review, record=conflict, stage=TA, by=lead, decision="include", rationale=" ")
        assert error.value.field == "rationale"

    def test_a_record_not_in_conflict_cannot_be_resolved(self, review, lead, vote, reviewer, record):
        vote(reviewer, record, "include")
        with pytest.raises(ServiceError):
            conflict_resolve(review=review, record=record, stage=TA, by=lead, decision="include", rationale="x")

    def test_full_text_exclusion_by_the_lead_needs_a_reason(
        self, review, lead, vote, at_full_text, reviewer, reviewer2, record, reasons
    ):
        at_full_text(record)
        vote(reviewer, record, "include", stage=FT)
        vote(reviewer2, record, "exclude", stage=FT, reason=reasons[1])
        with pytest.raises(ServiceError):
            conflict_resolve(review=review, record=record, stage=FT, by=lead, decision="exclude", rationale="x")
        outcome = conflict_resolve(
            review=review, record=record, stage=FT, by=lead, decision="exclude", rationale="x", reason_id=reasons[1].pk
        )
        assert outcome.reasons == ["Did not use transfer learning"]


@pytest.mark.django_db
class TestDiscussion:
    def test_reviewers_in_the_conflict_and_the_lead_can_comment(self, review, lead, reviewer, conflict):
        conflict_comment_add(review=review, record=conflict, stage=TA, by=reviewer, text="It is ECG, not imaging")
        conflict_comment_add(review=review, record=conflict, stage=TA, by=lead, text="Agreed")
        assert list(ConflictComment.objects.values_list("author__username", flat=True)) == ["reviewer", "lead"]

    def test_a_reviewer_outside_the_conflict_cannot_comment(self, review, reviewer3, conflict):
        with pytest.raises(ServiceError):
            conflict_comment_add(review=review, record=conflict, stage=TA, by=reviewer3, text="hm")
        assert not ConflictComment.objects.exists()


@pytest.mark.django_db
class TestBlinding:
    def test_before_the_outcome_a_reviewer_sees_only_their_own_vote(self, review, vote, reviewer, reviewer2, record):
        set_screening_rules(review, votes_required_title_abstract=3)
        vote(reviewer, record, "include")
        outcome = vote(reviewer2, record, "exclude")
        seen = votes_visible_to(
            access=access(review, Role.REVIEWER), user=reviewer, record=record, stage=TA, outcome=outcome
        )
        assert [v.reviewer for v in seen] == [reviewer]

    def test_another_reviewer_sees_no_vote_on_an_awaiting_record(self, review, vote, reviewer, reviewer2, record):
        outcome = vote(reviewer, record, "include")
        seen = votes_visible_to(
            access=access(review, Role.REVIEWER), user=reviewer2, record=record, stage=TA, outcome=outcome
        )
        assert seen == []

    def test_the_lead_is_blinded_on_awaiting_records_too(self, review, vote, lead, reviewer, record):
        outcome = vote(reviewer, record, "include")
        assert (
            votes_visible_to(access=access(review, Role.LEAD), user=lead, record=record, stage=TA, outcome=outcome)
            == []
        )

    def test_a_conflict_is_unblinded_for_its_reviewers_and_the_lead_only(
        self, review, lead, reviewer, reviewer3, conflict
    ):
        outcome = StageOutcome.objects.get(record=conflict, stage=TA)
        for user, role in ((lead, Role.LEAD), (reviewer, Role.REVIEWER)):
            assert (
                len(
                    votes_visible_to(access=access(review, role), user=user, record=conflict, stage=TA, outcome=outcome)
                )
                == 2
            )
        assert (
            votes_visible_to(
                access=access(review, Role.REVIEWER), user=reviewer3, record=conflict, stage=TA, outcome=outcome
            )
            == []
        )

    def test_an_unblinded_review_shows_every_vote(self, review, vote, reviewer, reviewer2, record):
        outcome = vote(reviewer, record, "include")
        set_screening_rules(review, blinded=False)
        seen = votes_visible_to(
            access=access(review, Role.REVIEWER), user=reviewer2, record=record, stage=TA, outcome=outcome
        )
        assert len(seen) == 1

    def test_reviewers_see_agreement_only_over_decided_records(
        self, review, vote, reviewer, reviewer2, conflict, records
    ):
        vote(reviewer, records[1], "include")
        vote(reviewer2, records[1], "include")
        lead_view = agreement_for(access=access(review, Role.LEAD), stage=TA)
        reviewer_view = agreement_for(access=access(review, Role.REVIEWER), stage=TA)
        assert lead_view.pairs[0].agreement.n == 2 and lead_view.pairs[0].agreement.percent == 50.0
        assert reviewer_view.pairs[0].agreement.n == 1

    def test_reviewers_see_only_their_own_progress_row(self, review, reviewer, reviewer2, lead, conflict):
        mine = reviewer_progress(access=access(review, Role.REVIEWER), user=reviewer, stage=TA)
        assert [(r.username, r.done, r.conflicts) for r in mine] == [("reviewer", 1, 1)]
        everyone = reviewer_progress(access=access(review, Role.LEAD), user=lead, stage=TA)
        assert {r.username for r in everyone} == {"lead", "reviewer", "reviewer2"}


@pytest.mark.django_db
class TestPilot:
    def test_pilot_records_are_served_first_and_need_every_reviewer(
        self, review, lead, vote, reviewer, reviewer2, reviewer3
    ):
        from tests.screening.factories import RecordFactory

        for _ in range(10):
            RecordFactory(review=review)
        pilot = pilot_start(review=review, by=lead, size=3)
        sample = set(StageOutcome.objects.filter(pilot=pilot).values_list("record_id", flat=True))
        assert len(sample) == 3 and pilot.votes_required == 3
        for user in (reviewer, reviewer2, reviewer3):
            served = []
            while (record := queue_next_for(review=review, stage=TA, reviewer=user)) is not None:
                served.append(record.pk)
                vote(user, record, "include" if user != reviewer3 or len(served) > 1 else "exclude")
            assert set(served) == sample  # nothing but the pilot while it is open
        summary = pilot_summary(access=access(review, Role.LEAD), pilot=pilot)
        assert summary.complete == 3 and len(summary.disagreements) == 1
        assert summary.agreement.fleiss is not None and summary.agreement.fleiss.n == 3
        pilot_close(review=review, by=lead, pilot=pilot)
        assert queue_next_for(review=review, stage=TA, reviewer=reviewer).pk not in sample

    def test_only_one_open_pilot_per_stage(self, review, lead, reviewer, reviewer2, records):
        pilot_start(review=review, by=lead, size=2)
        with pytest.raises(ServiceError):
            pilot_start(review=review, by=lead, size=2)


@pytest.mark.django_db
class TestStageCounts:
    def test_counts_per_stage_and_reasons_for_prisma(
        self, review, lead, vote, reviewer, reviewer2, records, reasons, at_full_text
    ):
        from screening.services.fulltexts import fulltext_mark_not_retrieved
        from screening.services.queue import outcomes_sync

        outcomes_sync(review=review)
        vote(reviewer, records[0], "exclude")
        vote(reviewer2, records[0], "exclude")
        vote(reviewer, records[1], "include")
        vote(reviewer2, records[1], "exclude")
        for record in records[2:]:
            at_full_text(record)
        from screening.services.config import screening_settings_update

        screening_settings_update(review=review, by=lead, reason_mismatch_is_conflict=False)
        vote(reviewer, records[2], "exclude", stage=FT, reason=reasons[1])
        vote(reviewer2, records[2], "exclude", stage=FT, reason=reasons[0])
        vote(reviewer, records[3], "include", stage=FT)
        vote(reviewer2, records[3], "include", stage=FT)
        fulltext_mark_not_retrieved(review=review, record=records[4], by=lead, note="ILL failed")
        counts = stage_counts(review=review)
        assert counts[TA] == {"total": 5, "screened": 4, "included": 3, "excluded": 1, "conflicts": 1, "awaiting": 0}
        assert counts[FT]["total"] == 3 and counts[FT]["included"] == 1 and counts[FT]["excluded"] == 1
        assert counts[FT]["not_retrieved"] == 1
        assert counts[FT]["excluded_by_reason"] == {"Non-clinical research": 1}  # first in the ranked list
        assert list(records_included_at_full_text(review=review)) == [records[3]]

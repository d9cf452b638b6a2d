"""Screening fixtures on top of the shared personas: records, reasons, a third reviewer, helpers to vote."""

from __future__ import annotations

import pytest

from review.models import Role
from screening.models import Stage
from screening.services.votes import VoteInput, vote_cast
from tests.factories import MembershipFactory, UserFactory
from tests.screening.factories import ExclusionReasonFactory, RecordFactory


@pytest.fixture
def records(review):
    return [RecordFactory(review=review) for _ in range(5)]


@pytest.fixture
def record(records):
    return records[0]


@pytest.fixture
def reasons(review):
    return [
        ExclusionReasonFactory(review=review, label="Non-clinical research", position=1),
        ExclusionReasonFactory(review=review, label="Did not use transfer learning", position=2),
    ]


@pytest.fixture
def reviewer3(review):
    user = UserFactory(username="reviewer3")
    MembershipFactory(review=review, user=user, role=Role.REVIEWER)
    return user


@pytest.fixture
def vote():
    """vote(user, record, choice, stage=..., reason=None, other="") casts through the service."""

    def cast(user, record, choice, stage=Stage.TITLE_ABSTRACT, reason=None, other="", note=""):
        return vote_cast(
            review=record.review,
            record=record,
            stage=stage,
            reviewer=user,
            data=VoteInput(choice=choice, reason_id=reason.pk if reason else None, reason_other=other, note=note),
        )

    return cast


@pytest.fixture
def at_full_text(vote, reviewer, reviewer2):
    """include(record) brings a record to the full-text stage through two include votes."""

    def include(record):
        vote(reviewer, record, "include")
        vote(reviewer2, record, "include")
        return record

    return include


@pytest.fixture
def conflict(vote, reviewer, reviewer2, record):
    """A title/abstract conflict: one include, one exclude with a note."""
    vote(reviewer, record, "include")
    vote(reviewer2, record, "exclude", note="imaging only")
    return record

"""The outcome rules as pure functions: every combination of votes, both switches."""

from __future__ import annotations

import pytest

from screening.models import Stage, Status
from screening.rules import CastVote, allowed_choices, outcome_for

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT


def votes(*choices):
    return [CastVote(c) for c in choices]


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        (("include", "include"), Status.INCLUDED),
        (("exclude", "exclude"), Status.EXCLUDED),
        (("include", "maybe"), Status.INCLUDED),
        (("maybe", "maybe"), Status.INCLUDED),
        (("include", "exclude"), Status.CONFLICT),
        (("maybe", "exclude"), Status.CONFLICT),
        (("include", "include", "exclude"), Status.CONFLICT),
        (("maybe", "include", "include"), Status.INCLUDED),
    ],
)
def test_title_abstract_outcome_of_complete_votes(choices, expected):
    assert outcome_for(stage=TA, votes=votes(*choices), required=len(choices)).status == expected


def test_outcome_awaits_until_required_votes_are_in():
    assert outcome_for(stage=TA, votes=votes("include"), required=2).status == Status.AWAITING
    assert outcome_for(stage=TA, votes=votes("exclude", "exclude"), required=3).status == Status.AWAITING


def test_single_vote_suffices_when_one_is_required():
    assert outcome_for(stage=TA, votes=votes("exclude"), required=1).status == Status.EXCLUDED


@pytest.mark.parametrize("choices", [("include", "maybe"), ("maybe", "maybe")])
def test_maybe_is_a_conflict_when_the_review_switches_uncertainty_off(choices):
    result = outcome_for(stage=TA, votes=votes(*choices), required=2, maybe_goes_to_full_text=False)
    assert result.status == Status.CONFLICT


def test_full_text_exclusions_with_different_reasons_are_a_conflict_by_default():
    result = outcome_for(stage=FT, votes=[CastVote("exclude", "B reason"), CastVote("exclude", "A reason")], required=2)
    assert result.status == Status.CONFLICT


def test_full_text_different_reasons_take_the_first_in_the_ranked_list_when_switched_off():
    votes_ = [CastVote("exclude", "A reason"), CastVote("exclude", "B reason"), CastVote("exclude", "Other: x")]
    result = outcome_for(
        stage=FT,
        votes=votes_,
        required=3,
        reason_mismatch_is_conflict=False,
        reason_rank={"B reason": 0, "A reason": 1},
    )
    assert (result.status, result.reasons) == (Status.EXCLUDED, ["B reason"])


def test_full_text_exclusions_with_different_reasons_conflict_when_switched_on():
    result = outcome_for(
        stage=FT,
        votes=[CastVote("exclude", "A"), CastVote("exclude", "B")],
        required=2,
        reason_mismatch_is_conflict=True,
    )
    assert result.status == Status.CONFLICT


def test_full_text_exclusions_with_the_same_reason_are_excluded_even_when_switch_is_on():
    same = [CastVote("exclude", "A"), CastVote("exclude", "A")]
    result = outcome_for(stage=FT, votes=same, required=2, reason_mismatch_is_conflict=True)
    assert (result.status, result.reasons) == (Status.EXCLUDED, ["A"])


def test_full_text_include_against_exclude_is_a_conflict():
    result = outcome_for(stage=FT, votes=[CastVote("include"), CastVote("exclude", "A")], required=2)
    assert result.status == Status.CONFLICT


def test_title_abstract_exclusion_keeps_no_reasons():
    assert outcome_for(stage=TA, votes=votes("exclude", "exclude"), required=2).reasons == []


def test_maybe_is_not_a_full_text_choice():
    assert "maybe" in allowed_choices(TA)
    assert "maybe" not in allowed_choices(FT)

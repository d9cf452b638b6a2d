"""The stopping rule's statistics (pure): the hypergeometric recall bound, the test, and its guarantee checked
on simulated samples where the truth is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import hypergeom

from screening.ranking.simulate import stopping_run
from screening.ranking.stopping import (
    knee_ratio,
    look_alpha,
    recall_estimate,
    sequential_met,
    sequential_p_values,
    smallest_relevant_below_target,
    switch_due,
    switch_run_length,
    target_met,
)


def test_smallest_relevant_below_target_uses_exact_arithmetic() -> None:
    # 19 found of 19 + K: recall 19/20 = 0.95 is not below 0.95, 19/21 is; 19 / 0.95 in floats is 20.000000000000004.
    assert smallest_relevant_below_target(found=19, relevant_outside=19, target_recall=0.95) == 2
    assert smallest_relevant_below_target(found=20, relevant_outside=20, target_recall=0.95) == 2
    assert smallest_relevant_below_target(found=100, relevant_outside=100, target_recall=0.95) == 6


def test_nothing_sampled_gives_no_bound_and_the_records_to_sample() -> None:
    estimate = recall_estimate(urn=1000, sampled=0, sampled_relevant=0, relevant_outside=20)
    assert not estimate.target_met
    assert estimate.relevant_missed_upper == 1000
    # 20 found: recall below 95% needs 2 relevant records in the urn; with none found in the sample the test runs
    # at half the error (2.5%), and missing both in n of 1000 draws has probability below that from n = 842 on.
    assert estimate.more_to_sample == 842
    assert hypergeom.cdf(0, 1000, 2, 842) < 0.025 <= hypergeom.cdf(0, 1000, 2, 841)


def test_the_target_is_met_after_the_records_it_announced() -> None:
    before = recall_estimate(urn=1000, sampled=841, sampled_relevant=0, relevant_outside=20)
    after = recall_estimate(urn=1000, sampled=842, sampled_relevant=0, relevant_outside=20)
    assert (before.target_met, before.more_to_sample) == (False, 1)
    assert after.target_met and after.more_to_sample == 0
    assert after.p_value == pytest.approx(hypergeom.cdf(0, 1000, 2, 842))
    assert after.recall_lower == pytest.approx(20 / 21)
    assert after.left_unscreened == 158
    assert target_met(urn=1000, sampled=842, sampled_relevant=0, relevant_outside=20)
    assert not target_met(urn=1000, sampled=841, sampled_relevant=0, relevant_outside=20)


def test_each_relevant_record_found_in_the_sample_halves_the_level() -> None:
    assert look_alpha(0.95, 0) == pytest.approx(0.025)
    assert look_alpha(0.95, 1) == pytest.approx(0.0125)
    assert sum(look_alpha(0.95, k) for k in range(60)) == pytest.approx(0.05)
    # With one relevant record found in the sample, a p-value between 1.25% and 2.5% does not meet the target.
    one = recall_estimate(urn=1000, sampled=720, sampled_relevant=1, relevant_outside=60)
    assert 0.0125 < one.p_value < 0.025 and not one.target_met


def test_a_relevant_record_in_the_sample_counts_as_found_and_widens_the_bound() -> None:
    estimate = recall_estimate(urn=500, sampled=300, sampled_relevant=2, relevant_outside=40)
    assert estimate.found == 42
    assert estimate.relevant_missed_upper >= 2
    assert estimate.recall_lower == pytest.approx(42 / (40 + 2 + estimate.relevant_missed_upper))


def test_a_fully_screened_urn_meets_any_target() -> None:
    estimate = recall_estimate(
        urn=50, sampled=50, sampled_relevant=1, relevant_outside=3, target_recall=0.999, confidence=0.999
    )
    assert estimate.target_met and estimate.recall_lower == 1.0 and estimate.relevant_missed_upper == 0


def test_sequential_p_values_match_the_single_test() -> None:
    relevant = np.array([0, 0, 1, 1, 1, 1, 2, 2])
    p = sequential_p_values(urn=40, sampled_relevant=relevant, relevant_outside=30, target_recall=0.9)
    met = sequential_met(urn=40, sampled_relevant=relevant, relevant_outside=30, target_recall=0.9, confidence=0.9)
    for i, k in enumerate(relevant):
        single = recall_estimate(
            urn=40, sampled=i + 1, sampled_relevant=int(k), relevant_outside=30, target_recall=0.9, confidence=0.9
        )
        assert p[i] == pytest.approx(single.p_value)
        assert met[i] == single.target_met


@pytest.mark.parametrize(
    ("urn", "sampled", "relevant", "target", "confidence"),
    [
        (10, 11, 0, 0.95, 0.95),
        (10, 5, 6, 0.95, 0.95),
        (10, 5, 0, 1.0, 0.95),
        (10, 5, 0, 0.95, 0.0),
        (-1, 0, 0, 0.9, 0.9),
    ],
)
def test_impossible_counts_and_shares_are_refused(urn, sampled, relevant, target, confidence) -> None:
    with pytest.raises(ValueError):
        recall_estimate(
            urn=urn,
            sampled=sampled,
            sampled_relevant=relevant,
            relevant_outside=5,
            target_recall=target,
            confidence=confidence,
        )


def test_switch_follows_the_run_of_irrelevant_records() -> None:
    assert switch_run_length(300) == 50  # the floor for small sets
    assert switch_run_length(5000) == 500  # 10% of the set
    assert not switch_due(n_records=5000, irrelevant_run=499)
    assert switch_due(n_records=5000, irrelevant_run=500)


def test_knee_ratio_compares_the_slopes_before_and_after_the_knee() -> None:
    # 10 relevant in the first 19 records, then none: the knee is the 19th record, the slope before it 10 / 19,
    # after it (0 + 1) / (n - 19).
    early = [1, 0] * 10
    assert knee_ratio(early + [0] * 130) == pytest.approx((10 / 19) / (1 / 131))
    # A longer flat tail makes the drop steeper.
    assert knee_ratio(early + [0] * 50) < knee_ratio(early + [0] * 130)
    assert knee_ratio([0] * 400) == 0.0  # nothing found: nothing to contrast


@pytest.mark.parametrize(
    ("urn_size", "in_urn", "found_before", "target", "confidence"),
    [
        # Recall just below the target when the sample begins: the rule must rarely stop before finding enough.
        (300, 1, 18, 0.95, 0.95),
        (300, 3, 40, 0.95, 0.95),
        (1000, 2, 19, 0.95, 0.95),
        (1000, 6, 90, 0.95, 0.95),
        (2000, 12, 60, 0.85, 0.9),
        (600, 5, 70, 0.95, 0.99),
    ],
)
def test_simulated_samples_reach_the_target_in_the_stated_share(
    urn_size, in_urn, found_before, target, confidence
) -> None:
    """The guarantee checked empirically: many random orders of an urn whose truth is known, the test after every
    sampled record, and the share of stops that reached the target recall. The urn's relevant records put recall
    below the target when sampling begins, the hardest case for the rule."""
    runs = 400
    n_included = found_before + in_urn
    assert found_before / n_included < target
    truth = np.zeros(found_before + urn_size, dtype=int)
    truth[:n_included] = 1
    urn = np.arange(found_before, len(truth))
    rng = np.random.default_rng(12345)
    reached = 0
    for _ in range(runs):
        stop = stopping_run(
            truth,
            screened_before=found_before,
            found_before=found_before,
            urn=urn,
            rng=rng,
            target_recall=target,
            confidence=confidence,
        )
        reached += stop.recall >= target
    # Three standard errors of a binomial share at the stated confidence: a rule that stops too early fails.
    slack = 3 * np.sqrt(confidence * (1 - confidence) / runs)
    assert reached / runs >= confidence - slack

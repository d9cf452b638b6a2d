"""When may screening stop: a recall bound with a stated confidence, from a random sample of what is left.

Method (Callaghan & Müller-Bloch 2020, "Statistical stopping criteria for automated screening in systematic
reviews", Systematic Reviews 9:273, doi:10.1186/s13643-020-01521-4): after screening in the ranker's order, the
team switches to screening the records still unscreened in a random order. Those records are the *urn*; the ones
screened from it so far are a simple random sample of it (a prefix of a random permutation). With
``relevant_outside`` relevant records found outside the urn and ``k`` in a sample of ``n`` out of ``N`` urn
records, the number K of relevant records in the urn has the exact one-sided upper confidence bound

    K_up = max{K : P(X <= k) > 1 - confidence},  X ~ Hypergeometric(N urn records, K relevant, n drawn),

so recall, (relevant_outside + k) / (relevant_outside + K), is at least (relevant_outside + k) /
(relevant_outside + K_up) with that confidence. Equivalently (the paper's form) the null hypothesis "recall is
below the target" is rejected when P(X <= k) < 1 - confidence for the smallest K under which recall would be
below the target; screening may then stop, leaving the rest of the urn unscreened.

The test is run after every sampled record, as in the paper. So that these repeated looks do not erode the
guarantee, the error allowed is spent over the number k of relevant records found in the sample: the test with k
found is run at level (1 - confidence) / 2^(k + 1) (:func:`look_alpha`). A stop that misses the target can only
happen at the first sample size where the test with some k < k* rejects, and that has probability below that k's
level; the levels add up to at most 1 - confidence, whatever the order in which the records come. The recall bound
shown is computed at the same level, so "target met" and "at least the target recall found" always agree. The
share of simulated runs that reach the target is also measured (bench/prioritisation.py, the tests).

When to switch from the ranked order to the random sample does not affect the guarantee, only the work saved:
:func:`switch_due` is the rule the app suggests and the simulation follows (chosen by leave-one-set-out, see its
comment).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.stats import hypergeom

DEFAULT_TARGET_RECALL = 0.95
DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class RecallEstimate:
    """What the random sample says about recall (all counts are records)."""

    urn: int  # records that were unscreened when the random sample began
    sampled: int  # of those, screened so far in the sample's order
    sampled_relevant: int
    relevant_outside: int  # relevant records found before the sample (outside the urn)
    target_recall: float
    confidence: float
    relevant_missed_upper: int  # with `confidence`, at most this many relevant records are in the unsampled rest
    recall_lower: float  # with `confidence`, recall is at least this
    p_value: float  # of "recall is below the target"; the target is met when it is below look_alpha(...)
    target_met: bool
    more_to_sample: int  # records still to sample, none of them relevant, before the target is met (0 when met)

    @property
    def found(self) -> int:
        return self.relevant_outside + self.sampled_relevant

    @property
    def left_unscreened(self) -> int:
        return self.urn - self.sampled


def _check(urn: int, sampled: int, sampled_relevant: int, relevant_outside: int, target: float, conf: float) -> None:
    if urn < 0 or sampled < 0 or sampled_relevant < 0 or relevant_outside < 0:
        raise ValueError("record counts cannot be negative")
    if sampled > urn:
        raise ValueError(f"{sampled} records sampled from an urn of {urn}")
    if sampled_relevant > sampled:
        raise ValueError(f"{sampled_relevant} relevant records in a sample of {sampled}")
    if not 0 < target < 1:
        raise ValueError(f"target recall must be between 0 and 1 (exclusive), got {target}")
    if not 0 < conf < 1:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {conf}")


def smallest_relevant_below_target(*, found: int, relevant_outside: int, target_recall: float) -> int:
    """The smallest number of relevant records in the urn under which recall would be below the target.

    recall = found / (relevant_outside + K) < target  <=>  K > found / target - relevant_outside. Exact
    arithmetic: 19 / 0.95 in floating point is a hair above 20, which would shift the bound by one record.
    """
    bound = Fraction(found) / Fraction(str(target_recall)) - relevant_outside
    return math.floor(bound) + 1


def recall_estimate(
    *,
    urn: int,
    sampled: int,
    sampled_relevant: int,
    relevant_outside: int,
    target_recall: float = DEFAULT_TARGET_RECALL,
    confidence: float = DEFAULT_CONFIDENCE,
) -> RecallEstimate:
    """The recall bound and stopping test for a random sample of ``sampled`` records out of ``urn``."""
    _check(urn, sampled, sampled_relevant, relevant_outside, target_recall, confidence)
    k = sampled_relevant
    alpha = look_alpha(confidence, k)
    # K relevant in the urn can be k (none missed) up to k + every unsampled record.
    possible = np.arange(k, k + urn - sampled + 1)
    tail = hypergeom.cdf(k, urn, possible, sampled) if urn else np.ones(1)
    plausible = possible[tail > alpha]
    k_up = int(plausible.max()) if len(plausible) else k
    found = relevant_outside + k
    total_upper = relevant_outside + k_up
    recall_lower = found / total_upper if total_upper else 1.0
    k_target = smallest_relevant_below_target(
        found=found, relevant_outside=relevant_outside, target_recall=target_recall
    )
    if k_target > k + urn - sampled:
        p_value = 0.0  # not enough unsampled records left for recall to be below the target
    else:
        p_value = float(hypergeom.cdf(k, urn, max(k_target, k), sampled)) if urn else 1.0
    met = p_value < alpha
    return RecallEstimate(
        urn=urn,
        sampled=sampled,
        sampled_relevant=k,
        relevant_outside=relevant_outside,
        target_recall=target_recall,
        confidence=confidence,
        relevant_missed_upper=k_up - k,
        recall_lower=recall_lower,
        p_value=p_value,
        target_met=met,
        more_to_sample=0 if met else _more_to_sample(urn, sampled, k, k_target, alpha),
    )


def look_alpha(confidence: float, sampled_relevant: int) -> float:
    """The test's level once ``sampled_relevant`` relevant records were found in the sample (see the docstring):
    half the error for the looks with none found, a quarter with one, and so on, adding up to 1 - confidence."""
    return (1 - confidence) / 2 ** (sampled_relevant + 1)


def target_met(
    *,
    urn: int,
    sampled: int,
    sampled_relevant: int,
    relevant_outside: int,
    target_recall: float = DEFAULT_TARGET_RECALL,
    confidence: float = DEFAULT_CONFIDENCE,
) -> bool:
    """The stopping test alone (what :func:`recall_estimate` calls ``target_met``), cheap enough to run after
    every sampled record of a simulation."""
    k = sampled_relevant
    found = relevant_outside + k
    k_target = smallest_relevant_below_target(
        found=found, relevant_outside=relevant_outside, target_recall=target_recall
    )
    if k_target > k + urn - sampled:
        return True
    if sampled == 0:
        return False
    return bool(hypergeom.cdf(k, urn, max(k_target, k), sampled) < look_alpha(confidence, k))


def sequential_p_values(
    *, urn: int, sampled_relevant: np.ndarray, relevant_outside: int, target_recall: float = DEFAULT_TARGET_RECALL
) -> np.ndarray:
    """The test's p-value after each sampled record, given the running count of relevant records in the sample
    (``sampled_relevant[i]`` after i + 1 records): one vectorised computation for a whole sample."""
    k = np.asarray(sampled_relevant, dtype=np.int64)
    sizes = np.arange(1, len(k) + 1)
    found = relevant_outside + k
    target = Fraction(str(target_recall))
    k_target = np.array([math.floor(Fraction(int(f)) / target - relevant_outside) + 1 for f in found], dtype=np.int64)
    feasible = k_target <= k + urn - sizes
    p = hypergeom.cdf(k, urn, np.maximum(k_target, k), sizes) if len(k) else np.zeros(0)
    return np.where(feasible, p, 0.0)


def sequential_met(
    *, urn: int, sampled_relevant: np.ndarray, relevant_outside: int, target_recall: float, confidence: float
) -> np.ndarray:
    """Whether the target is met after each sampled record (the test of :func:`sequential_p_values` at each
    look's level)."""
    k = np.asarray(sampled_relevant, dtype=np.int64)
    p = sequential_p_values(urn=urn, sampled_relevant=k, relevant_outside=relevant_outside, target_recall=target_recall)
    return np.asarray(p < (1 - confidence) / 2.0 ** (k + 1))


def _more_to_sample(urn: int, sampled: int, k: int, k_target: int, alpha: float) -> int:
    """Fewest further sampled records, all irrelevant, after which the test would reject (the rest of the urn at
    most: a fully screened urn misses nothing)."""
    sizes = np.arange(sampled + 1, urn + 1)
    if len(sizes) == 0:
        return 0
    feasible = k_target <= k + urn - sizes
    p = np.where(feasible, hypergeom.cdf(k, urn, max(k_target, k), sizes), 0.0)
    below = np.flatnonzero(p < alpha)
    return int(sizes[below[0]] - sampled) if len(below) else urn - sampled


# When to switch from the ranked order to the random sample: once this many ranked records in a row were
# irrelevant, 10% of the set, at least 50. The switch does not touch the guarantee (the sample alone decides,
# whatever came before it); it decides the work saved. The sample must cover a share of what is left that falls
# in steps as relevant records are found (at the defaults about 97.5% of the rest below 19 found, 84% below 38,
# 55% near 80), so a switch while the ranked order still finds relevant records costs most of the work.
# Chosen by leave-one-set-out on the work saved at the stop (bench/prioritisation.py, "switch rule"; seeds 0-2 on
# the seven developers' sets), among runs of 5% to 30% of the set (at least 50 or 100) and the knee method of
# Cormack & Grossman (2016, "Engineering quality and reliability in technology-assisted review", SIGIR '16,
# doi:10.1145/2911451.2911510; slope ratio 6, 10 or 15 after at least 150 records, and the paper's own
# 156 - min(found, 150)). A run of 10% (at least 50) was best over all seven and chosen for six of them when left
# out; left-out mean work saved 0.077, against 0.060 for the previous hand rule (5%, at least 50) and 0.057 for
# the knee method with ratio 6 (the paper's raised ratio never switched on five sets and saved nothing).
SWITCH_RUN_SHARE = 0.10
SWITCH_RUN_MIN = 50


def switch_run_length(n_records: int, run_share: float = SWITCH_RUN_SHARE, run_min: int = SWITCH_RUN_MIN) -> int:
    """Irrelevant ranked records in a row after which the random sample should begin."""
    return max(run_min, math.ceil(run_share * n_records))


def switch_due(*, n_records: int, irrelevant_run: int) -> bool:
    """Whether the ranked phase has gone long enough without a relevant record to start the random sample."""
    return irrelevant_run >= switch_run_length(n_records)


def knee_ratio(labels: Sequence[int] | np.ndarray) -> float:
    """The knee method's slope ratio (Cormack & Grossman 2016) for labels (1 relevant, 0 not) in screening order: on
    the gain curve the knee is the point farthest above the line from the origin to the last point, and the ratio
    is the slope before it over the slope after it (one relevant record added after it). 0.0 before any find.
    A candidate switch rule that lost to the run above (bench/prioritisation.py compares them)."""
    found = np.cumsum(np.asarray(labels, dtype=np.int64))
    screened = len(found)
    if screened == 0 or found[-1] == 0:
        return 0.0
    total = int(found[-1])
    x = np.arange(1, screened + 1)
    knee = int(np.argmax(screened * found - total * x))
    at_knee, knee_x = int(found[knee]), knee + 1
    if knee_x >= screened or at_knee == 0:
        return 0.0
    return (at_knee / knee_x) / ((total - at_knee + 1) / (screened - knee_x))

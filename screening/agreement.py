"""Inter-rater agreement as pure functions: percent agreement, Cohen's kappa, Fleiss' kappa."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agreement:
    n: int  # records the figure is computed on
    percent: float | None  # 0-100
    kappa: float | None


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> Agreement:
    """Cohen's kappa of two raters over the records both rated; `pairs` holds (rater A, rater B) per record.

    Kappa is undefined (None) with no records, and when chance agreement is 1 (both raters used one and the
    same category throughout): then agreement is perfect but carries no information beyond chance.
    """
    n = len(pairs)
    if n == 0:
        return Agreement(0, None, None)
    observed = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in set(first) | set(second)) / (n * n)
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(n, 100 * observed, kappa)


def fleiss_kappa(ratings: Iterable[Sequence[str]]) -> Agreement:
    """Fleiss' kappa over records that each carry the same number (two or more) of ratings.

    Records whose rating count differs from the most common count are left out, because the statistic assumes
    a fixed number of raters per record; `n` says how many records it was computed on. Percent agreement is the
    mean proportion of agreeing rater pairs per record.
    """
    rows = [list(r) for r in ratings if len(r) >= 2]
    if not rows:
        return Agreement(0, None, None)
    raters = Counter(len(r) for r in rows).most_common(1)[0][0]
    rows = [r for r in rows if len(r) == raters]
    n = len(rows)
    totals: Counter[str] = Counter()
    p_sum = 0.0
    for row in rows:
        counts = Counter(row)
        totals.update(counts)
        p_sum += (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1))
    p_bar = p_sum / n
    p_e = sum((count / (n * raters)) ** 2 for count in totals.values())
    kappa = None if p_e == 1 else (p_bar - p_e) / (1 - p_e)
    return Agreement(n, 100 * p_bar, kappa)

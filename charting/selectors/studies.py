"""Studies and their reports, as charting sees them: a study is its main report (a Record), and the records linked
to it through `report_of` are its additional reports (review.models.Record; PRISMA counts studies the same way).

Suggestions of reports to group: pairs that deduplication showed a person and that were judged *different*
records, yet look like versions of one study (conference abstract and article, preprint and paper): the same
first author and similar titles. The lead confirms each one, or dismisses it (page and API); nothing is linked
automatically.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from charting import selectors
from charting.models import ReportPairDismissal
from review.dedup.normalise import norm_authors, norm_title
from review.models import DuplicateDecision, Record, Review

# Hand rule, not fitted: the labelled corpora mark duplicates, not versions of one study, so there is nothing to
# fit a threshold on. A suggestion costs the lead one click to dismiss while a missed one leaves a study counted
# twice, so the rule is loose: the same first-author surname and at least half of the title words shared (Dice).
TITLE_OVERLAP = 0.5


@dataclass(frozen=True, slots=True)
class Suggestion:
    study: Record  # the record that stays the study (already charted, or the older one)
    report: Record  # the record to link to it as an additional report
    overlap: float


def title_overlap(a: str, b: str) -> float:
    words_a, words_b = set(norm_title(a).split()), set(norm_title(b).split())
    if not words_a or not words_b:
        return 0.0
    return 2 * len(words_a & words_b) / (len(words_a) + len(words_b))


def same_first_author(a: list[str], b: list[str]) -> bool:
    first_a, first_b = norm_authors(a[:1]), norm_authors(b[:1])
    return bool(first_a and first_b and first_a[0].surname and first_a[0].surname == first_b[0].surname)


def looks_like_versions(a: Record, b: Record) -> float | None:
    """The title overlap when two records look like reports of one study, else None. Pure over the two records."""
    if not same_first_author(list(a.authors or []), list(b.authors or [])):
        return None
    overlap = title_overlap(a.title, b.title)
    return overlap if overlap >= TITLE_OVERLAP else None


def study_of(record: Record) -> int:
    return record.report_of_id or record.pk


def study_suggestions(*, review: Review, limit: int = 200) -> list[Suggestion]:
    """Pairs judged different at deduplication that look like versions of one study, where at least one record is
    in a study being charted (included at full text) and the two are not yet in the same study."""
    included = set(selectors.chartable_records(review=review).values_list("pk", flat=True))
    decisions = DuplicateDecision.objects.filter(review=review, same=False).order_by("-decided_at", "-id")
    dismissed = set(ReportPairDismissal.objects.filter(review=review).values_list("record_a_id", "record_b_id"))
    pairs = [p for p in dict.fromkeys(decisions.values_list("record_a_id", "record_b_id")) if p not in dismissed]
    ids = {pk for pair in pairs for pk in pair}
    records = {
        r.pk: r
        for r in Record.objects.filter(review=review, pk__in=ids, merged_into__isnull=True).only(
            "id", "title", "authors", "year", "report_of_id", "review_id"
        )
    }
    charted = set(selectors.charted_records_ids(review=review))
    found: list[Suggestion] = []
    for a_id, b_id in pairs:
        a, b = records.get(a_id), records.get(b_id)
        if a is None or b is None or study_of(a) == study_of(b):
            continue
        if study_of(a) not in included and study_of(b) not in included:
            continue
        overlap = looks_like_versions(a, b)
        if overlap is None:
            continue
        study, report = _direction(a, b, charted, included)
        found.append(Suggestion(study=study, report=report, overlap=round(overlap, 2)))
        if len(found) >= limit:
            break
    return found


def _direction(a: Record, b: Record, charted: set[int], included: set[int]) -> tuple[Record, Record]:
    """Which record stays the study: one whose study is already charted, then one included, then the older."""

    def rank(r: Record) -> tuple[bool, bool, int, int]:
        return (study_of(r) not in charted, study_of(r) not in included, r.year or 9999, r.pk)

    first, second = sorted([a, b], key=rank)
    # A record that is itself an additional report is linked through its study (record_link_report does this).
    if second.report_of_id is None and Record.objects.filter(Q(report_of=second)).exists():
        first, second = second, first
    return first, second

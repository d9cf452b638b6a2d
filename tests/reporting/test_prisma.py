"""PRISMA counts on a review built through the real services, against a count made by hand."""

from __future__ import annotations

import pytest

from reporting.prisma import NODE_LABELS, TEMPLATE_FIELDS, consistency_checks, prisma_counts, prisma_records
from tests.reporting.conftest import HAND_COUNT


def test_dedup_kept_the_fuller_pubmed_records(prisma_review):
    r = prisma_review.records
    assert r["E1"].merged_into_id == r["P1"].pk
    assert r["E2"].merged_into_id == r["P2"].pk
    assert r["C1"].merged_into_id == r["P3"].pk


def test_prisma_counts_match_the_hand_count(prisma_review):
    counts = prisma_counts(review=prisma_review.review)
    assert {name: getattr(counts, name) for name in TEMPLATE_FIELDS} == HAND_COUNT


def test_prisma_details_per_database_and_reason(prisma_review):
    counts = prisma_counts(review=prisma_review.review)
    assert counts.database_specific == [("Embase", 5), ("PubMed", 8)]
    assert counts.register_specific == [("ClinicalTrials.gov", 2)]
    assert counts.duplicates_specific == [("Embase", 2)]
    assert sorted(counts.dbr_excluded_reasons) == [("Did not use transfer learning", 1), ("Wrong population", 1)]
    assert counts.other_duplicates == 1
    assert counts.records_awaiting == 2  # E4 (one vote) and R2 (none)
    assert counts.other_records_excluded == 1  # W1


def test_consistency_checks_hold(prisma_review):
    assert all(check.ok for check in consistency_checks(prisma_counts(review=prisma_review.review)))


def test_every_number_has_the_records_behind_it(prisma_review):
    review = prisma_review.review
    data = prisma_counts(review=review).as_dict()
    for node in NODE_LABELS:
        assert prisma_records(review=review, node=node).count() == data[node], node


@pytest.mark.parametrize(
    ("node", "keys"),
    [
        ("duplicates", {"E1", "E2"}),
        ("excluded_automatic", {"P8"}),
        ("excluded_other", {"E5"}),
        ("records_excluded", {"P4", "P6", "P7"}),
        ("dbr_notretrieved_reports", {"P3"}),
        ("dbr_excluded", {"P2", "P5"}),
        ("new_reports", {"P1", "E3", "R1", "C2"}),
        ("new_studies", {"P1", "R1", "C2"}),
        ("records_awaiting", {"E4", "R2"}),
    ],
)
def test_drill_down_lists_exactly_those_records(prisma_review, node, keys):
    ids = set(prisma_records(review=prisma_review.review, node=node).values_list("pk", flat=True))
    assert ids == {prisma_review.records[k].pk for k in keys}


def test_drill_down_by_exclusion_reason(prisma_review):
    ids = set(
        prisma_records(review=prisma_review.review, node="dbr_excluded", reason="Wrong population").values_list(
            "pk", flat=True
        )
    )
    assert ids == {prisma_review.records["P2"].pk}


def test_drill_down_by_database(prisma_review):
    review, r = prisma_review.review, prisma_review.records
    embase = prisma_records(review=review, node="database_results", database="Embase")
    assert set(embase.values_list("pk", flat=True)) == {r[f"E{i}"].pk for i in range(1, 6)}
    duplicates = prisma_records(review=review, node="duplicates", database="Embase")
    assert set(duplicates.values_list("pk", flat=True)) == {r["E1"].pk, r["E2"].pk}
    assert prisma_records(review=review, node="duplicates", database="PubMed").count() == 0


def test_unknown_node_is_refused(prisma_review):
    with pytest.raises(KeyError):
        prisma_records(review=prisma_review.review, node="everything")


def test_empty_review_counts_zero(review):
    counts = prisma_counts(review=review)
    assert all(getattr(counts, name) == 0 for name in TEMPLATE_FIELDS)

"""One review with everything PRISMA has to show, checked box by box against a count made by hand: the diagram,
the PRISMA CSV read the way the PRISMA2020 R package reads it, and votes.csv with kappa recomputed from it.

On top of the shared fixture (two databases, a register, citation searching and a website, duplicates across
both branches, an automation-tool removal, a report not retrieved, two reports of one study):
- PubMed reported 10 hits; 2 duplicates were removed in EndNote before import (so 10 identified, 4 duplicates);
- E4 gets its second title/abstract vote, then two full-text exclusions with different reasons: a conflict the
  lead settles with one reason;
- R2 is a title/abstract conflict that the second reviewer settles by changing their vote (include);
- the previous version of the review included 5 studies in 6 reports.
"""

from __future__ import annotations

import io
from collections import defaultdict
from itertools import combinations

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from reporting.diagram import build_diagram
from reporting.prisma import TEMPLATE_FIELDS, consistency_checks, prisma_counts
from review.services.outside import review_previous_set, search_outside_counts_set
from screening.agreement import cohen_kappa
from screening.models import ExclusionReason, Stage
from screening.services.conflicts import conflict_resolve
from tests.reporting.conftest import HAND_COUNT, _vote
from tests.reporting.prisma_r import prisma_data
from tests.reporting.test_exports import text

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT

FULL_HAND_COUNT = {
    **HAND_COUNT,
    "database_results": 15,  # PubMed 10 (8 imported + 2 removed in EndNote) + Embase 5
    "duplicates": 4,  # E1, E2 and the 2 removed in EndNote
    "dbr_sought_reports": 8,  # P1, P2, P3, P5, E3, R1, E4, R2
    "dbr_assessed": 7,
    "dbr_excluded": 3,  # P2 (wrong population), P5 (no transfer learning), E4 (wrong population, by the lead)
    "previous_studies": 5,
    "previous_reports": 6,
    "total_studies": 8,  # 3 new + 5 before
    "total_reports": 10,  # 4 new + 6 before
}
REASONS = [("Wrong population", 2), ("Did not use transfer learning", 1)]  # in the lead's ranked order


@pytest.fixture
def full_review(prisma_review, lead, reviewer, reviewer2):
    review, r = prisma_review.review, prisma_review.records
    search_outside_counts_set(
        review=review,
        search=prisma_review.searches["pubmed"],
        by=lead,
        hits_reported=10,
        removed_before_import=2,
        note="Duplicates removed in EndNote X9 before export",
    )
    review_previous_set(review=review, by=lead, studies=5, reports=6, note="Version of 2021")
    two = [reviewer, reviewer2]
    _vote(r["E4"], [reviewer2], ["include"], TA)  # its first vote, by reviewer, is in the fixture
    population = ExclusionReason.objects.get(review=review, label="Wrong population")
    no_tl = ExclusionReason.objects.get(review=review, label="Did not use transfer learning")
    _vote(r["E4"], two, ["exclude", "exclude"], FT, [population.pk, no_tl.pk])
    conflict_resolve(
        review=review, record=r["E4"], stage=FT, by=lead, decision="exclude", rationale="Adults only",
        reason_id=population.pk,
    )  # fmt: skip
    _vote(r["R2"], two, ["include", "exclude"], TA)
    _vote(r["R2"], [reviewer2], ["include"], TA)  # changed after discussing the conflict
    review.refresh_from_db()
    return prisma_review


def test_counts_match_the_hand_count_and_every_check_holds(full_review):
    counts = prisma_counts(review=full_review.review)
    assert {name: getattr(counts, name) for name in TEMPLATE_FIELDS} == FULL_HAND_COUNT
    assert counts.database_specific == [("Embase", 5), ("PubMed", 10)]
    assert counts.dbr_excluded_reasons == REASONS
    assert (counts.records_awaiting, counts.dbr_awaiting) == (0, 1)  # R2 awaits its full-text votes
    assert (counts.other_screened, counts.other_records_excluded, counts.other_duplicates) == (2, 1, 1)
    checks = consistency_checks(counts)
    assert all(check.ok for check in checks), [c for c in checks if not c.ok]
    assert any(c.label.startswith("dbr_excluded = sum") for c in checks)
    assert any(c.label.startswith("PubMed: hits reported") for c in checks)


def _boxes(full_review) -> dict[str, str]:
    diagram = build_diagram(counts=prisma_counts(review=full_review.review), slug=full_review.review.slug)
    return {box.key: " ".join(line.text for line in box.lines) for box in diagram.boxes}


@pytest.mark.parametrize(
    ("box", "texts"),
    [
        ("identified", ["Databases (n = 15)", "Embase (n = 5)", "PubMed (n = 10)", "Registers (n = 2)",
                        "ClinicalTrials.gov (n = 2)"]),
        ("removed", ["Duplicate records (n = 4)", "of which removed before import (n = 2)",
                     "Marked ineligible by automation tools (n = 1)", "Removed for other reasons (n = 1)"]),
        ("identified_other", ["Websites (n = 1)", "Organisations (n = 0)", "Citation searching (n = 2)",
                              "Duplicate records removed (n = 1)"]),
        ("screened", ["Records screened (n = 11)"]),
        ("excluded", ["Records excluded (n = 3)"]),
        ("other_screened", ["Records screened (n = 2)"]),
        ("other_excluded_ta", ["Records excluded (n = 1)"]),
        ("sought", ["Reports sought for retrieval (n = 8)"]),
        ("notretrieved", ["Reports not retrieved (n = 1)"]),
        ("assessed", ["Reports assessed for eligibility (n = 7)", "awaiting a decision (n = 1)"]),
        ("reports_excluded", ["Reports excluded (n = 3)", "Wrong population (n = 2)",
                              "Did not use transfer learning (n = 1)"]),
        ("other_sought", ["Reports sought for retrieval (n = 1)"]),
        ("other_notretrieved", ["Reports not retrieved (n = 0)"]),
        ("other_assessed", ["Reports assessed for eligibility (n = 1)"]),
        ("other_reports_excluded", ["Reports excluded (n = 0)"]),
        ("included", ["New studies included in review (n = 3)", "Reports of new included studies (n = 4)",
                      "Studies included in previous version of review (n = 5)",
                      "Reports of studies included in previous version (n = 6)",
                      "Total studies included in review (n = 8)", "Reports of total included studies (n = 10)"]),
    ],
)  # fmt: skip
def test_every_box_of_the_diagram(full_review, box, texts):
    shown = _boxes(full_review)[box]
    for expected in texts:
        assert expected in shown, (expected, shown)


def test_svg_shows_the_other_methods_column_and_the_reasons(full_review, lead):
    client = Client()
    client.force_login(lead)
    body = client.get(reverse("reporting:prisma-svg", kwargs={"slug": full_review.review.slug})).content.decode()
    assert 'data-box="other_excluded_ta"' in body and "Wrong population (n = 2)" in body


def test_prisma_csv_read_the_packages_way_gives_the_diagrams_numbers(full_review, lead, settings):
    settings.SITE_URL = "https://reviews.example.org/"
    read = prisma_data(text(lead, full_review.review, "prisma"))
    numbers = {name: value for name, value in FULL_HAND_COUNT.items() if name not in ("dbr_excluded", "other_excluded")}
    assert {name: read[name] for name in numbers} == {name: float(n) for name, n in numbers.items()}
    assert read["database_specific_results"] == [("Embase", 5.0), ("PubMed", 10.0)]
    assert read["register_specific_results"] == [("ClinicalTrials.gov", 2.0)]
    assert read["dbr_excluded"] == [(name, float(n)) for name, n in REASONS]
    assert sum(n for _, n in read["dbr_excluded"]) == FULL_HAND_COUNT["dbr_excluded"]
    assert read["other_excluded"] == [("", 0.0)]
    assert read["urls"]["box4"] == "https://reviews.example.org/reviews/tl-clinical/report/prisma/records_screened/"


def test_votes_csv_rows_and_kappa_recomputed_from_it_alone(full_review, lead):
    votes = pd.read_csv(io.StringIO(text(lead, full_review.review, "votes")), dtype=str, keep_default_na=False)
    r = full_review.records
    ta = votes[votes.stage == "title-abstract"]
    # One row per record x stage x reviewer: 13 records with two votes at title/abstract, 7 at full text.
    assert len(ta) == 26 and len(votes[votes.stage == "full-text"]) == 14
    changed = votes[(votes.record_id == str(r["R2"].pk)) & (votes.reviewer == "reviewer2")].iloc[0]
    assert (changed.first_choice, changed.independent_choice, changed.current_choice) == (
        "exclude",
        "exclude",
        "include",
    )
    assert changed.changes == "1" and " change include" in changed.history
    assert changed.outcome == "included" and changed.outcome_reached_by == "votes_after_change"
    settled = votes[(votes.record_id == str(r["E4"].pk)) & (votes.stage == "full-text")]
    assert set(settled.first_reason) == {"Wrong population", "Did not use transfer learning"}
    assert set(settled.outcome_reached_by) == {"lead"} and set(settled.resolution_reason) == {"Wrong population"}

    # Cohen's kappa as the app computes it: independent choices on records decided or (for a lead) in conflict.
    by_record: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    counted = votes[(votes.independent_choice != "") & votes.outcome.isin(["included", "excluded", "conflict"])]
    for row in counted.itertuples():
        by_record[(row.stage, row.record_id)][row.reviewer] = row.independent_choice
    kappas = {}
    for stage in ("title-abstract", "full-text"):
        pairs = [
            (ratings[a], ratings[b])
            for (s, _), ratings in by_record.items()
            if s == stage
            for a, b in combinations(sorted(ratings), 2)
        ]
        kappas[stage] = cohen_kappa(pairs)
    # By hand: 13 title/abstract pairs, 9 agree; marginals include 9/7, exclude 4/5, maybe 0/1 -> 34/86.
    assert kappas["title-abstract"].n == 13 and kappas["title-abstract"].kappa == pytest.approx(34 / 86)
    # 7 full-text pairs, 6 agree; include 5/4, exclude 2/3 -> (42 - 26) / (49 - 26).
    assert kappas["full-text"].n == 7 and kappas["full-text"].kappa == pytest.approx(16 / 23)
    agreement = pd.read_csv(io.StringIO(text(lead, full_review.review, "agreement")), dtype=str)
    for row in agreement.itertuples():
        assert float(row.kappa) == pytest.approx(round(kappas[row.stage].kappa, 4))
        assert int(row.n) == kappas[row.stage].n


def test_bundle_import_reproduces_the_prisma_csv(full_review, lead, tmp_path):
    """The bundle's prisma.csv, read the package's way, gives the counts of the review imported from it."""
    import zipfile

    from django.core.management import call_command

    from review.models import Review

    path = tmp_path / "bundle.zip"
    call_command("export", "--review", full_review.review.slug, "bundle", "--out", str(path))
    call_command("import_bundle", str(path), "--slug", "copy", "--as", "lead", stdout=io.StringIO())
    copy = Review.objects.get(slug="copy")
    counts = prisma_counts(review=copy)
    assert counts == prisma_counts(review=full_review.review)
    read = prisma_data(zipfile.ZipFile(path).read("exports/prisma.csv").decode("utf-8"))
    for name in TEMPLATE_FIELDS:
        if name not in ("dbr_excluded", "other_excluded"):
            assert read[name] == getattr(counts, name), name
    assert read["dbr_excluded"] == [(name, float(n)) for name, n in counts.dbr_excluded_reasons]
    assert read["database_specific_results"] == [(name, float(n)) for name, n in counts.database_specific]


def test_votes_csv_is_blinded_for_reviewers(full_review, reviewer, reviewer2, lead):
    from screening.services.votes import VoteInput, vote_cast

    r2 = full_review.records["R2"]
    vote_cast(review=r2.review, record=r2, stage=FT, reviewer=reviewer, data=VoteInput(choice="include"))
    mine = pd.read_csv(io.StringIO(text(reviewer2, full_review.review, "votes")), dtype=str, keep_default_na=False)
    assert mine[(mine.record_id == str(r2.pk)) & (mine.stage == "full-text")].empty  # still open at full text
    assert len(mine[mine.stage == "title-abstract"]) == 26  # decided records: both reviewers' rows
    everyone = pd.read_csv(io.StringIO(text(lead, full_review.review, "votes")), dtype=str, keep_default_na=False)
    assert len(everyone[(everyone.record_id == str(r2.pk)) & (everyone.stage == "full-text")]) == 1

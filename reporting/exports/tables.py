"""Small CSV tables: the PRISMA counts in the PRISMA2020 R package's template layout, and agreement figures.

The PRISMA CSV has the template's columns (data, node, box, description, boxtext, tooltips, url, n) and rows in
its order, so `PRISMA2020::PRISMA_data(read.csv(file))` redraws our diagram. Where the template asks for a list
("Reason, n; Reason, n") we write one: exclusion reasons, and records per database and per register.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse

from reporting.prisma import PrismaCounts
from review.access import ReviewAccess
from screening.models import Stage
from screening.progress import agreement_for

PRISMA_HEADER = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]

# (data, node, box, description, boxtext): the template's rows in its order; "NA" as the template writes it.
PRISMA_ROWS = [
    ("NA", "node4", "prevstud", "Grey title box; Previous studies", "Previous studies"),
    ("previous_studies", "node5", "box1", "Studies included in previous version of review",
     "Studies included in previous version of review"),
    ("previous_reports", "NA", "box1", "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review"),
    ("NA", "node6", "newstud", "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers"),
    ("database_results", "node7", "box2", "Records identified from: Databases", "Databases"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers"),
    ("NA", "node16", "othstud", "Grey title box; Identification of new studies via other methods",
     "Identification of new studies via other methods"),
    ("website_results", "node17", "box11", "Records identified from: Websites", "Websites"),
    ("organisation_results", "NA", "box11", "Records identified from: Organisations", "Organisations"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching", "Citation searching"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons", "Records removed for other reasons"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)", "Records screened"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)", "Records excluded"),
    ("dbr_sought_reports", "node11", "box6", "Reports sought for retrieval (databases and registers)",
     "Reports sought for retrieval"),
    ("dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved (databases and registers)",
     "Reports not retrieved"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)", "Reports sought for retrieval"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)", "Reports not retrieved"),
    ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility (databases and registers)",
     "Reports assessed for eligibility"),
    ("dbr_excluded", "node14", "box9", "Reports excluded (databases and registers)", "Reports excluded"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility"),
    ("other_excluded", "node21", "box15", "Reports excluded (other)", "Reports excluded"),
    ("new_studies", "node15", "box10", "New studies included in review", "New studies included in review"),
    ("new_reports", "NA", "box10", "Reports of new included studies", "Reports of new included studies"),
    ("total_studies", "node22", "box16", "Total studies included in review", "Total studies included in review"),
    ("total_reports", "NA", "box16", "Reports of total included studies", "Reports of total included studies"),
    ("identification", "node1", "identification", "Blue identification box", "Identification"),
    ("screening", "node2", "screening", "Blue screening box", "Screening"),
    ("included", "node3", "included", "Blue included box", "Included"),
]  # fmt: skip


def named_counts(items: list[tuple[str, int]]) -> str:
    return "; ".join(f"{name.replace(';', ',')}, {n}" for name, n in items)


def prisma_value(counts: PrismaCounts, name: str) -> Any:
    """A row's n: a number, or the template's "Name, n; Name, n" list where it takes one."""
    lists = {
        "database_results": counts.database_specific,
        "register_results": counts.register_specific,
        "dbr_excluded": counts.dbr_excluded_reasons,
        "other_excluded": counts.other_excluded_reasons,
    }
    if lists.get(name):
        return named_counts(lists[name])
    if name in ("previous_studies", "previous_reports", "NA", "identification", "screening", "included"):
        return 0
    return getattr(counts, name)


def prisma_csv_rows(*, counts: PrismaCounts, slug: str) -> Iterator[list[Any]]:
    for data, node, box, description, boxtext in PRISMA_ROWS:
        url = "NA"
        if data in counts.as_dict():
            url = reverse("reporting:prisma-records", kwargs={"slug": slug, "node": data})
        tooltip = description if node != "NA" else "NA"
        yield [data, node, box, description, boxtext, tooltip, url, prisma_value(counts, data)]


AGREEMENT_HEADER = ["stage", "reviewer_a", "reviewer_b", "statistic", "n", "percent_agreement", "kappa", "basis"]


def agreement_rows(*, access: ReviewAccess) -> Iterator[list[Any]]:
    """Cohen's kappa per reviewer pair and stage (and Fleiss' kappa with more than two reviewers)."""
    for stage in Stage:
        summary = agreement_for(access=access, stage=stage)
        for pair in summary.pairs:
            a = pair.agreement
            yield [stage.value, pair.first, pair.second, "cohen_kappa", a.n, _round(a.percent), _round(a.kappa),
                   summary.basis]  # fmt: skip
        if summary.fleiss is not None:
            f = summary.fleiss
            yield [stage.value, "", "", "fleiss_kappa", f.n, _round(f.percent), _round(f.kappa), summary.basis]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)

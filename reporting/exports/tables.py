"""Small CSV tables: the PRISMA counts in the PRISMA2020 R package's template layout, and agreement figures.

The PRISMA CSV has the template's columns (data, node, box, description, boxtext, tooltips, url, n) and rows in
its order (version 1.1.x, with the `database_specific_results` / `register_specific_results` rows added in 2022),
so `PRISMA2020::PRISMA_data(read.csv(file))` reads the numbers our diagram shows. The package finds a row by
`grep(name, data)` on the first column and reads `n` with all but digits stripped, so every total is a plain
number; the lists the template asks for ("Name, n; Name, n": specific databases and registers, reasons for
excluded reports) are written in their own rows, with commas and semicolons inside a name replaced by " -",
since the package splits on them. Rows after the template's are ours (other-methods details the template has
no box for); their names contain none of the package's row names, so it never picks them up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.urls import reverse

from reporting.prisma import NODE_LABELS, PrismaCounts
from review.access import ReviewAccess
from screening.models import Stage
from screening.selectors.progress import agreement_for

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
    ("database_specific_results", "NA", "box2", "Records identified from: specific databases",
     "Specific Databases"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers"),
    ("register_specific_results", "NA", "box2", "Records identified from: specific registers",
     "Specific Registers"),
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

# Our rows after the template's: (data, description, PrismaCounts field). Box "extra", so the package's url table
# (first row per box) is unchanged.
EXTRA_ROWS = [
    ("other_methods_results", "Records identified from: hand searching and other sources", "other_methods_results"),
    ("other_removed_as_duplicate", "Duplicate records removed (other methods)", "other_duplicates"),
    ("other_removed_before_screening", "Records removed before screening for other reasons (other methods)",
     "other_removed"),
    ("other_screened", "Records screened at title/abstract (other methods)", "other_screened"),
    ("other_ta_excluded", "Records excluded at title/abstract (other methods)", "other_records_excluded"),
    ("other_ta_awaiting", "Records awaiting a title/abstract decision (other methods)", "other_records_awaiting"),
    ("records_awaiting", "Records awaiting a title/abstract decision (databases and registers)",
     "records_awaiting"),
    ("removed_before_import", "Records removed before import, inside the duplicates (databases and registers)",
     "removed_before_import"),
]  # fmt: skip

# The node behind each row's link, where it is not the row's own name.
URL_NODE = {
    "database_specific_results": "database_results",
    "register_specific_results": "register_results",
    "other_removed_as_duplicate": "other_duplicates",
    "other_removed_before_screening": "other_removed",
    "other_ta_excluded": "other_records_excluded",
    "other_ta_awaiting": "other_records_awaiting",
}


def list_name(name: str) -> str:
    """A name as the package's "Name, n; Name, n" lists can carry it (it splits on ";" and cuts at ",")."""
    return " ".join(name.replace(",", " -").replace(";", " -").split())


def named_counts(items: list[tuple[str, int]]) -> str:
    return "; ".join(f"{list_name(name)}, {n}" for name, n in items)


def prisma_value(counts: PrismaCounts, name: str) -> Any:
    """A row's n: a number, or the template's "Name, n; Name, n" list in the rows that take one."""
    lists = {
        "database_specific_results": counts.database_specific,
        "register_specific_results": counts.register_specific,
        "dbr_excluded": counts.dbr_excluded_reasons,
        "other_excluded": counts.other_excluded_reasons,
    }
    if name in lists:
        if lists[name]:
            return named_counts(lists[name])
        return 0 if name.endswith("_specific_results") else getattr(counts, name)
    if name in ("NA", "identification", "screening", "included"):
        return 0
    return getattr(counts, name)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def prisma_csv_rows(*, counts: PrismaCounts, slug: str) -> Iterator[list[Any]]:
    for data, node, box, description, boxtext in PRISMA_ROWS:
        target = URL_NODE.get(data, data)
        url = "NA"
        if target in NODE_LABELS:
            url = _absolute(reverse("reporting:prisma-records", kwargs={"slug": slug, "node": target}))
        tooltip = description if node != "NA" else "NA"
        yield [data, node, box, description, boxtext, tooltip, url, prisma_value(counts, data)]
    for data, description, attribute in EXTRA_ROWS:
        target = URL_NODE.get(data, data)
        url = _absolute(reverse("reporting:prisma-records", kwargs={"slug": slug, "node": target}))
        yield [data, "NA", "extra", description, description, "NA", url, getattr(counts, attribute)]


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

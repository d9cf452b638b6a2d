"""A small review carried from import to inclusion through the real services, with a hand count of every PRISMA
number (see `HAND_COUNT` and the comments beside each step)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction

from review.importers import parse
from review.models import Record, Review, Search
from review.services import imports
from review.services.dedup import dedup_start
from review.services.records import record_link_report, record_remove_before_screening
from screening.models import Stage
from screening.services.config import exclusion_reason_add
from screening.services.conflicts import conflict_resolve
from screening.services.fulltexts import fulltext_mark_not_retrieved
from screening.services.votes import VoteInput, vote_cast


def ris(entries: list[dict[str, str]]) -> bytes:
    lines: list[str] = []
    for entry in entries:
        lines.append("TY  - JOUR")
        for tag, value in entry.items():
            for part in value.split("|"):
                lines.append(f"{tag}  - {part}")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines).encode()


def study(n: int, *, full: bool = True, title: str = "") -> dict[str, str]:
    """A distinct work; `full=False` gives the thinner copy another database would export of the same work."""
    entry = {
        "TI": title or f"Transfer learning for clinical signal {n} in a cohort of patients number {n * 7}",
        "AU": f"Author{n}, A.|Second{n}, B.",
        "PY": str(2010 + n),
        "JO": f"Journal of Clinical Studies {n}",
        "VL": str(n),
        "SP": str(100 + n),
        "EP": str(110 + n),
        "DO": f"10.1000/study.{n}",
    }
    if full:
        entry["AB"] = f"Abstract of study {n}: we applied transfer learning to clinical data."
        entry["AN"] = str(3000000 + n)
    return entry


@dataclass
class Fixture:
    review: Review
    searches: dict[str, Search]
    records: dict[str, Record] = field(default_factory=dict)


# What a person counts on paper for the fixture below.
HAND_COUNT = {
    "database_results": 13,  # PubMed 8 + Embase 5
    "register_results": 2,
    "website_results": 1,
    "organisation_results": 0,
    "citations_results": 2,
    "duplicates": 2,  # E1 and E2 (copies of P1, P2)
    "excluded_automatic": 1,  # P8
    "excluded_other": 1,  # E5
    "records_screened": 11,  # P1-P7, E3, E4, R1, R2
    "records_excluded": 3,  # P4, P6, P7 (P7 by the lead)
    "dbr_sought_reports": 6,  # P1, P2, P3, P5, E3, R1
    "dbr_notretrieved_reports": 1,  # P3
    "dbr_assessed": 5,
    "dbr_excluded": 2,  # P2 (wrong population), P5 (no transfer learning, by the lead)
    "other_sought_reports": 1,  # C2
    "other_notretrieved_reports": 0,
    "other_assessed": 1,
    "other_excluded": 0,
    "new_studies": 3,  # P1 (with E3 as its second report), R1, C2
    "new_reports": 4,  # P1, E3, R1, C2
    "total_studies": 3,
    "total_reports": 4,
    "previous_studies": 0,  # no previous version of this review
    "previous_reports": 0,
}


def _import(review: Review, search: Search, lead, name: str, entries: list[dict[str, str]]) -> list[Record]:
    data = ris(entries)
    with transaction.atomic():
        search_file = imports.search_file_record_parsed(
            review=review, search=search, by=lead, name=name, data=data, result=parse(data, filename=name)
        )
    return list(Record.objects.filter(search_file=search_file).order_by("position"))


def _vote(record: Record, users, choices: list[str], stage: str, reason_ids: list[int | None] | None = None) -> None:
    for i, (user, choice) in enumerate(zip(users, choices, strict=False)):
        reason = reason_ids[i] if reason_ids else None
        vote_cast(
            review=record.review,
            record=record,
            stage=stage,
            reviewer=user,
            data=VoteInput(choice=choice, reason_id=reason, note=f"note by {user.username}"),
        )


@pytest.fixture
def prisma_review(review, lead, reviewer, reviewer2, django_capture_on_commit_callbacks) -> Fixture:
    review.dedup_automatic = False
    review.save(update_fields=["dedup_automatic"])
    searches = {
        "pubmed": imports.search_create(review=review, by=lead, database="PubMed", query="transfer learning"),
        "embase": imports.search_create(review=review, by=lead, database="Embase", platform="embase.com"),
        "register": imports.search_create(review=review, by=lead, database="ClinicalTrials.gov", is_register=True),
        "citations": imports.search_create(review=review, by=lead, kind="other", other_method="citation"),
        "website": imports.search_create(review=review, by=lead, kind="other", other_method="website"),
    }
    fx = Fixture(review=review, searches=searches)
    for i, record in enumerate(
        _import(review, searches["pubmed"], lead, "pubmed.ris", [study(n) for n in range(1, 9)])
    ):
        fx.records[f"P{i + 1}"] = record
    embase = [study(1, full=False), study(2, full=False), study(31), study(32), study(33)]
    for i, record in enumerate(_import(review, searches["embase"], lead, "embase.ris", embase)):
        fx.records[f"E{i + 1}"] = record
    for i, record in enumerate(_import(review, searches["register"], lead, "ctgov.ris", [study(41), study(42)])):
        fx.records[f"R{i + 1}"] = record
    for i, record in enumerate(
        _import(review, searches["citations"], lead, "refs.ris", [study(3, full=False), study(51)])
    ):
        fx.records[f"C{i + 1}"] = record
    fx.records["W1"] = imports.record_add(
        review=review,
        search=searches["website"],
        by=lead,
        title='=HYPERLINK("http://example.org","A website report")',
        year=2020,
    )
    with django_capture_on_commit_callbacks(execute=True):
        dedup_start(review=review, by=lead)
    for key in fx.records:
        fx.records[key].refresh_from_db()

    record_remove_before_screening(
        review=review, record=fx.records["P8"], reason="Not a randomised trial", automatic=True, by=lead
    )
    record_remove_before_screening(review=review, record=fx.records["E5"], reason="Outside the date range", by=lead)

    two = [reviewer, reviewer2]
    ta, ft = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
    r = fx.records
    for key, choices in {
        "P1": ["include", "include"],
        "P2": ["include", "include"],
        "P3": ["include", "exclude"],
        "P4": ["exclude", "exclude"],
        "P5": ["include", "maybe"],
        "P6": ["exclude", "exclude"],
        "P7": ["exclude", "include"],
        "E3": ["include", "include"],
        "E4": ["include"],
        "R1": ["include", "include"],
        "C2": ["include", "include"],
        "W1": ["exclude", "exclude"],
    }.items():
        _vote(r[key], two, choices, ta)
    conflict_resolve(review=review, record=r["P3"], stage=ta, by=lead, decision="include", rationale="Unclear: read it")
    conflict_resolve(review=review, record=r["P7"], stage=ta, by=lead, decision="exclude", rationale="Imaging only")

    population = exclusion_reason_add(review=review, by=lead, label="Wrong population")
    no_tl = exclusion_reason_add(review=review, by=lead, label="Did not use transfer learning")
    _vote(r["P1"], two, ["include", "include"], ft)
    _vote(r["P2"], two, ["exclude", "exclude"], ft, [population.pk, population.pk])
    fulltext_mark_not_retrieved(review=review, record=r["P3"], by=lead, note="Library and authors asked")
    _vote(r["P5"], two, ["include", "exclude"], ft, [None, no_tl.pk])
    conflict_resolve(
        review=review,
        record=r["P5"],
        stage=ft,
        by=lead,
        decision="exclude",
        rationale="Fixed features",
        reason_id=no_tl.pk,
    )
    _vote(r["E3"], two, ["include", "include"], ft)
    _vote(r["R1"], two, ["include", "include"], ft)
    _vote(r["C2"], two, ["include", "include"], ft)
    record_link_report(review=review, record=r["E3"], study=r["P1"], by=lead)
    for key in fx.records:
        fx.records[key].refresh_from_db()
    return fx


@pytest.fixture
def charted_review(prisma_review, lead, reviewer, reviewer2) -> Fixture:
    """The PRISMA fixture with its included studies charted by two extractors and one consensus decision."""
    from charting import services as charting
    from tests.charting.conftest import COMPLETE

    review = prisma_review.review
    charting.form_create(review=review, by=lead, template="transfer-learning")
    r = prisma_review.records
    first, second = charting.extraction_assign(review=review, record=r["P1"], extractors=[reviewer, reviewer2], by=lead)
    charting.extraction_submit(extraction=first, by=reviewer, values=COMPLETE)
    charting.extraction_submit(extraction=second, by=reviewer2, values={**COMPLETE, "sample_size": 95})
    form = review.charting_form
    charting.consensus_set(form=form, record=r["P1"], by=lead, field_key="sample_size", from_extraction=second)
    return prisma_review


@pytest.fixture
def small_review(review, lead) -> Fixture:
    """One hand-added record: enough for the permission tests, which must not pay for the full fixture."""
    search = imports.search_create(review=review, by=lead, kind="other", other_method="citation")
    record = imports.record_add(review=review, search=search, by=lead, title="A study found in a reference list")
    return Fixture(review=review, searches={"citations": search}, records={"P1": record, "R2": record})

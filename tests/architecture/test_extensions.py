"""The one extension point through which `review` asks the apps built on it: found through Django's app registry,
so nothing depends on registration order, and the actions that change records write the state they imply."""

from __future__ import annotations

import pytest

from review import extensions
from review.importers import parse
from review.models import Record
from review.services import dedup, imports
from screening.models import Stage, StageOutcome, Vote

RIS = b"""TY  - JOUR
TI  - Exercise for knee osteoarthritis: a randomised trial
AU  - Smith, Jane
PY  - 2020
DO  - 10.1000/knee.2020.1
ER  -

TY  - JOUR
TI  - Yoga and sleep quality in older adults
AU  - Brown, Ann
PY  - 2019
ER  -
"""


def test_every_installed_app_answers_the_extension_protocol():
    names = [type(extension).__name__ for extension in extensions.review_extensions()]
    assert names == ["ReviewConfig", "ScreeningConfig", "ChartingConfig", "ReportingConfig"]


def test_navigation_comes_from_each_app_in_order():
    keys = [item.key for item in extensions.nav_items()]
    assert keys[:3] == ["searches", "records", "dedup"]
    assert {"screening", "conflicts", "charting", "report"} <= set(keys)


@pytest.mark.django_db(transaction=True)
def test_an_import_creates_the_screening_rows_it_implies(review, lead):
    review.dedup_automatic = False
    review.save(update_fields=["dedup_automatic"])
    search = imports.search_create(review=review, by=lead, kind="database", database="PubMed")
    with imports.transaction.atomic():
        imports.search_file_record_parsed(
            review=review, search=search, by=lead, name="pubmed.ris", data=RIS, result=parse(RIS)
        )
    # Written by the import on commit, before anyone opens a screening page.
    assert StageOutcome.objects.filter(review=review, stage=Stage.TITLE_ABSTRACT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_hand_added_record_is_queued_for_screening_at_once(review, lead):
    search = imports.search_create(review=review, by=lead, kind="other", other_method="citation")
    record = imports.record_add(review=review, search=search, by=lead, title="A study from a reference list")
    assert StageOutcome.objects.filter(record=record, stage=Stage.TITLE_ABSTRACT).exists()


@pytest.mark.django_db
def test_dedup_sees_voted_records_without_any_registration(review, lead, reviewer):
    search = imports.search_create(review=review, by=lead, kind="other", other_method="citation")
    record = imports.record_add(review=review, search=search, by=lead, title="A study from a reference list")
    assert dedup.locked_records(review) == set()
    Vote.objects.create(review=review, record=record, stage=Stage.TITLE_ABSTRACT, reviewer=reviewer, choice="include")
    assert dedup.locked_records(review) == {record.pk}
    assert Record.objects.filter(review=review).count() == 1

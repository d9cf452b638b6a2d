"""The migration that makes studies the unit of charting keeps every existing extraction and decision."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from charting import services
from charting.models import ConsensusValue, Extraction, ExtractionValue
from review.models import Record
from tests.charting.factories import RecordFactory

BEFORE = [("charting", "0001_initial")]
AFTER = [("charting", "0002_studies_repeating_groups_sources")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_extractions_of_a_linked_report_attach_to_its_study(review, search, lead, reviewer, reviewer2):
    form = services.form_create(review=review, by=lead, template="transfer-learning")
    study, report = RecordFactory(review=review, search=search), RecordFactory(review=review, search=search)
    version = form.versions.get()

    def extraction(record, person):
        return Extraction.objects.create(review=review, form=form, version=version, record=record, extractor=person)

    on_study = extraction(study, reviewer)
    clash = extraction(report, reviewer)  # the same person charted both reports: one must give way
    moved = extraction(report, reviewer2)
    ExtractionValue.objects.create(extraction=clash, field_key="aim", value="kept")
    ConsensusValue.objects.create(
        review=review, form=form, record=report, field_key="aim", value="x", source=ConsensusValue.Source.EDITED
    )
    Record.objects.filter(pk=report.pk).update(report_of=study)  # linked before this version of the app

    _migrate(BEFORE)
    _migrate(AFTER)

    assert Extraction.objects.get(pk=on_study.pk).status == Extraction.Status.DRAFT
    clash = Extraction.objects.get(pk=clash.pk)
    assert (clash.record_id, clash.status) == (study.pk, Extraction.Status.WITHDRAWN)
    assert Extraction.objects.get(pk=moved.pk).record_id == study.pk
    assert ExtractionValue.objects.get(extraction=clash).value == "kept"
    assert ExtractionValue.objects.get(extraction=clash).instance == 0
    assert ConsensusValue.objects.get(field_key="aim").record_id == study.pk
    assert not Extraction.objects.filter(record=report).exists()

"""Factories for screening tests: searches and records are created directly (the import service is elsewhere)."""

from __future__ import annotations

import factory

from review import extensions
from review.models import Record, Search
from screening.models import ExclusionReason


class SearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Search

    database = "PubMed"


def _queued(record: Record, create: bool, extracted: object, **kwargs: object) -> None:
    # As the import does: the action that creates records tells screening, which writes their stage rows.
    if create:
        extensions.records_changed(record.review, by=None)


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Record
        skip_postgeneration_save = True

    search = factory.SubFactory(SearchFactory, review=factory.SelfAttribute("..review"))
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Transfer learning for clinical time series, study {n}")
    abstract = "We fine-tuned a pretrained network on electrocardiograms. Imaging was not used."
    authors = ["Smith J", "Doe A"]
    year = 2021
    journal = "Journal of Clinical Informatics"
    doi = factory.Sequence(lambda n: f"10.1000/jci.{n}")
    pmid = factory.Sequence(lambda n: str(30000000 + n))
    keywords = ["transfer learning", "ECG"]
    queued = factory.PostGeneration(_queued)


class ExclusionReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExclusionReason

    label = factory.Sequence(lambda n: f"Reason {n}")
    position = factory.Sequence(lambda n: n + 1)

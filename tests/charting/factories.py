from __future__ import annotations

import factory

from review.models import Record, Search
from tests.factories import ReviewFactory


class SearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Search

    review = factory.SubFactory(ReviewFactory)
    database = "PubMed"


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Record

    review = factory.SubFactory(ReviewFactory)
    search = factory.LazyAttribute(lambda r: SearchFactory(review=r.review))
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Transfer learning study {n}")
    authors = factory.Sequence(lambda n: [f"Author{n}, A.", "Second, B."])
    year = 2020
    journal = "Journal of Clinical Data"
    doi = factory.Sequence(lambda n: f"10.1000/study.{n}")
    pmid = factory.Sequence(lambda n: str(30000000 + n))

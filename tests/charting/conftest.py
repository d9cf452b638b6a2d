"""Charting fixtures: a review's form from the built-in template, included studies, extractions by two people."""

from __future__ import annotations

import pytest

from charting import services
from charting.models import Extraction
from tests.charting.factories import RecordFactory, SearchFactory

# A complete, valid extraction of the template form, as an extractor would submit it.
COMPLETE = {
    "specialty": {"choice": "cardiology"},
    "affiliations": {"choice": "both"},
    "aim": "Detect atrial fibrillation from ECG",
    "target_data_type": {"choice": "time_series"},
    "source_data_type": {"choice": "images"},
    "transformation_to_images": "yes",
    "sample_size": 120,
    "transfer_type": {"choice": "fine_tuning"},
    "model_architecture": {"choices": ["cnn"]},
    "model_public": "no",
    "data_public": "yes",
    "data_repository": "PhysioNet",
    "code_shared": "no",
    "software": {"choices": ["python", "pytorch"]},
}


@pytest.fixture
def search(review):
    return SearchFactory(review=review)


def include_at_full_text(review, record, voters) -> None:
    """Include a record the way a review does: two include votes at title/abstract, then at full text."""
    from screening.services.votes import VoteInput, vote_cast

    for stage in ("title-abstract", "full-text"):
        for voter in voters:
            vote_cast(review=review, record=record, stage=stage, reviewer=voter, data=VoteInput(choice="include"))


@pytest.fixture
def studies(review, search, lead, reviewer, reviewer2):
    """Three studies included at full text through screening's own services."""
    records = [RecordFactory(review=review, search=search, year=2018 + i) for i in range(3)]
    for record in records:
        include_at_full_text(review, record, [reviewer, reviewer2])
    return records


@pytest.fixture
def form(review, lead):
    return services.form_create(review=review, by=lead, template="transfer-learning")


@pytest.fixture
def pair(form, studies, review, lead, reviewer, reviewer2):
    """The first study assigned to reviewer and reviewer2 in the main round."""
    first, second = services.extraction_assign(
        review=review, record=studies[0], extractors=[reviewer, reviewer2], by=lead
    )
    return first, second


def submit(extraction: Extraction, values: dict | None = None, **changes) -> Extraction:
    data = {**COMPLETE, **(values or {}), **changes}
    return services.extraction_submit(extraction=extraction, by=extraction.extractor, values=data)


@pytest.fixture
def two_final(pair, studies, review, lead, reviewer, reviewer2):
    """The first two studies with a final extraction each: both extractors submitted the same values."""
    submit(pair[0])
    submit(pair[1])
    a, b = services.extraction_assign(review=review, record=studies[1], extractors=[reviewer, reviewer2], by=lead)
    submit(a, target_data_type={"choice": "tabular"}, sample_size=80)
    submit(b, target_data_type={"choice": "tabular"}, sample_size=80)
    return studies[:2]

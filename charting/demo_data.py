"""The demo review's charted study: the built-in form, and the first included study charted by both reviewers
with the same answers, so it reaches consensus and the summaries and charted-data export have a row."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from charting.models import Form
from charting.services import extraction_assign, extraction_submit, form_create
from review.models import Record, Review
from screening.models import Stage, StageOutcome, Status

ANSWERS = {
    "specialty": {"choice": "cardiology"},
    "affiliations": {"choice": "both"},
    "aim": "Detect arrhythmia from electrocardiograms with a pretrained network",
    "target_data_type": {"choice": "time_series"},
    "source_data_type": {"choice": "images"},
    "transformation_to_images": "yes",
    "sample_size": 3076,
    "transfer_type": {"choice": "fine_tuning"},
    "model_architecture": {"choices": ["cnn"]},
    "model_public": "no",
    "data_public": "yes",
    "data_repository": "PhysioNet",
    "code_shared": "no",
    "software": {"choices": ["python", "pytorch"]},
}


@transaction.atomic
def demo_charting_seed(*, review: Review, lead: User, extractors: list[User]) -> int:
    """Chart one included study; returns how many studies were charted (0 when none is included yet)."""
    included = StageOutcome.objects.filter(review=review, stage=Stage.FULL_TEXT, status=Status.INCLUDED)
    record = Record.objects.filter(pk__in=included.values("record_id")).order_by("pk").first()
    if record is None or Form.objects.filter(review=review).exists():
        return 0
    form_create(review=review, by=lead, template="transfer-learning")
    for extraction in extraction_assign(review=review, record=record, extractors=extractors, by=lead):
        extraction_submit(extraction=extraction, by=extraction.extractor, values=ANSWERS)
    return 1

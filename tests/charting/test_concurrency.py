"""Both extractors submitting at the same instant, on PostgreSQL with real threads and connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from charting import selectors, services
from charting.models import ConsensusValue, Extraction
from review.models import Role
from tests.charting.conftest import COMPLETE
from tests.charting.factories import RecordFactory, SearchFactory
from tests.factories import MembershipFactory, ReviewFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # reported to the test, which asserts there was none
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_simultaneous_submissions_record_agreements_once():
    from tests.charting.conftest import include_at_full_text

    lead, ann, bob = (UserFactory(username=name) for name in ("lead", "ann", "bob"))
    review = ReviewFactory(created_by=lead)
    for user, role in ((lead, Role.LEAD), (ann, Role.REVIEWER), (bob, Role.REVIEWER)):
        MembershipFactory(review=review, user=user, role=role)
    form = services.form_create(review=review, by=lead, template="transfer-learning")
    for attempt in range(5):
        record = RecordFactory(review=review, search=SearchFactory(review=review))
        include_at_full_text(review, record, [ann, bob])
        pair = services.extraction_assign(review=review, record=record, extractors=[ann, bob], by=lead)
        for extraction in pair:
            services.extraction_save_draft(extraction=extraction, by=extraction.extractor, values=COMPLETE)
        results = run_together(
            [lambda e=extraction: services.extraction_submit(extraction=e, by=e.extractor) for extraction in pair]
        )
        assert all(isinstance(r, Extraction) for r in results), results
        final = selectors.final_values(form=form)[record.pk]
        assert final["specialty"] == {"choice": "cardiology"}, attempt
        assert ConsensusValue.objects.filter(record=record, field_key="specialty").count() == 1

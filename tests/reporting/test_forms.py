"""Every POST of the report pages with a missing, non-numeric or unknown value: a 400 with a message, nothing
written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.models import AuditEvent, Record, Review, Search


def _snapshot(review: Review) -> tuple:
    review.refresh_from_db()
    records = tuple(Record.objects.filter(review=review).order_by("pk").values_list("removed_reason", "report_of_id"))
    searches = tuple(
        Search.objects.filter(review=review).order_by("pk").values_list("hits_reported", "removed_before_import")
    )
    return (
        AuditEvent.objects.count(),
        review.previous_studies,
        review.previous_reports,
        records,
        searches,
    )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": ""},
        {"action": "explode"},
        {"action": "link", "study": "abc"},
        {"action": "link", "study": "-3"},
        {"action": "link", "study": "999999"},
        {"action": "link", "study": "1e3"},
        {"action": "remove"},
        {"action": "remove", "reason": "x" * 300},
    ],
)
def test_record_page_bad_post_is_400_and_writes_nothing(small_review, as_lead, data):
    record = small_review.records["P1"]
    before = _snapshot(small_review.review)
    response = as_lead.post(reverse("reporting:record", kwargs={"slug": "tl-clinical", "record_id": record.pk}), data)
    assert response.status_code == 400
    assert _snapshot(small_review.review) == before


def test_record_page_refuses_a_study_of_another_review(small_review, as_lead, outsider):
    from review.services import imports

    other = Review.objects.get(slug="other-review")
    search = imports.search_create(review=other, by=outsider, kind="other", other_method="citation")
    foreign = imports.record_add(review=other, search=search, by=outsider, title="Not ours")
    record = small_review.records["P1"]
    before = _snapshot(small_review.review)
    response = as_lead.post(
        reverse("reporting:record", kwargs={"slug": "tl-clinical", "record_id": record.pk}),
        {"action": "link", "study": str(foreign.pk)},
    )
    assert response.status_code == 400 and f"No record {foreign.pk} in this review" in response.content.decode()
    assert _snapshot(small_review.review) == before


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"search": "abc"},
        {"search": "999999"},
        {"search": "{search}", "hits_reported": "many"},
        {"search": "{search}", "hits_reported": "-1"},
        {"search": "{search}", "removed_before_import": "two"},
        {"search": "{search}", "removed_before_import": "2"},  # a removal needs its note
        {"action": "previous"},
        {"action": "previous", "previous_studies": "x", "previous_reports": "1"},
        {"action": "previous", "previous_studies": "3", "previous_reports": ""},
        {"action": "previous", "previous_studies": "3", "previous_reports": "2"},  # fewer reports than studies
    ],
)
def test_outside_counts_bad_post_is_400_and_writes_nothing(small_review, as_lead, data):
    search = small_review.searches["citations"]
    data = {key: value.replace("{search}", str(search.pk)) for key, value in data.items()}
    before = _snapshot(small_review.review)
    response = as_lead.post(reverse("reporting:outside", kwargs={"slug": "tl-clinical"}), data)
    assert response.status_code == 400
    assert _snapshot(small_review.review) == before


def test_outside_counts_refuses_a_search_of_another_review(small_review, as_lead, outsider):
    from review.services import imports

    other = Review.objects.get(slug="other-review")
    foreign = imports.search_create(review=other, by=outsider, kind="database", database="Embase")
    response = as_lead.post(
        reverse("reporting:outside", kwargs={"slug": "tl-clinical"}),
        {"search": str(foreign.pk), "hits_reported": "5", "removed_before_import": "0"},
    )
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.hits_reported is None

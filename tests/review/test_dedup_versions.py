"""The review setting for a preprint and its journal version: merged, kept apart, or (the default) asked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.models import AuditEvent, DedupVersions, MergeEvent, PossibleDuplicate, Record
from review.services import dedup, imports
from review.services.reviews import review_update

TITLE = "Household transmission of respiratory syncytial virus among children under five: a cohort study"
PREPRINT = {
    "title": TITLE,
    "authors": ["Kowalski, Anna", "Mensah, Kofi", "Duarte, Ines"],
    "year": 2022,
    "journal": "medRxiv",
    "doi": "10.1101/2022.03.14.22272345",
}
ARTICLE = {
    "title": TITLE,
    "authors": ["Kowalski, A.", "Mensah, K.", "Duarte, I."],
    "year": 2023,
    "journal": "The Lancet Infectious Diseases",
    "volume": "23",
    "issue": "5",
    "pages": "601-610",
    "doi": "10.1016/S1473-3099(22)00811-4",
}


@pytest.fixture
def versions(review, lead):
    search = imports.search_create(review=review, by=lead, database="Europe PMC")
    preprint = Record.objects.create(review=review, search=search, position=1, **PREPRINT)
    article = Record.objects.create(review=review, search=search, position=2, **ARTICLE)
    return preprint, article


def run(review, lead, capture):
    with capture(execute=True):
        dedup.dedup_start(review=review, by=lead)


def test_by_default_a_preprint_and_its_journal_version_go_to_a_person(
    review, lead, versions, django_capture_on_commit_callbacks
):
    preprint, article = versions
    assert review.dedup_versions == DedupVersions.POSSIBLE
    run(review, lead, django_capture_on_commit_callbacks)
    pair = PossibleDuplicate.objects.get(review=review)
    assert {pair.record_a_id, pair.record_b_id} == {preprint.pk, article.pk}
    assert "preprint" in pair.reason
    assert not Record.objects.filter(review=review, merged_into__isnull=False).exists()


def test_versions_are_one_study_merges_them_with_the_setting_in_the_log(
    review, lead, versions, django_capture_on_commit_callbacks
):
    preprint, article = versions
    review_update(review=review, by=lead, dedup_versions="same")
    run(review, lead, django_capture_on_commit_callbacks)
    hidden = Record.objects.get(review=review, merged_into__isnull=False)
    assert {hidden.pk, hidden.merged_into_id} == {preprint.pk, article.pk}
    assert "versions are one study" in MergeEvent.objects.get(record=hidden).rule
    assert Record.objects.filter(review=review).count() == 2  # nothing deleted


def test_separate_records_keeps_them_apart_without_asking(review, lead, versions, django_capture_on_commit_callbacks):
    review_update(review=review, by=lead, dedup_versions="separate")
    run(review, lead, django_capture_on_commit_callbacks)
    assert not PossibleDuplicate.objects.filter(review=review).exists()
    assert not Record.objects.filter(review=review, merged_into__isnull=False).exists()


def test_service_refuses_an_unknown_versions_setting(review, lead):
    from review.errors import ServiceError

    with pytest.raises(ServiceError, match="must be one of possible, same, separate"):
        review_update(review=review, by=lead, dedup_versions="sometimes")
    review.refresh_from_db()
    assert review.dedup_versions == "possible"


def test_settings_page_changes_the_versions_setting_and_audits_it(as_lead, review):
    response = as_lead.post(
        reverse("review:settings", args=[review.slug]),
        {
            "title": review.title,
            "dedup_automatic": "on",
            "dedup_versions": "separate",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.dedup_versions == "separate"
    event = AuditEvent.objects.get(review=review, action="review.updated")
    assert event.detail["changes"]["dedup_versions"] == {"from": "possible", "to": "separate"}
    page = as_lead.get(reverse("review:settings", args=[review.slug]))
    assert b"a preprint and its journal version" in page.content


def test_settings_page_rejects_an_unknown_versions_value(as_lead, review):
    response = as_lead.post(
        reverse("review:settings", args=[review.slug]),
        {"title": review.title, "dedup_versions": "sometimes"},
    )
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.dedup_versions == "possible"


def test_api_lead_reads_and_changes_the_versions_setting(api_clients, lead, review):
    client = api_clients(lead)
    url = f"/api/v1/reviews/{review.slug}/"
    assert client.get(url).json()["dedup_versions"] == "possible"
    response = client.patch(url, {"dedup_versions": "same"}, format="json")
    assert response.status_code == 200 and response.json()["dedup_versions"] == "same"
    review.refresh_from_db()
    assert review.dedup_versions == "same"
    bad = client.patch(url, {"dedup_versions": "sometimes"}, format="json")
    assert bad.status_code == 400 and "dedup_versions" in bad.json()["error"]["fields"]


def test_api_versions_setting_is_for_leads_only(api_clients, reviewer, outsider, review):
    url = f"/api/v1/reviews/{review.slug}/"
    assert api_clients(reviewer).patch(url, {"dedup_versions": "same"}, format="json").status_code == 403
    assert api_clients(outsider).patch(url, {"dedup_versions": "same"}, format="json").status_code == 404
    review.refresh_from_db()
    assert review.dedup_versions == "possible"

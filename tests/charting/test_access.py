"""charting/access.py, through the page and the API alike: who opens or changes an extraction, who sets consensus,
and that an id used under another review is a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from charting import services
from charting.models import ConsensusValue, Extraction, ExtractionValue
from tests.charting.conftest import submit
from tests.conftest import client_for

API = "/api/v1/reviews"


@pytest.fixture
def api_as(api_clients):
    return api_clients


def page(slug: str, name: str, *args) -> str:
    return reverse(f"charting:{name}", args=[slug, *args])


def test_extraction_ids_under_another_review_are_404_on_page_and_api(pair, outsider, api_as):
    """The outsider leads a review of their own; our extraction's id under their review's address is not found."""
    first = pair[0]
    client = client_for(outsider)
    for name in ("extract",):
        assert client.get(page("other-review", name, first.pk)).status_code == 404
    for name in ("extract-save", "extract-submit", "extract-instance-remove", "reassign", "reopen"):
        assert client.post(page("other-review", name, first.pk), {"extractor": "1"}).status_code == 404
    api = api_as(outsider)
    base = f"{API}/other-review/extractions/{first.pk}"
    assert api.get(f"{base}/").status_code == 404
    assert api.patch(f"{base}/", {"values": {"aim": "x"}}, format="json").status_code == 404
    for action in ("submit", "reopen", "reassign", "instances/remove"):
        assert api.post(f"{base}/{action}/", {}, format="json").status_code == 404
    assert not ExtractionValue.objects.exists()
    assert Extraction.objects.get(pk=first.pk).status == Extraction.Status.DRAFT


def test_only_the_extractor_changes_an_extraction_page_and_api(pair, lead, reviewer2, arbiter, api_as):
    first = pair[0]
    for user in (lead, reviewer2, arbiter):
        assert client_for(user).post(page("tl-clinical", "extract-save", first.pk), {"f-aim": "x"}).status_code == 403
        response = api_as(user).patch(
            f"{API}/tl-clinical/extractions/{first.pk}/", {"values": {"aim": "x"}}, format="json"
        )
        assert response.status_code == 403
    assert not ExtractionValue.objects.exists()


def test_everyone_but_the_extractor_is_blinded_until_all_submit_then_reads(pair, lead, reviewer2, arbiter, api_as):
    first, second = pair
    detail = f"{API}/tl-clinical/extractions/{first.pk}/"
    for user in (lead, reviewer2, arbiter):
        assert client_for(user).get(page("tl-clinical", "extract", first.pk)).status_code == 403
        assert api_as(user).get(detail).status_code == 403
    submit(first)
    submit(second)
    for user in (lead, reviewer2, arbiter):
        assert client_for(user).get(page("tl-clinical", "extract", first.pk)).status_code == 200
        assert api_as(user).get(detail).status_code == 200


def test_withdrawn_extraction_is_read_by_the_lead_alone(pair, review, lead, reviewer, reviewer2, arbiter, api_as):
    first = pair[0]
    services.extraction_reassign(extraction=first, to=arbiter, by=lead)
    first.refresh_from_db()
    assert first.status == Extraction.Status.WITHDRAWN
    detail = f"{API}/tl-clinical/extractions/{first.pk}/"
    assert client_for(lead).get(page("tl-clinical", "extract", first.pk)).status_code == 200
    assert api_as(lead).get(detail).status_code == 200
    assert client_for(reviewer2).get(page("tl-clinical", "extract", first.pk)).status_code == 403
    assert api_as(reviewer2).get(detail).status_code == 403
    assert api_as(reviewer).get(detail).status_code == 200  # still its extractor's


def test_consensus_is_the_leads_or_the_studys_extractors_not_an_arbiters(pair, lead, reviewer, arbiter, api_as):
    first, second = pair
    submit(first)
    submit(second)
    record = first.record_id
    body = {"field": "sample_size", "value": 99}
    assert (
        api_as(arbiter).post(f"{API}/tl-clinical/studies/{record}/consensus/", body, format="json").status_code == 403
    )
    refused = client_for(arbiter).post(
        page("tl-clinical", "consensus", record), {"field": "sample_size", "c-sample_size": "9"}
    )
    assert refused.status_code == 403 and not ConsensusValue.objects.filter(field_key="sample_size", value=9).exists()
    assert not ConsensusValue.objects.filter(decided_by=arbiter).exists()
    assert (
        api_as(reviewer).post(f"{API}/tl-clinical/studies/{record}/consensus/", body, format="json").status_code == 201
    )
    assert api_as(lead).post(f"{API}/tl-clinical/studies/{record}/consensus/", body, format="json").status_code == 201
    assert ConsensusValue.objects.filter(decided_by__in=[reviewer, lead], field_key="sample_size").count() == 2

"""The charting API: same roles and blinding as the pages; response and rows."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from charting import selectors
from charting.models import ConsensusValue, ExtractionValue, Field, Form
from tests.charting.conftest import COMPLETE, submit

BASE = "/api/v1/reviews/tl-clinical"


@pytest.fixture
def api_as(api_clients):
    return api_clients


def test_forms_create_from_template_and_list(api_as, lead, review):
    client = api_as(lead)
    response = client.post(f"{BASE}/forms/", {"template": "transfer-learning"}, format="json")
    assert response.status_code == 201 and response.json()["current_version"] == 1
    listed = client.get(f"{BASE}/forms/").json()
    assert [f["id"] for f in listed] == [Form.objects.get(review=review).pk]


def test_forms_create_twice_is_a_conflict(api_as, lead, form):
    response = api_as(lead).post(f"{BASE}/forms/", {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"


def test_forms_create_forbidden_for_reviewer(api_as, reviewer, review):
    assert api_as(reviewer).post(f"{BASE}/forms/", {}, format="json").status_code == 403
    assert not Form.objects.exists()


def test_forms_outsider_404_and_wrong_method(api_as, outsider, lead, review):
    assert api_as(outsider).get(f"{BASE}/forms/").status_code == 404
    assert api_as(lead).delete(f"{BASE}/forms/").status_code == 405


def test_versions_list_and_definition(api_as, viewer, form, pair, reviewer, lead):
    from charting import services

    services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"aim": "x"})
    services.field_update(form=form, by=lead, key="aim", label="Aim")
    client = api_as(viewer)
    versions = client.get(f"{BASE}/forms/{form.pk}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    definition = client.get(f"{BASE}/forms/{form.pk}/versions/1/").json()
    study = definition["sections"][0]
    assert study["key"] == "study" and study["fields"][2]["label"] == "Study aim"
    assert client.get(f"{BASE}/forms/{form.pk}/versions/9/").status_code == 404


def test_versions_outsider_404_and_wrong_method(api_as, outsider, lead, form):
    assert api_as(outsider).get(f"{BASE}/forms/{form.pk}/versions/").status_code == 404
    assert api_as(lead).post(f"{BASE}/forms/{form.pk}/versions/", {}).status_code == 405


def test_extraction_draft_save_submit_and_blinding(api_as, reviewer, reviewer2, pair):
    first, second = pair
    client = api_as(reviewer)
    saved = client.patch(f"{BASE}/extractions/{first.pk}/", {"values": {"aim": "A", "sample_size": "x"}}, format="json")
    assert saved.status_code == 400
    assert saved.json()["errors"] == {"sample_size": "Enter a whole number, e.g. 120"} and saved.json()["saved"] == [
        "aim"
    ]
    assert client.get(f"{BASE}/extractions/{first.pk}/").json()["values"] == {"aim": "A"}
    other = api_as(reviewer2)
    assert other.get(f"{BASE}/extractions/{first.pk}/").status_code == 403  # blinded
    incomplete = client.post(f"{BASE}/extractions/{first.pk}/submit/", {}, format="json")
    assert incomplete.status_code == 400 and incomplete.json()["error"]["fields"]["specialty"] == ["Required"]
    done = client.post(f"{BASE}/extractions/{first.pk}/submit/", {"values": COMPLETE}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    assert other.get(f"{BASE}/extractions/{first.pk}/").status_code == 403  # still blinded
    submit(second)
    assert other.get(f"{BASE}/extractions/{first.pk}/").json()["values"]["aim"] == COMPLETE["aim"]


def test_extraction_save_by_another_member_is_forbidden(api_as, reviewer2, viewer, pair):
    for user in (reviewer2, viewer):
        response = api_as(user).patch(f"{BASE}/extractions/{pair[0].pk}/", {"values": {"aim": "x"}}, format="json")
        assert response.status_code == 403
    assert not ExtractionValue.objects.exists()


def test_extraction_outsider_404_and_wrong_method(api_as, outsider, reviewer, pair):
    assert api_as(outsider).get(f"{BASE}/extractions/{pair[0].pk}/").status_code == 404
    assert api_as(outsider).post(f"{BASE}/extractions/{pair[0].pk}/submit/", {}).status_code == 404
    assert api_as(reviewer).delete(f"{BASE}/extractions/{pair[0].pk}/").status_code == 405
    assert api_as(reviewer).get(f"{BASE}/extractions/{pair[0].pk}/submit/").status_code == 405


def test_extraction_list_mine_for_reviewers_all_for_lead(api_as, reviewer, lead, pair, django_assert_max_num_queries):
    assert [e["id"] for e in api_as(reviewer).get(f"{BASE}/extractions/").json()] == [pair[0].pk]
    client = api_as(lead)
    with django_assert_max_num_queries(6):
        everyone = client.get(f"{BASE}/extractions/").json()
    assert len(everyone) == 2 and "values" not in everyone[0]


def test_comparison_blinded_then_visible(api_as, lead, pair):
    client = api_as(lead)
    url = f"{BASE}/studies/{pair[0].record_id}/comparison/"
    submit(pair[0])
    blinded = client.get(url).json()
    assert blinded["visible"] is False and blinded["fields"] == []
    submit(pair[1], sample_size=99)
    body = client.get(url).json()
    size = next(f for f in body["fields"] if f["key"] == "sample_size")
    assert size["differs"] and size["answers"] == {"reviewer": 120, "reviewer2": 99} and size["final"] is None


def test_comparison_outsider_and_wrong_method(api_as, outsider, lead, pair):
    url = f"{BASE}/studies/{pair[0].record_id}/comparison/"
    assert api_as(outsider).get(url).status_code == 404
    assert api_as(lead).post(url, {}).status_code == 405


def test_consensus_set_by_lead_and_history(api_as, lead, pair, form):
    submit(pair[0])
    submit(pair[1], sample_size=99)
    client = api_as(lead)
    url = f"{BASE}/studies/{pair[0].record_id}/consensus/"
    created = client.post(url, {"field": "sample_size", "extraction": pair[1].pk}, format="json")
    assert created.status_code == 201 and created.json()["value"] == 99 and created.json()["source"] == "chosen"
    invalid = client.post(url, {"field": "sample_size", "value": "lots"}, format="json")
    assert invalid.status_code == 400 and invalid.json()["error"]["fields"] == {
        "sample_size": ["Enter a whole number, e.g. 120"]
    }
    history = client.get(url).json()
    assert history[0]["field"] == "sample_size" and history[0]["decided_by"] == "lead"
    assert selectors.final_values(form=form)[pair[0].record_id]["sample_size"] == 99


def test_consensus_before_both_submit_is_a_conflict(api_as, lead, pair):
    submit(pair[0])
    response = api_as(lead).post(
        f"{BASE}/studies/{pair[0].record_id}/consensus/", {"field": "aim", "value": "x"}, format="json"
    )
    assert response.status_code == 409
    assert not ConsensusValue.objects.exists()


def test_consensus_forbidden_for_viewer_and_outsider_404(api_as, viewer, outsider, pair):
    submit(pair[0])
    submit(pair[1])
    url = f"{BASE}/studies/{pair[0].record_id}/consensus/"
    assert api_as(viewer).post(url, {"field": "aim", "value": "x"}, format="json").status_code == 403
    assert api_as(outsider).post(url, {"field": "aim", "value": "x"}, format="json").status_code == 404
    assert api_as(viewer).put(url, {}, format="json").status_code == 405
    assert not ConsensusValue.objects.filter(source="edited").exists()


def test_summaries_json(api_as, viewer, pair, form):
    submit(pair[0])
    submit(pair[1])
    client = api_as(viewer)
    body = client.get(f"{BASE}/charting/summaries/").json()
    assert body["studies"] == 1 and body["final"] == 1
    specialty = next(f for f in body["fields"] if f["key"] == "specialty")
    assert specialty["answered"] == 1 and specialty["rows"][0] == {
        "value": "cardiology",
        "label": "Cardiology",
        "n": 1,
        "percent": 100.0,
    }
    size = next(f for f in body["fields"] if f["key"] == "sample_size")
    assert size["kind"] == "numeric" and size["mean"] == 120
    cross = client.get(f"{BASE}/charting/summaries/crosstab/?row=target_data_type&col=specialty").json()
    cell = next(c for c in cross["cells"] if c["row"] == "time_series" and c["col"] == "cardiology")
    assert cell["n"] == 1 and len(cell["studies"]) == 1
    links = client.get(f"{BASE}/charting/summaries/sankey/?source=source_data_type&target=target_data_type").json()
    assert links["links"] == [{"source": "Images", "target": "Time series", "n": 1}]
    years = client.get(f"{BASE}/charting/summaries/publications/?by=year").json()
    assert years["periods"] == [{"period": "2018", "n": 1}]
    assert client.get(f"{BASE}/charting/summaries/sankey/?source=aim&target=specialty").status_code == 404


def test_summaries_outsider_404_and_wrong_method(api_as, outsider, lead, form):
    assert api_as(outsider).get(f"{BASE}/charting/summaries/").status_code == 404
    assert api_as(lead).post(f"{BASE}/charting/summaries/", {}).status_code == 405


def test_export_csv_through_api(api_as, viewer, outsider, pair):
    submit(pair[0])
    submit(pair[1])
    response = api_as(viewer).get(f"{BASE}/charting/exports/wide.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(b"".join(response.streaming_content)))
    assert frame["study_id"].tolist() == [pair[0].record_id] and frame["sample_size"].tolist() == [120]
    assert api_as(viewer).get(f"{BASE}/charting/exports/other.csv").status_code == 404
    assert api_as(outsider).get(f"{BASE}/charting/exports/wide.csv").status_code == 404


def test_reopen_by_lead_only(api_as, lead, reviewer, outsider, pair):
    submit(pair[0])
    url = f"{BASE}/extractions/{pair[0].pk}/reopen/"
    assert api_as(reviewer).post(url).status_code == 403
    assert api_as(outsider).post(url).status_code == 404
    assert api_as(lead).get(url).status_code == 405
    response = api_as(lead).post(url)
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert api_as(lead).post(url).status_code == 409  # already a draft


def test_build_fields_through_the_api(api_as, lead, form):
    client = api_as(lead)
    base = f"{BASE}/forms/{form.pk}"
    section = client.post(f"{base}/sections/", {"title": "Outcomes"}, format="json")
    assert section.status_code == 201 and section.json()["key"] == "outcomes"
    created = client.post(
        f"{base}/fields/",
        {"section": "outcomes", "label": "Validation", "type": "multiple", "choices": ["Internal", "External"]},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["choices"] == [
        {"value": "internal", "label": "Internal"},
        {"value": "external", "label": "External"},
    ]
    changed = client.patch(
        f"{base}/fields/validation/", {"choices": ["internal = In-house", "External"]}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["choices"][0] == {"value": "internal", "label": "In-house"}
    bad = client.post(f"{base}/fields/", {"section": "outcomes", "label": "X", "type": "single"}, format="json")
    assert bad.status_code == 400 and "choices" in bad.json()["error"]["fields"]
    assert client.delete(f"{base}/fields/validation/").status_code == 204
    assert not Field.objects.filter(version__form=form, key="validation").exists()


def test_delete_field_with_data_through_the_api_needs_confirm(api_as, lead, reviewer, form, pair):
    from charting import services

    services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"aim": "kept"})
    client = api_as(lead)
    url = f"{BASE}/forms/{form.pk}/fields/aim/"
    assert client.delete(url).status_code == 409
    assert client.delete(f"{url}?confirm=1").status_code == 204
    assert ExtractionValue.objects.get(field_key="aim").value == "kept"


def test_field_api_roles_outsider_and_method(api_as, reviewer, outsider, lead, form):
    url = f"{BASE}/forms/{form.pk}/fields/"
    body = {"section": "study", "label": "X", "type": "short_text"}
    assert api_as(reviewer).post(url, body, format="json").status_code == 403
    assert api_as(outsider).post(url, body, format="json").status_code == 404
    assert api_as(lead).get(url).status_code == 405
    assert api_as(lead).patch(f"{url}nope/", {"label": "Y"}, format="json").status_code == 404
    assert not Field.objects.filter(key="x").exists()

"""Charting API for what the lead sets up on the pages: form settings, sections, moving fields, assigning and
reassigning extractions, the pilot round; and downloading a summary as SVG or CSV. Response and rows."""

from __future__ import annotations

import pytest

from charting import selectors, services
from charting.models import Extraction, Field, Form, FormVersion, Section
from review.models import AuditEvent, Review
from tests.charting.conftest import submit
from tests.charting.factories import RecordFactory

BASE = "/api/v1/reviews/tl-clinical"


@pytest.fixture
def api_as(api_clients):
    return api_clients


def _keys(form, section="study"):
    version = selectors.form_current_version(form=form)
    return list(
        Field.objects.filter(version=version, section__key=section)
        .order_by("position", "id")
        .values_list("key", flat=True)
    )


# ---- form settings -------------------------------------------------------------------------------------------


def test_every_member_reads_the_form(api_as, viewer, form):
    body = api_as(viewer).get(f"{BASE}/forms/{form.pk}/").json()
    assert body["id"] == form.pk and body["extractors_per_study"] == 2 and body["current_version"] == 1


def test_lead_changes_the_form_settings(api_as, lead, form):
    url = f"{BASE}/forms/{form.pk}/"
    response = api_as(lead).patch(url, {"extractors_per_study": 3}, format="json")
    assert response.status_code == 200 and response.json()["extractors_per_study"] == 3
    stored = Form.objects.get(pk=form.pk)
    assert stored.extractors_per_study == 3 and stored.title == form.title  # the title was not sent
    response = api_as(lead).patch(url, {"title": "  Methods of transfer learning  "}, format="json")
    assert response.json()["title"] == "Methods of transfer learning"
    assert Form.objects.get(pk=form.pk).title == "Methods of transfer learning"
    assert AuditEvent.objects.filter(action="charting.form.settings").count() == 2


def test_bad_form_settings_say_which_field(api_as, lead, form):
    url = f"{BASE}/forms/{form.pk}/"
    response = api_as(lead).patch(url, {"extractors_per_study": 9}, format="json")
    assert response.status_code == 400 and "extractors_per_study" in response.json()["error"]["fields"]
    response = api_as(lead).patch(url, {"title": "   "}, format="json")
    assert response.status_code == 400 and "title" in response.json()["error"]["fields"]
    assert Form.objects.get(pk=form.pk).extractors_per_study == 2


def test_form_settings_are_for_the_lead_only(api_as, reviewer, viewer, outsider, lead, form):
    url = f"{BASE}/forms/{form.pk}/"
    for user in (reviewer, viewer):
        assert api_as(user).patch(url, {"extractors_per_study": 1}, format="json").status_code == 403
    assert api_as(outsider).patch(url, {"extractors_per_study": 1}, format="json").status_code == 404
    assert api_as(outsider).get(url).status_code == 404
    assert api_as(lead).delete(url).status_code == 405
    assert api_as(lead).get(f"{BASE}/forms/{form.pk + 1}/").status_code == 404
    assert Form.objects.get(pk=form.pk).extractors_per_study == 2


# ---- sections ------------------------------------------------------------------------------------------------


def test_lead_renames_a_section(api_as, lead, form):
    response = api_as(lead).patch(f"{BASE}/forms/{form.pk}/sections/study/", {"title": "Study design"}, format="json")
    assert response.status_code == 200 and response.json() == {
        "key": "study",
        "title": "Study design",
        "repeating": False,
        "instance_label": "",
    }
    version = selectors.form_current_version(form=form)
    assert Section.objects.get(version=version, key="study").title == "Study design"


def test_renaming_a_section_after_extraction_started_makes_a_new_version(api_as, lead, reviewer, pair, form):
    services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"aim": "x"})
    api_as(lead).patch(f"{BASE}/forms/{form.pk}/sections/study/", {"title": "Study design"}, format="json")
    assert FormVersion.objects.filter(form=form).count() == 2
    assert Section.objects.get(version__form=form, version__number=1, key="study").title != "Study design"
    assert Section.objects.get(version__form=form, version__number=2, key="study").title == "Study design"


def test_lead_deletes_an_empty_section_but_not_one_with_fields(api_as, lead, form):
    client = api_as(lead)
    client.post(f"{BASE}/forms/{form.pk}/sections/", {"title": "Outcomes"}, format="json")
    assert client.delete(f"{BASE}/forms/{form.pk}/sections/outcomes/").status_code == 204
    version = selectors.form_current_version(form=form)
    assert not Section.objects.filter(version=version, key="outcomes").exists()
    response = client.delete(f"{BASE}/forms/{form.pk}/sections/study/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"section": ["Move or delete the section's fields first"]}
    assert Section.objects.filter(version=version, key="study").exists()
    assert client.delete(f"{BASE}/forms/{form.pk}/sections/nope/").status_code == 404
    assert client.patch(f"{BASE}/forms/{form.pk}/sections/nope/", {"title": "x"}, format="json").status_code == 404


def test_sections_are_changed_by_the_lead_only(api_as, reviewer, viewer, outsider, lead, form):
    url = f"{BASE}/forms/{form.pk}/sections/study/"
    for user in (reviewer, viewer):
        assert api_as(user).patch(url, {"title": "x"}, format="json").status_code == 403
        assert api_as(user).delete(url).status_code == 403
    assert api_as(outsider).patch(url, {"title": "x"}, format="json").status_code == 404
    assert api_as(outsider).delete(url).status_code == 404
    assert api_as(lead).get(url).status_code == 405
    assert Section.objects.get(version__form=form, key="study").title == "Study"


# ---- moving fields -------------------------------------------------------------------------------------------


def test_lead_moves_a_field_up_and_down_in_its_section(api_as, lead, form):
    client = api_as(lead)
    response = client.post(f"{BASE}/forms/{form.pk}/fields/aim/move/", {"direction": "up"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"section": "study", "fields": ["specialty", "aim", "affiliations"]}
    assert _keys(form) == ["specialty", "aim", "affiliations"]
    client.post(f"{BASE}/forms/{form.pk}/fields/specialty/move/", {"direction": "down"}, format="json")
    assert _keys(form) == ["aim", "specialty", "affiliations"]
    first = client.post(f"{BASE}/forms/{form.pk}/fields/aim/move/", {"direction": "up"}, format="json")
    assert first.status_code == 200 and _keys(form) == ["aim", "specialty", "affiliations"]  # already first


def test_moving_a_field_after_extraction_started_makes_a_new_version(api_as, lead, reviewer, pair, form):
    services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"aim": "x"})
    api_as(lead).post(f"{BASE}/forms/{form.pk}/fields/aim/move/", {"direction": "up"}, format="json")
    assert FormVersion.objects.filter(form=form).count() == 2
    first = list(Field.objects.filter(version__number=1, section__key="study").order_by("position"))
    assert [f.key for f in first] == ["specialty", "affiliations", "aim"]  # what the extractor answered stays
    assert _keys(form) == ["specialty", "aim", "affiliations"]


def test_field_move_bad_input_and_roles(api_as, lead, reviewer, viewer, outsider, form):
    url = f"{BASE}/forms/{form.pk}/fields/aim/move/"
    bad = api_as(lead).post(url, {"direction": "sideways"}, format="json")
    assert bad.status_code == 400 and "direction" in bad.json()["error"]["fields"]
    assert api_as(lead).post(f"{BASE}/forms/{form.pk}/fields/nope/move/", {"direction": "up"}).status_code == 404
    for user in (reviewer, viewer):
        assert api_as(user).post(url, {"direction": "up"}, format="json").status_code == 403
    assert api_as(outsider).post(url, {"direction": "up"}, format="json").status_code == 404
    assert api_as(lead).get(url).status_code == 405
    assert _keys(form) == ["specialty", "affiliations", "aim"]


# ---- assignment ----------------------------------------------------------------------------------------------


def test_lead_sees_who_may_chart_and_what_waits(api_as, lead, form, studies, pair):
    body = api_as(lead).get(f"{BASE}/charting/assignments/").json()
    assert body == {
        "extractors_per_study": 2,
        "extractors": ["lead", "reviewer", "reviewer2"],
        "unassigned": [studies[1].pk, studies[2].pk],
    }


def test_lead_assigns_every_waiting_study(api_as, lead, form, studies, reviewer, reviewer2):
    response = api_as(lead).post(
        f"{BASE}/charting/assignments/", {"extractors": ["reviewer", "reviewer2"]}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"created": 6}
    rows = Extraction.objects.filter(round="main").values_list("record_id", "extractor__username")
    assert sorted(rows) == sorted((s.pk, name) for s in studies for name in ("reviewer", "reviewer2"))
    assert set(Extraction.objects.values_list("assigned_by", flat=True)) == {lead.pk}
    again = api_as(lead).post(f"{BASE}/charting/assignments/", {"extractors": ["reviewer", "reviewer2"]})
    assert again.json() == {"created": 0} and Extraction.objects.count() == 6


def test_assignment_names_only_reviewers_and_leads_of_the_review(api_as, lead, viewer, outsider, form, studies):
    for people in (["reviewer", "outsider"], ["reviewer", "viewer"], ["reviewer", "nobody"]):
        response = api_as(lead).post(f"{BASE}/charting/assignments/", {"extractors": people}, format="json")
        assert response.status_code == 400, people
        assert list(response.json()["error"]["fields"]) == ["extractors"]
        assert people[1] in response.json()["error"]["message"]
    too_few = api_as(lead).post(f"{BASE}/charting/assignments/", {"extractors": ["reviewer"]}, format="json")
    assert too_few.status_code == 400 and too_few.json()["error"]["fields"]["extractors"]
    assert not Extraction.objects.exists()


def test_lead_assigns_one_study(api_as, lead, form, studies):
    url = f"{BASE}/studies/{studies[0].pk}/assign/"
    response = api_as(lead).post(url, {"extractors": ["reviewer", "lead"]}, format="json")
    assert response.status_code == 201
    assert [(e["extractor"], e["round"], e["status"]) for e in response.json()] == [
        ("reviewer", "main", "draft"),
        ("lead", "main", "draft"),
    ]
    assert set(Extraction.objects.filter(record=studies[0]).values_list("extractor__username", flat=True)) == {
        "reviewer",
        "lead",
    }
    full = api_as(lead).post(url, {"extractors": ["reviewer2"]}, format="json")
    assert full.status_code == 400 and "already has 2 of 2" in full.json()["error"]["message"]
    assert Extraction.objects.count() == 2


def test_a_study_not_included_cannot_be_assigned(api_as, lead, outsider, form, studies, review, search):
    screened_out = RecordFactory(review=review, search=search)
    response = api_as(lead).post(f"{BASE}/studies/{screened_out.pk}/assign/", {"extractors": ["reviewer"]})
    assert response.status_code == 400 and "not a study included" in response.json()["error"]["message"]
    foreign = RecordFactory(review=Review.objects.get(slug="other-review"))
    assert api_as(lead).post(f"{BASE}/studies/{foreign.pk}/assign/", {"extractors": ["reviewer"]}).status_code == 404
    assert not Extraction.objects.exists()


def test_lead_reassigns_a_draft(api_as, lead, reviewer, pair):
    first = pair[0]
    services.extraction_save_draft(extraction=first, by=reviewer, values={"aim": "kept"})
    response = api_as(lead).post(f"{BASE}/extractions/{first.pk}/reassign/", {"extractor": "lead"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["extractor"] == "lead" and body["status"] == "draft" and body["record"] == first.record_id
    first.refresh_from_db()
    assert first.status == "withdrawn" and first.withdrawn_at is not None
    assert selectors.extraction_values(extraction=first) == {"aim": "kept"}  # the old answers stay
    assert Extraction.objects.get(pk=body["id"]).extractor.username == "lead"


def test_reassignment_refusals(api_as, lead, pair):
    first, second = pair
    url = f"{BASE}/extractions/{first.pk}/reassign/"
    same = api_as(lead).post(url, {"extractor": "reviewer"}, format="json")
    assert same.status_code == 400 and same.json()["error"]["fields"] == {
        "extractor": ["That person already has this extraction"]
    }
    stranger = api_as(lead).post(url, {"extractor": "viewer"}, format="json")
    assert stranger.status_code == 400 and "extractor" in stranger.json()["error"]["fields"]
    submit(second)
    done = api_as(lead).post(f"{BASE}/extractions/{second.pk}/reassign/", {"extractor": "lead"}, format="json")
    assert done.status_code == 409 and done.json()["error"]["code"] == "conflict"
    assert not Extraction.objects.filter(status="withdrawn").exists() and Extraction.objects.count() == 2


def test_assignment_routes_are_for_the_lead_only(api_as, reviewer, viewer, outsider, lead, pair, studies):
    routes = [
        ("post", f"{BASE}/charting/assignments/", {"extractors": ["reviewer", "reviewer2"]}),
        ("get", f"{BASE}/charting/assignments/", None),
        ("post", f"{BASE}/studies/{studies[1].pk}/assign/", {"extractors": ["reviewer"]}),
        ("post", f"{BASE}/extractions/{pair[0].pk}/reassign/", {"extractor": "lead"}),
        ("post", f"{BASE}/charting/pilot/", {"records": [studies[1].pk], "extractors": ["reviewer"]}),
    ]
    for method, url, data in routes:
        for user in (reviewer, viewer):
            assert getattr(api_as(user), method)(url, data, format="json").status_code == 403, url
        assert getattr(api_as(outsider), method)(url, data, format="json").status_code == 404, url
    assert api_as(lead).delete(f"{BASE}/charting/assignments/").status_code == 405
    assert api_as(lead).get(f"{BASE}/studies/{studies[1].pk}/assign/").status_code == 405
    assert api_as(lead).get(f"{BASE}/extractions/{pair[0].pk}/reassign/").status_code == 405
    assert Extraction.objects.count() == 2 and not Extraction.objects.filter(status="withdrawn").exists()


def test_assignment_without_a_form_is_404(api_as, lead, studies):
    response = api_as(lead).post(f"{BASE}/charting/assignments/", {"extractors": ["reviewer", "reviewer2"]})
    assert response.status_code == 404 and not Extraction.objects.exists()


# ---- pilot ---------------------------------------------------------------------------------------------------


def test_lead_starts_the_pilot_and_members_read_its_agreement(api_as, lead, viewer, form, studies):
    chosen = [studies[0].pk, studies[1].pk]
    response = api_as(lead).post(
        f"{BASE}/charting/pilot/", {"records": chosen, "extractors": ["reviewer", "reviewer2"]}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"created": 4}
    pilots = list(Extraction.objects.filter(round="pilot").order_by("record_id", "extractor__username"))
    assert [(e.record_id, e.extractor.username) for e in pilots] == [
        (chosen[0], "reviewer"),
        (chosen[0], "reviewer2"),
        (chosen[1], "reviewer"),
        (chosen[1], "reviewer2"),
    ]
    before = api_as(viewer).get(f"{BASE}/charting/pilot/").json()
    assert [s["submitted"] for s in before["studies"]] == [0, 0]
    assert next(a for a in before["agreement"] if a["field"] == "sample_size")["compared"] == 0  # drafts stay hidden
    for extraction in pilots:
        submit(extraction, sample_size=100 if extraction.extractor.username == "reviewer" else 200)
    body = api_as(viewer).get(f"{BASE}/charting/pilot/").json()
    assert [(s["record"], s["submitted"]) for s in body["studies"]] == [(chosen[0], 2), (chosen[1], 2)]
    agreement = {a["field"]: (a["agreed"], a["compared"], a["percent"]) for a in body["agreement"]}
    assert agreement["sample_size"] == (0, 2, 0.0) and agreement["specialty"] == (2, 2, 100.0)


def test_pilot_refuses_unknown_records_and_people(api_as, lead, form, studies):
    url = f"{BASE}/charting/pilot/"
    unknown = api_as(lead).post(url, {"records": [studies[0].pk, 999999], "extractors": ["reviewer"]}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["fields"] == {
        "records": ["No record 999999 in this review"]
    }
    stranger = api_as(lead).post(url, {"records": [studies[0].pk], "extractors": ["outsider"]}, format="json")
    assert stranger.status_code == 400 and "extractors" in stranger.json()["error"]["fields"]
    empty = api_as(lead).post(url, {"records": [], "extractors": []}, format="json")
    assert empty.status_code == 400
    assert not Extraction.objects.exists()


def test_pilot_read_outsider_and_wrong_method(api_as, outsider, lead, form):
    assert api_as(outsider).get(f"{BASE}/charting/pilot/").status_code == 404
    assert api_as(lead).put(f"{BASE}/charting/pilot/", {}, format="json").status_code == 405


# ---- summary files -------------------------------------------------------------------------------------------


def test_summary_chart_as_svg(api_as, viewer, two_final):
    client = api_as(viewer)
    chart = client.get(f"{BASE}/charting/summaries/field-target_data_type.svg")
    assert chart.status_code == 200 and chart["Content-Type"].startswith("image/svg+xml")
    assert chart.content.startswith(b"<svg") and b"Time series" in chart.content and b"Tabular" in chart.content
    assert "attachment" not in chart.get("Content-Disposition", "")
    assert chart["Content-Security-Policy"].startswith("default-src 'none'")
    download = client.get(
        f"{BASE}/charting/summaries/sankey.svg?source=source_data_type&target=target_data_type&download=1",
        HTTP_ACCEPT="image/svg+xml",
    )
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="sankey-source_data_type-target_data_type.svg"'
    years = client.get(f"{BASE}/charting/summaries/publications.svg?by=year")
    assert years.status_code == 200 and b"2018" in years.content and b"2019" in years.content


def test_summary_tables_as_csv(api_as, viewer, two_final):
    response = api_as(viewer).get(f"{BASE}/charting/summaries/field-target_data_type.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "field,option_code,option,n,percent,denominator"
    assert "target_data_type,time_series,Time series,1,50.0,2" in lines
    per_year = api_as(viewer).get(f"{BASE}/charting/summaries/publications.csv")
    assert b"".join(per_year.streaming_content).decode().splitlines() == ["period,n", "2018,1", "2019,1"]


def test_summary_files_show_only_final_values(api_as, viewer, pair):
    submit(pair[0])  # the second extractor has not submitted: nothing is final yet
    chart = api_as(viewer).get(f"{BASE}/charting/summaries/field-target_data_type.svg")
    assert chart.status_code == 200 and b"n = 0 studies with an answer" in chart.content
    submit(pair[1])
    chart = api_as(viewer).get(f"{BASE}/charting/summaries/field-target_data_type.svg")
    assert b"n = 1 studies with an answer" in chart.content


def test_summary_files_unknown_names_outsider_and_method(api_as, viewer, outsider, lead, two_final):
    client = api_as(viewer)
    assert client.get(f"{BASE}/charting/summaries/field-nope.svg").status_code == 404
    assert client.get(f"{BASE}/charting/summaries/frequencies.png").status_code == 404
    unknown = client.get(f"{BASE}/charting/summaries/field-aim.svg", HTTP_ACCEPT="image/svg+xml")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert api_as(outsider).get(f"{BASE}/charting/summaries/field-target_data_type.svg").status_code == 404
    assert api_as(lead).post(f"{BASE}/charting/summaries/field-target_data_type.svg").status_code == 405


def test_summary_files_without_a_form_are_404(api_as, viewer, review):
    assert api_as(viewer).get(f"{BASE}/charting/summaries/frequencies.csv").status_code == 404

"""Studies, reports and repeating groups through the API and the pages: roles, outsiders, responses and rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from charting import selectors, services
from charting.models import ConsensusValue, Extraction, ExtractionValue, ReportPairDismissal, Section
from charting.selectors.studies import looks_like_versions, title_overlap
from review.models import DuplicateDecision, Record
from tests.charting.conftest import include_at_full_text, submit
from tests.charting.factories import RecordFactory

BASE = "/api/v1/reviews/tl-clinical"
NR = {"not_reported": True}


@pytest.fixture
def api_as(api_clients):
    return api_clients


@pytest.fixture
def models(form, lead):
    section = services.section_add(form=form, by=lead, title="Models", repeating=True, instance_label="Model")
    services.field_add(form=form, by=lead, section_key=section.key, label="Model name", type="short_text")
    services.field_add(form=form, by=lead, section_key=section.key, label="AUC", type="decimal")
    return section


@pytest.fixture
def versions(review, search, studies, lead):
    """A conference abstract judged 'different' from study 0 at deduplication, by the same first author."""
    main = studies[0]
    main.title, main.authors = "Deep transfer learning for atrial fibrillation detection from ECG", ["Smith, J."]
    main.save()
    abstract = RecordFactory(
        review=review,
        search=search,
        title="Transfer learning for atrial fibrillation detection from ECG: a pilot",
        authors=["Smith, John"],
        year=2017,
    )
    unrelated = RecordFactory(review=review, search=search, title=main.title, authors=["Jones, K."])
    for other in (abstract, unrelated):
        a, b = sorted([main, other], key=lambda r: r.pk)
        DuplicateDecision.objects.create(review=review, record_a=a, record_b=b, same=False, decided_by=lead)
    return main, abstract, unrelated


# ---- the pure rule -----------------------------------------------------------------------------------------------


def test_versions_need_the_same_first_author_and_half_the_title_words():
    a = Record(title="Deep learning for ECG", authors=["Smith, J."])
    version = Record(title="Deep learning for ECG: abstract", authors=["Smith, John"])
    assert looks_like_versions(a, version) == pytest.approx(8 / 9)  # 4 shared words of 4 and 5
    assert looks_like_versions(a, Record(title="Deep learning for ECG", authors=["Jones, J."])) is None
    assert looks_like_versions(a, Record(title="Cardiac MRI segmentation", authors=["Smith, J."])) is None
    assert title_overlap("", "x") == 0.0


# ---- suggestions and confirmation ------------------------------------------------------------------------------


def test_suggestions_list_version_pairs_and_the_lead_confirms_through_the_api(api_as, lead, versions, review):
    main, abstract, _unrelated = versions
    client = api_as(lead)
    suggested = client.get(f"{BASE}/charting/report-suggestions/").json()
    # 8 title words shared of 9 and 10: Dice 16/19 = 0.84; the unrelated pair has another first author.
    assert suggested == [{"study": main.pk, "report": abstract.pk, "overlap": 0.84}]
    response = client.put(f"{BASE}/records/{abstract.pk}/report-of/", {"study": main.pk}, format="json")
    assert response.status_code == 200
    assert Record.objects.get(pk=abstract.pk).report_of_id == main.pk
    assert client.get(f"{BASE}/charting/report-suggestions/").json() == []
    studies = client.get(f"{BASE}/charting/studies/").json()
    assert {"study_id": main.pk, "report_ids": [main.pk, abstract.pk]} in studies and len(studies) == 3


def test_suggestions_are_for_the_lead_and_hidden_from_outsiders(api_as, reviewer, outsider, versions):
    assert api_as(reviewer).get(f"{BASE}/charting/report-suggestions/").status_code == 403
    assert api_as(outsider).get(f"{BASE}/charting/report-suggestions/").status_code == 404
    assert api_as(outsider).get(f"{BASE}/charting/studies/").status_code == 404
    assert api_as(reviewer).post(f"{BASE}/charting/studies/", {}).status_code == 405


def test_reports_page_confirms_a_suggestion(as_lead, versions):
    main, abstract, _unrelated = versions
    url = reverse("charting:reports", args=["tl-clinical"])
    page = as_lead.get(url)
    assert page.status_code == 200 and f"#{abstract.pk}" in page.content.decode()
    response = as_lead.post(url, {"action": "link", "report": abstract.pk, "study": main.pk})
    assert response.status_code == 302
    assert Record.objects.get(pk=abstract.pk).report_of_id == main.pk
    response = as_lead.post(url, {"action": "unlink", "report": abstract.pk})
    assert response.status_code == 302 and Record.objects.get(pk=abstract.pk).report_of_id is None


def test_reports_page_refuses_records_of_other_reviews_and_reviewers(as_lead, as_reviewer, as_outsider, versions):
    main, abstract, _unrelated = versions
    url = reverse("charting:reports", args=["tl-clinical"])
    other = RecordFactory()  # another review's record
    response = as_lead.post(url, {"action": "link", "report": other.pk, "study": main.pk})
    assert response.status_code == 400 and f"No record {other.pk} in this review" in response.content.decode()
    assert as_reviewer.post(url, {"action": "link", "report": abstract.pk, "study": main.pk}).status_code == 403
    assert as_outsider.get(url).status_code == 404
    assert Record.objects.get(pk=abstract.pk).report_of_id is None


# ---- repeating groups through the API --------------------------------------------------------------------------


def test_api_saves_instances_sources_and_not_reported(api_as, reviewer, pair, models):
    client = api_as(reviewer)
    body = {
        "values": {"model_name#1": "ResNet", "model_name#2": "ViT", "auc#2": NR},
        "sources": {"model_name#1": {"quote": "we fine-tuned ResNet", "page": 3}},
    }
    response = client.patch(f"{BASE}/extractions/{pair[0].pk}/", body, format="json")
    assert response.status_code == 200
    assert response.json()["values"] == {"model_name#1": "ResNet", "model_name#2": "ViT", "auc#2": NR}
    detail = client.get(f"{BASE}/extractions/{pair[0].pk}/").json()
    assert detail["sources"] == {"model_name#1": {"quote": "we fine-tuned ResNet", "page": "3"}}
    row = ExtractionValue.objects.get(extraction=pair[0], field_key="model_name", instance=1)
    assert (row.value, row.quote, row.page) == ("ResNet", "we fine-tuned ResNet", "3")
    bad = client.patch(f"{BASE}/extractions/{pair[0].pk}/", {"values": {"model_name": "x"}}, format="json")
    assert bad.status_code == 400 and "model_name#1" in bad.json()["errors"]["model_name"]
    removed = client.post(
        f"{BASE}/extractions/{pair[0].pk}/instances/remove/", {"group": "models", "instance": 1}, format="json"
    )
    assert removed.status_code == 200 and removed.json()["values"] == {"model_name#1": "ViT", "auc#1": NR}


def test_api_instance_removal_is_the_extractors_own(api_as, reviewer2, outsider, pair, models):
    url = f"{BASE}/extractions/{pair[0].pk}/instances/remove/"
    assert api_as(reviewer2).post(url, {"group": "models", "instance": 1}, format="json").status_code == 403
    assert api_as(outsider).post(url, {"group": "models", "instance": 1}, format="json").status_code == 404
    assert api_as(reviewer2).get(url).status_code == 405


def test_api_comparison_and_consensus_per_instance(api_as, lead, reviewer, reviewer2, pair, models, form):
    services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"model_name#1": "A", "auc#1": "0.9"})
    services.extraction_save_draft(extraction=pair[1], by=reviewer2, values={"model_name#1": "A", "auc#1": "0.8"})
    submit(pair[0])
    submit(pair[1])
    record = pair[0].record_id
    rows = api_as(lead).get(f"{BASE}/studies/{record}/comparison/").json()["fields"]
    auc = next(r for r in rows if r["address"] == "auc#1")
    assert auc["group"] == "models" and auc["instance"] == 1 and auc["differs"] is True
    assert next(r for r in rows if r["address"] == "model_name#1")["final"] == "A"  # agreed
    response = api_as(lead).post(
        f"{BASE}/studies/{record}/consensus/", {"field": "auc", "instance": 1, "value": "0.85"}, format="json"
    )
    assert response.status_code == 201 and response.json()["instance"] == 1
    assert selectors.final_values(form=form)[record]["auc#1"] == "0.85"
    missing = api_as(lead).post(f"{BASE}/studies/{record}/consensus/", {"field": "auc", "value": "1"}, format="json")
    assert missing.status_code == 400
    assert ConsensusValue.objects.filter(record_id=record, field_key="auc").count() == 1


def test_api_builder_makes_a_repeating_section(api_as, lead, form):
    response = api_as(lead).post(
        f"{BASE}/forms/{form.pk}/sections/", {"title": "Datasets", "repeating": True, "instance_label": "Dataset"}
    )
    assert response.status_code == 201 and response.json()["repeating"] is True
    assert Section.objects.get(key=response.json()["key"], version__form=form).instance_label == "Dataset"


# ---- the extraction screen ------------------------------------------------------------------------------------


def test_extraction_screen_draws_instances_and_saves_them(as_reviewer, pair, models):
    url = reverse("charting:extract", args=["tl-clinical", pair[0].pk])
    page = as_reviewer.get(url).content.decode()
    assert 'name="f-model_name-1"' in page and "Add model" in page and 'name="f-aim__nr"' in page
    added = as_reviewer.get(
        reverse("charting:extract-instance", args=["tl-clinical", pair[0].pk]) + "?group=models&n=2",
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200 and 'name="f-model_name-2"' in added.content.decode()
    assert "n=3" in added.content.decode()  # the button now adds the third
    save = reverse("charting:extract-save", args=["tl-clinical", pair[0].pk])
    response = as_reviewer.post(
        save,
        {
            "f-model_name-1": "ResNet",
            "f-model_name-1__quote": "ResNet-50 pretrained",
            "f-model_name-1__page": "4",
            "f-model_name-2": "ViT",
            "f-auc-2__nr": "1",
            "f-auc-2__shown": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert selectors.extraction_values(extraction=pair[0]) == {
        "model_name#1": "ResNet",
        "model_name#2": "ViT",
        "auc#2": NR,
    }
    assert ExtractionValue.objects.get(extraction=pair[0], field_key="model_name", instance=1).page == "4"
    page = as_reviewer.get(url).content.decode()
    assert 'value="ViT"' in page and "ResNet-50 pretrained" in page


def test_extraction_screen_shows_every_report_of_the_study(
    as_reviewer, pair, review, search, lead, reviewer, reviewer2
):
    second = RecordFactory(review=review, search=search, title="Conference abstract of the same study")
    include_at_full_text(review, second, [reviewer, reviewer2])
    services.study_link_report(review=review, record=second, study=pair[0].record, by=lead)
    page = as_reviewer.get(reverse("charting:extract", args=["tl-clinical", pair[0].pk])).content.decode()
    assert "Conference abstract of the same study" in page and "Additional report of this study" in page


def test_linking_a_charted_report_moves_its_extractions_and_consensus(review, lead, reviewer, reviewer2, studies, form):
    a, b = studies[0], studies[1]
    pair_b = services.extraction_assign(review=review, record=b, extractors=[reviewer, reviewer2], by=lead)
    submit(pair_b[0])
    submit(pair_b[1])
    agreed = ConsensusValue.objects.filter(record=b).count()
    services.study_link_report(review=review, record=b, study=a, by=lead)
    assert Extraction.objects.filter(record=a, status=Extraction.Status.SUBMITTED).count() == 2
    assert ConsensusValue.objects.filter(record=a).count() == agreed and not ConsensusValue.objects.filter(record=b)
    assert [r.pk for r in selectors.chartable_records(review=review)] == [a.pk, studies[2].pk]


def test_comparison_page_shows_instances_and_quotes_and_sets_consensus_per_instance(
    as_lead, lead, reviewer, reviewer2, pair, models, form
):
    cited = {"auc#1": {"quote": "AUC was 0.9", "page": "7"}}
    services.extraction_save_draft(
        extraction=pair[0], by=reviewer, values={"model_name#1": "A", "auc#1": "0.9"}, sources=cited
    )
    services.extraction_save_draft(extraction=pair[1], by=reviewer2, values={"model_name#1": "A", "auc#1": "0.8"})
    submit(pair[0])
    submit(pair[1])
    record = pair[0].record_id
    page = as_lead.get(reverse("charting:compare", args=["tl-clinical", record])).content.decode()
    assert 'id="row-auc-1"' in page and "Model 1 ·" in page and "AUC was 0.9" in page and "p. 7" in page
    response = as_lead.post(
        reverse("charting:consensus", args=["tl-clinical", record]),
        {"field": "auc", "instance": "1", "extraction": pair[0].pk},
    )
    assert response.status_code == 302 and response["Location"].endswith("#row-auc-1")
    row = ConsensusValue.objects.get(record_id=record, field_key="auc")
    assert (row.instance, row.value, row.quote, row.page) == (1, "0.9", "AUC was 0.9", "7")
    bad = as_lead.post(reverse("charting:consensus", args=["tl-clinical", record]), {"field": "auc", "instance": "x"})
    assert bad.status_code == 400 and ConsensusValue.objects.filter(field_key="auc").count() == 1


def test_reports_page_and_studies_api_take_a_fixed_number_of_queries(
    as_lead, api_as, lead, review, search, versions, reviewer, reviewer2, django_assert_max_num_queries
):
    main = versions[0]
    for _ in range(5):  # more studies and reports do not mean more queries
        extra = RecordFactory(review=review, search=search)
        include_at_full_text(review, extra, [reviewer, reviewer2])
        services.study_link_report(review=review, record=extra, study=main, by=lead)
    url = reverse("charting:reports", args=["tl-clinical"])
    with django_assert_max_num_queries(14):
        page = as_lead.get(url)
    assert page.status_code == 200 and page.content.decode().count("Report #") == 5
    client = api_as(lead)
    with django_assert_max_num_queries(8):
        studies = client.get(f"{BASE}/charting/studies/").json()
    assert next(s for s in studies if s["study_id"] == main.pk)["report_ids"][0] == main.pk


def test_a_dismissed_suggestion_is_not_suggested_again(api_as, as_lead, lead, reviewer, outsider, versions):
    main, abstract, _unrelated = versions
    url = f"{BASE}/charting/report-suggestions/dismiss/"
    body = {"study": main.pk, "report": abstract.pk}
    assert api_as(reviewer).post(url, body, format="json").status_code == 403
    assert api_as(outsider).post(url, body, format="json").status_code == 404
    assert api_as(lead).get(url).status_code == 405
    other = RecordFactory()  # another review's record
    assert api_as(lead).post(url, {"study": main.pk, "report": other.pk}, format="json").status_code == 404
    assert not ReportPairDismissal.objects.exists()
    response = api_as(lead).post(url, body, format="json")
    assert response.status_code == 201
    row = ReportPairDismissal.objects.get()
    assert (row.record_a_id, row.record_b_id, row.dismissed_by) == (main.pk, abstract.pk, lead)
    assert api_as(lead).get(f"{BASE}/charting/report-suggestions/").json() == []
    assert api_as(lead).post(url, body, format="json").status_code == 409
    assert Record.objects.get(pk=abstract.pk).report_of_id is None  # dismissing links nothing


def test_reports_page_dismisses_a_suggestion(as_lead, versions):
    main, abstract, _unrelated = versions
    url = reverse("charting:reports", args=["tl-clinical"])
    response = as_lead.post(url, {"action": "dismiss", "report": abstract.pk, "study": main.pk})
    assert response.status_code == 302 and ReportPairDismissal.objects.count() == 1
    assert "Confirm: one study" not in as_lead.get(url).content.decode()

"""Charting pages over HTTP: happy paths, outsiders (404), roles too low (403), wrong methods; response and rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from charting import selectors, services
from charting.models import ConsensusValue, Extraction, ExtractionValue, Field, Form, FormVersion
from tests.charting.conftest import submit

SLUG = "tl-clinical"


def url(name, *args):
    return reverse(f"charting:{name}", args=[SLUG, *args])


# ---- access matrix: every route refuses outsiders with 404 and wrong methods with 405 -------------------------


def _routes(pair):
    first = pair[0]
    record = first.record_id
    return [
        ("home", (), "get", "delete"),
        ("form", (), "get", "put"),
        ("form-settings", (), "post", "get"),
        ("section-add", (), "post", "get"),
        ("section-edit", ("study",), "post", "get"),
        ("field-add", (), "post", "get"),
        ("field-edit", ("aim",), "get", "delete"),
        ("field-delete", ("aim",), "get", "put"),
        ("field-move", ("aim",), "post", "get"),
        ("assign-pending", (), "post", "get"),
        ("assign-study", (record,), "post", "get"),
        ("compare", (record,), "get", "post"),
        ("consensus", (record,), "post", "get"),
        ("extract", (first.pk,), "get", "post"),
        ("extract-save", (first.pk,), "post", "get"),
        ("extract-submit", (first.pk,), "post", "get"),
        ("reassign", (first.pk,), "post", "get"),
        ("pilot", (), "get", "put"),
        ("summaries", (), "get", "post"),
        ("summary-download", ("frequencies", "csv"), "get", "post"),
        ("exports", (), "get", "post"),
        ("export", ("wide",), "get", "post"),
        ("export", ("columns",), "get", "post"),
        ("extract-instance", (first.pk,), "get", "post"),
        ("extract-instance-remove", (first.pk,), "post", "get"),
        ("reports", (), "get", "put"),
    ]


def test_every_route_is_404_for_an_outsider(as_outsider, pair):
    for name, args, method, _wrong in _routes(pair):
        response = getattr(as_outsider, method)(url(name, *args))
        assert response.status_code == 404, name
    assert ExtractionValue.objects.count() == 0 and FormVersion.objects.count() == 1


def test_every_route_refuses_the_wrong_method(as_lead, pair):
    for name, args, _method, wrong in _routes(pair):
        assert getattr(as_lead, wrong)(url(name, *args)).status_code == 405, name


def test_every_route_needs_login(client, pair):
    for name, args, method, _wrong in _routes(pair):
        response = getattr(client, method)(url(name, *args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


LEAD_ONLY_POSTS = [
    ("form-settings", (), {"title": "x", "extractors_per_study": 3}),
    ("section-add", (), {"title": "Extra"}),
    ("section-edit", ("study",), {"title": "Renamed"}),
    ("field-add", (), {"label": "New", "type": "short_text", "section": "study"}),
    ("field-move", ("aim",), {"direction": "up"}),
    ("field-delete", ("aim",), {"confirm": "1"}),
    ("assign-pending", (), {}),
    ("pilot", (), {}),
]


@pytest.mark.parametrize(("name", "args", "data"), LEAD_ONLY_POSTS)
def test_builder_and_assignment_are_forbidden_for_reviewers_and_viewers(as_reviewer, as_viewer, form, name, args, data):
    for client in (as_reviewer, as_viewer):
        assert client.post(url(name, *args), data).status_code == 403
    assert FormVersion.objects.count() == 1
    assert [f.key for f in Field.objects.all()][:3] == ["specialty", "affiliations", "aim"]
    assert Form.objects.get().extractors_per_study == 2 and not Extraction.objects.exists()


# ---- form builder --------------------------------------------------------------------------------------------


def test_lead_starts_the_form_from_the_template(as_lead, review):
    response = as_lead.post(url("form"), {"start": "template:transfer-learning", "title": ""})
    assert response.status_code == 302
    form = Form.objects.get(review=review)
    assert Field.objects.filter(version__form=form, key="model_architecture", type="multiple").exists()


def test_lead_copies_the_form_of_another_review_they_lead(as_lead, lead, review):
    from tests.factories import MembershipFactory, ReviewFactory

    other = ReviewFactory(slug="earlier", created_by=lead)
    MembershipFactory(review=other, user=lead, role="lead")
    source = services.form_create(review=other, by=lead, template="transfer-learning")
    page = as_lead.get(url("form"))
    assert b"review:earlier" in page.content
    response = as_lead.post(url("form"), {"start": "review:earlier"})
    assert response.status_code == 302
    assert (
        Form.objects.get(review=review).origin == "review:earlier" and source.pk != Form.objects.get(review=review).pk
    )


def test_copy_from_a_review_not_led_is_refused(as_lead, review, outsider):
    other_form = services.form_create(review=outsider.memberships.get().review, by=outsider)
    response = as_lead.post(url("form"), {"start": f"review:{other_form.review.slug}"})
    assert response.status_code == 400
    assert not Form.objects.filter(review=review).exists()


def test_reviewer_cannot_start_the_form(as_reviewer, review):
    assert as_reviewer.post(url("form"), {"start": "blank"}).status_code == 403
    assert not Form.objects.exists()


def test_builder_page_lists_fields_for_every_member(as_viewer, form):
    response = as_viewer.get(url("form"))
    assert response.status_code == 200
    assert b"Target data type" in response.content and b"Add a field" not in response.content


def test_lead_adds_a_choice_field_with_options_and_condition(as_lead, form):
    response = as_lead.post(
        url("field-add"),
        {
            "label": "Validation",
            "type": "single",
            "section": "transfer",
            "choices_text": "Internal\nExternal",
            "allow_other": "on",
            "condition_key": "transfer_type",
            "condition_value": "fine_tuning",
        },
    )
    assert response.status_code == 302
    field = Field.objects.get(key="validation")
    assert field.choices == [{"value": "internal", "label": "Internal"}, {"value": "external", "label": "External"}]
    assert field.allow_other and field.condition_key == "transfer_type"


def test_field_add_with_bad_input_says_why_and_writes_nothing(as_lead, form):
    response = as_lead.post(
        url("field-add"), {"label": "Arch", "type": "single", "section": "study", "choices_text": ""}
    )
    assert response.status_code == 400
    assert b"List the options" in response.content
    assert not Field.objects.filter(key="arch").exists()


def test_field_move_over_htmx_returns_the_builder_fragment(as_lead, form):
    response = as_lead.post(url("field-move", "aim"), {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'id="form-builder"' in response.content and b"<html" not in response.content
    keys = [f.key for f in selectors.version_fields(version=selectors.form_current_version(form=form))]
    assert keys[:3] == ["specialty", "aim", "affiliations"]


def test_field_edit_rewords_label_and_keeps_codes(as_lead, form):
    page = as_lead.get(url("field-edit", "affiliations"))
    assert page.status_code == 200 and b"clinical = Clinical" in page.content
    response = as_lead.post(
        url("field-edit", "affiliations"),
        {
            "label": "Affiliations",
            "type": "single",
            "section": "study",
            "choices_text": "clinical = Clinicians\ntechnical = Technical\nboth = Both",
        },
    )
    assert response.status_code == 302
    field = Field.objects.get(key="affiliations")
    assert field.label == "Affiliations" and field.choices[0] == {"value": "clinical", "label": "Clinicians"}


def test_field_edit_of_unknown_key_is_404(as_lead, form):
    assert as_lead.get(url("field-edit", "nope")).status_code == 404


def test_field_delete_with_data_asks_then_keeps_data(as_lead, pair, reviewer, form):
    services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"aim": "Kept aim"})
    page = as_lead.get(url("field-delete", "aim"))
    assert b"1 study has data" in page.content
    refused = as_lead.post(url("field-delete", "aim"))
    assert refused.status_code == 409
    assert Field.objects.filter(version=selectors.form_current_version(form=form), key="aim").exists()
    assert as_lead.post(url("field-delete", "aim"), {"confirm": "1"}).status_code == 302
    assert not Field.objects.filter(version=selectors.form_current_version(form=form), key="aim").exists()
    assert FormVersion.objects.filter(form=form).count() == 2
    assert ExtractionValue.objects.get(field_key="aim").value == "Kept aim"


def test_form_settings_change_extractors_per_study(as_lead, form):
    assert as_lead.post(url("form-settings"), {"title": "Our form", "extractors_per_study": 3}).status_code == 302
    form.refresh_from_db()
    assert (form.title, form.extractors_per_study) == ("Our form", 3)


def test_section_add_rename_and_delete(as_lead, form):
    as_lead.post(url("section-add"), {"title": "Outcomes"})
    assert as_lead.post(url("section-edit", "outcomes"), {"title": "Results"}).status_code == 302
    version = selectors.form_current_version(form=form)
    assert version.sections.get(key="outcomes").title == "Results"
    assert as_lead.post(url("section-edit", "outcomes"), {"delete": "1"}).status_code == 302
    assert not version.sections.filter(key="outcomes").exists()
    assert as_lead.post(url("section-edit", "study"), {"delete": "1"}).status_code == 400  # has fields


# ---- assignment ----------------------------------------------------------------------------------------------


def test_home_lists_my_extractions_and_progress_within_query_budget(as_reviewer, pair, django_assert_max_num_queries):
    with django_assert_max_num_queries(13):
        response = as_reviewer.get(url("home"))
    assert response.status_code == 200
    assert b"my-extractions" in response.content and pair[0].record.title.encode() in response.content


def test_home_says_which_studies_have_differences_to_settle(as_lead, pair, studies, review, lead, reviewer, reviewer2):
    submit(pair[0])
    submit(pair[1], sample_size=99)
    a, b = services.extraction_assign(review=review, record=studies[1], extractors=[reviewer, reviewer2], by=lead)
    submit(a)
    submit(b)
    states = {p.record.pk: state for p, state in as_lead.get(url("home")).context["progress"]}
    assert states == {studies[0].pk: "awaiting_consensus", studies[1].pk: "final"}


def test_lead_assigns_all_waiting_studies(as_lead, form, studies, reviewer, reviewer2):
    response = as_lead.post(url("assign-pending"), {"extractors": [reviewer.pk, reviewer2.pk]})
    assert response.status_code == 302
    assert Extraction.objects.filter(round="main").count() == 6


def test_assign_refuses_ids_of_people_outside_the_review(as_lead, form, studies, outsider, reviewer):
    response = as_lead.post(url("assign-study", studies[1].pk), {"extractors": [outsider.pk, reviewer.pk]}, follow=True)
    assert f"{outsider.pk} is not one of the available choices" in response.content.decode()
    assert not Extraction.objects.exists()
    as_lead.post(url("assign-study", studies[1].pk), {"extractors": [reviewer.pk]})
    assert list(Extraction.objects.values_list("extractor_id", flat=True)) == [reviewer.pk]


def test_reassign_a_draft_to_another_reviewer(as_lead, pair, review):
    from tests.factories import MembershipFactory

    third = MembershipFactory(review=review, role="reviewer").user
    response = as_lead.post(url("reassign", pair[0].pk), {"extractor": third.pk})
    assert response.status_code == 302
    assert Extraction.objects.get(pk=pair[0].pk).status == "withdrawn"
    assert Extraction.objects.filter(extractor=third, record=pair[0].record, status="draft").exists()


# ---- extraction and blinding ---------------------------------------------------------------------------------


def test_extractor_sees_their_form_with_study_metadata(as_reviewer, pair):
    response = as_reviewer.get(url("extract", pair[0].pk))
    assert response.status_code == 200
    assert pair[0].record.title.encode() in response.content
    assert b'name="f-specialty"' in response.content and b"No full-text PDF" in response.content


def test_co_extractor_and_lead_are_blinded_until_both_submit(as_reviewer2, as_lead, pair):
    assert as_reviewer2.get(url("extract", pair[0].pk)).status_code == 403
    assert as_lead.get(url("extract", pair[0].pk)).status_code == 403
    submit(pair[0])
    assert as_reviewer2.get(url("extract", pair[0].pk)).status_code == 403
    compare = as_lead.get(url("compare", pair[0].record_id))
    assert b"Blinded" in compare.content and b"Detect atrial" not in compare.content
    submit(pair[1])
    assert as_reviewer2.get(url("extract", pair[0].pk)).status_code == 200


def test_draft_save_over_htmx_stores_answers_and_reports_errors(as_reviewer, pair):
    response = as_reviewer.post(
        url("extract-save", pair[0].pk),
        {"f-aim": "Predict AF", "f-sample_size": "12.5", "f-model_architecture": ["cnn", "rnn"]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Draft saved" in response.content and b"whole number" in response.content
    assert b'id="err-sample_size" hx-swap-oob="true"' in response.content
    assert selectors.extraction_values(extraction=pair[0]) == {
        "aim": "Predict AF",
        "model_architecture": {"choices": ["cnn", "rnn"]},
    }


def test_draft_save_by_someone_else_is_forbidden(as_reviewer2, as_viewer, pair):
    assert as_reviewer2.post(url("extract-save", pair[0].pk), {"f-aim": "x"}).status_code == 403
    assert as_viewer.post(url("extract-save", pair[0].pk), {"f-aim": "x"}).status_code == 403
    assert not ExtractionValue.objects.exists()


def test_submit_incomplete_shows_errors_and_stays_draft(as_reviewer, pair):
    response = as_reviewer.post(url("extract-submit", pair[0].pk), {"f-aim": "x"})
    assert response.status_code == 400 and b"Required" in response.content
    pair[0].refresh_from_db()
    assert pair[0].status == "draft"
    assert selectors.extraction_values(extraction=pair[0]) == {"aim": "x"}


def _post_complete(client, extraction):
    return client.post(
        url("extract-submit", extraction.pk),
        {
            "f-specialty": "cardiology",
            "f-affiliations": "both",
            "f-aim": "Detect AF",
            "f-target_data_type": "time_series",
            "f-source_data_type": "images",
            "f-transformation_to_images": "yes",
            "f-sample_size": "",
            "f-transfer_type": "fine_tuning",
            "f-model_architecture": ["cnn"],
            "f-model_public": "no",
            "f-data_public": "no",
            "f-data_repository": "ignored because data is not public",
            "f-code_shared": "no",
            "f-software": ["other"],
            "f-software__other": "Julia",
        },
    )


def test_submit_complete_form_then_consensus_page(as_reviewer, as_reviewer2, as_lead, pair, form):
    assert _post_complete(as_reviewer, pair[0]).status_code == 302
    assert _post_complete(as_reviewer2, pair[1]).status_code == 302
    values = selectors.extraction_values(extraction=pair[0])
    assert values["software"] == {"choices": [], "other": "Julia"} and "data_repository" not in values
    page = as_lead.get(url("compare", pair[0].record_id))
    assert page.status_code == 200 and b"data is final" in page.content


def test_consensus_post_from_an_extraction_over_htmx(as_lead, pair, form):
    submit(pair[0])
    submit(pair[1], sample_size=99)
    response = as_lead.post(
        url("consensus", pair[0].record_id),
        {"field": "sample_size", "extraction": pair[1].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and b'id="comparison"' in response.content
    row = ConsensusValue.objects.get(field_key="sample_size")
    assert (row.value, row.source, row.decided_by.username) == (99, "chosen", "lead")


def test_consensus_entered_value_is_validated(as_reviewer, pair):
    submit(pair[0])
    submit(pair[1], sample_size=99)
    bad = as_reviewer.post(url("consensus", pair[0].record_id), {"field": "sample_size", "c-sample_size": "many"})
    assert bad.status_code == 302
    assert not ConsensusValue.objects.filter(field_key="sample_size").exists()
    as_reviewer.post(url("consensus", pair[0].record_id), {"field": "sample_size", "c-sample_size": "100"})
    assert ConsensusValue.objects.get(field_key="sample_size").value == 100


def test_consensus_by_viewer_is_forbidden(as_viewer, pair):
    submit(pair[0])
    submit(pair[1], sample_size=99)
    response = as_viewer.post(url("consensus", pair[0].record_id), {"field": "sample_size", "c-sample_size": "1"})
    assert response.status_code == 403
    assert not ConsensusValue.objects.filter(field_key="sample_size").exists()


def test_consensus_with_extraction_of_another_study_is_404(as_lead, pair, studies, review, reviewer, lead):
    submit(pair[0])
    submit(pair[1], sample_size=99)
    (other,) = services.extraction_assign(review=review, record=studies[1], extractors=[reviewer], by=lead)
    response = as_lead.post(url("consensus", pair[0].record_id), {"field": "sample_size", "extraction": other.pk})
    assert response.status_code == 404


def test_extraction_screen_frames_the_full_text_pdf_served_by_screening(as_reviewer, pair, review, lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from screening.services.fulltexts import fulltext_upload

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile("a.pdf", pdf, "application/pdf")
    fulltext_upload(review=review, record=pair[0].record, by=lead, upload=upload)
    page = as_reviewer.get(url("extract", pair[0].pk))
    pdf_url = reverse("screening:fulltext", args=[SLUG, pair[0].record_id])
    assert f'<iframe class="pdf" src="{pdf_url}"'.encode() in page.content
    response = as_reviewer.get(pdf_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # may be framed by our own extraction screen


# ---- pilot ---------------------------------------------------------------------------------------------------


def test_pilot_start_and_agreement_per_field(as_lead, form, studies, reviewer, reviewer2):
    response = as_lead.post(
        url("pilot"), {"records": [studies[0].pk, studies[1].pk], "extractors": [reviewer.pk, reviewer2.pk]}
    )
    assert response.status_code == 302
    pilots = list(Extraction.objects.filter(round="pilot").order_by("record_id", "extractor_id"))
    assert len(pilots) == 4
    for extraction in pilots:
        submit(extraction, sample_size=100 if extraction.extractor == reviewer else 200)
    page = as_lead.get(url("pilot"))
    assert page.status_code == 200
    agreement = {a.field.key: (a.agreed, a.compared) for a in page.context["agreement"]}
    assert agreement["sample_size"] == (0, 2) and agreement["specialty"] == (2, 2)


def test_pilot_page_for_viewer_hides_controls(as_viewer, form):
    response = as_viewer.get(url("pilot"))
    assert response.status_code == 200 and b"Choose pilot studies" not in response.content


# ---- summaries and exports -----------------------------------------------------------------------------------


def test_summaries_page_shows_frequencies_numbers_crosstab_and_charts(
    as_viewer, two_final, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        response = as_viewer.get(url("summaries"), {"row": "target_data_type", "col": "specialty"})
    assert response.status_code == 200
    summaries = {item["field"].key: item["s"] for item in response.context["summaries"]}
    target = summaries["target_data_type"]
    assert [(r.label, r.n, r.percent) for r in target.rows][:2] == [("Time series", 1, 50.0), ("Tabular", 1, 50.0)]
    assert summaries["sample_size"].mean == 100 and summaries["sample_size"].n == 2
    grid = response.context["grid"]
    assert grid["col_totals"][0] == 2  # both studies are cardiology
    content = response.content.decode()
    from charting.selectors.charted import study_label

    assert f"<small>{study_label(two_final[0])}</small>" in content  # the study listed in its cross-table cell
    assert 'src="/reviews/tl-clinical/charting/summaries/sankey.svg?source=' in content


def test_summary_svg_and_csv_downloads(as_viewer, two_final):
    chart = as_viewer.get(url("summary-download", "field-target_data_type", "svg"))
    assert chart.status_code == 200 and chart["Content-Type"].startswith("image/svg+xml")
    assert b"Time series" in chart.content and "attachment" not in chart.get("Content-Disposition", "")
    download = as_viewer.get(url("summary-download", "sankey", "svg"), {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment")
    table = as_viewer.get(url("summary-download", "field-target_data_type", "csv"))
    lines = b"".join(table.streaming_content).decode().splitlines()
    assert lines[0] == "field,option_code,option,n,percent,denominator"
    assert "target_data_type,time_series,Time series,1,50.0,2" in lines
    per_year = b"".join(as_viewer.get(url("summary-download", "publications", "csv")).streaming_content).decode()
    assert per_year.splitlines() == ["period,n", "2018,1", "2019,1"]
    cross = as_viewer.get(
        url("summary-download", "crosstab", "csv"), {"row": "target_data_type", "col": "specialty", "studies": "1"}
    )
    assert "Author" in b"".join(cross.streaming_content).decode()


def test_summary_download_unknown_names_are_404(as_viewer, two_final):
    assert as_viewer.get(url("summary-download", "field-nope", "csv")).status_code == 404
    assert as_viewer.get(url("summary-download", "frequencies", "png")).status_code == 404
    assert as_viewer.get(url("summary-download", "field-aim", "svg")).status_code == 404


def test_summaries_without_a_form_is_404(as_viewer, review):
    assert as_viewer.get(url("summaries")).status_code == 404


def test_export_pages_and_files(as_viewer, two_final):
    assert as_viewer.get(url("exports")).status_code == 200
    for kind in ("wide", "long", "codebook"):
        response = as_viewer.get(url("export", kind))
        assert response.status_code == 200 and response["Content-Disposition"] == (
            f'attachment; filename="tl-clinical-charting-{kind}.csv"'
        )
    assert as_viewer.get(url("export", "other")).status_code == 404


def test_lead_reopens_a_submitted_extraction_on_the_current_version(as_lead, as_reviewer, pair, form, lead, reviewer):
    submit(pair[0])
    services.field_update(form=form, by=lead, key="aim", label="Aim of the study")  # makes version 2
    response = as_lead.post(url("reopen", pair[0].pk))
    assert response.status_code == 302
    pair[0].refresh_from_db()
    assert pair[0].status == "draft" and pair[0].version.number == 2
    assert selectors.extraction_values(extraction=pair[0])["aim"] == "Detect atrial fibrillation from ECG"
    assert as_reviewer.post(url("reopen", pair[0].pk)).status_code == 403
    assert as_lead.get(url("reopen", pair[0].pk)).status_code == 405


def test_reopen_outsider_404(as_outsider, pair):
    submit(pair[0])
    assert as_outsider.post(url("reopen", pair[0].pk)).status_code == 404
    pair[0].refresh_from_db()
    assert pair[0].status == "submitted"


def test_review_home_shows_charting_counts(as_viewer, pair):
    response = as_viewer.get(reverse("review:home", args=[SLUG]))
    assert response.context["counts"]["studies in charting"] == 1
    assert response.context["counts"]["studies still being charted"] == 1


def test_draft_save_after_reassignment_is_refused_and_says_so(as_reviewer, pair, review, lead):
    from tests.factories import MembershipFactory

    third = MembershipFactory(review=review, role="reviewer").user
    services.extraction_reassign(extraction=pair[0], to=third, by=lead)
    response = as_reviewer.post(url("extract-save", pair[0].pk), {"f-aim": "late"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and b"closed (submitted or reassigned)" in response.content
    assert not ExtractionValue.objects.exists()


def test_builder_has_one_id_title_and_no_template_is_preselected(as_lead, review):
    body = as_lead.get(url("form")).content.decode()
    assert "selected>Template" not in body and '<option value="" selected>Choose how to start</option>' in body
    as_lead.post(url("form"), {"start": "blank", "title": "My form"})
    body = as_lead.get(url("form")).content.decode()
    assert body.count('id="id_title"') == 1

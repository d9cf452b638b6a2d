"""Form versioning, assignment, drafts, submission and consensus through the services, checked in the rows."""

from __future__ import annotations

import pytest

from charting import selectors, services
from charting.models import ConsensusValue, Extraction, ExtractionValue, Field, Form, FormVersion
from review.errors import ServiceError
from review.models import AuditEvent
from tests.charting.conftest import COMPLETE, submit
from tests.charting.factories import RecordFactory
from tests.factories import MembershipFactory, ReviewFactory


def test_template_form_reproduces_the_published_fields(form):
    keys = [f.key for f in selectors.version_fields(version=selectors.form_current_version(form=form))]
    for key in [
        "specialty",
        "affiliations",
        "aim",
        "target_data_type",
        "source_data_type",
        "transformation_to_images",
        "transfer_type",
        "model_architecture",
        "model_public",
        "data_public",
        "code_shared",
        "software",
    ]:
        assert key in keys
    repo = Field.objects.get(version__form=form, key="data_repository")
    assert (repo.condition_key, repo.condition_value) == ("data_public", "yes")
    assert form.origin == "template:transfer-learning"


def test_second_form_for_a_review_is_refused(form, review, lead):
    with pytest.raises(ServiceError) as error:
        services.form_create(review=review, by=lead)
    assert error.value.code == "conflict"
    assert Form.objects.filter(review=review).count() == 1


def test_copy_form_from_another_review(form, lead):
    other = ReviewFactory(created_by=lead)
    MembershipFactory(review=other, user=lead, role="lead")
    copy = services.form_create(review=other, by=lead, copy_from=form)
    original = services.form_definition(version=selectors.form_current_version(form=form))
    copied = services.form_definition(version=selectors.form_current_version(form=copy))
    assert copied["sections"] == original["sections"]
    assert copy.origin == f"review:{form.review.slug}"


def test_editing_before_extraction_starts_stays_on_version_one(form, lead):
    services.field_add(form=form, by=lead, section_key="study", label="Country of first author", type="country")
    assert FormVersion.objects.filter(form=form).count() == 1
    assert Field.objects.get(version__form=form, key="country_of_first_author").type == "country"


def test_editing_after_extraction_starts_creates_version_and_keeps_values(form, pair, lead, reviewer):
    first, _second = pair
    services.extraction_save_draft(extraction=first, by=reviewer, values={"aim": "Predict sepsis"})
    services.field_update(form=form, by=lead, key="aim", label="Aim of the study")
    versions = list(FormVersion.objects.filter(form=form).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert Field.objects.get(version=versions[0], key="aim").label == "Study aim"
    assert Field.objects.get(version=versions[1], key="aim").label == "Aim of the study"
    first.refresh_from_db()
    assert first.version == versions[1]  # the draft follows the form
    assert selectors.extraction_values(extraction=first) == {"aim": "Predict sepsis"}
    assert AuditEvent.objects.filter(action="charting.form.version").count() == 1


def test_deleting_a_field_with_data_asks_first_and_keeps_the_data(form, pair, lead, reviewer):
    first, _ = pair
    services.extraction_save_draft(extraction=first, by=reviewer, values={"sample_size": "250"})
    with pytest.raises(ServiceError) as error:
        services.field_delete(form=form, by=lead, key="sample_size")
    assert error.value.code == "conflict" and "1 studies have data" in error.value.message
    assert Field.objects.filter(version=selectors.form_current_version(form=form), key="sample_size").exists()
    services.field_delete(form=form, by=lead, key="sample_size", confirm=True)
    assert not Field.objects.filter(version=selectors.form_current_version(form=form), key="sample_size").exists()
    assert ExtractionValue.objects.get(field_key="sample_size").value == 250


def test_changing_type_of_a_field_with_data_is_refused(form, pair, lead, reviewer):
    services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"sample_size": 9})
    with pytest.raises(ServiceError) as error:
        services.field_update(form=form, by=lead, key="sample_size", type="short_text")
    assert error.value.field == "type"


def test_move_field_swaps_positions(form, lead):
    version = selectors.form_current_version(form=form)
    before = [f.key for f in selectors.version_fields(version=version)][:3]
    services.field_move(form=form, by=lead, key="affiliations", direction="up")
    after = [f.key for f in selectors.version_fields(version=version)][:3]
    assert before == ["specialty", "affiliations", "aim"] and after == ["affiliations", "specialty", "aim"]


def test_condition_must_name_a_valid_answer(form, lead):
    with pytest.raises(ServiceError) as error:
        services.field_add(
            form=form,
            by=lead,
            section_key="data",
            label="Which",
            type="short_text",
            condition_key="data_public",
            condition_value="perhaps",
        )
    assert error.value.field == "condition_value"


def test_draft_saves_valid_values_reports_invalid_and_appends_only_changes(pair, reviewer):
    first, _ = pair
    result = services.extraction_save_draft(
        extraction=first, by=reviewer, values={"sample_size": "12x", "aim": "A", "model_public": "yes"}
    )
    assert result.errors == {"sample_size": "Enter a whole number, e.g. 120"}
    assert sorted(result.saved) == ["aim", "model_public"]
    services.extraction_save_draft(extraction=first, by=reviewer, values={"aim": "A", "model_public": "no"})
    rows = list(ExtractionValue.objects.filter(extraction=first).values_list("field_key", "value"))
    assert rows == [("aim", "A"), ("model_public", "yes"), ("model_public", "no")]


def test_only_the_extractor_saves_their_draft(pair, reviewer2):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.extraction_save_draft(extraction=pair[0], by=reviewer2, values={"aim": "x"})
    assert not ExtractionValue.objects.exists()


def test_submit_requires_required_fields_and_clears_unmet_conditions(pair, reviewer):
    first, _ = pair
    with pytest.raises(services.ExtractionIncomplete) as error:
        services.extraction_submit(extraction=first, by=reviewer, values={"aim": "x"})
    assert error.value.errors["specialty"] == "Required"
    assert "data_repository" not in error.value.errors  # conditional and not shown
    submit(first, data_public="no")
    first.refresh_from_db()
    assert first.status == Extraction.Status.SUBMITTED
    assert "data_repository" not in selectors.extraction_values(extraction=first)


def test_submitted_extraction_cannot_change(pair, reviewer):
    submit(pair[0])
    with pytest.raises(ServiceError):
        services.extraction_save_draft(extraction=pair[0], by=reviewer, values={"aim": "changed"})


def test_last_submission_turns_agreements_into_consensus(form, pair, studies):
    first, second = pair
    submit(first)
    assert not ConsensusValue.objects.exists()  # nothing before both have submitted
    submit(second, transfer_type={"choice": "both"}, sample_size=130)
    final = selectors.final_values(form=form)[studies[0].pk]
    assert final["specialty"] == {"choice": "cardiology"}
    assert "transfer_type" not in final and "sample_size" not in final
    assert ConsensusValue.objects.filter(source="agreed").count() == len(final)


def test_consensus_chosen_and_edited_values_are_versioned(form, pair, studies, lead, reviewer):
    first, second = pair
    submit(first)
    submit(second, sample_size=130)
    services.consensus_set(form=form, record=studies[0], by=reviewer, field_key="sample_size", from_extraction=second)
    assert selectors.final_values(form=form)[studies[0].pk]["sample_size"] == 130
    services.consensus_set(form=form, record=studies[0], by=lead, field_key="sample_size", value="125", note="paper")
    assert selectors.final_values(form=form)[studies[0].pk]["sample_size"] == 125
    history = list(selectors.consensus_history(form=form, record=studies[0]).filter(field_key="sample_size"))
    assert [(h.value, h.source, h.decided_by) for h in history] == [(125, "edited", lead), (130, "chosen", reviewer)]


def test_consensus_waits_for_both_and_excludes_others(form, pair, studies, lead, viewer):
    from django.core.exceptions import PermissionDenied

    submit(pair[0])
    with pytest.raises(ServiceError) as error:
        services.consensus_set(form=form, record=studies[0], by=lead, field_key="aim", value="x")
    assert error.value.code == "conflict"
    submit(pair[1])
    with pytest.raises(PermissionDenied):
        services.consensus_set(form=form, record=studies[0], by=viewer, field_key="aim", value="x")


def test_main_round_caps_extractors_per_study(form, pair, studies, review, lead):
    third = MembershipFactory(review=review, role="reviewer").user
    with pytest.raises(ServiceError):
        services.extraction_assign(review=review, record=studies[0], extractors=[third], by=lead)


def test_assign_pending_spreads_studies_evenly(form, studies, review, lead, reviewer, reviewer2):
    third = MembershipFactory(review=review, role="reviewer").user
    made = services.extractions_assign_pending(review=review, by=lead, extractors=[reviewer, reviewer2, third])
    assert made == 6
    loads = sorted(Extraction.objects.values_list("extractor_id", flat=True))
    assert sorted(loads.count(u.pk) for u in (reviewer, reviewer2, third)) == [2, 2, 2]
    assert services.extractions_assign_pending(review=review, by=lead, extractors=[reviewer, reviewer2]) == 0


def test_viewer_cannot_be_an_extractor(form, studies, review, lead, viewer):
    with pytest.raises(ServiceError):
        services.extraction_assign(review=review, record=studies[0], extractors=[viewer], by=lead)


def test_record_of_another_review_cannot_be_assigned(form, review, lead, reviewer):
    foreign = RecordFactory()
    with pytest.raises(ServiceError):
        services.extraction_assign(review=review, record=foreign, extractors=[reviewer], by=lead)
    assert not Extraction.objects.exists()


def test_reassign_withdraws_and_keeps_old_values(pair, lead, review, reviewer):
    first, _ = pair
    services.extraction_save_draft(extraction=first, by=reviewer, values={"aim": "kept"})
    third = MembershipFactory(review=review, role="reviewer").user
    new = services.extraction_reassign(extraction=first, to=third, by=lead)
    first.refresh_from_db()
    assert first.status == Extraction.Status.WITHDRAWN and new.extractor == third
    assert ExtractionValue.objects.get(extraction=first).value == "kept"


def test_pilot_assigns_every_extractor_and_does_not_make_final_data(form, studies, review, lead, reviewer, reviewer2):
    made = services.pilot_assign(review=review, records=studies[:2], extractors=[reviewer, reviewer2], by=lead)
    assert made == 4
    for extraction in Extraction.objects.filter(round="pilot"):
        submit(extraction)
    assert not ConsensusValue.objects.exists()


def test_complete_values_fixture_is_valid(form):
    assert COMPLETE["specialty"] == {"choice": "cardiology"}


def test_only_studies_included_at_full_text_can_be_charted(form, studies, review, search, lead, reviewer, reviewer2):
    from screening.services.votes import VoteInput, vote_cast

    pending = RecordFactory(review=review, search=search)
    for voter in (reviewer, reviewer2):
        vote_cast(
            review=review, record=pending, stage="title-abstract", reviewer=voter, data=VoteInput(choice="include")
        )
    assert list(selectors.chartable_records(review=review)) == studies
    with pytest.raises(ServiceError) as error:
        services.extraction_assign(review=review, record=pending, extractors=[reviewer], by=lead)
    assert "not a study included" in error.value.message
    with pytest.raises(ServiceError):
        services.pilot_assign(review=review, records=[pending], extractors=[reviewer], by=lead)
    assert not Extraction.objects.filter(record=pending).exists()

"""Every screening POST read through its form: non-numeric, missing and unknown values get a 400 (or the form with
its message), never a server error, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.models import Review
from screening.models import (
    BulkFullText,
    ConflictComment,
    ExclusionReason,
    FullText,
    PilotRound,
    Resolution,
    ScreeningSettings,
    StageOutcome,
    Status,
    Vote,
    VoteEvent,
)
from screening.services.config import pilot_start
from screening.services.fulltexts import fulltext_upload
from tests.screening.factories import ExclusionReasonFactory
from tests.screening.pages import FT, HX, PDF, TA, url

# ---- the vote on the screening screen ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {},  # nothing chosen
        {"choice": "perhaps"},  # not a choice
        {"choice": "include", "reason": "abc"},  # a reason that is not an id
        {"choice": "exclude", "reason": "-3"},
        {"choice": "exclude", "reason": "99999999999999999999999"},  # past any id
        {"choice": "include", "note": "x" * 6000},  # longer than a note may be
    ],
)
def test_a_malformed_vote_is_refused_with_400_and_nothing_written(as_reviewer, review, record, data):
    response = as_reviewer.post(url("vote", review, TA, record.pk), data, **HX)
    assert response.status_code == 400
    assert b"screen-panel" in response.content or b"record" in response.content
    assert not Vote.objects.exists() and not VoteEvent.objects.exists()


def test_a_reason_without_a_choice_still_means_exclude(as_reviewer, review, at_full_text, record, reasons):
    at_full_text(record)
    response = as_reviewer.post(url("vote", review, FT, record.pk), {"reason": str(reasons[0].pk)}, **HX)
    assert response.status_code == 200
    vote = Vote.objects.get(record=record, stage=FT, reviewer__username="reviewer")
    assert (vote.choice, vote.reason_id) == ("exclude", reasons[0].pk)


def test_a_vote_on_a_record_of_another_review_is_404(as_reviewer, review, lead, record):
    other = Review.objects.create(title="Other", slug="other", created_by=lead)
    record.review = other
    record.save()
    assert as_reviewer.post(url("vote", review, TA, record.pk), {"choice": "include"}).status_code == 404
    assert not Vote.objects.exists()


# ---- conflicts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [{}, {"text": "   "}, {"text": "x" * 10001}])
def test_an_empty_or_oversized_comment_is_400(as_reviewer, review, conflict, data):
    response = as_reviewer.post(url("conflict-comment", review, TA, conflict.pk), data, **HX)
    assert response.status_code == 400
    assert not ConflictComment.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"decision": "maybe", "rationale": "why"},
        {"decision": "include"},  # no rationale
        {"decision": "exclude", "rationale": "why", "reason": "first"},
        {"decision": "exclude", "rationale": "why", "reason": "0"},
    ],
)
def test_a_malformed_resolution_is_400_and_the_conflict_stays_open(as_lead, review, conflict, data):
    response = as_lead.post(url("conflict-resolve", review, TA, conflict.pk), data, **HX)
    assert response.status_code == 400
    assert not Resolution.objects.exists()
    assert StageOutcome.objects.get(record=conflict, stage=TA).status == Status.CONFLICT


@pytest.mark.parametrize("data", [{}, {"choice": "perhaps"}, {"choice": "include", "reason": "abc"}])
def test_a_malformed_vote_change_in_a_conflict_is_400(as_reviewer2, review, conflict, data):
    response = as_reviewer2.post(url("conflict-vote", review, TA, conflict.pk), data, **HX)
    assert response.status_code == 400
    assert Vote.objects.get(record=conflict, reviewer__username="reviewer2").choice == "exclude"
    assert StageOutcome.objects.get(record=conflict, stage=TA).status == Status.CONFLICT


def test_the_conflict_pages_are_404_for_a_record_of_another_review(as_lead, review, lead, conflict):
    other = Review.objects.create(title="Other", slug="other", created_by=lead)
    conflict.review = other
    conflict.save()
    assert as_lead.get(url("conflict", review, TA, conflict.pk)).status_code == 404
    data = {"decision": "include", "rationale": "x"}
    assert as_lead.post(url("conflict-resolve", review, TA, conflict.pk), data).status_code == 404
    assert as_lead.post(url("conflict-comment", review, TA, conflict.pk), {"text": "x"}).status_code == 404
    assert not Resolution.objects.exists() and not ConflictComment.objects.exists()


# ---- full texts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [{}, {"file": "not a file"}])
def test_an_upload_without_a_file_is_400(as_reviewer, review, at_full_text, record, data):
    at_full_text(record)
    response = as_reviewer.post(url("fulltext-upload", review, record.pk), data, **HX)
    assert response.status_code == 400 and b"Choose a PDF file" in response.content
    assert not FullText.objects.exists()


@pytest.mark.parametrize("data", [{}, {"note": "  "}, {"note": "x" * 1001}])
def test_not_retrieved_without_a_note_is_400(as_lead, review, at_full_text, record, data):
    at_full_text(record)
    response = as_lead.post(url("not-retrieved", review, record.pk), data, **HX)
    assert response.status_code == 400
    assert StageOutcome.objects.get(record=record, stage=FT).status == Status.AWAITING


def test_a_full_text_version_that_is_not_a_number_reads_the_current_one(as_viewer, review, lead, at_full_text, record):
    at_full_text(record)
    assert as_viewer.get(url("fulltext", review, record.pk) + "?version=abc").status_code == 404  # none yet
    upload = SimpleUploadedFile("paper.pdf", PDF, content_type="application/pdf")
    fulltext_upload(review=review, record=record, by=lead, upload=upload)
    response = as_viewer.get(url("fulltext", review, record.pk) + "?version=abc")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert as_viewer.get(url("fulltext", review, record.pk) + "?version=999999").status_code == 404


# ---- settings: reasons, pilot, blinding ------------------------------------------------------------------------


@pytest.mark.parametrize("data", [{}, {"label": "x" * 201}])
def test_a_reason_without_a_label_is_400(as_lead, review, data):
    response = as_lead.post(url("reason-add", review), data, **HX)
    assert response.status_code == 400
    assert not ExclusionReason.objects.exists()


@pytest.mark.parametrize("data", [{"action": "explode"}, {"action": "rename", "label": ""}])
def test_an_unknown_reason_action_is_400_and_changes_nothing(as_lead, review, data):
    reason = ExclusionReasonFactory(review=review, label="Wrong population", position=1)
    response = as_lead.post(url("reason-change", review, reason.pk), data, **HX)
    assert response.status_code == 400
    reason.refresh_from_db()
    assert (reason.label, reason.archived, reason.position) == ("Wrong population", False, 1)


@pytest.mark.parametrize(
    "data",
    [
        {"action": "start", "size": "many"},
        {"action": "start", "size": "-5"},
        {"action": "begin"},
        {"action": "close", "pilot": "abc"},  # a server error before forms
        {"action": "close"},
    ],
)
def test_a_malformed_pilot_request_is_400(as_lead, review, records, data):
    response = as_lead.post(url("pilot", review), data)
    assert response.status_code == 400
    assert not PilotRound.objects.exists()


def test_closing_a_pilot_of_another_review_is_404(as_lead, review, lead, records, reviewer, reviewer2):
    pilot = pilot_start(review=review, by=lead, size=2)
    other = Review.objects.create(title="Other", slug="other", created_by=lead)
    PilotRound.objects.filter(pk=pilot.pk).update(review=other)
    assert as_lead.post(url("pilot", review), {"action": "close", "pilot": str(pilot.pk)}).status_code == 404
    assert PilotRound.objects.get(pk=pilot.pk).closed_at is None


def test_a_pilot_is_started_and_closed_through_the_form(as_lead, review, records, reviewer, reviewer2):
    assert as_lead.post(url("pilot", review), {"action": "start", "size": "2"}).status_code == 302
    pilot = PilotRound.objects.get()
    assert as_lead.post(url("pilot", review), {"action": "close", "pilot": str(pilot.pk)}).status_code == 302
    pilot.refresh_from_db()
    assert pilot.closed_at is not None


@pytest.mark.parametrize("data", [{}, {"blinded": "maybe"}])
def test_an_unknown_or_missing_blinding_value_is_400_and_the_review_stays_blinded(as_lead, review, data):
    response = as_lead.post(url("blinding", review), data)
    assert response.status_code == 400
    assert not ScreeningSettings.objects.filter(review=review, blinded=False).exists()  # no row: the default, blinded


@pytest.mark.parametrize("data", [{"random_seed": "abc"}, {"order_title_abstract": "alphabetical"}])
def test_malformed_screening_settings_are_400(as_lead, review, data):
    form = {"order_title_abstract": "import", "order_full_text": "import", "random_seed": "1", **data}
    assert as_lead.post(url("settings", review), form).status_code == 400
    assert not ScreeningSettings.objects.exists()


# ---- bulk full texts -------------------------------------------------------------------------------------------


def test_a_bulk_upload_without_files_is_400(as_reviewer, review):
    response = as_reviewer.post(url("bulk-fulltexts", review), {})
    assert response.status_code == 400 and b"Choose PDF files" in response.content
    assert not BulkFullText.objects.exists()


@pytest.mark.parametrize("data", [{}, {"item_1": ""}, {"item_1": "record seven"}, {"item_x": "3"}, {"item_1": "²"}])
def test_malformed_bulk_decisions_are_400(as_reviewer, review, data):
    response = as_reviewer.post(url("bulk-fulltexts-apply", review), data)
    assert response.status_code == 400
    assert not FullText.objects.exists()

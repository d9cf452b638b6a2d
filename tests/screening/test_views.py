"""Screening pages through HTTP: happy paths, outsiders (404), too-low roles (403), wrong methods; response and rows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review.models import AuditEvent, Review
from screening.models import (
    ConflictComment,
    ExclusionReason,
    FullText,
    PilotRound,
    QueueSkip,
    Resolution,
    ScreeningSettings,
    Stage,
    StageOutcome,
    Status,
    Vote,
)
from tests.screening.factories import RecordFactory
from tests.screening.pages import FT, HX, PDF, TA, url

# ---- the screening screen ----------------------------------------------------------------------------------


def test_screen_shows_the_next_record_escaped_with_criteria_and_keys(as_reviewer, review, records):
    records[0].title = "<script>alert(1)</script> Transfer learning for ECG"
    records[0].save()
    ScreeningSettings.objects.create(review=review, include_terms=["transfer learning"], exclude_terms=["imaging"])
    response = as_reviewer.get(url("screen", review, TA))
    body = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert '<mark class="term-include">Transfer learning</mark>' in body
    assert '<mark class="term-exclude">Imaging</mark>' in body
    assert "imaging only" in body  # the exclusion criteria beside the record
    assert 'data-key="i"' in body and 'data-key="m"' in body
    assert "js/screening.js" in body and "css/screening.css" in body


def test_screen_query_count_is_bounded(as_reviewer, review, records, django_assert_max_num_queries):
    as_reviewer.get(url("screen", review, TA))
    with django_assert_max_num_queries(25):
        assert as_reviewer.get(url("screen", review, TA)).status_code == 200


def test_vote_by_htmx_saves_and_returns_the_next_record(as_reviewer, reviewer, review, records):
    as_reviewer.get(url("screen", review, TA))
    response = as_reviewer.post(url("vote", review, TA, records[0].pk), {"choice": "include", "note": "ECG"}, **HX)
    assert response.status_code == 200
    assert f'data-record="{records[1].pk}"' in response.content.decode()
    assert b"<html" not in response.content  # a fragment, not the page
    vote = Vote.objects.get(record=records[0], reviewer=reviewer)
    assert (vote.choice, vote.note) == ("include", "ECG")


def test_vote_without_htmx_redirects_to_the_screen(as_reviewer, reviewer, review, records):
    response = as_reviewer.post(url("vote", review, TA, records[0].pk), {"choice": "exclude"})
    assert response.status_code == 302 and response["Location"] == url("screen", review, TA)
    assert Vote.objects.filter(reviewer=reviewer, choice="exclude").count() == 1


def test_vote_refused_when_record_is_full_shows_why(as_reviewer, vote, lead, reviewer2, review, record):
    vote(lead, record, "include")
    vote(reviewer2, record, "include")
    response = as_reviewer.post(url("vote", review, TA, record.pk), {"choice": "exclude"}, **HX)
    assert response.status_code == 409
    assert b"already decided" in response.content
    assert Vote.objects.filter(record=record).count() == 2


def test_vote_by_a_viewer_is_forbidden(as_viewer, review, record):
    assert as_viewer.post(url("vote", review, TA, record.pk), {"choice": "include"}).status_code == 403
    assert not Vote.objects.exists()


def test_vote_by_an_outsider_is_404(as_outsider, review, record):
    assert as_outsider.post(url("vote", review, TA, record.pk), {"choice": "include"}).status_code == 404
    assert not Vote.objects.exists()


def test_vote_on_another_reviews_record_is_404(as_reviewer, review, outsider):
    foreign = RecordFactory(review=Review.objects.get(slug="other-review"))
    assert as_reviewer.post(url("vote", review, TA, foreign.pk), {"choice": "include"}).status_code == 404
    assert not Vote.objects.exists()


def test_vote_wrong_method(as_reviewer, review, record):
    assert as_reviewer.get(url("vote", review, TA, record.pk)).status_code == 405


def test_unknown_stage_is_404(as_reviewer, review, records):
    assert as_reviewer.get(url("screen", review, "abstracts")).status_code == 404


def test_screen_outsider_viewer_and_method(as_outsider, as_viewer, as_reviewer, review, records):
    assert as_outsider.get(url("screen", review, TA)).status_code == 404
    assert as_viewer.get(url("screen", review, TA)).status_code == 403
    assert as_reviewer.post(url("screen", review, TA)).status_code == 405


def test_the_screen_never_shows_another_reviewers_vote_before_the_outcome(as_reviewer2, vote, reviewer, review, record):
    vote(reviewer, record, "exclude", note="SECRET-NOTE")
    response = as_reviewer2.get(url("record", review, TA, record.pk))
    assert response.status_code == 200
    assert b"SECRET-NOTE" not in response.content
    assert b"Votes: 1 of 2" in response.content  # how many, not what


def test_skip_puts_the_record_back_and_serves_another(as_reviewer, reviewer, review, records):
    response = as_reviewer.post(url("skip", review, TA, records[0].pk), **HX)
    assert f'data-record="{records[1].pk}"' in response.content.decode()
    assert QueueSkip.objects.filter(reviewer=reviewer, record=records[0]).exists()
    assert as_reviewer.get(url("skip", review, TA, records[0].pk)).status_code == 405


def test_undo_withdraws_my_last_vote_and_shows_its_record(as_reviewer, reviewer, review, records):
    as_reviewer.post(url("vote", review, TA, records[0].pk), {"choice": "include"}, **HX)
    response = as_reviewer.post(url("undo", review, TA), **HX)
    assert response.status_code == 200
    assert f'data-record="{records[0].pk}"' in response.content.decode()
    assert not Vote.objects.filter(reviewer=reviewer).exists()
    assert as_reviewer.get(url("undo", review, TA)).status_code == 405


def test_previous_shows_my_last_voted_record_with_my_vote(as_reviewer, review, records):
    as_reviewer.post(url("vote", review, TA, records[0].pk), {"choice": "maybe", "note": "unsure"}, **HX)
    response = as_reviewer.get(url("previous", review, TA), **HX)
    assert f'data-record="{records[0].pk}"' in response.content.decode()
    assert b"unsure" in response.content


def test_withdraw_removes_my_vote(as_reviewer, reviewer, review, record):
    as_reviewer.post(url("vote", review, TA, record.pk), {"choice": "include"}, **HX)
    response = as_reviewer.post(url("withdraw", review, TA, record.pk), **HX)
    assert response.status_code == 200 and not Vote.objects.filter(reviewer=reviewer).exists()


def test_overview_for_members_only(as_viewer, as_outsider, as_reviewer, review, records):
    response = as_viewer.get(url("overview", review))
    assert response.status_code == 200 and b"awaiting votes" in response.content
    assert StageOutcome.objects.filter(review=review).count() == len(records)
    assert as_outsider.get(url("overview", review)).status_code == 404
    assert as_reviewer.post(url("overview", review)).status_code == 405


# ---- full text -----------------------------------------------------------------------------------------------


def test_full_text_exclusion_with_a_reason_button(as_reviewer, reviewer, review, at_full_text, record, reasons):
    at_full_text(record)
    page = as_reviewer.get(url("record", review, FT, record.pk)).content.decode()
    assert 'data-reason-key="1"' in page and "Non-clinical research" in page
    response = as_reviewer.post(url("vote", review, FT, record.pk), {"reason": reasons[1].pk}, **HX)
    assert response.status_code == 200
    vote = Vote.objects.get(stage=FT, reviewer=reviewer)
    assert (vote.choice, vote.reason) == ("exclude", reasons[1])


def test_full_text_exclusion_without_a_reason_is_refused(as_reviewer, review, at_full_text, record):
    at_full_text(record)
    response = as_reviewer.post(url("vote", review, FT, record.pk), {"choice": "exclude"}, **HX)
    assert response.status_code == 400 and b"needs a reason" in response.content
    assert not Vote.objects.filter(stage=FT).exists()


def test_upload_then_view_the_pdf_inline_with_a_safe_name(as_reviewer, as_viewer, review, at_full_text, record):
    at_full_text(record)
    upload = SimpleUploadedFile("My paper.pdf", PDF, content_type="application/pdf")
    response = as_reviewer.post(url("fulltext-upload", review, record.pk), {"file": upload}, **HX)
    assert response.status_code == 200 and b"<iframe" in response.content
    assert FullText.objects.get(record=record).original_name == "My paper.pdf"
    served = as_viewer.get(url("fulltext", review, record.pk))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == f'inline; filename="record-{record.pk}.pdf"'
    assert b"".join(served.streaming_content) == PDF
    download = as_viewer.get(url("fulltext", review, record.pk) + "?download=1")
    assert download["Content-Disposition"].startswith("attachment;")


def test_upload_of_a_non_pdf_is_refused(as_reviewer, review, at_full_text, record):
    at_full_text(record)
    upload = SimpleUploadedFile("paper.pdf", b"MZ\x90\x00 executable", content_type="application/pdf")
    response = as_reviewer.post(url("fulltext-upload", review, record.pk), {"file": upload}, **HX)
    assert response.status_code == 400 and b"not a PDF" in response.content
    assert not FullText.objects.exists()


def test_fulltext_access_rules(as_outsider, as_viewer, as_reviewer, review, at_full_text, record):
    at_full_text(record)
    upload = SimpleUploadedFile("p.pdf", PDF)
    assert as_viewer.post(url("fulltext-upload", review, record.pk), {"file": upload}).status_code == 403
    assert as_outsider.get(url("fulltext", review, record.pk)).status_code == 404
    assert as_reviewer.get(url("fulltext", review, record.pk)).status_code == 404  # none uploaded yet
    assert as_reviewer.post(url("fulltext", review, record.pk)).status_code == 405
    assert as_reviewer.get(url("fulltext-upload", review, record.pk)).status_code == 405


def test_mark_not_retrieved(as_lead, as_reviewer, as_viewer, review, at_full_text, record):
    at_full_text(record)
    assert as_viewer.post(url("not-retrieved", review, record.pk), {"note": "x"}).status_code == 403
    assert as_reviewer.post(url("not-retrieved", review, record.pk), {"note": "x"}).status_code == 403
    assert StageOutcome.objects.get(record=record, stage=FT).status == Status.AWAITING
    response = as_lead.post(url("not-retrieved", review, record.pk), {"note": "ILL failed"}, **HX)
    assert response.status_code == 200
    outcome = StageOutcome.objects.get(record=record, stage=FT)
    assert (outcome.status, outcome.note) == (Status.NOT_RETRIEVED, "ILL failed")
    assert as_reviewer.get(url("not-retrieved", review, record.pk)).status_code == 405


# ---- conflicts -------------------------------------------------------------------------------------------------


def test_conflict_list_for_the_lead_with_bounded_queries(
    as_lead, vote, reviewer, reviewer2, review, django_assert_max_num_queries
):
    for _ in range(6):
        r = RecordFactory(review=review)
        vote(reviewer, r, "include")
        vote(reviewer2, r, "exclude")
    with django_assert_max_num_queries(10):
        response = as_lead.get(url("conflicts", review, TA))
    assert response.status_code == 200 and response.content.count(b"badge-conflict") == 6


def test_conflict_list_filters_by_title(as_lead, conflict, review):
    assert b"No conflicts here" in as_lead.get(url("conflicts", review, TA) + "?q=zzzz", **HX).content
    assert conflict.title.encode() in as_lead.get(url("conflicts", review, TA) + "?q=clinical").content


def test_conflict_list_of_a_reviewer_holds_only_their_conflicts(as_reviewer3, conflict, review):
    assert b"No conflicts here" in as_reviewer3.get(url("conflicts", review, TA)).content


@pytest.fixture
def as_reviewer3(reviewer3):
    from tests.conftest import client_for

    return client_for(reviewer3)


def test_conflict_list_access(as_viewer, as_outsider, as_lead, review, conflict):
    assert as_viewer.get(url("conflicts", review, TA)).status_code == 403
    assert as_outsider.get(url("conflicts", review, TA)).status_code == 404
    assert as_lead.post(url("conflicts", review, TA)).status_code == 405


def test_conflict_page_unblinds_for_the_reviewers_in_it(as_reviewer, as_reviewer3, review, conflict):
    response = as_reviewer.get(url("conflict", review, TA, conflict.pk))
    assert response.status_code == 200 and b"imaging only" in response.content
    assert as_reviewer3.get(url("conflict", review, TA, conflict.pk)).status_code == 403


def test_comment_on_a_conflict(as_reviewer, as_reviewer3, as_outsider, review, conflict):
    response = as_reviewer.post(url("conflict-comment", review, TA, conflict.pk), {"text": "It is ECG"}, **HX)
    assert response.status_code == 200 and b"It is ECG" in response.content
    assert ConflictComment.objects.get().text == "It is ECG"
    assert as_reviewer3.post(url("conflict-comment", review, TA, conflict.pk), {"text": "x"}).status_code == 403
    assert as_outsider.post(url("conflict-comment", review, TA, conflict.pk), {"text": "x"}).status_code == 404
    assert as_reviewer.get(url("conflict-comment", review, TA, conflict.pk)).status_code == 405
    assert ConflictComment.objects.count() == 1


def test_lead_resolves_a_conflict(as_lead, as_reviewer, review, conflict):
    data = {"decision": "include", "rationale": "ECG is clinical data"}
    assert as_reviewer.post(url("conflict-resolve", review, TA, conflict.pk), data).status_code == 403
    response = as_lead.post(url("conflict-resolve", review, TA, conflict.pk), data)
    assert response.status_code == 302
    assert Resolution.objects.get(record=conflict).rationale == "ECG is clinical data"
    assert StageOutcome.objects.get(record=conflict, stage=TA).status == Status.INCLUDED
    assert as_lead.get(url("conflict-resolve", review, TA, conflict.pk)).status_code == 405


def test_reviewer_settles_a_conflict_by_changing_their_vote(as_reviewer2, review, conflict):
    response = as_reviewer2.post(url("conflict-vote", review, TA, conflict.pk), {"choice": "include"}, **HX)
    assert response.status_code == 200
    assert StageOutcome.objects.get(record=conflict, stage=TA).status == Status.INCLUDED


# ---- progress and settings -------------------------------------------------------------------------------------


def test_progress_shows_kappa_to_the_lead(as_lead, as_viewer, as_outsider, vote, reviewer, reviewer2, review, records):
    for record, (a, b) in zip(
        records[:3], [("include", "include"), ("exclude", "exclude"), ("include", "exclude")], strict=True
    ):
        vote(reviewer, record, a)
        vote(reviewer2, record, b)
    response = as_lead.get(url("progress", review))
    body = response.content.decode()
    assert response.status_code == 200 and "reviewer \u2013 reviewer2" in body and "67%" in body
    assert as_viewer.get(url("progress", review)).status_code == 200
    assert as_outsider.get(url("progress", review)).status_code == 404
    assert as_lead.post(url("progress", review)).status_code == 405


def test_settings_lead_saves_rules_and_terms(as_lead, as_reviewer, review, records):
    data = {
        "order_title_abstract": "random",
        "order_full_text": "import",
        "random_seed": 42,
        "include_terms": "transfer learning\nECG",
        "exclude_terms": "imaging",
    }
    assert as_reviewer.post(url("settings", review), data).status_code == 403
    response = as_lead.post(url("settings", review), data)
    assert response.status_code == 302
    config = ScreeningSettings.objects.get(review=review)
    assert config.maybe_goes_to_full_text is False and config.include_terms == ["transfer learning", "ECG"]
    assert AuditEvent.objects.filter(action="screening.settings_updated").count() == 1
    assert as_lead.get(url("settings", review)).status_code == 200
    assert as_lead.put(url("settings", review)).status_code == 405


def test_settings_page_sets_the_votes_required_and_a_lower_count_decides_waiting_records(
    as_lead, vote, reviewer, review, records
):
    vote(reviewer, records[0], "include")  # one of the two votes required
    page = as_lead.get(url("settings", review)).content.decode()
    assert 'name="votes_required_title_abstract"' in page and 'name="votes_required_full_text"' in page
    data = {"order_title_abstract": "import", "order_full_text": "import", "random_seed": 1}
    response = as_lead.post(url("settings", review), {**data, "votes_required_title_abstract": 1})
    assert response.status_code == 302
    config = ScreeningSettings.objects.get(review=review)
    assert (config.votes_required_title_abstract, config.votes_required_full_text) == (1, 2)  # FT not sent: kept
    assert StageOutcome.objects.get(record=records[0], stage=Stage.TITLE_ABSTRACT).status == Status.INCLUDED
    event = AuditEvent.objects.get(review=review, action="screening.settings_updated")
    assert event.detail["changes"]["votes_required_title_abstract"] == {"from": 2, "to": 1}


def test_settings_page_refuses_zero_votes_and_changes_nothing(as_lead, review):
    data = {"order_title_abstract": "random", "order_full_text": "import", "random_seed": 1}
    response = as_lead.post(url("settings", review), {**data, "votes_required_full_text": 0})
    assert response.status_code == 400
    assert not ScreeningSettings.objects.filter(review=review).exists()


def test_reasons_are_added_renamed_moved_and_archived(as_lead, as_reviewer, review):
    as_lead.post(url("reason-add", review), {"label": "Non-clinical"}, **HX)
    as_lead.post(url("reason-add", review), {"label": "No transfer learning"}, **HX)
    first, second = ExclusionReason.objects.order_by("position")
    as_lead.post(url("reason-change", review, second.pk), {"action": "up"}, **HX)
    as_lead.post(url("reason-change", review, first.pk), {"action": "rename", "label": "Non-clinical research"}, **HX)
    response = as_lead.post(url("reason-change", review, first.pk), {"action": "archive"}, **HX)
    assert response.status_code == 200
    assert list(ExclusionReason.objects.order_by("position").values_list("label", "archived")) == [
        ("No transfer learning", False),
        ("Non-clinical research", True),
    ]
    assert as_reviewer.post(url("reason-add", review), {"label": "x"}).status_code == 403
    assert as_lead.get(url("reason-add", review)).status_code == 405


def test_pilot_start_and_close(as_lead, as_reviewer, reviewer, reviewer2, review, records):
    assert as_reviewer.post(url("pilot", review), {"size": 2}).status_code == 403
    as_lead.post(url("pilot", review), {"action": "start", "size": 3})
    pilot = PilotRound.objects.get(review=review)
    assert StageOutcome.objects.filter(pilot=pilot).count() == 3
    as_lead.post(url("pilot", review), {"action": "close", "pilot": pilot.pk})
    pilot.refresh_from_db()
    assert pilot.closed_at is not None
    assert as_lead.get(url("pilot", review)).status_code == 405


def test_lead_unblinds_the_review_and_it_is_audited(as_lead, as_reviewer, review):
    assert as_reviewer.post(url("blinding", review), {"blinded": "off"}).status_code == 403
    as_lead.post(url("blinding", review), {"blinded": "off"})
    assert ScreeningSettings.objects.get(review=review).blinded is False
    event = AuditEvent.objects.get(review=review, action="screening.settings_updated")
    assert event.detail["changes"]["blinded"] == {"from": True, "to": False}


def test_replaced_pdf_stays_downloadable_from_the_history(as_reviewer, review, at_full_text, record):
    at_full_text(record)
    first = SimpleUploadedFile("first.pdf", PDF)
    as_reviewer.post(url("fulltext-upload", review, record.pk), {"file": first}, **HX)
    second = SimpleUploadedFile("second.pdf", PDF + b"%v2\n")
    response = as_reviewer.post(url("fulltext-upload", review, record.pk), {"file": second}, **HX)
    old = FullText.objects.get(record=record, original_name="first.pdf")
    assert f"version={old.pk}" in response.content.decode()
    served = as_reviewer.get(url("fulltext", review, record.pk) + f"?version={old.pk}&download=1")
    assert b"".join(served.streaming_content) == PDF
    assert b"".join(as_reviewer.get(url("fulltext", review, record.pk)).streaming_content).endswith(b"%v2\n")

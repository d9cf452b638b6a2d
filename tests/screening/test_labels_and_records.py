"""Shared tags and notes (blinded until one's own vote), the records list and API filters with status per stage,
duplicate groups and tags, bulk votes in one request, and corrections of a record's metadata (issue #17)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.models import AuditEvent, Record, RecordEdit, RecordNote, RecordTag, Tag
from review.services.labels import note_add, tag_add
from screening.models import Stage
from screening.selectors import settings_for
from tests.screening.factories import RecordFactory

TA = Stage.TITLE_ABSTRACT.value
HX = {"HTTP_HX_REQUEST": "true"}


def rurl(name, review, *args):
    return reverse(f"review:{name}", args=[review.slug, *args])


def api(review, path):
    return f"/api/v1/reviews/{review.slug}/{path}"


# ---- tags and notes ----------------------------------------------------------------------------------------


def test_reviewer_tags_and_notes_a_record_from_the_page(as_reviewer, reviewer, review, record):
    response = as_reviewer.post(rurl("record-tag-add", review, record.pk), {"name": "  ECG   data "}, **HX)
    assert response.status_code == 200 and "ECG data" in response.content.decode()
    # the same tag again, in another case: one tag, once on the record
    as_reviewer.post(rurl("record-tag-add", review, record.pk), {"name": "ecg data"}, **HX)
    assert list(Tag.objects.filter(review=review).values_list("name", flat=True)) == ["ECG data"]
    assert RecordTag.objects.filter(record=record).count() == 1
    response = as_reviewer.post(rurl("record-note-add", review, record.pk), {"text": "Abstract cut off"}, **HX)
    assert "Abstract cut off" in response.content.decode()
    assert RecordNote.objects.get(record=record).author == reviewer
    assert AuditEvent.objects.filter(review=review, action__in=["record.tagged", "record.note_added"]).count() == 2
    tag = Tag.objects.get(review=review)
    response = as_reviewer.post(rurl("record-tag-remove", review, record.pk, tag.pk), **HX)
    assert response.status_code == 200 and not RecordTag.objects.exists()


def test_empty_tag_and_note_are_refused_in_place(as_reviewer, review, record):
    response = as_reviewer.post(rurl("record-tag-add", review, record.pk), {"name": "  "}, **HX)
    assert response.status_code == 400 and "Name the tag" in response.content.decode()
    response = as_reviewer.post(rurl("record-note-add", review, record.pk), {"text": ""}, **HX)
    assert response.status_code == 400 and "Write the note first" in response.content.decode()
    assert not Tag.objects.exists() and not RecordNote.objects.exists()


def test_labels_refuse_viewers_outsiders_and_get(as_viewer, as_outsider, as_reviewer, review, record):
    for name in ("record-tag-add", "record-note-add"):
        assert as_viewer.post(rurl(name, review, record.pk), {"name": "x", "text": "x"}).status_code == 403
        assert as_outsider.post(rurl(name, review, record.pk), {"name": "x", "text": "x"}).status_code == 404
        assert as_reviewer.get(rurl(name, review, record.pk)).status_code == 405
    assert not Tag.objects.exists() and not RecordNote.objects.exists()


def test_a_note_does_not_unblind_a_reviewer_before_their_vote(
    as_reviewer2, reviewer, reviewer2, arbiter, review, record, vote
):
    assert settings_for(review).blinded
    vote(reviewer, record, "exclude")
    note_add(review=review, record=record, text="Clearly out: imaging only", by=reviewer)
    tag_add(review=review, record=record, name="imaging", by=reviewer)
    page = as_reviewer2.get(reverse("screening:screen", args=[review.slug, TA])).content.decode()
    assert f'data-record="{record.pk}"' in page
    assert "Clearly out" not in page and ">imaging<" not in page
    assert as_reviewer2.get(api(review, f"records/{record.pk}/notes/")).json() == []
    assert as_reviewer2.get(api(review, "records/?tag=imaging")).json()["count"] == 0
    vote(reviewer2, record, "include")
    assert as_reviewer2.get(api(review, f"records/{record.pk}/notes/")).json()[0]["text"] == "Clearly out: imaging only"
    assert as_reviewer2.get(api(review, "records/?tag=imaging")).json()["count"] == 1


def test_api_tags_and_notes(api_clients, reviewer, viewer, outsider, review, record):
    client = api_clients(reviewer)
    response = client.post(api(review, f"records/{record.pk}/tags/"), {"name": "ECG"}, format="json")
    assert response.status_code == 201 and response.json()["name"] == "ECG"
    tag_id = response.json()["id"]
    assert client.get(api(review, "tags/")).json() == [{"id": tag_id, "name": "ECG", "records": 1}]
    response = client.post(api(review, f"records/{record.pk}/notes/"), {"text": "see supplement"}, format="json")
    assert response.status_code == 201 and response.json()["author"] == "reviewer"
    assert api_clients(viewer).post(api(review, f"records/{record.pk}/tags/"), {"name": "x"}).status_code == 403
    assert api_clients(outsider).get(api(review, f"records/{record.pk}/notes/")).status_code == 404
    assert client.delete(api(review, f"records/{record.pk}/tags/{tag_id}/")).status_code == 204
    assert client.delete(api(review, f"records/{record.pk}/tags/{tag_id}/")).status_code == 404
    assert not RecordTag.objects.exists() and RecordNote.objects.count() == 1


# ---- records list and API ------------------------------------------------------------------------------------


@pytest.fixture
def screened(review, records, vote, reviewer, reviewer2):
    vote(reviewer, records[0], "include")
    vote(reviewer2, records[0], "include")  # included
    vote(reviewer, records[1], "include")
    vote(reviewer2, records[1], "exclude")  # conflict
    vote(reviewer, records[2], "exclude")  # awaiting a second reviewer
    records[3].year = 2015
    records[3].abstract = "Gradient boosting on tabular registry data."
    records[3].save()
    return records


def test_api_records_carry_status_duplicate_group_and_tags(api_clients, lead, review, screened):
    duplicate = RecordFactory(review=review, merged_into=screened[0])
    tag_add(review=review, record=screened[0], name="ECG", by=lead)
    body = api_clients(lead).get(api(review, "records/")).json()
    rows = {row["id"]: row for row in body["results"]}
    assert rows[screened[0].pk]["status"] == {"title-abstract": "included", "full-text": "awaiting"}
    assert rows[screened[1].pk]["status"] == {"title-abstract": "conflict"}
    assert rows[screened[0].pk]["duplicate_group"] == screened[0].pk
    assert rows[duplicate.pk]["duplicate_group"] == screened[0].pk
    assert rows[screened[0].pk]["tags"] == ["ECG"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=included", [0]),
        ("status=conflict", [1]),
        ("conflicts=1", [1]),
        ("awaiting_second=1", [2]),
        ("status=not_screened", [3, 4]),
        ("year=2015", [3]),
        ("year=2010-2016", [3]),
        ("text=registry", [3]),
        ("reviewer=reviewer2", [0, 1]),
        ("stage=full-text&status=awaiting", [0]),
    ],
)
def test_api_records_filters(api_clients, lead, review, screened, query, expected):
    body = api_clients(lead).get(api(review, f"records/?{query}")).json()
    assert [row["id"] for row in body["results"]] == [screened[i].pk for i in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [("colour=red", "colour"), ("status=maybe", "status"), ("year=21", "year"), ("conflicts=yes", "conflicts")],
)
def test_api_records_refuse_unknown_filters_and_bad_values_with_400(api_clients, lead, review, screened, query, field):
    response = api_clients(lead).get(api(review, f"records/?{query}"))
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_blinded_reviewer_may_filter_by_own_votes_only(api_clients, reviewer, review, screened):
    client = api_clients(reviewer)
    assert client.get(api(review, "records/?reviewer=reviewer")).json()["count"] == 3
    response = client.get(api(review, "records/?reviewer=reviewer2"))
    assert response.status_code == 400 and "own votes" in response.json()["error"]["message"]


def test_records_page_shows_status_columns_and_filters(as_lead, review, screened):
    body = as_lead.get(rurl("records", review) + "?conflicts=1").content.decode()
    assert screened[1].title in body and screened[0].title not in body
    assert "badge-conflict" in body
    response = as_lead.get(rurl("records", review) + "?nonsense=1")
    assert response.status_code == 400 and "Unknown filter: nonsense" in response.content.decode()


def test_records_page_query_count_is_bounded(as_lead, review, screened, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        as_lead.get(rurl("records", review))


# ---- bulk votes ------------------------------------------------------------------------------------------


def test_bulk_votes_in_one_request_follow_blinding(api_clients, lead, reviewer, reviewer3, review, screened):
    path = f"screening/{TA}/votes/"
    lead_view = api_clients(lead).get(api(review, path)).json()
    # the lead sees the votes of the decided record and of the conflict; an awaiting record's vote stays blinded
    assert lead_view["count"] == 4
    mine = api_clients(reviewer).get(api(review, path)).json()
    # reviewer: their 3 votes, plus reviewer2's on the included record and on the conflict they are in
    assert mine["count"] == 5
    third = api_clients(reviewer3).get(api(review, path)).json()
    assert {(v["record"], v["reviewer"]) for v in third["results"]} == {
        (screened[0].pk, "reviewer"),
        (screened[0].pk, "reviewer2"),
    }
    only = api_clients(lead).get(api(review, f"{path}?records={screened[1].pk}")).json()
    assert {v["choice"] for v in only["results"]} == {"include", "exclude"}
    assert api_clients(lead).get(api(review, f"{path}?record=1")).status_code == 400
    assert api_clients(lead).get(api(review, f"{path}?records=1,x")).status_code == 400


# ---- record edits ------------------------------------------------------------------------------------------


def test_record_edit_keeps_the_original_and_is_audited(as_reviewer, reviewer, review, record):
    record.abstract = ""
    record.save()
    page = as_reviewer.get(rurl("record-edit", review, record.pk))
    assert page.status_code == 200 and record.title in page.content.decode()
    data = {
        "title": record.title,
        "abstract": "Recovered from the publisher's page.",
        "authors": "Smith J\nDoe A",
        "year": "2021",
        "journal": record.journal,
        "doi": record.doi,
        "pmid": record.pmid,
        "keywords": "transfer learning\nECG",
        "reason": "abstract missing from the export",
    }
    response = as_reviewer.post(rurl("record-edit", review, record.pk), data)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.abstract == "Recovered from the publisher's page."
    edit = RecordEdit.objects.get(record=record)
    assert (edit.field, edit.before, edit.after, edit.by) == ("abstract", "", record.abstract, reviewer)
    event = AuditEvent.objects.get(review=review, action="record.edited")
    assert event.detail["fields"] == ["abstract"] and event.actor == reviewer
    detail = as_reviewer.get(rurl("record", review, record.pk)).content.decode()
    assert "Corrected by the team" in detail and "imported: “empty”" in detail


def test_record_edit_refuses_a_bad_doi_and_writes_nothing(as_reviewer, review, record):
    response = as_reviewer.post(rurl("record-edit", review, record.pk), {"title": "x", "doi": "not a doi"})
    assert response.status_code == 400 and "not a DOI" in response.content.decode()
    assert not RecordEdit.objects.exists()
    assert Record.objects.get(pk=record.pk).title != "x"


def test_record_edit_refuses_viewers_and_outsiders(as_viewer, as_outsider, review, record):
    assert as_viewer.post(rurl("record-edit", review, record.pk), {"title": "x"}).status_code == 403
    assert as_outsider.get(rurl("record-edit", review, record.pk)).status_code == 404
    assert not RecordEdit.objects.exists()


def test_api_record_edit_and_dedup_inputs_use_the_edited_values(api_clients, reviewer, review, record):
    path = api(review, f"records/{record.pk}/edits/")
    client = api_clients(reviewer)
    response = client.post(path, {"doi": "https://doi.org/10.5555/FIXED", "reason": "typo"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["originals"]["doi"] == record.doi and body["edits"][0]["after"] == "10.5555/fixed"
    assert Record.objects.get(pk=record.pk).doi == "10.5555/fixed"
    response = client.post(path, {"year": 3000}, format="json")
    assert response.status_code == 400 and "year" in response.json()["error"]["fields"]
    assert RecordEdit.objects.filter(record=record).count() == 1

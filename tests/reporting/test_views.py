"""Report pages over HTTP: every route's happy path, outsider 404, forbidden role and wrong method."""

from __future__ import annotations

import pytest
from django.urls import reverse

from review.models import AuditEvent, Record

SLUG = "tl-clinical"


def url(name: str, **kwargs) -> str:
    return reverse(f"reporting:{name}", kwargs={"slug": SLUG, **kwargs})


GET_ROUTES = [
    ("prisma", {}),
    ("prisma-svg", {}),
    ("prisma-records", {"node": "records_screened"}),
    ("exports", {}),
    ("export", {"kind": "records"}),
    ("export", {"kind": "prisma"}),
    ("record", {"record_id": 0}),
]


def _kwargs(kwargs, fx):
    if "record_id" in kwargs:
        return {"record_id": fx.records["P1"].pk}
    return kwargs


@pytest.mark.parametrize(("name", "kwargs"), GET_ROUTES)
def test_every_page_opens_for_a_viewer(prisma_review, as_viewer, name, kwargs):
    response = as_viewer.get(url(name, **_kwargs(kwargs, prisma_review)))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), GET_ROUTES)
def test_outsider_gets_404_everywhere(small_review, as_outsider, name, kwargs):
    assert as_outsider.get(url(name, **_kwargs(kwargs, small_review))).status_code == 404


@pytest.mark.parametrize(("name", "kwargs"), GET_ROUTES)
def test_anonymous_is_sent_to_login(small_review, client, name, kwargs):
    response = client.get(url(name, **_kwargs(kwargs, small_review)))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "kwargs"), [r for r in GET_ROUTES if r[0] != "record"])
def test_read_only_routes_refuse_post(small_review, as_lead, name, kwargs):
    assert as_lead.post(url(name, **kwargs)).status_code == 405


def test_diagram_shows_the_counts_and_links_every_number(prisma_review, as_lead):
    response = as_lead.get(url("prisma"))
    body = response.content.decode()
    assert "Records screened (n = 11)" in body
    assert "Studies included in review (n = 3)" in body
    assert url("prisma-records", node="duplicates") in body
    assert "✗" not in body  # every consistency check holds
    assert 'hx-trigger="every 10s"' in body


def test_htmx_poll_returns_only_the_fragment(prisma_review, as_lead):
    response = as_lead.get(url("prisma"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="prisma-diagram"') and "<html" not in body


def test_svg_download_escapes_record_data(prisma_review, as_lead, lead):
    from screening.services.config import exclusion_reason_add

    exclusion_reason_add(review=prisma_review.review, by=lead, label="<script>alert(1)</script>")
    response = as_lead.get(url("prisma-svg") + "?download=1")
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"<?xml")
    assert b"<script>" not in response.content


def test_drill_down_lists_the_records(prisma_review, as_viewer):
    response = as_viewer.get(url("prisma-records", node="duplicates"))
    assert response.context["page"].paginator.count == 2
    assert {r.pk for r in response.context["page"]} == {prisma_review.records["E1"].pk, prisma_review.records["E2"].pk}


def test_drill_down_by_reason(prisma_review, as_viewer):
    response = as_viewer.get(url("prisma-records", node="dbr_excluded") + "?reason=Wrong+population")
    assert [r.pk for r in response.context["page"]] == [prisma_review.records["P2"].pk]


def test_unknown_node_is_404(prisma_review, as_lead):
    assert as_lead.get(url("prisma-records", node="nothing")).status_code == 404


def test_unknown_export_is_404(prisma_review, as_lead):
    assert as_lead.get(url("export", kind="nothing")).status_code == 404


def test_bundle_needs_the_lead(prisma_review, as_reviewer, as_lead):
    assert as_reviewer.get(url("export", kind="bundle")).status_code == 403
    response = as_lead.get(url("export", kind="bundle"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_records_export_streams_csv(prisma_review, as_reviewer):
    response = as_reviewer.get(url("export", kind="records") + "?bom=1")
    assert response["Content-Type"].startswith("text/csv")
    assert b"".join(response.streaming_content).startswith("\ufeffrecord_id,".encode())


def test_lead_removes_a_record_before_screening_with_a_reason(prisma_review, as_lead):
    record = prisma_review.records["R2"]
    response = as_lead.post(
        url("record", record_id=record.pk), {"action": "remove", "reason": "not a trial", "automatic": "1"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.removed_reason == "not a trial" and record.removed_automatic  # the text is kept as given
    assert AuditEvent.objects.filter(action="record.removed_before_screening").exists()
    as_lead.post(url("record", record_id=record.pk), {"action": "restore"})
    record.refresh_from_db()
    assert record.removed_reason == "" and not record.removed_automatic


def test_removal_without_reason_is_refused(prisma_review, as_lead):
    record = prisma_review.records["R2"]
    response = as_lead.post(url("record", record_id=record.pk), {"action": "remove", "reason": ""})
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.removed_reason == ""


def test_lead_links_an_additional_report(prisma_review, as_lead):
    r = prisma_review.records
    as_lead.post(url("record", record_id=r["R1"].pk), {"action": "link", "study": str(r["C2"].pk)})
    assert Record.objects.get(pk=r["R1"].pk).report_of_id == r["C2"].pk
    as_lead.post(url("record", record_id=r["R1"].pk), {"action": "link", "study": ""})
    assert Record.objects.get(pk=r["R1"].pk).report_of_id is None


def test_reviewer_may_not_change_a_record(prisma_review, as_reviewer):
    record = prisma_review.records["R2"]
    response = as_reviewer.post(url("record", record_id=record.pk), {"action": "remove", "reason": "x"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.removed_reason == ""


def test_record_of_another_review_is_404(prisma_review, as_lead, outsider):
    other = Record.objects.exclude(review=prisma_review.review).first()
    assert other is None or as_lead.get(url("record", record_id=other.pk)).status_code == 404
    assert as_lead.get(url("record", record_id=999999)).status_code == 404


def test_record_page_refuses_put(prisma_review, as_lead):
    assert as_lead.put(url("record", record_id=prisma_review.records["P1"].pk)).status_code == 405

"""The audit trail page (per review and per record) and its API route; the grouped review navigation."""

from __future__ import annotations

from django.urls import reverse

from review.models import AuditEvent
from review.services.labels import note_add, tag_add
from tests.screening.factories import RecordFactory


def test_lead_reads_the_review_audit_filtered_by_record_actor_and_action(as_lead, lead, reviewer, review):
    first, second = RecordFactory(review=review), RecordFactory(review=review)
    tag_add(review=review, record=first, name="ECG", by=reviewer)
    note_add(review=review, record=second, text="check", by=lead)
    page = as_lead.get(reverse("review:audit", args=[review.slug]))
    body = page.content.decode()
    # Each row names its action in words, with the code in the cell's title.
    assert page.status_code == 200 and ">Record: tagged</td>" in body and ">Record: note added</td>" in body
    body = as_lead.get(reverse("review:audit", args=[review.slug]) + "?actor=reviewer").content.decode()
    assert ">Record: tagged</td>" in body and ">Record: note added</td>" not in body
    body = as_lead.get(reverse("review:record-audit", args=[review.slug, second.pk])).content.decode()
    assert ">Record: note added</td>" in body and ">Record: tagged</td>" not in body
    response = as_lead.get(reverse("review:audit", args=[review.slug]) + "?since=yesterday")
    assert response.status_code == 400 and "since is a date" in response.content.decode()


def test_audit_is_the_leads(as_reviewer, as_arbiter, as_outsider, as_lead, review):
    url = reverse("review:audit", args=[review.slug])
    assert as_reviewer.get(url).status_code == 403
    assert as_arbiter.get(url).status_code == 403
    assert as_outsider.get(url).status_code == 404
    assert as_lead.post(url).status_code == 405


def test_api_audit_filters_and_refuses_unknown_parameters(api_clients, lead, reviewer, review):
    record = RecordFactory(review=review)
    tag_add(review=review, record=record, name="ECG", by=reviewer)
    client = api_clients(lead)
    base = f"/api/v1/reviews/{review.slug}/audit/"
    body = client.get(f"{base}?record={record.pk}").json()
    assert [(e["action"], e["actor"], e["detail"]["tag"]) for e in body["results"]] == [
        ("record.tagged", "reviewer", "ECG")
    ]
    assert (
        client.get(f"{base}?action=record.").json()["count"]
        == AuditEvent.objects.filter(review=review, action__startswith="record.").count()
    )
    assert client.get(f"{base}?who=lead").status_code == 400
    assert api_clients(reviewer).get(base).status_code == 403


def test_navigation_groups_screening_pages_under_screening(as_lead, review):
    body = as_lead.get(reverse("screening:progress", args=[review.slug])).content.decode()
    nav = body[body.index('<nav class="reviewnav"') : body.index("</nav>", body.index('<nav class="reviewnav"'))]
    assert '<details class="navgroup" data-nav="screening">' in nav
    assert 'aria-current="page">Screening</a>' in nav  # the section of the page shown
    assert nav.count("<summary") == 2  # screening, members (settings and audit under it for the lead)
    assert "Audit trail" in nav and nav.count("<a ") == 13

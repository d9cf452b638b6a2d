"""The PRISMA page asks for the diagram again only while a number can change on its own, and stops once none can."""

from __future__ import annotations

from django.urls import reverse

from review.models import Job, Review, SearchFile
from review.services import imports

POLL = 'hx-trigger="every 10s"'


def url(review) -> str:
    return reverse("reporting:prisma", kwargs={"slug": review.slug})


def test_settled_review_page_does_not_poll(review, as_lead):
    response = as_lead.get(url(review))
    assert response.status_code == 200
    assert 'id="prisma-diagram"' in response.content.decode() and POLL not in response.content.decode()


def test_poll_answered_when_nothing_is_pending_stops_htmx(review, as_lead):
    response = as_lead.get(url(review), HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="prisma-diagram"') and "hx-trigger" not in body


def test_page_polls_while_a_job_runs_and_stops_when_it_is_done(review, as_lead):
    job = Job.objects.create(review=review, kind="dedup", state=Job.State.RUNNING)
    assert POLL in as_lead.get(url(review)).content.decode()
    polled = as_lead.get(url(review), HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and POLL in polled.content.decode()

    Job.objects.filter(pk=job.pk).update(state=Job.State.SUCCEEDED)
    last = as_lead.get(url(review), HTTP_HX_REQUEST="true")
    assert last.status_code == 286 and "hx-trigger" not in last.content.decode()


def test_queued_job_of_another_review_does_not_keep_this_page_polling(review, outsider, as_lead):
    Job.objects.create(review=Review.objects.get(slug="other-review"), kind="import", state=Job.State.QUEUED)
    assert as_lead.get(url(review), HTTP_HX_REQUEST="true").status_code == 286


def test_page_polls_while_a_file_is_being_imported(review, lead, as_lead):
    search = imports.search_create(review=review, by=lead, kind="database", database="MEDLINE")
    SearchFile.objects.create(
        review=review, search=search, original_name="x.ris", size=1, sha256="0" * 64, status=SearchFile.Status.IMPORTING
    )
    assert as_lead.get(url(review), HTTP_HX_REQUEST="true").status_code == 200


def test_page_polls_while_records_await_screening(review, lead, as_lead, django_capture_on_commit_callbacks):
    search = imports.search_create(review=review, by=lead, kind="other", other_method="citation")
    with django_capture_on_commit_callbacks(execute=True):
        imports.record_add(review=review, search=search, by=lead, title="A study found in a reference list")
    response = as_lead.get(url(review), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and POLL in response.content.decode()

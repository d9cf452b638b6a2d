"""Deduplication inside a review: runs, merges that keep every record, decisions, undo, log, pages and API."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from review.models import DuplicateDecision, Job, MergeEvent, PossibleDuplicate, Record, Review
from review.services import dedup, imports

STUDY = {
    "title": "Transfer learning for ECG classification in intensive care",
    "authors": ["Smith, John", "Doe, Jane", "Brown, Alan"],
    "year": 2020,
    "journal": "Journal of Cardiology",
    "volume": "12",
    "issue": "3",
    "pages": "283-298",
    "doi": "10.1000/ecg.2020.1",
    "abstract": "We fine-tuned a convolutional network on electrocardiograms from 4,000 patients.",
}
OTHER = {
    "title": "Nudging hand hygiene with reminders in hospital wards",
    "authors": ["Garcia, Maria"],
    "year": 2015,
    "journal": "Infection Control",
    "volume": "3",
    "pages": "10-19",
    "doi": "10.1000/hh.2015.9",
    "abstract": "Posters near sinks raised compliance.",
}


@pytest.fixture
def pubmed(review, lead):
    return imports.search_create(review=review, by=lead, database="PubMed")


@pytest.fixture
def embase(review, lead):
    return imports.search_create(review=review, by=lead, database="Embase")


def add(review, search, position, **fields):
    return Record.objects.create(review=review, search=search, position=position, **fields)


@pytest.fixture
def pair(review, pubmed, embase):
    """The same study from two databases (with the usual differences), and one unrelated study."""
    a = add(review, pubmed, 1, **STUDY, pmid="31234567")
    b = add(review, embase, 1, **{**STUDY, "title": "Transfer Learning for ECG Classification in Intensive Care.",
                                  "pages": "283-98", "journal": "J Cardiol", "abstract": ""})  # fmt: skip
    c = add(review, embase, 2, **OTHER)
    return a, b, c


def run(review, by, capture):
    with capture(execute=True):
        started = dedup.dedup_start(review=review, by=by)
    started.refresh_from_db()
    return started


def test_run_merges_duplicate_and_keeps_the_most_complete(review, lead, pair, django_capture_on_commit_callbacks):
    a, b, _c = pair
    finished = run(review, lead, django_capture_on_commit_callbacks)
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.merged_into == a and a.merged_into is None  # a has the abstract and the PMID
    assert Record.objects.filter(review=review).count() == 3  # nothing deleted
    event = MergeEvent.objects.get(record=b)
    assert event.kept == a and event.run == finished and event.rule
    assert finished.stats["merged_now"] == 1 and finished.stats["duplicates"] == 1
    assert finished.job.state == Job.State.SUCCEEDED


def test_second_run_changes_nothing(review, lead, pair, django_capture_on_commit_callbacks):
    run(review, lead, django_capture_on_commit_callbacks)
    second = run(review, lead, django_capture_on_commit_callbacks)
    assert second.stats["merged_now"] == 0 and second.stats["unmerged_now"] == 0
    assert MergeEvent.objects.count() == 1


def test_records_added_later_are_compared_with_existing(review, lead, pair, embase, django_capture_on_commit_callbacks):
    a, _b, _c = pair
    run(review, lead, django_capture_on_commit_callbacks)
    late = add(review, embase, 3, **{**STUDY, "title": "TRANSFER LEARNING FOR ECG CLASSIFICATION IN INTENSIVE CARE"})
    run(review, lead, django_capture_on_commit_callbacks)
    late.refresh_from_db()
    assert late.merged_into == a


def test_import_starts_deduplication_automatically(review, lead, pubmed, django_capture_on_commit_callbacks):
    ris = (
        "TY  - JOUR\nTI  - {t}\nAU  - Smith, John\nPY  - 2020\nJO  - Journal of Cardiology\nVL  - 12\nSP  - 283\n"
        "EP  - 298\nDO  - 10.1000/ecg.2020.1\nER  - \n"
    )
    data = (ris.format(t=STUDY["title"]) + "\n" + ris.format(t=STUDY["title"].upper())).encode()
    with django_capture_on_commit_callbacks(execute=True):
        search_file = imports.search_file_upload(review=review, search=pubmed, by=lead, name="a.ris", data=data)
    search_file.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        imports.search_file_confirm(review=review, search_file=search_file, by=lead)
    assert Record.objects.filter(review=review, merged_into__isnull=False).count() == 1


def test_different_decision_is_respected_by_later_runs(review, lead, pair, django_capture_on_commit_callbacks):
    a, b, _c = pair
    DuplicateDecision.objects.create(review=review, record_a=a, record_b=b, same=False, decided_by=lead)
    finished = run(review, lead, django_capture_on_commit_callbacks)
    b.refresh_from_db()
    assert b.merged_into is None
    assert not PossibleDuplicate.objects.filter(record_a=a, record_b=b, decision__isnull=True).exists()
    assert finished.stats["duplicates"] == 0


def test_deciding_a_possible_pair_same_merges_and_logs_who(review, lead, pubmed, embase):
    x = add(review, pubmed, 1, title="Cough detection with audio transfer learning", abstract="text")
    y = add(review, embase, 1, title="Audio transfer learning detects cough")
    pair = PossibleDuplicate.objects.create(review=review, record_a=x, record_b=y, score=0.8, reason="title")
    dedup.duplicate_decide(review=review, pair=pair, same=True, by=lead)
    y.refresh_from_db()
    assert y.merged_into == x
    event = MergeEvent.objects.get(record=y)
    assert event.decided_by == lead and "lead" in event.rule
    with pytest.raises(Exception, match="already been decided"):
        dedup.duplicate_decide(review=review, pair=pair, same=False, by=lead)


def test_split_undoes_a_group_for_good(review, lead, pair, django_capture_on_commit_callbacks):
    a, b, _c = pair
    run(review, lead, django_capture_on_commit_callbacks)
    dedup.group_split(review=review, kept=a, by=lead)
    b.refresh_from_db()
    assert b.merged_into is None
    assert MergeEvent.objects.get(record=b).undone_by == lead
    assert DuplicateDecision.objects.filter(record_a=a, record_b=b, same=False).exists()
    run(review, lead, django_capture_on_commit_callbacks)
    b.refresh_from_db()
    assert b.merged_into is None


def test_records_with_votes_are_never_hidden_automatically(
    review, lead, pair, monkeypatch, django_capture_on_commit_callbacks
):
    a, b, _c = pair
    # Both records already have screening votes: the engine must hand the pair to a person instead.
    monkeypatch.setattr(dedup, "locked_records", lambda review: {a.pk, b.pk})
    run(review, lead, django_capture_on_commit_callbacks)
    b.refresh_from_db()
    assert b.merged_into is None
    assert PossibleDuplicate.objects.filter(record_a=a, record_b=b, decision__isnull=True).exists()


def test_split_of_a_group_with_votes_needs_confirmation(
    review, lead, pair, monkeypatch, django_capture_on_commit_callbacks
):
    a, b, _c = pair
    run(review, lead, django_capture_on_commit_callbacks)
    monkeypatch.setattr(dedup, "locked_records", lambda review: {a.pk})
    with pytest.raises(Exception, match="confirm"):
        dedup.group_split(review=review, kept=a, by=lead)
    b.refresh_from_db()
    assert b.merged_into == a
    dedup.group_split(review=review, kept=a, by=lead, confirm=True)
    b.refresh_from_db()
    assert b.merged_into is None


def test_a_run_that_dies_leaves_the_previous_state(review, lead, pair, monkeypatch, django_capture_on_commit_callbacks):
    a, b, _c = pair
    run(review, lead, django_capture_on_commit_callbacks)
    dedup.group_split(review=review, kept=a, by=lead)
    DuplicateDecision.objects.all().delete()  # so that a new run would merge again

    def broken(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(PossibleDuplicate.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        run(review, lead, django_capture_on_commit_callbacks)
    b.refresh_from_db()
    assert b.merged_into is None  # the merge applied before the failure was rolled back
    failed = Job.objects.filter(kind="dedup").order_by("-pk").first()
    assert failed.state == Job.State.FAILED and "nothing was changed" in failed.message


# Pages and API


def test_dedup_page_and_log_csv(as_viewer, review, lead, pair, django_capture_on_commit_callbacks):
    a, b, _c = pair
    run(review, lead, django_capture_on_commit_callbacks)
    page = as_viewer.get(reverse("review:dedup", args=[review.slug]))
    assert page.status_code == 200 and b"Duplicates removed" in page.content
    response = as_viewer.get(reverse("review:dedup-log", args=[review.slug]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["removed_record_id"] == str(b.pk) and rows[0]["kept_record_id"] == str(a.pk)
    assert rows[0]["removed_source"] == "Embase"


def test_run_button_is_for_leads(as_reviewer, as_lead, review, pair, django_capture_on_commit_callbacks):
    assert as_reviewer.post(reverse("review:dedup", args=[review.slug])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert as_lead.post(reverse("review:dedup", args=[review.slug])).status_code == 302
    assert Record.objects.filter(merged_into__isnull=False).count() == 1


def test_dedup_pages_outsider_404(as_outsider, review, pair):
    for name in ("review:dedup", "review:possible", "review:groups", "review:dedup-log"):
        assert as_outsider.get(reverse(name, args=[review.slug])).status_code == 404


def test_possible_queue_decide_by_keyboard_form(as_lead, review, pubmed, embase):
    x = add(review, pubmed, 1, title="Cough detection", abstract="a")
    y = add(review, embase, 1, title="Cough detected")
    pair = PossibleDuplicate.objects.create(review=review, record_a=x, record_b=y, score=0.7, reason="title")
    page = as_lead.get(reverse("review:possible", args=[review.slug]))
    assert b"Cough detection" in page.content and b'data-key="s"' in page.content
    response = as_lead.post(
        reverse("review:possible-decide", args=[review.slug, pair.pk]), {"verdict": "different"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"No possible duplicates left" in response.content
    assert DuplicateDecision.objects.get(record_a=x, record_b=y).same is False


def test_possible_decide_forbidden_for_reviewer_and_wrong_method(as_reviewer, as_lead, review, pubmed, embase):
    x = add(review, pubmed, 1, title="A")
    y = add(review, embase, 1, title="B")
    pair = PossibleDuplicate.objects.create(review=review, record_a=x, record_b=y, score=0.7, reason="title")
    url = reverse("review:possible-decide", args=[review.slug, pair.pk])
    assert as_reviewer.post(url, {"verdict": "same"}).status_code == 403
    assert as_lead.get(url).status_code == 405
    assert not DuplicateDecision.objects.exists()


def test_group_page_split_asks_for_confirmation_with_votes(
    as_lead, review, lead, pair, monkeypatch, django_capture_on_commit_callbacks
):
    a, b, _c = pair
    run(review, lead, django_capture_on_commit_callbacks)
    monkeypatch.setattr(dedup, "locked_records", lambda review: {a.pk})
    url = reverse("review:group", args=[review.slug, a.pk])
    response = as_lead.post(url)
    assert response.status_code == 409 and b"Split anyway" in response.content
    assert as_lead.post(url, {"confirm": "yes"}).status_code == 302
    b.refresh_from_db()
    assert b.merged_into is None


def test_group_of_another_review_is_404(as_outsider, outsider, pair):
    a = pair[0]
    other = Review.objects.get(slug="other-review")
    assert as_outsider.get(reverse("review:group", args=[other.slug, a.pk])).status_code == 404


def test_api_dedup_flow(api_client, lead, review, pair, django_capture_on_commit_callbacks):
    a, b, _c = pair
    api_client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/reviews/{review.slug}/dedup/runs/")
    assert response.status_code == 202
    run_body = api_client.get(f"/api/v1/reviews/{review.slug}/dedup/runs/{response.json()['id']}/").json()
    assert run_body["job"]["state"] == "succeeded"
    summary = api_client.get(f"/api/v1/reviews/{review.slug}/dedup/").json()
    assert summary["duplicates"] == 1
    assert {s["name"]: s["duplicates"] for s in summary["by_source"]} == {"Embase": 1, "PubMed": 0}
    groups = api_client.get(f"/api/v1/reviews/{review.slug}/dedup/groups/").json()
    assert [g["id"] for g in groups["results"]] == [a.pk]
    detail = api_client.get(f"/api/v1/reviews/{review.slug}/dedup/groups/{a.pk}/").json()
    assert [d["id"] for d in detail["duplicates"]] == [b.pk]
    response = api_client.post(f"/api/v1/reviews/{review.slug}/dedup/groups/{a.pk}/split/", {}, format="json")
    assert response.status_code == 200 and response.json()["duplicates"] == []
    log = api_client.get(f"/api/v1/reviews/{review.slug}/dedup/log.csv")
    assert b"".join(log.streaming_content).decode().count("\n") == 1  # header only: the merge was undone


def test_api_possible_list_and_decide(api_client, lead, reviewer, review, pubmed, embase):
    x = add(review, pubmed, 1, title="A", abstract="x")
    y = add(review, embase, 1, title="A.")
    pair = PossibleDuplicate.objects.create(review=review, record_a=x, record_b=y, score=0.9, reason="title")
    api_client.force_login(reviewer)
    listed = api_client.get(f"/api/v1/reviews/{review.slug}/dedup/possible/").json()
    assert listed["count"] == 1
    url = f"/api/v1/reviews/{review.slug}/dedup/possible/{pair.pk}/"
    assert api_client.post(url, {"same": True}, format="json").status_code == 403
    api_client.force_login(lead)
    assert api_client.put(url, {"same": True}, format="json").status_code == 405
    assert api_client.post(url, {"same": True}, format="json").status_code == 200
    y.refresh_from_db()
    assert y.merged_into == x


def test_api_dedup_outsider_404(api_client, outsider, review):
    api_client.force_login(outsider)
    assert api_client.get(f"/api/v1/reviews/{review.slug}/dedup/").status_code == 404
    assert api_client.post(f"/api/v1/reviews/{review.slug}/dedup/runs/").status_code == 404

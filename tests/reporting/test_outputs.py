"""Exports fit for R and Stata, subsets, counts from outside the app (page and API), wrapped PRISMA labels, the
database copy kept across branches, and the counting fixes (done per reviewer, members per review)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import rispy
from django.test import Client
from django.urls import reverse

from reporting.diagram import WIDTH, build_diagram, wrap
from reporting.exports.citations import ris_type
from reporting.prisma import PrismaCounts, consistency_checks, prisma_counts
from review.models import AuditEvent, Record, Search
from review.services import imports
from review.services.dedup import dedup_start
from screening.models import Stage, StageOutcome
from tests.reporting.conftest import _import, study
from tests.reporting.prisma_r import prisma_data
from tests.reporting.test_exports import frame, text

API = "/api/v1/reviews/tl-clinical"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---- column names -----------------------------------------------------------------------------------------------


def test_charted_wide_names_fit_stata(charted_review, lead):
    wide = frame(lead, charted_review.review, "charted-wide")
    assert all(len(column) <= 32 for column in wide.columns)
    assert list(frame(lead, charted_review.review, "charted-columns").column) == list(wide.columns)


# ---- RIS and subsets ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "journal", "expected"),
    [("JOUR", True, "JOUR"), ("conf", False, "CONF"), ("Conference Paper", True, "CONF"),
     ("Meeting Abstract", True, "ABST"), ("Book Chapter", False, "CHAP"), ("inproceedings", False, "CONF"),
     ("Journal Article", True, "JOUR"), ("Dissertation/Thesis", False, "THES"), ("", True, "JOUR"),
     ("", False, "GEN"), ("Preprint", False, "UNPB")],
)  # fmt: skip
def test_ris_type_comes_from_the_source(given, journal, expected):
    assert ris_type(given, has_journal=journal) == expected


def test_ris_of_all_records_keeps_source_types_and_puts_the_pmid_in_an(prisma_review, lead):
    record = prisma_review.records["P1"]
    Record.objects.filter(pk=record.pk).update(publication_type="CONF", pmid="12345678")
    refs = rispy.loads(text_subset(lead, prisma_review, "ris", "all"))
    assert len(refs) == Record.objects.filter(review=prisma_review.review).count()
    mine = next(ref for ref in refs if ref["id"] == str(record.pk))
    assert mine["type_of_reference"] == "CONF" and mine["accession_number"] == "12345678"


def text_subset(user, fixture, kind: str, subset: str, reason: str = "") -> str:
    query = f"?subset={subset}" + (f"&reason={reason}" if reason else "")
    response = client_for(user).get(
        reverse("reporting:export", kwargs={"slug": fixture.review.slug, "kind": kind}) + query
    )
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def test_excluded_full_texts_as_ris_carry_their_reason(prisma_review, lead):
    refs = rispy.loads(text_subset(lead, prisma_review, "ris", "dbr_excluded", "Wrong population"))
    assert [ref["id"] for ref in refs] == [str(prisma_review.records["P2"].pk)]
    assert "Excluded at full text: Wrong population" in refs[0]["notes"]


def test_records_csv_of_a_subset(prisma_review, lead):
    df = pd.read_csv(io.StringIO(text_subset(lead, prisma_review, "records", "records_excluded")), dtype=str)
    assert set(df.record_id.astype(int)) == {prisma_review.records[k].pk for k in ("P4", "P6", "P7")}


def test_an_unknown_subset_or_one_on_an_export_without_subsets_is_refused(prisma_review, lead, api_client):
    client = client_for(lead)
    url = reverse("reporting:export", kwargs={"slug": "tl-clinical", "kind": "ris"})
    assert client.get(url + "?subset=nonsense").status_code == 400
    api_client.force_login(lead)
    response = api_client.get(f"{API}/exports/prisma/?subset=all")
    assert response.status_code == 400 and response.json()["error"]["fields"]["subset"]


# ---- counts from outside the app --------------------------------------------------------------------------------


def test_lead_records_outside_counts_through_the_api(prisma_review, lead, api_client):
    api_client.force_login(lead)
    search = prisma_review.searches["embase"]
    body = {"hits_reported": 9, "removed_before_import": 3, "outside_note": "EndNote duplicates"}
    response = api_client.put(f"{API}/prisma/outside/searches/{search.pk}/", body, format="json")
    assert response.status_code == 200 and response.json()["removed_before_import"] == 3
    search.refresh_from_db()
    assert (search.hits_reported, search.removed_before_import, search.outside_note) == (9, 3, "EndNote duplicates")
    counts = prisma_counts(review=prisma_review.review)
    assert counts.database_specific == [("Embase", 8), ("PubMed", 8)] and counts.duplicates == 5
    failing = [c for c in consistency_checks(counts) if not c.ok]
    assert [c.label.split(":")[0] for c in failing] == ["Embase"]  # 9 reported, 5 imported + 3 removed
    assert AuditEvent.objects.filter(action="search.outside_counts_set").count() == 1
    assert api_client.get(f"{API}/prisma/outside/").json()["searches"][1]["hits_reported"] == 9


def test_removed_before_import_needs_a_note(prisma_review, lead, api_client):
    api_client.force_login(lead)
    search = prisma_review.searches["embase"]
    body = {"hits_reported": None, "removed_before_import": 3, "outside_note": ""}
    response = api_client.put(f"{API}/prisma/outside/searches/{search.pk}/", body, format="json")
    assert response.status_code == 400 and "note" in response.json()["error"]["fields"]
    assert Search.objects.get(pk=search.pk).removed_before_import == 0


def test_previous_review_through_the_api_flows_into_the_csv(prisma_review, lead, api_client):
    api_client.force_login(lead)
    response = api_client.put(f"{API}/prisma/outside/previous/", {"previous_studies": 4, "previous_reports": 5})
    assert response.status_code == 200
    read = prisma_data(text(lead, prisma_review.review, "prisma"))
    assert (read["previous_studies"], read["total_studies"], read["total_reports"]) == (4.0, 7.0, 9.0)
    bad = api_client.put(f"{API}/prisma/outside/previous/", {"previous_studies": 5, "previous_reports": 2})
    assert bad.status_code == 400
    prisma_review.review.refresh_from_db()
    assert prisma_review.review.previous_studies == 4


def test_outside_counts_roles_and_methods(small_review, reviewer, outsider, api_client):
    search = small_review.searches["citations"]
    api_client.force_login(reviewer)
    assert api_client.get(f"{API}/prisma/outside/").status_code == 200
    assert (
        api_client.put(f"{API}/prisma/outside/previous/", {"previous_studies": 1, "previous_reports": 1}).status_code
        == 403
    )
    assert api_client.post(f"{API}/prisma/outside/previous/", {}).status_code == 405
    api_client.force_login(outsider)
    assert api_client.get(f"{API}/prisma/outside/").status_code == 404
    assert api_client.put(f"{API}/prisma/outside/searches/{search.pk}/", {}, format="json").status_code == 404


def test_outside_counts_page(small_review, lead, reviewer, outsider):
    url = reverse("reporting:outside", kwargs={"slug": "tl-clinical"})
    search = small_review.searches["citations"]
    page = client_for(lead).post(
        url, {"search": search.pk, "hits_reported": "7", "removed_before_import": "2", "outside_note": "by hand"}
    )
    assert page.status_code == 302
    assert Search.objects.get(pk=search.pk).removed_before_import == 2
    refused = client_for(lead).post(url, {"action": "previous", "previous_studies": "x", "previous_reports": "1"})
    assert refused.status_code == 400
    assert client_for(reviewer).get(url).status_code == 200
    assert client_for(reviewer).post(url, {"action": "previous", "previous_studies": "1"}).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(lead).put(url).status_code == 405


# ---- diagram, dedup across branches, counting fixes -----------------------------------------------------------


def test_long_reasons_are_wrapped_inside_their_box_never_cut():
    reason = "Population outside the scope: adults only, no paediatric or neonatal intensive care data at all"
    lines = wrap(f"{reason} (n = 3)", width=WIDTH["r2"], indent=True)
    assert " ".join(line.text for line in lines) == f"{reason} (n = 3)"
    assert all(len(line.text) * 7 <= WIDTH["r2"] - 26 for line in lines)
    counts = PrismaCounts(other_excluded=3, other_excluded_reasons=[(reason, 3)])
    box = next(b for b in build_diagram(counts=counts, slug="x").boxes if b.key == "other_reports_excluded")
    assert box.h >= 2 * 14 + 18 * len(box.lines) - 4 and len(box.lines) > 2


def test_a_duplicate_across_branches_keeps_the_database_copy(review, lead, django_capture_on_commit_callbacks):
    review.dedup_automatic = False
    review.save(update_fields=["dedup_automatic"])
    pubmed = imports.search_create(review=review, by=lead, database="PubMed")
    citations = imports.search_create(review=review, by=lead, kind="other", other_method="citation")
    (thin,) = _import(review, pubmed, lead, "pubmed.ris", [study(7, full=False)])
    (full,) = _import(review, citations, lead, "refs.ris", [study(7)])
    with django_capture_on_commit_callbacks(execute=True):
        dedup_start(review=review, by=lead)
    full.refresh_from_db()
    thin.refresh_from_db()
    assert full.merged_into_id == thin.pk and thin.merged_into_id is None
    counts = prisma_counts(review=review)
    assert (counts.records_screened, counts.other_screened, counts.other_duplicates) == (1, 0, 1)


def test_progress_done_counts_each_vote_once(prisma_review, lead, reviewer):
    from review.access import review_for_user
    from screening.selectors.progress import reviewer_progress

    access = review_for_user(user=lead, slug=prisma_review.review.slug)
    rows = {row.username: row for row in reviewer_progress(access=access, user=lead, stage=Stage.TITLE_ABSTRACT)}
    # reviewer voted on 12 records at title/abstract (every record in the fixture's table), several of which
    # also have a full-text outcome row: each vote still counts once.
    assert StageOutcome.objects.filter(review=prisma_review.review, stage=Stage.FULL_TEXT).exists()
    assert rows["reviewer"].done == 12 and rows["reviewer2"].done == 11


def test_my_reviews_counts_every_member(review, lead, reviewer, reviewer2, viewer):
    page = client_for(lead).get(reverse("review:list"))
    assert page.status_code == 200
    assert page.context["reviews"][0].member_count == 4


def test_automatic_removal_through_the_api_is_a_flag_not_a_prefix(prisma_review, lead, api_client):
    api_client.force_login(lead)
    record = prisma_review.records["R2"]
    body = {"reason": "Automation tool: RobotReviewer says not an RCT", "automatic": True}
    response = api_client.post(f"{API}/records/{record.pk}/removal/", body, format="json")
    assert response.status_code == 200 and response.json()["removed_automatic"] is True
    record.refresh_from_db()
    assert record.removed_reason == "Automation tool: RobotReviewer says not an RCT"  # as written, no second prefix
    assert prisma_counts(review=prisma_review.review).excluded_automatic == 2
    row = frame(lead, prisma_review.review, "records").set_index("record_id").loc[str(record.pk)]
    assert row.removed_automatic == "1"

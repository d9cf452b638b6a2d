"""Reporting API: every route's happy path, outsider 404, forbidden role, wrong method, and the error shape."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from review.models import Record

BASE = "/api/v1/reviews/tl-clinical"


@pytest.fixture
def api_as(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


GET_ROUTES = [
    "/prisma/",
    "/prisma.svg",
    "/prisma/records_screened/records/",
    "/exports/",
    "/exports/records/",
    "/exports/prisma/",
]


@pytest.mark.parametrize("path", GET_ROUTES)
def test_viewer_reads_every_report(prisma_review, api_as, viewer, path):
    assert api_as(viewer).get(BASE + path).status_code == 200


@pytest.mark.parametrize("path", GET_ROUTES)
def test_outsider_gets_404_in_the_error_shape(small_review, api_as, outsider, path):
    response = api_as(outsider).get(BASE + path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", GET_ROUTES)
def test_anonymous_is_refused(small_review, api_client, path):
    assert api_client.get(BASE + path).status_code in (401, 403)


@pytest.mark.parametrize("path", GET_ROUTES)
def test_reads_refuse_post(small_review, api_as, lead, path):
    response = api_as(lead).post(BASE + path, {})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_prisma_counts_and_checks(prisma_review, api_as, viewer):
    body = api_as(viewer).get(BASE + "/prisma/").json()
    assert body["counts"]["records_screened"] == 11
    assert body["counts"]["database_specific"] == [{"name": "Embase", "n": 5}, {"name": "PubMed", "n": 8}]
    assert all(check["ok"] for check in body["checks"])
    assert "duplicates" in body["nodes"]


def test_prisma_records_are_paginated_and_filterable(prisma_review, api_as, viewer):
    body = api_as(viewer).get(BASE + "/prisma/records_screened/records/").json()
    assert body["count"] == 11 and len(body["results"]) == 11
    body = api_as(viewer).get(BASE + "/prisma/dbr_excluded/records/", {"reason": "Wrong population"}).json()
    assert [r["id"] for r in body["results"]] == [prisma_review.records["P2"].pk]
    body = api_as(viewer).get(BASE + "/prisma/records_screened/records/", {"year": "2011"}).json()
    assert [r["id"] for r in body["results"]] == [prisma_review.records["P1"].pk]


def test_unknown_node_is_404(prisma_review, api_as, viewer):
    assert api_as(viewer).get(BASE + "/prisma/everything/records/").status_code == 404


def test_export_list_shows_the_bundle_to_the_lead_only(prisma_review, api_as, lead, reviewer):
    kinds = {row["kind"] for row in api_as(reviewer).get(BASE + "/exports/").json()}
    assert "records" in kinds and "bundle" not in kinds
    assert "bundle" in {row["kind"] for row in api_as(lead).get(BASE + "/exports/").json()}


def test_bundle_download_is_forbidden_to_a_reviewer(prisma_review, api_as, reviewer):
    response = api_as(reviewer).get(BASE + "/exports/bundle/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_records_csv_over_the_api_reads_back(prisma_review, api_as, lead):
    response = api_as(lead).get(BASE + "/exports/records/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    df = pd.read_csv(io.BytesIO(b"".join(response.streaming_content)))
    assert len(df) == 18


def test_lead_removes_and_restores_a_record(prisma_review, api_as, lead):
    record = prisma_review.records["R2"]
    path = f"{BASE}/records/{record.pk}/removal/"
    response = api_as(lead).post(path, {"reason": "Conference abstract", "automatic": False}, format="json")
    assert response.status_code == 200 and response.json()["removed_reason"] == "Conference abstract"
    assert Record.objects.get(pk=record.pk).removed_reason == "Conference abstract"
    assert api_as(lead).get(BASE + "/prisma/").json()["counts"]["excluded_other"] == 2
    assert api_as(lead).delete(path).json()["removed_reason"] == ""


def test_removal_needs_a_reason(prisma_review, api_as, lead):
    record = prisma_review.records["R2"]
    response = api_as(lead).post(f"{BASE}/records/{record.pk}/removal/", {"reason": "  "}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert Record.objects.get(pk=record.pk).removed_reason == ""


def test_removing_a_duplicate_is_refused(prisma_review, api_as, lead):
    response = api_as(lead).post(
        f"{BASE}/records/{prisma_review.records['E1'].pk}/removal/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 400


def test_reviewer_may_not_remove(prisma_review, api_as, reviewer):
    record = prisma_review.records["R2"]
    response = api_as(reviewer).post(f"{BASE}/records/{record.pk}/removal/", {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert Record.objects.get(pk=record.pk).removed_reason == ""


def test_outsider_cannot_remove(prisma_review, api_as, outsider):
    record = prisma_review.records["R2"]
    response = api_as(outsider).post(f"{BASE}/records/{record.pk}/removal/", {"reason": "x"}, format="json")
    assert response.status_code == 404


def test_removal_refuses_get(prisma_review, api_as, lead):
    assert api_as(lead).get(f"{BASE}/records/{prisma_review.records['R2'].pk}/removal/").status_code == 405


def test_lead_links_a_report_and_prisma_counts_studies_apart(prisma_review, api_as, lead):
    r = prisma_review.records
    path = f"{BASE}/records/{r['C2'].pk}/report-of/"
    response = api_as(lead).put(path, {"study": r["R1"].pk}, format="json")
    assert response.status_code == 200 and response.json()["report_of"] == r["R1"].pk
    counts = api_as(lead).get(BASE + "/prisma/").json()["counts"]
    assert (counts["new_studies"], counts["new_reports"]) == (2, 4)
    assert api_as(lead).put(path, {"study": None}, format="json").json()["report_of"] is None


def test_linking_to_a_record_of_another_review_is_refused(prisma_review, api_as, lead, outsider):
    from tests.factories import ReviewFactory

    other = ReviewFactory(created_by=outsider)
    search = other.searches.create(database="PubMed")
    foreign = Record.objects.create(review=other, search=search, position=1, title="Not ours")
    response = api_as(lead).put(
        f"{BASE}/records/{prisma_review.records['C2'].pk}/report-of/", {"study": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"study": ["No such record in this review"]}


def test_report_of_refuses_post_and_reviewer(prisma_review, api_as, lead, reviewer):
    path = f"{BASE}/records/{prisma_review.records['C2'].pk}/report-of/"
    assert api_as(lead).post(path, {"study": None}, format="json").status_code == 405
    assert api_as(reviewer).put(path, {"study": None}, format="json").status_code == 403

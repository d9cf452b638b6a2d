"""Issue #14, item 11: a NUL byte from a request answers 400, never a server error.

PostgreSQL text cannot hold NUL, so `?q=%00` on the records list, the conflicts and the PRISMA drill-down ended
in an HTML 500. Every route is walked with NUL in its query string, through the pages and the API.
"""

from __future__ import annotations

import pytest
from django.db import connection

from review.models import Record, Search
from screening.models import Stage, StageOutcome, Status
from tests.conftest import client_for
from tests.security.test_permission_matrix import ROUTES, fill

NUL_QUERIES = ("q=%00", "q=a%00b", "%00=1", "page=%00", "reason=%00&database=x")


@pytest.fixture
def populated(review, lead):
    search = Search.objects.create(review=review, database="PubMed", created_by=lead)
    return Record.objects.create(review=review, search=search, position=1, title="A study of transfer learning")


@pytest.mark.parametrize("query", NUL_QUERIES)
def test_nul_in_the_query_string_answers_400_on_every_route(query, review, populated, lead):
    client, failures = client_for(lead), []
    for route, _name in ROUTES:
        url = f"{fill(route, review.slug, populated.pk)}?{query}"
        response = client.get(url)
        if response.status_code != 400:
            failures.append(f"GET {url} gave {response.status_code}")
        elif url.startswith("/api/") and response.json()["error"]["code"] != "invalid":
            failures.append(f"GET {url} answered {response.content[:200]!r}")
    assert failures == []


@pytest.mark.parametrize(
    "url",
    [
        "/reviews/{slug}/records/?q=%00",
        "/api/v1/reviews/{slug}/records/?q=%00",
        "/reviews/{slug}/screening/title-abstract/conflicts/?q=%00",
        "/api/v1/reviews/{slug}/screening/title-abstract/conflicts/?q=%00",
        "/reviews/{slug}/report/prisma/excluded/?q=%00&reason=%00",
    ],
)
def test_the_reported_routes_answer_400_in_their_own_shape(url, review, populated, lead):
    response = client_for(lead).get(url.format(slug=review.slug))
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json() == {
            "error": {
                "code": "invalid",
                "message": "The request contains a NUL character (0x00), which no field accepts",
                "fields": {},
            }
        }
    else:
        assert b"NUL character" in response.content and response["Content-Type"].startswith("text/html")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL refuses NUL in text")
def test_a_nul_in_a_form_field_that_reaches_the_database_answers_400(review, lead, at_full_text, record):
    at_full_text(record)
    response = client_for(lead).post(
        f"/reviews/{review.slug}/screening/records/{record.pk}/not-retrieved/", {"note": "ILL\x00failed"}
    )
    assert response.status_code == 400
    assert StageOutcome.objects.get(record=record, stage=Stage.FULL_TEXT).status == Status.AWAITING


def test_a_nul_in_a_json_field_is_refused_by_the_api(review, lead, reviewer, reviewer2, record, vote, api_clients):
    vote(reviewer, record, "include")
    vote(reviewer2, record, "exclude")
    response = api_clients(reviewer).post(
        f"/api/v1/reviews/{review.slug}/screening/title-abstract/conflicts/{record.pk}/comments/",
        {"text": "I think\x00so"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"

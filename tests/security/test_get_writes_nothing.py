"""A read never writes (STYLE rule 11): every page and API route a member can GET sends no INSERT, UPDATE or
DELETE, sessions, rate limits and the queue's hold on a record it serves aside. The state a page shows is written
by the action that changed it (an import, a merge, a vote), so pages and reports read what is there.

The review is the one the blinding walk builds (decided and undecided records at both stages, a prioritised
queue, exclusion reasons); every GET route found in the URL configuration is read by the lead, a reviewer and
a viewer while every SQL statement is recorded.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.factories import set_screening_rules
from tests.security.test_blinding_walk import _build, _urls
from tests.security.test_permission_matrix import ROUTES

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# Tables a read may write: the session (Django refreshes it), and the queue's short hold on the record the API's
# `next` route serves a script (a lease that expires by itself, like a rate limit; the screening page takes and
# renews its hold with POSTs). Nothing else.
ALLOWED = re.compile(r'"?(django_session|screening_queueclaim)"?', re.IGNORECASE)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_get_route_writes_to_the_database(
    review, lead, reviewer, reviewer2, viewer, vote, django_capture_on_commit_callbacks
):
    set_screening_rules(review, votes_required_title_abstract=2, votes_required_full_text=2, blinded=True)
    with django_capture_on_commit_callbacks(execute=True):
        records = _build(review, lead, reviewer, reviewer2, vote, "exclude")
    writes: list[str] = []
    reached = 0
    for person in (lead, reviewer, viewer):
        client = client_for(person)
        for route, _name in ROUTES:
            for url in _urls(route, review.slug, records):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                    if response.streaming:
                        b"".join(response.streaming_content)
                reached += response.status_code == 200
                for query in queries.captured_queries:
                    sql = query["sql"]
                    if WRITE.match(sql) and not ALLOWED.search(sql.split("(")[0]):
                        writes.append(f"{person.username} GET {url}: {sql[:160]}")
    assert reached > 100  # the walk reached the pages
    assert writes == [], "\n".join(writes)

"""Every screening page that takes a POST, sent junk by the lead: never a server error, nothing written.

Routes are found from the URL configuration (as in the permission matrix), so a screening form added later is
covered without touching this file.
"""

from __future__ import annotations

import pytest

from screening.models import Stage
from tests.security.test_permission_matrix import ROUTES, fill, row_counts

JUNK = [
    {},
    {
        "choice": "perhaps",
        "reason": "abc",
        "reason_other": "x" * 400,
        "note": "",
        "text": "",
        "decision": "both",
        "rationale": "",
        "label": "",
        "action": "explode",
        "pilot": "first",
        "size": "many",
        "blinded": "sometimes",
        "random_seed": "abc",
        "order_title_abstract": "alphabetical",
        "item_1": "record seven",
        "item_x": "3",
        "file": "not a file",
        "files": "not a file",
    },
]

# Buttons that send no values at all (withdraw my vote, skip, hold, begin the stopping sample): nothing to parse.
FORMLESS = {"withdraw", "undo", "skip", "hold", "release", "stopping-sample"}
# The screening pages that take a POST; the stage in their URL is a real one so that the form is reached.
SCREENING_PAGES = [
    (route, name)
    for route, name in ROUTES
    if name.startswith("screening:") and name.removeprefix("screening:") not in FORMLESS
]


@pytest.fixture
def conflict(vote, reviewer, reviewer2, record):
    vote(reviewer, record, "include")
    vote(reviewer2, record, "exclude")
    return record


@pytest.mark.parametrize("data", JUNK, ids=["empty", "junk"])
def test_no_screening_post_answers_junk_with_a_server_error(review, as_lead, conflict, reasons, data):
    before, failures, posted = row_counts(), [], 0
    for route, _name in SCREENING_PAGES:
        url = fill(route, review.slug, conflict.pk).replace("/x/", f"/{Stage.TITLE_ABSTRACT.value}/")
        response = as_lead.post(url, data)
        if response.status_code == 405:
            continue
        posted += 1
        if response.status_code >= 500:
            failures.append(f"POST {url} gave {response.status_code}")
    assert failures == []
    assert posted >= 10  # the walk reached the screening forms
    assert row_counts() == before

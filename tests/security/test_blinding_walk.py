"""Issue #14: until a record is decided, nothing a reviewer can read depends on another reviewer's vote on it.

Every page and API route a reviewer can GET (discovered from the URL configuration, as in the permission
matrix) is rendered for reviewer 1 on the same review three times: reviewer 2's votes on a record still
undecided at title/abstract and on one still undecided at full text are include, exclude or maybe (at full text,
where there is no maybe: include, exclude with one reason and a note, exclude with another reason and note).
The ranker retrains after the votes, as it does in production. Each variant is built inside a savepoint that is
rolled back afterwards, with the database's id counters put back, so the three see the same ids; timestamps and
CSRF tokens are the only parts of a response that are normalised. Every response must be byte for byte the same.
"""

from __future__ import annotations

import io
import re
import zipfile
from itertools import product

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from reporting.exports.registry import KINDS
from reporting.prisma import NODE_LABELS
from review.models import Record, Search
from screening.models import QueueOrder, Stage
from screening.services.config import screening_settings_update
from screening.services.prioritisation import relevance_retrain
from screening.services.queue import outcomes_sync
from tests.conftest import client_for
from tests.factories import set_screening_rules
from tests.screening.factories import ExclusionReasonFactory
from tests.security.test_permission_matrix import ROUTES

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value
# reviewer 2's votes in each variant: (title/abstract choice, full-text choice, full-text reason index, note)
VARIANTS = {
    "include": ("include", "include", None, ""),
    "exclude": ("exclude", "exclude", 0, "wrong population entirely"),
    "maybe": ("maybe", "exclude", 1, "no transfer learning in the methods"),
}
TITLES = [
    "Transfer learning for sepsis prediction from electronic health records",
    "Pretrained language models for clinical note classification",
    "Domain adaptation of mortality models across intensive care units",
    "Fine-tuning deep networks on small clinical cohorts",
    "Statin therapy and coronary heart disease",
    "Reading intervention for primary school pupils",
    "Hand hygiene compliance in intensive care",
    "Dietary salt and blood pressure in adults",
    "Transfer learning for readmission risk in heart failure",
    "Malaria bed nets and child mortality",
]

TIMESTAMP = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
TOKEN = re.compile(rb"[A-Za-z0-9]{64}")  # Django masks its CSRF token afresh in every response


def _normalise(body: bytes) -> bytes:
    return TOKEN.sub(b"<token>", TIMESTAMP.sub(b"<time>", body))


def _body(response) -> bytes:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(raw)) as bundle:
            raw = b"\n".join(name.encode() + b"\n" + bundle.read(name) for name in sorted(bundle.namelist()))
    return _normalise(raw)


def _sequences() -> list[tuple[str, int | None]]:
    if connection.vendor != "postgresql":
        return []  # SQLite's AUTOINCREMENT counters live in a table, so a rollback puts them back by itself
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
        return list(cursor.fetchall())


def _restore(sequences: list[tuple[str, int | None]]) -> None:
    with connection.cursor() as cursor:
        for name, last in sequences:
            if last is None:
                cursor.execute("SELECT setval(%s, 1, false)", [name])
            else:
                cursor.execute("SELECT setval(%s, %s, true)", [name, last])


def _urls(route: str, slug: str, records: list[int]) -> list[str]:
    params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    choices: list[list[str]] = []
    for converter, name in params:
        if name in ("slug", "review"):
            choices.append([slug])
        elif name == "stage":
            choices.append([TA, FT])
        elif name == "record_id":
            choices.append([str(pk) for pk in records])
        elif name == "kind":
            choices.append(sorted(KINDS))
        elif name == "node":
            choices.append(sorted(NODE_LABELS))
        else:
            choices.append(["1" if converter == "int" else "x"])
    urls = []
    for values in product(*choices):
        filled = iter(values)
        path = re.sub(r"<(?:\w+:)?\w+>", lambda _m, filled=filled: next(filled), route)
        urls.append("/" + path.lstrip("^").rstrip("$"))
    return urls


def _build(review, lead, reviewer, reviewer2, vote, variant: str) -> list[int]:
    """The review with some decided records (so the ranker has labels) and reviewer 2's undecided votes."""
    ta_choice, ft_choice, reason_index, note = VARIANTS[variant]
    reasons = [
        ExclusionReasonFactory(review=review, label="Wrong population", position=1),
        ExclusionReasonFactory(review=review, label="No transfer learning", position=2),
    ]
    search = Search.objects.create(review=review, database="PubMed", created_by=lead)
    records = [
        Record.objects.create(review=review, search=search, position=i, title=title, abstract=f"{title}. Methods.")
        for i, title in enumerate(TITLES, start=1)
    ]
    outcomes_sync(review=review)
    screening_settings_update(
        review=review, by=lead, order_title_abstract=QueueOrder.PRIORITISED, order_full_text=QueueOrder.PRIORITISED
    )
    for record in records[:3]:  # included at title/abstract by both: they reach full text
        vote(reviewer, record, "include")
        vote(reviewer2, record, "include")
    for record in records[4:6]:  # excluded by both
        vote(reviewer, record, "exclude")
        vote(reviewer2, record, "exclude")
    vote(reviewer, records[1], "include", stage=FT)  # decided at full text, so it has labels there too
    vote(reviewer2, records[1], "include", stage=FT)
    vote(reviewer, records[2], "exclude", stage=FT, reason=reasons[0])
    vote(reviewer2, records[2], "exclude", stage=FT, reason=reasons[0])
    # The undecided votes whose content must not show: one at each stage, with a note.
    undecided_ta, undecided_ft = records[8], records[0]
    vote(reviewer2, undecided_ta, ta_choice, note=note)
    reason = reasons[reason_index] if reason_index is not None else None
    vote(reviewer2, undecided_ft, ft_choice, stage=FT, reason=reason, note=note)
    for stage in (TA, FT):  # the ranker has retrained since those votes
        relevance_retrain(review=review, stage=stage, force=True)
    return [undecided_ta.pk, undecided_ft.pk]


def _walk(client, slug: str, records: list[int]) -> dict[str, tuple[int, bytes]]:
    seen = {}
    for route, _name in ROUTES:
        for url in _urls(route, slug, records):
            response = client.get(url)
            seen[url] = (response.status_code, _body(response))
    return seen


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_route_a_reviewer_reads_changes_with_another_reviewers_undecided_vote(
    review, lead, reviewer, reviewer2, vote, django_capture_on_commit_callbacks
):
    set_screening_rules(review, votes_required_title_abstract=2, votes_required_full_text=2, blinded=True)
    client = client_for(reviewer)
    seen: dict[str, dict[str, tuple[int, bytes]]] = {}
    for variant in VARIANTS:
        cache.clear()
        counters = _sequences()
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                records = _build(review, lead, reviewer, reviewer2, vote, variant)
            seen[variant] = _walk(client, review.slug, records)
            transaction.set_rollback(True)
        _restore(counters)
    baseline = seen["include"]
    assert len(baseline) > 100  # the walk reached the routes
    assert sum(1 for status, _ in baseline.values() if status == 200) > 40
    differences = [
        f"{url} ({variant}: {seen[variant][url][0]}, include: {baseline[url][0]})"
        for variant in ("exclude", "maybe")
        for url in baseline
        if seen[variant][url] != baseline[url]
    ]
    assert differences == []

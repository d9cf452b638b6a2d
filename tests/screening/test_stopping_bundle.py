"""The review bundle carries the stopping rule's evidence: the random sample travels with its records, the imported
review states the same recall bound, and the evidence as it stood at export is a member of the zip."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from reporting.bundle.read import BundleError, load_bundle
from reporting.exports.registry import export_chunks
from review.access import review_for_user
from review.models import Record
from screening.models import Stage, StoppingSample
from screening.services.queue import outcomes_sync
from screening.stopping import stopping_evidence, stopping_sample_rows, stopping_sample_start
from tests.factories import set_screening_rules
from tests.screening.factories import RecordFactory

TA = Stage.TITLE_ABSTRACT


@pytest.fixture
def sampled(review, lead, reviewer, vote):
    """40 records screened by one vote each: 10 in ranked order (2 included), then 12 of the random sample."""
    set_screening_rules(review, votes_required_title_abstract=1)
    records = [RecordFactory(review=review, title=f"Record {i}", abstract="") for i in range(40)]
    outcomes_sync(review=review)
    for record in records[:10]:
        vote(reviewer, record, "include" if record in records[:2] else "exclude")
    sample = stopping_sample_start(review=review, stage=TA, by=lead)
    by_id = {r.pk: r for r in records}
    for record_id in sample.record_ids[:12]:
        vote(reviewer, by_id[record_id], "exclude")
    return sample


def bundle_bytes(user, review) -> bytes:
    access = review_for_user(user=user, slug=review.slug)
    return b"".join(export_chunks(access=access, user=user, kind="bundle"))


def test_bundle_holds_the_stopping_evidence_as_exported(sampled, review, lead) -> None:
    archive = zipfile.ZipFile(io.BytesIO(bundle_bytes(lead, review)))
    evidence = json.loads(archive.read(f"stopping/{TA.value}.json"))
    expected = stopping_evidence(review=review, stage=TA)
    figures = ("urn", "sampled", "sampled_relevant", "relevant_found_before_sample", "p_value", "target_met")
    assert {k: evidence[k] for k in figures} == {k: expected[k] for k in figures}
    assert evidence["sampled"] == 12 and evidence["urn"] == 30
    assert [row["record_id"] for row in evidence["sample_rows"]] == sampled.record_ids[:12]
    assert evidence["sample_rows"] == json.loads(json.dumps(stopping_sample_rows(review=review, stage=TA)))


def test_imported_review_keeps_the_sample_in_its_order_and_states_the_same_bound(sampled, review, lead) -> None:
    copy = load_bundle(file=io.BytesIO(bundle_bytes(lead, review)), slug="copy", by=lead).review
    moved = StoppingSample.objects.get(review=copy, stage=TA)
    titles = dict(Record.objects.filter(review=review).values_list("pk", "title"))
    copied_titles = dict(Record.objects.filter(review=copy).values_list("pk", "title"))
    assert [copied_titles[r] for r in moved.record_ids] == [titles[r] for r in sampled.record_ids]
    assert moved.started_by == lead and moved.seed == sampled.seed
    assert moved.screened_before == sampled.screened_before
    assert moved.started_at == sampled.started_at
    before, after = stopping_evidence(review=review, stage=TA), stopping_evidence(review=copy, stage=TA)
    for key in ("urn", "sampled", "sampled_relevant", "relevant_found_before_sample", "recall_lower_bound", "p_value"):
        assert after[key] == before[key], key


def test_bundle_without_a_sample_has_no_stopping_member(review, lead) -> None:
    RecordFactory(review=review, title="Alone")
    outcomes_sync(review=review)
    archive = zipfile.ZipFile(io.BytesIO(bundle_bytes(lead, review)))
    assert not [n for n in archive.namelist() if n.startswith("stopping/")]
    copy = load_bundle(file=io.BytesIO(bundle_bytes(lead, review)), slug="copy", by=lead).review
    assert not StoppingSample.objects.filter(review=copy).exists()


def test_a_sample_naming_a_record_missing_from_the_bundle_is_refused(sampled, review, lead) -> None:
    data = bundle_bytes(lead, review)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "data/screening.StoppingSample.jsonl":
                row = json.loads(content)
                row["record_ids"] = [*row["record_ids"], 10**9]
                content = (json.dumps(row) + "\n").encode()
            target.writestr(name, content)
    with pytest.raises(BundleError, match="missing record"):
        load_bundle(file=io.BytesIO(out.getvalue()), slug="copy", by=lead)
    assert not StoppingSample.objects.exclude(review=review).exists()

"""The review bundle carries the review's settings, including those screening keeps (votes required, blinding),
and a bundle written while those were columns of the review still restores them."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from reporting.bundle.read import BundleError, load_bundle
from reporting.exports.registry import export_chunks
from review.access import review_for_user
from review.models import Review
from review.services import review_update
from screening.models import ScreeningSettings
from screening.services.config import screening_settings_update

pytestmark = pytest.mark.django_db

RULES = ("votes_required_title_abstract", "votes_required_full_text", "blinded")


def bundle_bytes(user, review) -> bytes:
    access = review_for_user(user=user, slug=review.slug)
    return b"".join(export_chunks(access=access, user=user, kind="bundle"))


def rewritten(data: bytes, change) -> io.BytesIO:
    """The bundle with some members changed: change(name, bytes) -> bytes, or None to leave the member out."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = change(name, source.read(name))
            if content is not None:
                target.writestr(name, content)
    buffer.seek(0)
    return buffer


def test_round_trip_keeps_votes_required_blinding_and_the_versions_setting(review, lead):
    screening_settings_update(
        review=review, by=lead, votes_required_title_abstract=3, votes_required_full_text=1, blinded=False
    )
    review_update(review=review, by=lead, dedup_versions="separate")
    data = bundle_bytes(lead, review)
    written = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("settings.json"))["review"]
    assert {name: written[name] for name in (*RULES, "dedup_versions")} == {
        "votes_required_title_abstract": 3,
        "votes_required_full_text": 1,
        "blinded": False,
        "dedup_versions": "separate",
    }

    copy = load_bundle(file=io.BytesIO(data), slug="copy", by=lead).review

    copy.refresh_from_db()
    assert copy.dedup_versions == "separate"
    config = ScreeningSettings.objects.get(review=copy)
    assert (config.votes_required_title_abstract, config.votes_required_full_text, config.blinded) == (3, 1, False)


def test_a_bundle_from_before_the_move_restores_the_values_it_kept_with_the_review(review, lead):
    """Such a bundle has the three values in settings.json only, and no screening settings row for a review whose
    lead never changed a screening setting."""
    data = bundle_bytes(lead, review)

    def as_before(name: str, content: bytes) -> bytes | None:
        if name == "data/screening.ScreeningSettings.jsonl":
            return None
        if name == "settings.json":
            settings = json.loads(content)
            settings["review"].update(votes_required_title_abstract=4, votes_required_full_text=3, blinded=False)
            settings["review"].pop("dedup_versions")
            return json.dumps(settings).encode()
        return content

    copy = load_bundle(file=rewritten(data, as_before), slug="old-copy", by=lead).review

    config = ScreeningSettings.objects.get(review=copy)
    assert (config.votes_required_title_abstract, config.votes_required_full_text, config.blinded) == (4, 3, False)
    copy.refresh_from_db()
    assert copy.dedup_versions == "possible"  # not in such a bundle: the default


def test_a_bundle_with_an_impossible_vote_count_is_refused_and_nothing_is_loaded(review, lead):
    data = bundle_bytes(lead, review)

    def zero_votes(name: str, content: bytes) -> bytes:
        if name == "settings.json":
            settings = json.loads(content)
            settings["review"]["votes_required_full_text"] = 0
            return json.dumps(settings).encode()
        return content

    with pytest.raises(BundleError, match="votes_required_full_text"):
        load_bundle(file=rewritten(data, zero_votes), slug="bad-copy", by=lead)
    assert not ScreeningSettings.objects.filter(review__slug="bad-copy").exists()
    assert not Review.objects.filter(slug="bad-copy").exists()

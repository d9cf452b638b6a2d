"""The review bundle: written, read back into a new review with the same PRISMA counts and charted data, and
refused when the zip is unsafe."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from charting.selectors.charted import charted_data
from reporting.bundle.read import BundleError, SafeZip, load_bundle
from reporting.exports.registry import export_chunks
from reporting.prisma import prisma_counts
from review.access import review_for_user
from review.models import Record, Review, SearchFile
from screening.models import Vote


def bundle_bytes(user, review) -> bytes:
    access = review_for_user(user=user, slug=review.slug)
    return b"".join(export_chunks(access=access, user=user, kind="bundle"))


def test_bundle_holds_exports_raw_files_and_state(charted_review, lead):
    data = bundle_bytes(lead, charted_review.review)
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {"manifest.json", "settings.json", "form_definitions.json", "data/review.Record.jsonl"} <= names
    assert {"exports/records.csv", "exports/prisma.csv", "exports/included.ris", "exports/charted-wide.csv"} <= names
    files = [n for n in names if n.startswith("files/search-file-")]
    assert len(files) == 4  # four imported export files; the website record was added by hand
    archive = zipfile.ZipFile(io.BytesIO(data))
    pubmed = SearchFile.objects.get(review=charted_review.review, original_name="pubmed.ris")
    assert archive.read(f"files/search-file-{pubmed.pk}.bin") == pubmed.file.open("rb").read()
    definitions = json.loads(archive.read("form_definitions.json"))
    assert definitions[0]["definition"]["sections"]


def test_bundle_round_trip_reproduces_prisma_and_charted_data(charted_review, lead, tmp_path):
    original = charted_review.review
    path = tmp_path / "bundle.zip"
    call_command("export", "--review", original.slug, "bundle", "--out", str(path))
    out = io.StringIO()
    call_command("import_bundle", str(path), "--slug", "copy", "--as", "lead", stdout=out)
    assert "PRISMA counts match the bundle" in out.getvalue()
    copy = Review.objects.get(slug="copy")
    assert prisma_counts(review=copy) == prisma_counts(review=original)
    before, after = charted_data(form=original.charting_form), charted_data(form=copy.charting_form)
    assert [s.values for s in after.studies] == [s.values for s in before.studies]
    assert sorted(after.status.values()) == sorted(before.status.values())
    assert Vote.objects.filter(review=copy).count() == Vote.objects.filter(review=original).count()
    e3 = Record.objects.get(review=copy, title=charted_review.records["E3"].title)
    assert e3.report_of is not None and e3.report_of.review_id == copy.pk
    copied_file = SearchFile.objects.get(review=copy, original_name="pubmed.ris")
    assert (
        copied_file.file.open("rb").read()
        == SearchFile.objects.get(review=original, original_name="pubmed.ris").file.open("rb").read()
    )


def test_bundle_keeps_original_times(prisma_review, lead):
    data = bundle_bytes(lead, prisma_review.review)
    result = load_bundle(file=io.BytesIO(data), slug="copy-times", by=lead)
    original = Vote.objects.filter(review=prisma_review.review).order_by("cast_at").values_list("cast_at", flat=True)
    copied = Vote.objects.filter(review=result.review).order_by("cast_at").values_list("cast_at", flat=True)
    assert list(original) == list(copied)


def test_import_refuses_an_existing_slug(prisma_review, lead):
    data = bundle_bytes(lead, prisma_review.review)
    with pytest.raises(BundleError, match="exists here already"):
        load_bundle(file=io.BytesIO(data), by=lead)
    assert Review.objects.count() == 1


def _zip(members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "data/../../x", "C:/x", "a\\..\\b", "a//b"])
def test_unsafe_member_names_are_refused(name):
    with pytest.raises(BundleError, match="Unsafe member name"):
        SafeZip(_zip({name: b"x"}))


def test_zip_bomb_is_refused():
    with pytest.raises(BundleError, match="compression ratio"):
        SafeZip(_zip({"data/big.jsonl": b"\0" * (20 << 20)}))


def test_size_caps_apply_to_what_is_read():
    bundle = SafeZip(_zip({"a.txt": b"x" * 5000}), max_total=10_000, max_member=4000 + 1000)
    assert len(bundle.read("a.txt")) == 5000
    with pytest.raises(BundleError, match="limit"):
        SafeZip(_zip({"a.txt": b"x" * 5000, "b.txt": b"y" * 6000}), max_total=10_000)


def test_not_a_zip_is_refused():
    with pytest.raises(BundleError, match="Not a zip"):
        SafeZip(io.BytesIO(b"PK nothing"))


def test_wrong_format_is_refused(lead):
    manifest = json.dumps({"format": "something-else", "version": 1}).encode()
    with pytest.raises(BundleError, match="Not a review bundle"):
        load_bundle(file=_zip({"manifest.json": manifest, "settings.json": b"{}"}), by=lead)

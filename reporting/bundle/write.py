"""Writing a bundle: a zip streamed chunk by chunk, so a large review never sits in memory whole."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from reporting.bundle.spec import (
    FORMAT,
    PARTS,
    REVIEW_FIELDS,
    SCREENING_RULES,
    STOPPING_PARTS,
    VERSION,
    dump_row,
    foreign_keys,
    stopping_member,
    to_json,
    user_label,
)
from reporting.prisma import prisma_counts
from review.access import ReviewAccess

FLUSH_BYTES = 1 << 20
CSV_MEMBERS = (
    "records", "votes", "dedup-log", "prisma", "agreement", "charted-wide", "charted-long", "codebook",
    "charted-columns",
)  # fmt: skip


class _Sink:
    """A write-only file object whose bytes are taken out as they come (zipfile accepts unseekable output)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        return None

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def _jsonl(rows: Iterable[Any]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, default=str) + "\n"


def _part_rows(access: ReviewAccess, users: set[int]) -> Iterator[tuple[str, Iterator[str]]]:
    review = access.review
    for part in [*PARTS, *STOPPING_PARTS]:
        model = part.model
        user_fks = [f.attname for f in foreign_keys(model) if f.related_model._meta.label == user_label()]  # type: ignore[union-attr]

        def rows(model: Any = model, part: Any = part, user_fks: list[str] = user_fks) -> Iterator[dict[str, Any]]:
            queryset = model.objects.filter(**{part.review_path: review}).order_by("pk")
            for obj in queryset.iterator(chunk_size=2000):
                row = dump_row(obj)
                users.update(row[name] for name in user_fks if row[name] is not None)
                yield row

        yield part.member, _jsonl(rows())


def _files(access: ReviewAccess) -> Iterator[tuple[str, Iterator[bytes]]]:
    from screening.models import FullText

    review = access.review
    stored = [(f"files/search-file-{f.pk}.bin", f.file) for f in review.search_files.all().order_by("pk")]
    stored += [(f"files/fulltext-{f.pk}.pdf", f.file) for f in FullText.objects.filter(review=review).order_by("pk")]
    for name, field_file in stored:
        if field_file.name and field_file.storage.exists(field_file.name):
            yield name, _read_chunks(field_file)


def _read_chunks(field_file: Any) -> Iterator[bytes]:
    with field_file.open("rb") as handle:
        while chunk := handle.read(FLUSH_BYTES):
            yield chunk


def _settings_json(access: ReviewAccess) -> dict[str, Any]:
    from screening.models import ExclusionReason, ScreeningSettings
    from screening.selectors import settings_for

    review = access.review
    screening = ScreeningSettings.objects.filter(review=review).first()
    rules = settings_for(review)
    return {
        "review": {
            **{name: to_json(getattr(review, name)) for name in REVIEW_FIELDS},
            **{name: getattr(rules, name) for name in SCREENING_RULES},
        },
        "screening": dump_row(screening) if screening else None,
        "exclusion_reasons": list(
            ExclusionReason.objects.filter(review=review).values("label", "position", "archived")
        ),
    }


def _form_definitions(access: ReviewAccess) -> list[dict[str, Any]]:
    from charting.models import FormVersion
    from charting.services.forms import form_definition

    versions = FormVersion.objects.filter(form__review=access.review).select_related("form").order_by("number")
    return [{"version": v.number, "note": v.note, "definition": form_definition(version=v)} for v in versions]


def bundle_members(*, access: ReviewAccess, user: User) -> Iterator[tuple[str, Iterable[str | bytes]]]:
    """(name, chunks) for every member of the zip, in order."""
    from reporting.exports.registry import KINDS, export_chunks

    review = access.review
    counts = prisma_counts(review=review).as_dict()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "review": review.slug,
        "review_id": review.pk,
        "title": review.title,
        "exported_at": timezone.now().isoformat(),
        "exported_by": user.get_username(),
        "prisma": counts,
    }
    yield "manifest.json", [json.dumps(manifest, indent=2, ensure_ascii=False)]
    yield "settings.json", [json.dumps(_settings_json(access), indent=2, ensure_ascii=False, default=str)]
    yield "form_definitions.json", [json.dumps(_form_definitions(access), indent=2, ensure_ascii=False)]
    users: set[int] = set()
    yield from _part_rows(access, users)
    people = User.objects.filter(pk__in=users | {user.pk}).values("id", "username", "email", "first_name", "last_name")
    # Other people's e-mail addresses are theirs to give: the bundle carries only the exporting person's own.
    rows = [row if row["id"] == user.pk else {**row, "email": ""} for row in people.order_by("pk")]
    yield "data/users.jsonl", _jsonl(rows)
    yield from _files(access)
    yield from _stopping_evidence(access)
    for kind in CSV_MEMBERS:
        yield f"exports/{KINDS[kind].suffix}", export_chunks(access=access, user=user, kind=kind)
    yield "exports/included.ris", export_chunks(access=access, user=user, kind="included-ris")
    yield "exports/included.bib", export_chunks(access=access, user=user, kind="included-bibtex")


def _stopping_evidence(access: ReviewAccess) -> Iterator[tuple[str, list[str]]]:
    """The stopping rule's evidence of each stage whose random sample began: the figures and, per sampled record,
    the test as it stood after it (what the stopping export gives), as they were at export."""
    from screening.models import StoppingSample
    from screening.stopping import stopping_evidence, stopping_sample_rows

    review = access.review
    for stage in StoppingSample.objects.filter(review=review).order_by("stage").values_list("stage", flat=True):
        evidence = {
            **stopping_evidence(review=review, stage=stage),
            "sample_rows": stopping_sample_rows(review=review, stage=stage),
        }
        yield stopping_member(stage), [json.dumps(evidence, indent=2, ensure_ascii=False, default=str)]


def bundle_chunks(*, access: ReviewAccess, user: User) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:  # type: ignore[call-overload]
        for name, chunks in bundle_members(access=access, user=user):
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
                    if sink.size >= FLUSH_BYTES:
                        yield sink.drain()
            yield sink.drain()
    yield sink.drain()

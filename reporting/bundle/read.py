"""Loading a bundle into this instance: safe zip reading, then every row re-created with new ids in one transaction.

Safety: the zip comes from outside. Member names must be plain relative paths (no absolute path, drive, "..",
backslash or NUL); there are at most MAX_MEMBERS members; each member and the whole archive have an uncompressed
size cap, checked against the bytes actually read (a header can lie), and a member whose compression ratio is
absurd is refused before it is read. Nothing is written unless the whole bundle loads.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import models, transaction

from reporting.bundle.spec import (
    DROPPED_TARGETS,
    FORMAT,
    ID_LIST_FIELDS,
    PARTS,
    REVIEW_FIELDS,
    SCREENING_RULES,
    STOPPING_PARTS,
    VERSION,
    auto_now_add_fields,
    foreign_keys,
    from_json,
    target_label,
    user_label,
)
from review import extensions
from review.errors import ServiceError
from review.models import Review, Role
from review.services.reviews import audit

MAX_MEMBERS = 100_000
MAX_MEMBER_BYTES = 1 << 30  # 1 GiB: a search export of 100,000 records is ~200 MB
MAX_TOTAL_BYTES = 4 << 30
MAX_RATIO = 200  # JSON compresses ~10:1; a bomb is thousands to one
BATCH = 2000


class BundleError(ServiceError):
    pass


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or "//" in name
        or name.startswith("/")
        or (len(name) > 1 and name[1] == ":")
        or any(part in ("..", "") for part in path.parts)
    ):
        raise BundleError(f"Unsafe member name in the bundle: {name!r}")


class SafeZip:
    """Read-only access to a bundle's members within the caps above."""

    def __init__(self, file: str | IO[bytes], *, max_total: int = MAX_TOTAL_BYTES, max_member: int = MAX_MEMBER_BYTES):
        try:
            self.zip = zipfile.ZipFile(file)
        except zipfile.BadZipFile as error:
            raise BundleError(f"Not a zip file: {error}") from None
        self.max_member = max_member
        self.remaining = max_total
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise BundleError(f"The bundle has {len(infos)} members; at most {MAX_MEMBERS} are accepted")
        declared = 0
        for info in infos:
            _check_name(info.filename)
            if info.file_size > max_member:
                raise BundleError(f"{info.filename}: {info.file_size} bytes is over the limit of {max_member}")
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1 << 20:
                raise BundleError(f"{info.filename}: compression ratio too high; refusing a possible zip bomb")
            declared += info.file_size
        if declared > max_total:
            raise BundleError(f"The bundle unpacks to {declared} bytes; the limit is {max_total}")
        self.names = {info.filename for info in infos}

    def chunks(self, name: str, size: int = 1 << 20) -> Iterator[bytes]:
        if name not in self.names:
            raise BundleError(f"The bundle has no {name}")
        read = 0
        with self.zip.open(name) as handle:
            while chunk := handle.read(size):
                read += len(chunk)
                self.remaining -= len(chunk)
                if read > self.max_member or self.remaining < 0:
                    raise BundleError(f"{name}: more data than its header says or than the limit allows")
                yield chunk

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(name))

    def lines(self, name: str) -> Iterator[dict[str, Any]]:
        if name not in self.names:
            return
        pending = b""
        for chunk in self.chunks(name):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                if line.strip():
                    yield json.loads(line)
        if pending.strip():
            yield json.loads(pending)


@dataclass
class LoadResult:
    review: Review
    rows: dict[str, int] = field(default_factory=dict)
    users_created: list[str] = field(default_factory=list)
    expected_prisma: dict[str, Any] = field(default_factory=dict)


def _users(bundle: SafeZip, result: LoadResult) -> dict[int, int]:
    ids: dict[int, int] = {}
    for row in bundle.lines("data/users.jsonl"):
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            # A person who is not on this instance yet: an account without a password (reset it to log in).
            user = User(username=row["username"], email=row.get("email", ""))
            user.first_name, user.last_name = row.get("first_name", ""), row.get("last_name", "")
            user.set_unusable_password()
            user.save()
            result.users_created.append(user.username)
        ids[int(row["id"])] = user.pk
    return ids


def _review(bundle: SafeZip, slug: str | None, by: User | None) -> tuple[Review, dict[str, Any]]:
    manifest = json.loads(bundle.read("manifest.json"))
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BundleError(f"Not a review bundle of version {VERSION} (format {manifest.get('format')!r})")
    settings = json.loads(bundle.read("settings.json"))["review"]
    fields = {name: settings[name] for name in REVIEW_FIELDS if name in settings and name != "created_at"}
    fields["slug"] = slug or fields["slug"]
    if Review.objects.filter(slug=fields["slug"]).exists():
        raise BundleError(f"A review called {fields['slug']!r} exists here already; give another slug", field="slug")
    creator = by or User.objects.filter(is_superuser=True).order_by("pk").first()
    if creator is None:
        raise BundleError("Say which account imports the bundle (no administrator account exists)")
    review = Review.objects.create(created_by=creator, **fields)
    return review, manifest


def _screening_rules(bundle: SafeZip, review: Review) -> None:
    """Votes required and blinding, from settings.json (see spec.SCREENING_RULES), onto the loaded settings row."""
    from screening.models import ScreeningSettings

    settings = json.loads(bundle.read("settings.json"))["review"]
    rules = {name: settings[name] for name in SCREENING_RULES if name in settings}
    for name in ("votes_required_title_abstract", "votes_required_full_text"):
        value = rules.get(name)
        if name in rules and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10):
            raise BundleError(f"settings.json: {name} must be a whole number from 1 to 10, not {value!r}")
    if "blinded" in rules and not isinstance(rules["blinded"], bool):
        raise BundleError(f"settings.json: blinded must be true or false, not {rules['blinded']!r}")
    if rules:
        ScreeningSettings.objects.update_or_create(review=review, defaults=rules)


def load_bundle(*, file: str | IO[bytes], slug: str | None = None, by: User | None = None, **caps: int) -> LoadResult:
    bundle = SafeZip(file, **caps)
    with transaction.atomic():
        review, manifest = _review(bundle, slug, by)
        result = LoadResult(review=review, expected_prisma=manifest.get("prisma", {}))
        maps: dict[str, dict[int, int]] = {
            "review.Review": {int(manifest["review_id"]): review.pk},
            user_label(): _users(bundle, result),
        }
        for part in [*PARTS, *STOPPING_PARTS]:
            model = part.model
            label = str(model._meta.label)
            maps[label] = {}
            count = 0
            batch: list[dict[str, Any]] = []
            for row in bundle.lines(part.member):
                batch.append(row)
                if len(batch) == BATCH:
                    count += _load_rows(bundle, model, batch, maps)
                    batch = []
            count += _load_rows(bundle, model, batch, maps)
            _fill_self_references(bundle, model, part.member, maps[label])
            result.rows[label] = count
        _screening_rules(bundle, review)
        if by is not None and not review.memberships.filter(user=by).exists():
            # Whoever imports the bundle can open the review, whatever their role in the original.
            review.memberships.create(user=by, role=Role.LEAD)
        audit(review=review, actor=by, action="review.bundle_imported", source=manifest.get("review"), rows=result.rows)
        # A bundle written before a record's screening rows existed gets them now, in the action that loads it.
        transaction.on_commit(lambda: extensions.records_changed(review, by=by))
    return result


def _load_rows(
    bundle: SafeZip, model: type[models.Model], rows: list[dict[str, Any]], maps: dict[str, dict[int, int]]
) -> int:
    if not rows:
        return 0
    label = str(model._meta.label)
    pk_name = model._meta.pk.attname  # type: ignore[union-attr]
    fks = {f.attname: f for f in foreign_keys(model)}
    fields = {f.attname: f for f in model._meta.concrete_fields}
    id_lists = ID_LIST_FIELDS.get(label, {})
    objects, old_ids = [], []
    for row in rows:
        values: dict[str, Any] = {}
        for name, value in row.items():
            if name not in fields:
                continue  # a column this instance does not have (an older or newer schema)
            if name in fks:
                target = target_label(fks[name])
                if value is None or target in DROPPED_TARGETS or target == label:
                    value = None  # self-references come in a second pass
                else:
                    mapped = maps.get(target, {}).get(int(value))
                    if mapped is None:
                        raise BundleError(f"{label} row {row.get(pk_name)} points at a missing {target} {value}")
                    value = mapped
            elif name == pk_name:
                continue
            elif name in id_lists:
                value = _mapped_ids(label, name, value, maps.get(id_lists[name], {}))
            else:
                value = from_json(fields[name], value)
            values[name] = value
        if pk_name in fks:
            values[pk_name] = values.get(pk_name) or maps[target_label(fks[pk_name])][int(row[pk_name])]
        obj = model(**values)
        for name, field_obj in fields.items():
            if isinstance(field_obj, models.FileField) and row.get(name):
                _attach_file(bundle, obj, field_obj, row)
        objects.append(obj)
        old_ids.append(row[pk_name])
    created = model.objects.bulk_create(objects)  # type: ignore[attr-defined]
    stamps = auto_now_add_fields(model)
    if stamps:
        # auto_now_add overwrote the original times on insert; put them back.
        for obj, row in zip(created, rows, strict=True):
            for name in stamps:
                setattr(obj, name, from_json(fields[name], row[name]))
        model.objects.bulk_update(created, stamps, batch_size=BATCH)  # type: ignore[attr-defined]
    for obj, old in zip(created, old_ids, strict=True):
        maps[label][int(old)] = obj.pk
    return len(created)


def _mapped_ids(label: str, name: str, value: Any, ids: dict[int, int]) -> list[int]:
    """A list of ids of another model (the stopping sample's records), mapped to the rows loaded here."""
    if not isinstance(value, list):
        raise BundleError(f"{label}.{name} must be a list of ids")
    missing = [old for old in value if int(old) not in ids]
    if missing:
        raise BundleError(f"{label}.{name} points at {len(missing)} missing record(s), e.g. {missing[0]}")
    return [ids[int(old)] for old in value]


def _attach_file(bundle: SafeZip, obj: models.Model, field_obj: models.FileField, row: dict[str, Any]) -> None:
    label = str(obj._meta.label)
    member = {"review.SearchFile": "files/search-file-{}.bin", "screening.FullText": "files/fulltext-{}.pdf"}
    name = member.get(label, "").format(row["id"])
    if name not in bundle.names:
        setattr(obj, field_obj.attname, "")
        return
    # The storage names the file (the models' upload_to), never the bundle.
    getattr(obj, field_obj.name).save("bundle.bin", ContentFile(bundle.read(name)), save=False)


def _fill_self_references(bundle: SafeZip, model: type[models.Model], member: str, ids: dict[int, int]) -> None:
    label = str(model._meta.label)
    own = [f.attname for f in foreign_keys(model) if target_label(f) == label]
    if not own:
        return
    changed = []
    for row in bundle.lines(member):
        values = {name: ids[int(row[name])] for name in own if row.get(name) is not None}
        if values:
            changed.append(model(pk=ids[int(row["id"])], **values))
    model.objects.bulk_update(changed, list(own), batch_size=BATCH)  # type: ignore[attr-defined]

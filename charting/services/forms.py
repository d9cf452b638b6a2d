"""Building and versioning extraction forms.

Every edit goes through `_editable_version`: while no one has charted on the current version it is edited in
place; once anyone has, the edit lands on a new version and drafts move to it. Values are keyed by field key,
so they stay attached to their field whatever version they were charted on.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from charting import selectors
from charting.fieldtypes import CATEGORICAL_TYPES, CHOICE_TYPES, NUMERIC_TYPES, FieldType, categories
from charting.form_templates import TEMPLATES, template_definition
from charting.keys import make_key
from charting.models import ConsensusValue, Extraction, ExtractionValue, Field, Form, FormVersion, Section
from review.errors import ServiceError
from review.models import Review
from review.services import audit

KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
FIELD_ATTRS = (
    "label",
    "help_text",
    "type",
    "required",
    "unit",
    "choices",
    "allow_other",
    "condition_key",
    "condition_value",
)


def form_definition(*, version: FormVersion) -> dict[str, Any]:
    """A version as plain data: what a copy, the API and the codebook read."""
    return {
        "title": version.form.title,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "repeating": section.repeating,
                "instance_label": section.instance_label,
                "fields": [{"key": f.key, **{attr: getattr(f, attr) for attr in FIELD_ATTRS}} for f in fields],
            }
            for section, fields in selectors.version_sections(version=version)
        ],
    }


@transaction.atomic
def form_create(
    *, review: Review, by: User, title: str = "", template: str = "", copy_from: Form | None = None
) -> Form:
    """Create the review's form: empty, from a built-in template, or as a copy of another review's form."""
    if Form.objects.filter(review=review).exists():
        raise ServiceError("This review already has a charting form", code="conflict")
    definition: dict[str, Any] = {"title": title or "Data charting form", "sections": []}
    origin = ""
    if template:
        if template not in TEMPLATES:
            raise ServiceError(f"No template called {template!r}", field="template")
        definition, origin = template_definition(template), f"template:{template}"
    elif copy_from is not None:
        definition = form_definition(version=selectors.form_current_version(form=copy_from))
        origin = f"review:{copy_from.review.slug}"
    form = Form.objects.create(review=review, title=(title or definition["title"])[:200], origin=origin, created_by=by)
    version = FormVersion.objects.create(form=form, number=1, created_by=by, note="First version")
    _load_definition(version=version, definition=definition)
    if not definition["sections"]:
        Section.objects.create(version=version, key="general", title="General", position=0)
    audit(review=review, actor=by, action="charting.form.created", form=form.pk, origin=origin)
    return form


def _load_definition(*, version: FormVersion, definition: dict[str, Any]) -> None:
    keys: list[str] = []
    for s_pos, section_def in enumerate(definition["sections"]):
        section = Section.objects.create(
            version=version,
            key=section_def["key"],
            title=section_def["title"],
            position=s_pos,
            repeating=bool(section_def.get("repeating", False)),
            instance_label=str(section_def.get("instance_label", ""))[:60],
        )
        for f_pos, field_def in enumerate(section_def["fields"]):
            data = {attr: field_def[attr] for attr in FIELD_ATTRS if attr in field_def}
            key = field_def.get("key") or make_key(data["label"], keys)
            _validate_field(version=version, key=key, data=data, check_condition=False)
            Field.objects.create(version=version, section=section, key=key, position=f_pos, **data)
            keys.append(key)


@transaction.atomic
def form_update_settings(*, form: Form, by: User, title: str, extractors_per_study: int) -> Form:
    if not title.strip():
        raise ServiceError("Give the form a title", field="title")
    if not 1 <= extractors_per_study <= 5:
        raise ServiceError("Between 1 and 5 extractors per study", field="extractors_per_study")
    form.title, form.extractors_per_study = title.strip()[:200], extractors_per_study
    form.save(update_fields=["title", "extractors_per_study"])
    audit(review=form.review, actor=by, action="charting.form.settings", title=form.title, n=extractors_per_study)
    return form


def _editable_version(*, form: Form, by: User, note: str) -> FormVersion:
    """The version an edit applies to; a new one when the current one has data. Call inside a transaction."""
    Form.objects.select_for_update().get(pk=form.pk)  # edits of one form queue up here
    current = selectors.form_current_version(form=form)
    if not selectors.version_started(version=current):
        return current
    new = FormVersion.objects.create(form=form, number=current.number + 1, created_by=by, note=note[:300])
    sections = {}
    for section in Section.objects.filter(version=current):
        sections[section.pk] = Section.objects.create(
            version=new,
            key=section.key,
            title=section.title,
            position=section.position,
            repeating=section.repeating,
            instance_label=section.instance_label,
        )
    Field.objects.bulk_create(
        Field(
            version=new,
            section=sections[f.section_id],
            key=f.key,
            position=f.position,
            **{attr: getattr(f, attr) for attr in FIELD_ATTRS},
        )
        for f in Field.objects.filter(version=current)
    )
    # Drafts follow the form; submitted extractions stay on the version their extractor saw.
    moved = Extraction.objects.filter(form=form, status=Extraction.Status.DRAFT).update(version=new)
    audit(review=form.review, actor=by, action="charting.form.version", number=new.number, note=note, moved=moved)
    return new


def _validate_field(*, version: FormVersion, key: str, data: dict[str, Any], check_condition: bool = True) -> None:
    if not KEY_RE.fullmatch(key):
        raise ServiceError("A key is lower-case letters, digits and _, starting with a letter", field="key")
    label = str(data.get("label", "")).strip()
    if not label or len(label) > 300:
        raise ServiceError("Give the field a label (up to 300 characters)", field="label")
    data["label"] = label
    kind = data.get("type")
    if kind not in FieldType.values:
        raise ServiceError("Choose a field type", field="type")
    choices = data.get("choices") or []
    if kind in CHOICE_TYPES:
        if not choices and not data.get("allow_other"):
            raise ServiceError("List the options, one per line", field="choices")
        values = [c.get("value") for c in choices]
        if len(set(values)) != len(values) or not all(isinstance(v, str) and KEY_RE.fullmatch(v) for v in values):
            raise ServiceError("Each option needs its own code (lower-case letters, digits, _)", field="choices")
        if "other" in values:
            raise ServiceError("'other' is reserved for “Other, specify”", field="choices")
    else:
        data["choices"], data["allow_other"] = [], False
    if kind not in NUMERIC_TYPES:
        data["unit"] = ""
    if data.get("condition_key"):
        if data["condition_key"] == key:
            raise ServiceError("A field cannot depend on itself", field="condition_key")
        parent = Field.objects.filter(version=version, key=data["condition_key"]).first()
        if check_condition and parent is None:
            raise ServiceError("The field this depends on is not in the form", field="condition_key")
        value = str(data.get("condition_value", "")).strip()
        if not value:
            raise ServiceError("Say which answer shows this field", field="condition_value")
        if parent is not None and parent.type in CATEGORICAL_TYPES and parent.type != FieldType.COUNTRY:
            allowed = [v for v, _label in categories(parent)]
            if value not in allowed:
                raise ServiceError(f"Choose one of: {', '.join(allowed)}", field="condition_value")
        data["condition_value"] = value
    else:
        data["condition_key"], data["condition_value"] = "", ""


def _section(version: FormVersion, section_key: str) -> Section:
    section = Section.objects.filter(version=version, key=section_key).first()
    if section is None:
        raise ServiceError("No such section in this form", field="section", code="not_found")
    return section


def _field(version: FormVersion, key: str) -> Field:
    field = Field.objects.filter(version=version, key=key).first()
    if field is None:
        raise ServiceError("No such field in this form", field="key", code="not_found")
    return field


@transaction.atomic
def section_add(*, form: Form, by: User, title: str, repeating: bool = False, instance_label: str = "") -> Section:
    """Add a section; a repeating one is a group of fields filled once per instance (model, dataset, outcome)."""
    if not title.strip():
        raise ServiceError("Give the section a title", field="title")
    version = _editable_version(form=form, by=by, note=f"Added section {title.strip()[:100]}")
    taken = Section.objects.filter(version__form=form).values_list("key", flat=True)
    position = (Section.objects.filter(version=version).aggregate(m=Max("position"))["m"] or 0) + 1
    section = Section.objects.create(
        version=version,
        key=make_key(title, taken, fallback="section"),
        title=title.strip()[:200],
        position=position,
        repeating=repeating,
        instance_label=_instance_label(instance_label),
    )
    audit(review=form.review, actor=by, action="charting.section.added", key=section.key, version=version.number)
    return section


def _instance_label(text: str) -> str:
    label = (text or "").strip()
    if len(label) > 60:
        raise ServiceError("Keep the instance label under 60 characters, e.g. Model", field="instance_label")
    return label


def _has_answers(form: Form, keys: list[str]) -> bool:
    return ExtractionValue.objects.filter(extraction__form=form, field_key__in=keys).exists()


@transaction.atomic
def section_update(
    *,
    form: Form,
    by: User,
    section_key: str,
    title: str,
    repeating: bool | None = None,
    instance_label: str | None = None,
) -> Section:
    """Rename a section, or make it repeating (or not) while none of its fields has been charted yet: answers
    already given once per study cannot be turned into instances (or back) without guessing."""
    if not title.strip():
        raise ServiceError("Give the section a title", field="title")
    current = _section(selectors.form_current_version(form=form), section_key)
    if repeating is not None and repeating != current.repeating:
        keys = list(Field.objects.filter(section=current).values_list("key", flat=True))
        if _has_answers(form, keys):
            raise ServiceError(
                "Its fields already have answers: add a new repeating section and move fields there instead",
                field="repeating",
            )
    version = _editable_version(form=form, by=by, note=f"Changed section {section_key}")
    section = _section(version, section_key)
    section.title = title.strip()[:200]
    if repeating is not None:
        section.repeating = repeating
    if instance_label is not None:
        section.instance_label = _instance_label(instance_label)
    section.save(update_fields=["title", "repeating", "instance_label"])
    audit(
        review=form.review,
        actor=by,
        action="charting.section.changed",
        key=section_key,
        title=section.title,
        repeating=section.repeating,
    )
    return section


@transaction.atomic
def section_delete(*, form: Form, by: User, section_key: str) -> None:
    version = selectors.form_current_version(form=form)
    if Field.objects.filter(version=version, section__key=section_key).exists():
        raise ServiceError("Move or delete the section's fields first", field="section")
    if Section.objects.filter(version=version).count() <= 1:
        raise ServiceError("A form keeps at least one section", field="section")
    version = _editable_version(form=form, by=by, note=f"Deleted section {section_key}")
    _section(version, section_key).delete()
    audit(review=form.review, actor=by, action="charting.section.deleted", key=section_key)


@transaction.atomic
def field_add(*, form: Form, by: User, section_key: str, label: str, type: str, **attrs: Any) -> Field:
    version = _editable_version(form=form, by=by, note=f"Added field {label.strip()[:100]}")
    section = _section(version, section_key)
    taken = Field.objects.filter(version__form=form).values_list("key", flat=True)
    key = attrs.pop("key", "") or make_key(label, taken)
    if key in set(taken):
        raise ServiceError(f"The key {key!r} is already used in this form", field="key")
    data = {"label": label, "type": type, **{k: v for k, v in attrs.items() if k in FIELD_ATTRS}}
    _validate_field(version=version, key=key, data=data)
    position = (Field.objects.filter(section=section).aggregate(m=Max("position"))["m"] or 0) + 1
    field = Field.objects.create(version=version, section=section, key=key, position=position, **data)
    audit(review=form.review, actor=by, action="charting.field.added", key=key, version=version.number)
    return field


def _has_data(form: Form, key: str) -> bool:
    return (
        ExtractionValue.objects.filter(extraction__form=form, field_key=key).exists()
        or ConsensusValue.objects.filter(form=form, field_key=key).exists()
    )


@transaction.atomic
def field_update(*, form: Form, by: User, key: str, section_key: str = "", **changes: Any) -> Field:
    current = _field(selectors.form_current_version(form=form), key)
    if "type" in changes and changes["type"] != current.type and _has_data(form, key):
        raise ServiceError("This field has data: its type cannot change. Add a new field instead", field="type")
    version = _editable_version(form=form, by=by, note=f"Edited field {key}")
    field = _field(version, key)
    data = {attr: getattr(field, attr) for attr in FIELD_ATTRS}
    data.update({k: v for k, v in changes.items() if k in FIELD_ATTRS})
    _validate_field(version=version, key=key, data=data)
    changed = sorted(attr for attr in FIELD_ATTRS if getattr(field, attr) != data[attr])
    for attr, value in data.items():
        setattr(field, attr, value)
    if section_key and section_key != field.section.key:
        target = _section(version, section_key)
        if target.repeating != field.section.repeating and _has_answers(form, [field.key]):
            raise ServiceError(
                "This field has answers: it cannot move into or out of a repeating group", field="section"
            )
        field.section = target
        field.position = (Field.objects.filter(section=field.section).aggregate(m=Max("position"))["m"] or 0) + 1
        changed.append("section")
    field.save()
    audit(review=form.review, actor=by, action="charting.field.updated", key=key, changed=changed)
    return field


@transaction.atomic
def field_delete(*, form: Form, by: User, key: str, confirm: bool = False) -> FormVersion:
    """Remove a field from the form. Its charted values are kept (in the database and the long export)."""
    _field(selectors.form_current_version(form=form), key)
    records = selectors.field_value_count(form=form, key=key)
    if records and not confirm:
        raise ServiceError(
            f"{records} studies have data in this field. Deleting it keeps their data but hides the field; "
            "confirm to delete",
            field="key",
            code="conflict",
        )
    version = _editable_version(form=form, by=by, note=f"Deleted field {key}")
    _field(version, key).delete()
    # A field that showed only when this one had some answer now always shows.
    Field.objects.filter(version=version, condition_key=key).update(condition_key="", condition_value="")
    audit(review=form.review, actor=by, action="charting.field.deleted", key=key, records_with_data=records)
    return version


@transaction.atomic
def field_move(*, form: Form, by: User, key: str, direction: str) -> None:
    if direction not in ("up", "down"):
        raise ServiceError("Move up or down", field="direction")
    version = selectors.form_current_version(form=form)
    field = _field(version, key)
    siblings = list(Field.objects.filter(section=field.section).order_by("position", "id"))
    index = siblings.index(field)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        return  # already first or last in its section
    version = _editable_version(form=form, by=by, note=f"Moved field {key} {direction}")
    ordered = list(Field.objects.filter(version=version, section__key=field.section.key).order_by("position", "id"))
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    Field.objects.bulk_update(ordered, ["position"])
    audit(review=form.review, actor=by, action="charting.field.moved", key=key, direction=direction)

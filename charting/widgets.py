"""Between HTML forms and field values: reading a posted answer, and what a template needs to draw a field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from charting.countries import COUNTRIES
from charting.fieldtypes import OTHER, YES_NO, FieldType, choice_labels, condition_met, display_value
from charting.models import Field

COUNTRY_OPTIONS = sorted(COUNTRIES.items(), key=lambda item: item[1])


def input_name(field: Field, prefix: str = "f") -> str:
    return f"{prefix}-{field.key}"


def raw_from_post(field: Field, data: QueryDict, prefix: str = "f") -> Any:
    """The answer as posted by the field's widget, in the shapes clean_value accepts."""
    name = input_name(field, prefix)
    if field.type == FieldType.MULTIPLE:
        picked = [v for v in data.getlist(name) if v]
        other = data.get(f"{name}__other", "").strip()
        return {"choices": picked, "other": other} if other or OTHER in picked else picked
    if field.type == FieldType.SINGLE:
        return {"choice": data.get(name, ""), "other": data.get(f"{name}__other", "")}
    return data.get(name, "")


def posted_values(fields: Iterable[Field], data: QueryDict, prefix: str = "f") -> dict[str, Any]:
    """Answers of every field whose input was on the page (a full-form save sends all of them)."""
    present = {key.split("__")[0] for key in data}
    return {f.key: raw_from_post(f, data, prefix) for f in fields if input_name(f, prefix) in present}


@dataclass(slots=True)
class Widget:
    field: Field
    name: str
    value: Any
    error: str
    visible: bool
    options: list[tuple[str, str]]
    selected: list[str]
    other_text: str
    text: str  # the value for a text-like input

    @property
    def display(self) -> str:
        return display_value(self.field, self.value)


def widget_for(
    field: Field, value: Any, *, error: str = "", visible: bool = True, typed: Any = None, prefix: str = "f"
) -> Widget:
    """What the field template needs. `typed` is the raw input to show again when it did not validate."""
    shown = typed if typed is not None else value
    options: list[tuple[str, str]] = []
    chosen: list[str] = []
    other = ""
    text = ""
    if field.type in (FieldType.SINGLE, FieldType.MULTIPLE):
        options = [(v, label) for v, label in choice_labels(field).items() if v != OTHER]
        if isinstance(shown, Mapping):
            picked = shown.get("choices") if field.type == FieldType.MULTIPLE else [shown.get("choice")]
            chosen = [str(v) for v in picked or [] if v]
            other = str(shown.get("other") or "")
            if other and OTHER not in chosen:
                chosen.append(OTHER)
        elif isinstance(shown, list):
            chosen = [str(v) for v in shown]
    elif field.type == FieldType.YES_NO:
        options = list(YES_NO.items())
        chosen = [str(shown)] if shown else []
    elif field.type == FieldType.COUNTRY:
        options = COUNTRY_OPTIONS
        chosen = [str(shown)] if shown else []
    else:
        text = "" if shown is None else str(shown)
    return Widget(field, f"{prefix}-{field.key}", value, error, visible, options, chosen, other, text)


def widgets_for(
    fields: list[Field],
    values: Mapping[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, Any] | None = None,
    prefix: str = "f",
) -> dict[str, Widget]:
    by_key = {f.key: f for f in fields}
    errors, typed = errors or {}, typed or {}
    result = {}
    for field in fields:
        parent = by_key.get(field.condition_key) if field.condition_key else None
        visible = condition_met(field, parent, values.get(field.condition_key))
        result[field.key] = widget_for(
            field,
            values.get(field.key),
            error=errors.get(field.key, ""),
            visible=visible,
            typed=typed.get(field.key) if field.key in errors else None,
            prefix=prefix,
        )
    return result

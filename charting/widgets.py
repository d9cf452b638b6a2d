"""Between HTML forms and field values: reading a posted answer, and what a template needs to draw a field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from charting.answers import address, condition_applies
from charting.countries import COUNTRIES
from charting.fieldtypes import (
    NOT_REPORTED,
    OTHER,
    YES_NO,
    FieldType,
    choice_labels,
    display_value,
    is_not_reported,
)
from charting.models import Field

COUNTRY_OPTIONS = sorted(COUNTRIES.items(), key=lambda item: item[1])


# Suffixes of a widget's extra inputs: "Other, specify" text, "not reported" box, source quote and page, and a
# hidden marker that says the widget was on the page (radio buttons send nothing while none is ticked).
SUFFIXES = ("__other", "__nr", "__quote", "__page", "__shown")


def input_name(field: Field, prefix: str = "f", instance: int = 0) -> str:
    """`f-aim`, or `f-model_name-2` for instance 2 of a repeating group (keys never contain '-')."""
    return f"{prefix}-{field.key}-{instance}" if instance else f"{prefix}-{field.key}"


def raw_from_post(field: Field, data: QueryDict, prefix: str = "f", instance: int = 0) -> Any:
    """The answer as posted by the field's widget, in the shapes clean_value accepts."""
    name = input_name(field, prefix, instance)
    if data.get(f"{name}__nr"):
        return dict(NOT_REPORTED)
    if field.type == FieldType.MULTIPLE:
        picked = [v for v in data.getlist(name) if v]
        other = data.get(f"{name}__other", "").strip()
        return {"choices": picked, "other": other} if other or OTHER in picked else picked
    if field.type == FieldType.SINGLE:
        return {"choice": data.get(name, ""), "other": data.get(f"{name}__other", "")}
    return data.get(name, "")


def posted_values(fields: Iterable[Field], data: QueryDict, prefix: str = "f") -> dict[str, Any]:
    """Answers of every field whose input was on the page (a full-form save sends all of them), by address."""
    return posted_answers(fields, data, prefix)[0]


def posted_answers(
    fields: Iterable[Field], data: QueryDict, prefix: str = "f"
) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Answers and sources (quote, page) of every widget on the page, by address (see charting.answers).

    Instances come from the inputs' names; a number that is not a whole number is passed on as given, so the
    service reports it rather than this reader dropping it.
    """
    by_key = {f.key: f for f in fields}
    present: dict[tuple[str, int], None] = {}
    for name in data:
        if not name.startswith(f"{prefix}-"):
            continue
        base = name[len(prefix) + 1 :]
        for suffix in SUFFIXES:
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        key, _sep, number = base.partition("-")
        if key in by_key and (not number or number.isdigit()):
            present[(key, int(number) if number else 0)] = None
    values: dict[str, Any] = {}
    sources: dict[str, dict[str, str]] = {}
    for key, instance in present:
        field = by_key[key]
        name = input_name(field, prefix, instance)
        values[address(key, instance)] = raw_from_post(field, data, prefix, instance)
        if f"{name}__quote" in data or f"{name}__page" in data:
            sources[address(key, instance)] = {
                "quote": data.get(f"{name}__quote", ""),
                "page": data.get(f"{name}__page", ""),
            }
    return values, sources


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
    instance: int = 0
    quote: str = ""
    page: str = ""

    @property
    def address(self) -> str:
        return address(self.field.key, self.instance)

    @property
    def slot(self) -> str:
        """The answer's part of element ids: `aim`, or `model_name-2`."""
        return f"{self.field.key}-{self.instance}" if self.instance else self.field.key

    @property
    def not_reported(self) -> bool:
        return is_not_reported(self.value)

    @property
    def display(self) -> str:
        return display_value(self.field, self.value)


def widget_for(
    field: Field,
    value: Any,
    *,
    error: str = "",
    visible: bool = True,
    typed: Any = None,
    prefix: str = "f",
    instance: int = 0,
    source: tuple[str, str] = ("", ""),
) -> Widget:
    """What the field template needs. `typed` is the raw input to show again when it did not validate."""
    shown = typed if typed is not None else value
    if is_not_reported(shown):
        shown = None
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
    name = input_name(field, prefix, instance)
    return Widget(field, name, value, error, visible, options, chosen, other, text, instance, *source)


def widgets_for(
    fields: list[Field],
    values: Mapping[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, Any] | None = None,
    prefix: str = "f",
    instance: int = 0,
    sources: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, Widget]:
    """Widgets of fields keyed by field key; with `instance`, those of one instance of a repeating group (a
    condition on a field of the same group is read in the same instance)."""
    by_key = {f.key: f for f in fields}
    errors, typed, sources = errors or {}, typed or {}, sources or {}
    result = {}
    for field in fields:
        addr = address(field.key, instance)
        parent = by_key.get(field.condition_key) if field.condition_key else None
        visible = condition_applies(field, parent, values, instance)
        result[field.key] = widget_for(
            field,
            values.get(addr),
            error=errors.get(addr, ""),
            visible=visible,
            typed=typed.get(addr) if addr in errors else None,
            prefix=prefix,
            instance=instance,
            source=sources.get(addr, ("", "")),
        )
    return result

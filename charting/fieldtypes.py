"""Field types of an extraction form: validation, canonical values, display. Pure functions, no database.

Canonical stored values (JSON):
  short_text, long_text, url: str          integer, year: int          decimal: str ("12.50" kept exact)
  date: "YYYY-MM-DD"                       country: ISO 3166-1 alpha-2 code ("DE")
  yes_no: "yes" | "no" | "unclear"
  single: {"choice": "cnn"} or {"choice": "other", "other": "ViT"}
  multiple: {"choices": ["cnn", "rnn"]} plus "other": "ViT" when 'Other, specify' is ticked
  any type: {"not_reported": true} when the report does not give the answer (NOT_REPORTED)
An empty answer is None and is never stored as "" or [].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from charting.countries import COUNTRIES, LOOKUP

OTHER = "other"  # the reserved choice value of "Other, specify"
# "The report does not say": an answer of its own, distinct from an empty (not yet charted) field. A mapping
# rather than a string so that no typed text can ever be read as it.
NOT_REPORTED: dict[str, bool] = {"not_reported": True}
NOT_REPORTED_LABEL = "Not reported"
YES_NO = {"yes": "Yes", "no": "No", "unclear": "Unclear"}
MAX_SHORT = 500
MAX_LONG = 20_000
YEAR_RANGE = (1800, 2100)


class FieldType(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    INTEGER = "integer", "Integer"
    DECIMAL = "decimal", "Decimal number (with unit)"
    YES_NO = "yes_no", "Yes / no / unclear"
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    DATE = "date", "Date"
    YEAR = "year", "Year"
    COUNTRY = "country", "Country"
    URL = "url", "URL"


CHOICE_TYPES = {FieldType.SINGLE, FieldType.MULTIPLE}
CATEGORICAL_TYPES = {FieldType.SINGLE, FieldType.MULTIPLE, FieldType.YES_NO, FieldType.COUNTRY}
NUMERIC_TYPES = {FieldType.INTEGER, FieldType.DECIMAL, FieldType.YEAR}


class FieldSpec(Protocol):
    key: str
    label: str
    type: str
    required: bool
    unit: str
    choices: Any  # list of {"value", "label"}
    allow_other: bool
    condition_key: str
    condition_value: str


class FieldValueError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def choice_labels(spec: FieldSpec) -> dict[str, str]:
    labels = {str(c["value"]): str(c["label"]) for c in spec.choices or []}
    if spec.allow_other:
        labels[OTHER] = "Other"
    return labels


def categories(spec: FieldSpec) -> list[tuple[str, str]]:
    """The ordered (value, label) categories of a categorical field, for summaries and exports."""
    if spec.type == FieldType.YES_NO:
        return list(YES_NO.items())
    if spec.type in CHOICE_TYPES:
        return list(choice_labels(spec).items())
    return []


def _text(raw: Any, limit: int) -> str | None:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise FieldValueError("Enter text")
    text = str(raw).strip()
    if len(text) > limit:
        raise FieldValueError(f"Keep this under {limit} characters (it has {len(text)})")
    return text or None


def _integer(raw: Any, *, what: str = "a whole number") -> int:
    if isinstance(raw, bool):
        raise FieldValueError(f"Enter {what}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = str(raw).strip().replace("\u2212", "-")
    if text.lstrip("+-").isdigit():
        return int(text)
    raise FieldValueError(f"Enter {what}, e.g. 120")


def _decimal(raw: Any) -> str:
    if isinstance(raw, bool):
        raise FieldValueError("Enter a number")
    text = str(raw).strip().replace("\u2212", "-")
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")  # a decimal comma, as typed in much of Europe
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldValueError("Enter a number, e.g. 12.5") from None
    if not number.is_finite():
        raise FieldValueError("Enter a finite number")
    if abs(number) >= Decimal("1e15"):
        raise FieldValueError("This number is too large")
    return format(number, "f")


def _single(spec: FieldSpec, raw: Any) -> dict[str, str] | None:
    other = ""
    if isinstance(raw, Mapping):
        choice = str(raw.get("choice") or "").strip()
        other = str(raw.get("other") or "").strip()
    elif isinstance(raw, str):
        choice = raw.strip()
    else:
        raise FieldValueError("Choose one option")
    if not choice:
        return None
    labels = choice_labels(spec)
    if choice not in labels:
        raise FieldValueError(f"{choice!r} is not one of the options")
    if choice == OTHER:
        if not other:
            raise FieldValueError("Specify the other value")
        if len(other) > MAX_SHORT:
            raise FieldValueError(f"Keep the other value under {MAX_SHORT} characters")
        return {"choice": OTHER, "other": other}
    return {"choice": choice}


def _multiple(spec: FieldSpec, raw: Any) -> dict[str, Any] | None:
    other = ""
    if isinstance(raw, Mapping):
        picked = raw.get("choices") or []
        other = str(raw.get("other") or "").strip()
    else:
        picked = raw
    if isinstance(picked, str) or not isinstance(picked, Sequence):
        raise FieldValueError("Choose any number of options")
    chosen = {str(value).strip() for value in picked if str(value).strip()}
    labels = choice_labels(spec)
    unknown = sorted(chosen - set(labels))
    if unknown:
        raise FieldValueError(f"{unknown[0]!r} is not one of the options")
    if other and not spec.allow_other:
        raise FieldValueError("This field has no 'Other' option")
    if OTHER in chosen and not other:
        raise FieldValueError("Specify the other value")
    if len(other) > MAX_SHORT:
        raise FieldValueError(f"Keep the other value under {MAX_SHORT} characters")
    ordered = [value for value in labels if value in chosen and value != OTHER]
    if not ordered and not other:
        return None
    result: dict[str, Any] = {"choices": ordered}
    if other:
        result["other"] = other
    return result


def _date(raw: Any) -> str:
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip()
    try:
        return dt.date.fromisoformat(text).isoformat() if len(text) == 10 else _bad_date()
    except ValueError:
        return _bad_date()


def _bad_date() -> str:
    raise FieldValueError("Enter a date as YYYY-MM-DD")


def _year(raw: Any) -> int:
    year = _integer(raw, what="a four-digit year")
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise FieldValueError(f"Enter a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    return year


def _country(raw: Any) -> str:
    code = LOOKUP.get(str(raw).strip().lower())
    if code is None:
        raise FieldValueError("Choose a country from the list")
    return code


def _url(raw: Any) -> str | None:
    text = _text(raw, 2000)
    if text is None:
        return None
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise FieldValueError("Enter a full web address starting with http:// or https://") from None
    return text


def _is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return not raw
    return False


def is_not_reported(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("not_reported") is True


def clean_value(spec: FieldSpec, raw: Any) -> Any:
    """Validate one answer and return its canonical value (None when empty). Raises FieldValueError."""
    if _is_blank(raw):
        return None
    if isinstance(raw, Mapping) and "not_reported" in raw:
        if raw["not_reported"] is not True or len(raw) != 1:
            raise FieldValueError('Send "not reported" alone, as {"not_reported": true}')
        return dict(NOT_REPORTED)
    kind = spec.type
    if kind == FieldType.SHORT_TEXT:
        return _text(raw, MAX_SHORT)
    if kind == FieldType.LONG_TEXT:
        return _text(raw, MAX_LONG)
    if kind == FieldType.INTEGER:
        return _integer(raw)
    if kind == FieldType.DECIMAL:
        return _decimal(raw)
    if kind == FieldType.YES_NO:
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        answer = str(raw).strip().lower()
        if answer not in YES_NO:
            raise FieldValueError("Answer yes, no or unclear")
        return answer
    if kind == FieldType.SINGLE:
        return _single(spec, raw)
    if kind == FieldType.MULTIPLE:
        return _multiple(spec, raw)
    if kind == FieldType.DATE:
        return _date(raw)
    if kind == FieldType.YEAR:
        return _year(raw)
    if kind == FieldType.COUNTRY:
        return _country(raw)
    if kind == FieldType.URL:
        return _url(raw)
    raise FieldValueError(f"Unknown field type {kind!r}")


def selected(spec: FieldSpec, value: Any) -> list[str]:
    """The category values an answer selects (choice, yes/no and country fields); none for "not reported"."""
    if value is None or is_not_reported(value):
        return []
    if spec.type == FieldType.SINGLE and isinstance(value, Mapping):
        return [str(value.get("choice"))]
    if spec.type == FieldType.MULTIPLE and isinstance(value, Mapping):
        chosen = [str(v) for v in value.get("choices") or []]
        return [*chosen, OTHER] if value.get("other") else chosen
    return [str(value)]


def display_value(spec: FieldSpec, value: Any) -> str:
    """A person-readable answer: labels instead of codes, the unit after a number, '' when empty."""
    if value is None:
        return ""
    if is_not_reported(value):
        return NOT_REPORTED_LABEL
    kind = spec.type
    if kind == FieldType.YES_NO:
        return YES_NO.get(str(value), str(value))
    if kind == FieldType.COUNTRY:
        return COUNTRIES.get(str(value), str(value))
    if kind in CHOICE_TYPES and isinstance(value, Mapping):
        labels = choice_labels(spec)
        parts = [labels.get(v, v) for v in selected(spec, value) if v != OTHER]
        if value.get("other"):
            parts.append(f"Other: {value['other']}")
        return "; ".join(parts)
    if kind == FieldType.DECIMAL and spec.unit:
        return f"{value} {spec.unit}"
    return str(value)


def number(value: Any) -> float | None:
    """A numeric answer as float for statistics; None for empty or non-numeric."""
    if value is None or isinstance(value, bool | Mapping):
        return None
    try:
        return float(Decimal(str(value)))
    except InvalidOperation:
        return None


def condition_met(spec: FieldSpec, parent: FieldSpec | None, parent_value: Any) -> bool:
    """Whether a conditional field applies, given the current answer of the field it depends on."""
    if not spec.condition_key:
        return True
    if parent is None:
        return True  # the field it depended on was removed: show it rather than hide data
    if parent_value is None:
        return False
    wanted = spec.condition_value.strip()
    if parent.type in CATEGORICAL_TYPES:
        return wanted in selected(parent, parent_value)
    return str(parent_value).strip().lower() == wanted.lower()

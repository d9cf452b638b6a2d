"""Stable names: field keys, section keys and choice values. They become CSV column names, so they are
ASCII snake_case starting with a letter (valid names in R, Stata and pandas alike)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.text import slugify

from charting.fieldtypes import OTHER

MAX_KEY = 40


def make_key(text: str, taken: Iterable[str] = (), *, fallback: str = "field") -> str:
    base = slugify(text).replace("-", "_")
    base = re.sub(r"_+", "_", base).strip("_")[:MAX_KEY].rstrip("_")
    if not base or not base[0].isalpha():
        base = f"{fallback}_{base}".rstrip("_")
    used = set(taken)
    key, n = base, 2
    while key in used:
        key = f"{base}_{n}"
        n += 1
    return key


def choice_entries(labels: Iterable[str]) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    for label in labels:
        value = make_key(label, [e["value"] for e in entries] + [OTHER], fallback="option")
        entries.append({"value": value, "label": label.strip()})
    return entries


class ChoiceLinesError(ValueError):
    pass


def parse_choice_lines(text: str, existing: list[dict[str, str]]) -> list[dict[str, str]]:
    """One option per line. `code = Label` keeps (or sets) a code; a bare label keeps the code of an existing
    option with that label, or gets a new code from the label. Codes never change silently, so data stays put."""
    by_label = {e["label"].strip().lower(): e["value"] for e in existing}
    entries: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        code, sep, label = line.partition("=")
        if sep and re.fullmatch(r"[a-z][a-z0-9_]*", code.strip()) and label.strip():
            value, label = code.strip(), label.strip()
        else:
            label = line
            value = by_label.get(label.lower()) or make_key(
                label, [e["value"] for e in entries] + [e["value"] for e in existing] + [OTHER], fallback="option"
            )
        if value == OTHER:
            raise ChoiceLinesError("'other' is reserved: tick 'Offer Other, specify' instead of listing Other")
        if any(e["value"] == value for e in entries):
            raise ChoiceLinesError(f"Two options share the code {value!r}")
        if len(label) > 200:
            raise ChoiceLinesError("Keep each option under 200 characters")
        entries.append({"value": value, "label": label})
    return entries


def choice_lines(entries: list[dict[str, str]]) -> str:
    return "\n".join(f"{e['value']} = {e['label']}" for e in entries)

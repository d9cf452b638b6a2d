"""Addresses of answers: a field outside repeating groups is addressed by its key ("sample_size"); a field of a
repeating group by its key and the 1-based instance ("model_name#2"). Pure functions, no database.

Extractions, consensus, the comparison, the API and the exports all speak of answers by these addresses, so one
mapping `{address: value}` holds a whole study, repeating groups included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SEP = "#"
MAX_INSTANCES = 50  # far more models, datasets or outcomes than one study reports; bounds a hostile request
MAX_QUOTE = 2000
MAX_PAGE = 20


class AddressError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def address(key: str, instance: int = 0) -> str:
    return f"{key}{SEP}{instance}" if instance else key


def parse_address(text: str) -> tuple[str, int]:
    """("model_name", 2) from "model_name#2"; ("aim", 0) from "aim". Raises AddressError."""
    key, sep, number = str(text).partition(SEP)
    if not sep:
        return key, 0
    if not number.isdigit() or number.startswith("0"):
        raise AddressError(f"{text!r}: the instance after {SEP} is a whole number from 1")
    instance = int(number)
    if instance > MAX_INSTANCES:
        raise AddressError(f"{text!r}: at most {MAX_INSTANCES} instances per group")
    return key, instance


def instance_count(values: Mapping[str, Any], keys: Iterable[str]) -> int:
    """How many instances of a group an answer set holds: the highest instance with any answer of its fields."""
    wanted = set(keys)
    highest = 0
    for addr, value in values.items():
        if value is None:
            continue
        key, _sep, number = addr.partition(SEP)
        if key in wanted and number.isdigit():
            highest = max(highest, int(number))
    return highest


def clean_source(raw: Any) -> tuple[str, str]:
    """A source given with an answer: {"quote": "...", "page": "12"} (either may be empty). Raises AddressError."""
    if raw is None:
        return "", ""
    if not isinstance(raw, Mapping) or set(raw) - {"quote", "page"}:
        raise AddressError('Give a source as {"quote": "...", "page": "..."}')
    quote, page = raw.get("quote") or "", raw.get("page") or ""
    if not isinstance(quote, str) or not isinstance(page, str | int) or isinstance(page, bool):
        raise AddressError("A quote is text and a page is text or a number")
    quote, page = quote.strip(), str(page).strip()
    if len(quote) > MAX_QUOTE:
        raise AddressError(f"Keep the quote under {MAX_QUOTE} characters (it has {len(quote)})")
    if len(page) > MAX_PAGE:
        raise AddressError(f"Keep the page under {MAX_PAGE} characters, e.g. 12 or S3")
    return quote, page


def condition_applies(spec: Any, parent: Any, answers: Mapping[str, Any], instance: int) -> bool:
    """Whether a conditional field applies in an instance (0 outside groups), given a study's answers by address.

    A condition on a field of the same repeating group is read in the same instance; on a field outside groups,
    from that field. A condition on a field of another repeating group has no single answer to read: the field is
    shown (rather than its answers cleared).
    """
    from charting.fieldtypes import condition_met

    if parent is None or not spec.condition_key:
        return condition_met(spec, parent, None)
    if parent.section.repeating:
        if not (instance and parent.section_id == spec.section_id):
            return True
        return condition_met(spec, parent, answers.get(address(parent.key, instance)))
    return condition_met(spec, parent, answers.get(parent.key))

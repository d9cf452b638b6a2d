"""Per-field size limits: one record's huge field must not set the memory of the import and of deduplication.

A field over its limit is cut to the limit with a warning naming the record, the line, the field and both sizes;
the uploaded file keeps the whole value (its bytes are stored as uploaded). Limits are counted in characters.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import itemgetter

from .base import ParsedRecord, Problem

# The longest title among the 80 real exports in the shared corpus is 346 characters and the longest field of any
# kind 99,855 (a Scopus 'References' cell), so these limits cut nothing real.
DEFAULT_MAX_TITLE_CHARS = 10_000
DEFAULT_MAX_FIELD_CHARS = 1_000_000


@dataclass(frozen=True, slots=True)
class FieldLimits:
    title: int = DEFAULT_MAX_TITLE_CHARS
    other: int = DEFAULT_MAX_FIELD_CHARS


_TEXT_FIELDS = tuple(f.name for f in fields(ParsedRecord) if f.type == "str" and f.name not in ("title", "abstract"))
_LIST_FIELDS = tuple(f.name for f in fields(ParsedRecord) if f.type == "list[str]")
_value = itemgetter(1)  # of a raw (tag, value) pair; map(len, map(_value, ...)) stays in C, a generator would not


def cap_record(record: ParsedRecord, limits: FieldLimits) -> list[Problem]:
    """Cut the record's fields that are over their limits (in place) and say what was cut; [] when none was."""
    if (
        len(record.title) <= limits.title
        and len(record.abstract) <= limits.other
        and (not record.raw or max(map(len, map(_value, record.raw))) <= limits.other)
    ):
        # Every other field is taken from one raw value (or a part of one), so none of them can be over either.
        return []
    problems: list[Problem] = []

    def cut(name: str, value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        problems.append(
            Problem(
                "warning",
                f"The {name} has {len(value):,} characters, over the limit of {limit:,}: only its first {limit:,} "
                "are imported (the uploaded file keeps the whole value)",
                record=record.position,
                line=record.line,
            )
        )
        return value[:limit]

    record.title = cut("title", record.title, limits.title)
    record.abstract = cut("abstract", record.abstract, limits.other)
    for name in _TEXT_FIELDS:
        setattr(record, name, cut(name.replace("_", " "), getattr(record, name), limits.other))
    for name in _LIST_FIELDS:
        values = getattr(record, name)
        setattr(record, name, [cut(f"{name.replace('_', ' ')} entry", value, limits.other) for value in values])
    record.raw = [(tag, cut(f"original field {tag!r}", value, limits.other)) for tag, value in record.raw]
    return problems

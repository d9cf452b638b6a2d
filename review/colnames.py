"""Column names that R, Stata and SPSS all accept, made from any name: a pure helper every export can use.

Stata is the strictest reader: at most 32 characters, letters, digits and underscores, not starting with a
digit, and not one of its reserved words. A name that already fits is kept as it is. A longer one keeps its
first 27 characters and ends in "_" and four hex digits of a hash of the whole name, so the same full name gives
the same short name in every export and every version of the form (a codebook maps it back to the full name).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

LIMIT = 32
_INVALID = re.compile(r"[^A-Za-z0-9_]")
# Stata's reserved names (help reswords) and R's (?Reserved: read.csv would rename them).
RESERVED = frozenset(
    (
        "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long", "_n", "_N", "_pi",
        "_pred", "_rc", "_skip", "str", "strL", "using", "with", "else", "repeat", "while", "function", "for",
        "next", "break", "TRUE", "FALSE", "NULL", "Inf", "NaN", "NA",
        *(f"str{n}" for n in range(1, 2046)),
    )
)  # fmt: skip


def stata_name(name: str, *, limit: int = LIMIT) -> str:
    """One name made valid; deterministic (no knowledge of the other columns)."""
    clean = _INVALID.sub("_", name) or "v"
    if clean[0].isdigit():
        clean = "v" + clean
    if clean in RESERVED:
        clean += "_"
    if len(clean) <= limit:
        return clean
    digest = hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:4]
    return f"{clean[: limit - 5]}_{digest}"


def stata_names(names: Iterable[str], *, limit: int = LIMIT) -> list[str]:
    """Valid, unique names for a header, in order; a clash (two names equal once made valid) gets _2, _3..."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        short = stata_name(name, limit=limit)
        candidate, n = short, 2
        while candidate.lower() in seen:  # Stata names are case-sensitive, but R users on Windows are not
            suffix = f"_{n}"
            candidate = short[: limit - len(suffix)] + suffix
            n += 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out

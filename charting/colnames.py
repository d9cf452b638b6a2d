"""Column names that Stata accepts: at most 32 characters, unique. Pure functions.

A name that fits is kept as it is; a longer one is cut and given a numbered suffix ("model_architecture_long_na_01")
so the wide file stays readable in R and Stata alike. The column dictionary export (charting.exports) pairs every
short name with its full name, field, group, instance and option.
"""

from __future__ import annotations

from collections.abc import Iterable

LIMIT = 32


def short_names(names: Iterable[str], limit: int = LIMIT) -> list[str]:
    """The names as given when they fit, else cut to fit with a two-digit (or longer) suffix; all unique."""
    wanted = list(names)
    taken = {name for name in wanted if len(name) <= limit}
    result = []
    counter = 0
    for name in wanted:
        if len(name) <= limit:
            result.append(name)
            continue
        while True:
            counter += 1
            suffix = f"_{counter:02d}"
            candidate = name[: limit - len(suffix)].rstrip("_") + suffix
            if candidate not in taken:
                break
        taken.add(candidate)
        result.append(candidate)
    return result

"""Template helpers for screening pages. Record text is always escaped before anything is wrapped around it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    cleaned = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    # Longest first so "transfer learning" wins over "learning"; word starts only, so "ECG" does not light up
    # inside another word; a trailing wildcard ("child*") matches the word's other endings.
    parts = [re.escape(t[:-1]) + r"\w*" if t.endswith("*") else re.escape(t) + r"\b" for t in cleaned]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def highlight_text(text: str, include: Sequence[str], exclude: Sequence[str]) -> SafeString:
    """Escape `text`, then wrap inclusion terms in green marks and exclusion terms in red ones."""
    text = str(text or "")
    marks: list[tuple[int, int, str]] = []
    for css, terms in (("term-include", include), ("term-exclude", exclude)):
        pattern = _pattern(terms)
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            if all(match.end() <= start or match.start() >= end for start, end, _ in marks):
                marks.append((match.start(), match.end(), css))
    marks.sort()
    out: list[str] = []
    position = 0
    for start, end, css in marks:
        out.append(escape(text[position:start]))
        out.append(f'<mark class="{css}">{escape(text[start:end])}</mark>')
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece of record text above went through escape())


@register.simple_tag
def highlight(text: str, config: object) -> SafeString:
    include = getattr(config, "include_terms", []) or []
    exclude = getattr(config, "exclude_terms", []) or []
    return highlight_text(text, include, exclude)


@register.filter
def kappa(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


@register.filter
def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def share(value: float | None) -> str:
    """A share in [0, 1] as a percentage, rounded down to 0.1%: a lower bound must never read higher than it is."""
    if value is None:
        return "-"
    tenths = math.floor(value * 1000 + 1e-9)
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths / 10:.1f}%"

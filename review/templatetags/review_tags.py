from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from review.access import ReviewAccess
from review.extensions import nav_items
from review.models import Role

register = template.Library()


@register.inclusion_tag("components/review_nav.html")
def review_nav(access: ReviewAccess, active: str = "") -> dict[str, Any]:
    """The review's sections; a section's pages (screening's conflicts, progress, settings) sit in a menu under it,
    so the bar stays on one line at 1366 px."""
    visible = [item for item in nav_items() if access.at_least(Role(item.min_role))]
    items: list[dict[str, Any]] = []
    heads: dict[str, dict[str, Any]] = {}
    for item in visible:
        url = reverse(item.url_name, args=[access.review.slug])
        entry = {"key": item.key, "label": item.label, "url": url, "children": [], "active": item.key == active}
        if item.group and item.group in heads:
            head = heads[item.group]
            head["children"].append({**entry, "label": item.sub_label or item.label})
            head["active"] = head["active"] or entry["active"]
        else:
            heads[item.key] = entry
            items.append(entry)
    return {"review": access.review, "access": access, "items": items, "active": active}

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
    items = [
        {"key": item.key, "label": item.label, "url": reverse(item.url_name, args=[access.review.slug])}
        for item in nav_items()
        if access.at_least(Role(item.min_role))
    ]
    return {"review": access.review, "access": access, "items": items, "active": active}

"""The review's section navigation. Apps add their sections in AppConfig.ready(); `review` imports none of them."""

from __future__ import annotations

from dataclasses import dataclass

from review.models import Role


@dataclass(frozen=True, slots=True)
class NavItem:
    key: str
    label: str
    url_name: str  # reversed with the review's slug as its only argument
    order: int
    min_role: Role = Role.VIEWER
    # The key of the section this page belongs under (a menu under that section's entry), or "" for a top entry.
    group: str = ""
    sub_label: str = ""  # its label inside the menu, when it differs


NAV_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.key != item.key for existing in NAV_ITEMS):
        NAV_ITEMS.append(item)
        NAV_ITEMS.sort(key=lambda i: i.order)

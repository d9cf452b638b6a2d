"""The PRISMA 2020 flow diagram as positioned boxes, lines and arrows; `templates/reporting/_diagram.svg` draws it.

Geometry lives here and text escaping in the template (Django escapes every value), so no record data or reason
label can inject markup into the SVG. Every number is a link to the records behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from reporting.prisma import PrismaCounts

LINE = 18  # px between text lines
PAD = 14
COL = {"l1": 60, "l2": 420, "r1": 800, "r2": 1100}
WIDTH = {"l1": 320, "l2": 320, "r1": 260, "r2": 260}
CHAR_PX = 7  # a generous average width of a 13 px Helvetica character: wrapped text stays inside its box


@dataclass(slots=True)
class Line:
    text: str
    url: str = ""
    bold: bool = False
    indent: bool = False  # a detail of the line above (a database, a reason)


@dataclass(slots=True)
class Box:
    key: str
    x: int
    y: int
    w: int
    lines: list[Line]
    fill: str = "#ffffff"
    h: int = 0

    def __post_init__(self) -> None:
        self.h = max(self.h, 2 * PAD + LINE * len(self.lines) - 4)

    @property
    def rows(self) -> list[tuple[int, int, Line]]:
        return [
            (self.x + (26 if line.indent else 10), self.y + PAD + 10 + i * LINE, line)
            for i, line in enumerate(self.lines)
        ]


@dataclass(slots=True)
class Diagram:
    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    arrows: list[tuple[int, int, int, int]] = field(default_factory=list)
    bands: list[tuple[int, int, str, int]] = field(default_factory=list)  # (y, height, label, middle) of phases


def wrap(text: str, *, width: int, url: str = "", bold: bool = False, indent: bool = False) -> list[Line]:
    """`text` as the lines of a box `width` px wide, broken between words (a word longer than a line is broken
    inside it); every line keeps the link. Nothing is cut off."""
    chars = max(10, (width - (26 if indent else 10) - 8) // CHAR_PX)
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > chars:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:chars])
            word = word[chars:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return [Line(line, url, bold, indent) for line in lines]


def _height(lines: list[Line]) -> int:
    return 2 * PAD + LINE * len(lines) - 4


def build_diagram(*, counts: PrismaCounts, slug: str) -> Diagram:
    def url(node: str, reason: str = "", database: str = "") -> str:
        base = reverse("reporting:prisma-records", kwargs={"slug": slug, "node": node})
        query = {key: value for key, value in (("reason", reason), ("database", database)) if value}
        return f"{base}?{urlencode(query)}" if query else base

    widths = {**WIDTH, "r": WIDTH["r1"] + 40 + WIDTH["r2"]}  # the other-methods identification box spans both

    def n(label: str, node: str, value: int, col: str, bold: bool = False) -> list[Line]:
        return wrap(f"{label} (n = {value})", width=widths[col], url=url(node), bold=bold)

    def detail(label: str, value: int, link: str, col: str) -> list[Line]:
        return wrap(f"{label} (n = {value})", width=widths[col], url=link, indent=True)

    c = counts
    top = 60
    ident_l = [
        Line("Records identified from:", bold=True),
        *n("Databases", "database_results", c.database_results, "l1"),
    ]
    for name, v in c.database_specific:
        ident_l += detail(name, v, url("database_results", database=name), "l1")
    ident_l += n("Registers", "register_results", c.register_results, "l1")
    for name, v in c.register_specific:
        ident_l += detail(name, v, url("register_results", database=name), "l1")
    removed = [
        Line("Records removed before screening:", bold=True),
        *n("Duplicate records", "duplicates", c.duplicates, "l2"),
    ]
    for name, v in c.duplicates_specific:
        removed += detail(name, v, url("duplicates", database=name), "l2")
    if c.removed_before_import:
        removed.append(Line(f"of which removed before import (n = {c.removed_before_import})", indent=True))
    removed += n("Marked ineligible by automation tools", "excluded_automatic", c.excluded_automatic, "l2")
    removed += n("Removed for other reasons", "excluded_other", c.excluded_other, "l2")
    wide = widths["r"]
    ident_r = [
        Line("Records identified from:", bold=True),
        *n("Websites", "website_results", c.website_results, "r"),
        *n("Organisations", "organisation_results", c.organisation_results, "r"),
        *n("Citation searching", "citations_results", c.citations_results, "r"),
    ]
    if c.other_methods_results:
        ident_r += n("Hand searching and other", "other_methods_results", c.other_methods_results, "r")
    ident_r += n("Duplicate records removed", "other_duplicates", c.other_duplicates, "r")
    if c.other_removed_before_import:
        ident_r.append(Line(f"of which removed before import (n = {c.other_removed_before_import})", indent=True))
    ident_r += n("Removed for other reasons", "other_removed", c.other_removed, "r")
    h1 = max(_height(block) for block in (ident_l, removed, ident_r))
    boxes = [
        Box("identified", COL["l1"], top, WIDTH["l1"], ident_l, h=h1),
        Box("removed", COL["l2"], top, WIDTH["l2"], removed, h=h1),
        Box("identified_other", COL["r1"], top, wide, ident_r, h=h1),
    ]
    y2 = top + h1 + 50
    screened = n("Records screened", "records_screened", c.records_screened, "l1")
    if c.records_awaiting:
        screened += n("awaiting a decision", "records_awaiting", c.records_awaiting, "l1")
    other_screened = n("Records screened", "other_screened", c.other_screened, "r1")
    if c.other_records_awaiting:
        other_screened += n("awaiting a decision", "other_records_awaiting", c.other_records_awaiting, "r1")
    h2 = max(60, *(_height(b) for b in (screened, other_screened)))
    boxes += [
        Box("screened", COL["l1"], y2, WIDTH["l1"], screened, h=h2),
        Box("excluded", COL["l2"], y2, WIDTH["l2"], n("Records excluded", "records_excluded", c.records_excluded, "l2"),
            h=h2),
        Box("other_screened", COL["r1"], y2, WIDTH["r1"], other_screened, h=h2),
        Box("other_excluded_ta", COL["r2"], y2, WIDTH["r2"],
            n("Records excluded", "other_records_excluded", c.other_records_excluded, "r2"), h=h2),
    ]  # fmt: skip
    y3 = y2 + h2 + 40

    def one(key: str, col: str, y: int, label: str, node: str) -> Box:
        return Box(key, COL[col], y, WIDTH[col], n(label, node, getattr(c, node), col))

    row3 = [
        one("sought", "l1", y3, "Reports sought for retrieval", "dbr_sought_reports"),
        one("notretrieved", "l2", y3, "Reports not retrieved", "dbr_notretrieved_reports"),
        one("other_sought", "r1", y3, "Reports sought for retrieval", "other_sought_reports"),
        one("other_notretrieved", "r2", y3, "Reports not retrieved", "other_notretrieved_reports"),
    ]
    h3 = max(50, *(b.h for b in row3))
    for b in row3:
        b.h = h3
    boxes += row3
    y4 = y3 + h3 + 40
    assessed = n("Reports assessed for eligibility", "dbr_assessed", c.dbr_assessed, "l1")
    if c.dbr_awaiting:
        assessed += wrap(f"awaiting a decision (n = {c.dbr_awaiting})", width=WIDTH["l1"])
    excluded = n("Reports excluded", "dbr_excluded", c.dbr_excluded, "l2")
    for r, v in c.dbr_excluded_reasons:
        excluded += detail(r, v, url("dbr_excluded", r), "l2")
    other_assessed = n("Reports assessed for eligibility", "other_assessed", c.other_assessed, "r1")
    if c.other_awaiting:
        other_assessed += wrap(f"awaiting a decision (n = {c.other_awaiting})", width=WIDTH["r1"])
    other_excluded = n("Reports excluded", "other_excluded", c.other_excluded, "r2")
    for r, v in c.other_excluded_reasons:
        other_excluded += detail(r, v, url("other_excluded", r), "r2")
    h4 = max(50, *(_height(b) for b in (assessed, excluded, other_assessed, other_excluded)))
    boxes += [
        Box("assessed", COL["l1"], y4, WIDTH["l1"], assessed, h=h4),
        Box("reports_excluded", COL["l2"], y4, WIDTH["l2"], excluded, h=h4),
        Box("other_assessed", COL["r1"], y4, WIDTH["r1"], other_assessed, h=h4),
        Box("other_reports_excluded", COL["r2"], y4, WIDTH["r2"], other_excluded, h=h4),
    ]
    y5 = y4 + h4 + 50
    updated = bool(c.previous_studies or c.previous_reports)  # an update of a previous review: PRISMA says "new"
    included = [
        *n("New studies included in review" if updated else "Studies included in review", "new_studies",
           c.new_studies, "l1", bold=True),
        *n("Reports of new included studies" if updated else "Reports of included studies", "new_reports",
           c.new_reports, "l1"),
    ]  # fmt: skip
    if updated:
        included += wrap(f"Studies included in previous version of review (n = {c.previous_studies})",
                         width=WIDTH["l1"])  # fmt: skip
        included += wrap(f"Reports of studies included in previous version (n = {c.previous_reports})",
                         width=WIDTH["l1"])  # fmt: skip
        included += n("Total studies included in review", "total_studies", c.total_studies, "l1", bold=True)
        included += n("Reports of total included studies", "total_reports", c.total_reports, "l1")
    h5 = max(60, _height(included))
    boxes.append(Box("included", COL["l1"], y5, WIDTH["l1"], included, h=h5))

    def mid_x(b: Box) -> int:
        return b.x + b.w // 2

    by = {b.key: b for b in boxes}
    arrows = [
        (mid_x(by["identified"]), top + h1, mid_x(by["identified"]), y2),
        (by["identified"].x + by["identified"].w, top + h1 // 2, by["removed"].x, top + h1 // 2),
        (mid_x(by["screened"]), y2 + h2, mid_x(by["screened"]), y3),
        (by["screened"].x + by["screened"].w, y2 + h2 // 2, by["excluded"].x, y2 + h2 // 2),
        (mid_x(by["sought"]), y3 + h3, mid_x(by["sought"]), y4),
        (by["sought"].x + by["sought"].w, y3 + h3 // 2, by["notretrieved"].x, y3 + h3 // 2),
        (by["assessed"].x + by["assessed"].w, y4 + h4 // 2, by["reports_excluded"].x, y4 + h4 // 2),
        (mid_x(by["assessed"]), y4 + h4, mid_x(by["assessed"]), y5),
        (mid_x(by["other_screened"]), top + h1, mid_x(by["other_screened"]), y2),
        (by["other_screened"].x + by["other_screened"].w, y2 + h2 // 2, by["other_excluded_ta"].x, y2 + h2 // 2),
        (mid_x(by["other_screened"]), y2 + h2, mid_x(by["other_sought"]), y3),
        (by["other_sought"].x + by["other_sought"].w, y3 + h3 // 2, by["other_notretrieved"].x, y3 + h3 // 2),
        (mid_x(by["other_sought"]), y3 + h3, mid_x(by["other_sought"]), y4),
        (by["other_assessed"].x + by["other_assessed"].w, y4 + h4 // 2, by["other_reports_excluded"].x, y4 + h4 // 2),
        (mid_x(by["other_assessed"]), y4 + h4, by["included"].x + by["included"].w, y5 + 30),
    ]
    height = y5 + h5 + 20
    phases = [(top, h1, "Identification"), (y2, y4 + h4 - y2, "Screening"), (y5, h5, "Included")]
    bands = [(y, h, label, y + h // 2) for y, h, label in phases]
    return Diagram(width=COL["r2"] + WIDTH["r2"] + 20, height=height, boxes=boxes, arrows=arrows, bands=bands)

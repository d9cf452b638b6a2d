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
MAX_LABEL = 46


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


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def build_diagram(*, counts: PrismaCounts, slug: str) -> Diagram:
    def url(node: str, reason: str = "", database: str = "") -> str:
        base = reverse("reporting:prisma-records", kwargs={"slug": slug, "node": node})
        query = {key: value for key, value in (("reason", reason), ("database", database)) if value}
        return f"{base}?{urlencode(query)}" if query else base

    def n(label: str, node: str, value: int, bold: bool = False) -> Line:
        return Line(f"{label} (n = {value})", url(node), bold)

    c = counts
    top = 60
    ident_l = [Line("Records identified from:", bold=True), n("Databases", "database_results", c.database_results)]
    ident_l += [Line(f"{_short(name)} (n = {v})", url("database_results", database=name), indent=True)
                for name, v in c.database_specific]  # fmt: skip
    ident_l.append(n("Registers", "register_results", c.register_results))
    ident_l += [Line(f"{_short(name)} (n = {v})", url("register_results", database=name), indent=True)
                for name, v in c.register_specific]  # fmt: skip
    removed = [Line("Records removed before screening:", bold=True), n("Duplicate records", "duplicates", c.duplicates)]
    removed += [Line(f"{_short(name)} (n = {v})", url("duplicates", database=name), indent=True)
                for name, v in c.duplicates_specific]  # fmt: skip
    removed += [
        n("Marked ineligible by automation tools", "excluded_automatic", c.excluded_automatic),
        n("Removed for other reasons", "excluded_other", c.excluded_other),
    ]
    ident_r = [
        Line("Records identified from:", bold=True),
        n("Websites", "website_results", c.website_results),
        n("Organisations", "organisation_results", c.organisation_results),
        n("Citation searching", "citations_results", c.citations_results),
    ]
    if c.other_methods_results:
        ident_r.append(n("Hand searching and other", "other_methods_results", c.other_methods_results))
    if c.other_duplicates:
        ident_r.append(n("Duplicates removed", "other_duplicates", c.other_duplicates))
    h1 = max(2 * PAD + LINE * len(block) - 4 for block in (ident_l, removed, ident_r))
    boxes = [
        Box("identified", COL["l1"], top, WIDTH["l1"], ident_l, h=h1),
        Box("removed", COL["l2"], top, WIDTH["l2"], removed, h=h1),
        Box("identified_other", COL["r1"], top, WIDTH["r1"] + 40 + WIDTH["r2"], ident_r, h=h1),
    ]
    y2 = top + h1 + 50
    screened = [n("Records screened", "records_screened", c.records_screened)]
    if c.records_awaiting:
        screened.append(n("awaiting a decision", "records_awaiting", c.records_awaiting))
    boxes += [
        Box("screened", COL["l1"], y2, WIDTH["l1"], screened, h=60),
        Box(
            "excluded",
            COL["l2"],
            y2,
            WIDTH["l2"],
            [n("Records excluded", "records_excluded", c.records_excluded)],
            h=60,
        ),
    ]
    y3 = y2 + 60 + 40

    def one(key: str, col: str, y: int, label: str, node: str, h: int) -> Box:
        return Box(key, COL[col], y, WIDTH[col], [n(label, node, getattr(c, node))], h=h)

    boxes += [
        one("sought", "l1", y3, "Reports sought for retrieval", "dbr_sought_reports", 50),
        one("notretrieved", "l2", y3, "Reports not retrieved", "dbr_notretrieved_reports", 50),
        one("other_sought", "r1", y3, "Reports sought for retrieval", "other_sought_reports", 50),
        one("other_notretrieved", "r2", y3, "Reports not retrieved", "other_notretrieved_reports", 50),
    ]
    y4 = y3 + 50 + 40
    assessed = [n("Reports assessed for eligibility", "dbr_assessed", c.dbr_assessed)]
    if c.dbr_awaiting:
        assessed.append(Line(f"awaiting a decision (n = {c.dbr_awaiting})"))
    excluded = [n("Reports excluded", "dbr_excluded", c.dbr_excluded)]
    excluded += [Line(f"{_short(r)} (n = {v})", url("dbr_excluded", r), indent=True) for r, v in c.dbr_excluded_reasons]
    other_excluded = [n("Reports excluded", "other_excluded", c.other_excluded)]
    other_excluded += [
        Line(f"{_short(r)} (n = {v})", url("other_excluded", r), indent=True) for r, v in c.other_excluded_reasons
    ]
    h4 = max(50, *(2 * PAD + LINE * len(b) - 4 for b in (assessed, excluded, other_excluded)))
    boxes += [
        Box("assessed", COL["l1"], y4, WIDTH["l1"], assessed, h=h4),
        Box("reports_excluded", COL["l2"], y4, WIDTH["l2"], excluded, h=h4),
        one("other_assessed", "r1", y4, "Reports assessed", "other_assessed", h4),
        Box("other_reports_excluded", COL["r2"], y4, WIDTH["r2"], other_excluded, h=h4),
    ]
    y5 = y4 + h4 + 50
    included = [
        n("Studies included in review", "new_studies", c.new_studies, bold=True),
        n("Reports of included studies", "new_reports", c.new_reports),
    ]
    boxes.append(Box("included", COL["l1"], y5, WIDTH["l1"], included, h=60))

    def mid_x(b: Box) -> int:
        return b.x + b.w // 2

    def mid_y(b: Box) -> int:
        return b.y + b.h // 2

    by = {b.key: b for b in boxes}
    arrows = [
        (mid_x(by["identified"]), by["identified"].y + h1, mid_x(by["identified"]), y2),
        (by["identified"].x + by["identified"].w, mid_y(by["identified"]), by["removed"].x, mid_y(by["identified"])),
        (mid_x(by["screened"]), y2 + 60, mid_x(by["screened"]), y3),
        (by["screened"].x + by["screened"].w, y2 + 30, by["excluded"].x, y2 + 30),
        (mid_x(by["sought"]), y3 + 50, mid_x(by["sought"]), y4),
        (by["sought"].x + by["sought"].w, y3 + 25, by["notretrieved"].x, y3 + 25),
        (by["assessed"].x + by["assessed"].w, y4 + h4 // 2, by["reports_excluded"].x, y4 + h4 // 2),
        (mid_x(by["assessed"]), y4 + h4, mid_x(by["assessed"]), y5),
        (mid_x(by["other_sought"]), by["identified_other"].y + h1, mid_x(by["other_sought"]), y3),
        (by["other_sought"].x + by["other_sought"].w, y3 + 25, by["other_notretrieved"].x, y3 + 25),
        (mid_x(by["other_sought"]), y3 + 50, mid_x(by["other_sought"]), y4),
        (by["other_assessed"].x + by["other_assessed"].w, y4 + h4 // 2, by["other_reports_excluded"].x, y4 + h4 // 2),
        (mid_x(by["other_assessed"]), y4 + h4, by["included"].x + by["included"].w, y5 + 30),
    ]
    height = y5 + 60 + 20
    phases = [(top, h1, "Identification"), (y2, y4 + h4 - y2, "Screening"), (y5, 60, "Included")]
    bands = [(y, h, label, y + h // 2) for y, h, label in phases]
    return Diagram(width=COL["r2"] + WIDTH["r2"] + 20, height=height, boxes=boxes, arrows=arrows, bands=bands)

"""Server-rendered SVG charts: horizontal bars, columns over time and a two-level Sankey diagram.

Built with ElementTree, which escapes every label, so a study or option called "<script>" stays text.
The SVG is standalone (xmlns, own font and colours) so a downloaded file opens in any viewer or editor.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from charting.summaries import Link

FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
INK, MUTED, BAR = "#1d2430", "#5d6778", "#2457c5"
PALETTE = ["#2457c5", "#1e7b43", "#b3261e", "#9a6200", "#6b3fa0", "#0f7c8c", "#c2417a", "#5d6778"]


def _svg(width: int, height: int, title: str) -> ET.Element:
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "font-family": FONT,
            "font-size": "12",
        },
    )
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "rect", {"width": str(width), "height": str(height), "fill": "#ffffff"})
    heading = ET.SubElement(root, "text", {"x": "8", "y": "18", "font-size": "14", "font-weight": "600", "fill": INK})
    heading.text = title
    return root


def _text(parent: ET.Element, x: float, y: float, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "fill": attrs.pop("fill", INK), **attrs})
    node.text = text
    return node


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _render(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")


def bar_chart(title: str, bars: Sequence[tuple[str, int]], *, note: str = "") -> str:
    """Horizontal bars with the count (and the label) written beside each."""
    label_w, bar_w, row_h, top = 220, 360, 22, 34
    height = top + row_h * max(len(bars), 1) + (28 if note else 12)
    root = _svg(label_w + bar_w + 70, height, title)
    biggest = max((n for _l, n in bars), default=0) or 1
    for i, (label, n) in enumerate(bars):
        y = top + i * row_h
        _text(root, label_w - 6, y + 14, _clip(label, 34), **{"text-anchor": "end"})
        width = bar_w * n / biggest
        ET.SubElement(
            root, "rect", {"x": str(label_w), "y": str(y + 3), "width": f"{width:.1f}", "height": "15", "fill": BAR}
        )
        _text(root, label_w + width + 5, y + 14, str(n), fill=MUTED)
    if not bars:
        _text(root, 8, top + 14, "No data yet", fill=MUTED)
    if note:
        _text(root, 8, height - 10, note, fill=MUTED)
    return _render(root)


def column_chart(title: str, columns: Sequence[tuple[str, int]]) -> str:
    """Counts over time (years or quarters), labels rotated under the columns."""
    col_w, plot_h, top, bottom = 26, 180, 40, 90
    width = max(320, 60 + col_w * len(columns))
    root = _svg(width, top + plot_h + bottom, title)
    biggest = max((n for _l, n in columns), default=0) or 1
    base = top + plot_h
    ET.SubElement(root, "line", {"x1": "40", "y1": str(base), "x2": str(width - 10), "y2": str(base), "stroke": MUTED})
    for i, (label, n) in enumerate(columns):
        x = 44 + i * col_w
        h = plot_h * n / biggest
        ET.SubElement(
            root,
            "rect",
            {"x": str(x), "y": f"{base - h:.1f}", "width": str(col_w - 6), "height": f"{h:.1f}", "fill": BAR},
        )
        if n:
            _text(root, x + (col_w - 6) / 2, base - h - 4, str(n), fill=MUTED, **{"text-anchor": "middle"})
        _text(
            root,
            x + (col_w - 6) / 2,
            base + 12,
            _clip(label, 22),
            **{"text-anchor": "end", "transform": f"rotate(-55 {x + (col_w - 6) / 2:.1f} {base + 12})"},
        )
    if not columns:
        _text(root, 44, top + 20, "No data yet", fill=MUTED)
    return _render(root)


def sankey(title: str, links: Sequence[Link], *, source_label: str, target_label: str) -> str:
    """Two columns of nodes (source and target categories) joined by bands as wide as their study counts."""
    total = sum(link.n for link in links)
    sources = list(dict.fromkeys(link.source for link in links))
    targets = list(dict.fromkeys(link.target for link in links))
    gap, top, node_w, left_x, right_x, width = 10, 52, 14, 200, 560, 780
    usable = 320
    height = top + usable + gap * max(len(sources), len(targets), 1) + 20
    root = _svg(width, height, title)
    _text(root, left_x + node_w, 38, source_label, fill=MUTED, **{"text-anchor": "end"})
    _text(root, right_x, 38, target_label, fill=MUTED)
    if not total:
        _text(root, 8, top + 20, "No studies have both fields yet", fill=MUTED)
        return _render(root)
    scale = usable / total

    def layout(names: list[str], side: str) -> dict[str, float]:
        y, tops = float(top), {}
        for name in names:
            tops[name] = y
            y += scale * sum(link.n for link in links if getattr(link, side) == name) + gap
        return tops

    src_top, tgt_top = layout(sources, "source"), layout(targets, "target")
    src_off, tgt_off = dict(src_top), dict(tgt_top)
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sources)}
    for link in links:
        h = scale * link.n
        y0, y1 = src_off[link.source], tgt_off[link.target]
        src_off[link.source] += h
        tgt_off[link.target] += h
        x0, x1, mid = left_x + node_w, right_x, (left_x + node_w + right_x) / 2
        path = (
            f"M{x0},{y0:.1f} C{mid},{y0:.1f} {mid},{y1:.1f} {x1},{y1:.1f} "
            f"L{x1},{y1 + h:.1f} C{mid},{y1 + h:.1f} {mid},{y0 + h:.1f} {x0},{y0 + h:.1f} Z"
        )
        band = ET.SubElement(root, "path", {"d": path, "fill": colour[link.source], "fill-opacity": "0.35"})
        ET.SubElement(band, "title").text = f"{link.source} → {link.target}: {link.n}"
    for names, tops, x, anchor, dx in (
        (sources, src_top, left_x, "end", -6),
        (targets, tgt_top, right_x, "start", node_w + 6),
    ):
        side = "source" if names is sources else "target"
        for name in names:
            n = sum(link.n for link in links if getattr(link, side) == name)
            h = scale * n
            fill = colour.get(name, INK) if side == "source" else INK
            ET.SubElement(
                root,
                "rect",
                {"x": str(x), "y": f"{tops[name]:.1f}", "width": str(node_w), "height": f"{h:.1f}", "fill": fill},
            )
            _text(root, x + dx, tops[name] + h / 2 + 4, f"{_clip(name, 26)} ({n})", **{"text-anchor": anchor})
    return _render(root)

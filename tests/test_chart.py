"""Radar and trend charts: labels and legends never overlap and stay inside the chart.

Text boxes are measured with the real DejaVu Sans metrics (fontTools comes with
WeasyPrint), independently of the chart's own estimate of text widths.
"""

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import combinations

import pytest
from fontTools.ttLib import TTFont

from assessment.reports.chart import PALETTE, Series, TrendPoint, radar_svg, trend_svg

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
NS = "{http://www.w3.org/2000/svg}"
PHONE_WIDTH = 366  # 390 px viewport minus the container's padding
AXES = [
    "Intelligence sharing",
    "Legal and ethical compliance",
    "Interoperability of joint operations and training",
    "Trust and political alignment",
]


@functools.cache
def _metrics():
    font = TTFont(FONT)
    return font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm


def text_width(text: str, size: float) -> float:
    cmap, hmtx, units = _metrics()
    return sum(hmtx[cmap[ord(c)]][0] if ord(c) in cmap else units for c in text) * size / units


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def intersects(self, other: "Box") -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def inside(self, width: float, height: float) -> bool:
        return 0 <= self.x0 and self.x1 <= width and 0 <= self.y0 and self.y1 <= height

    def union(self, other: "Box") -> "Box":
        return Box(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )


def text_box(text: ET.Element) -> Box:
    """The ink box of a <text>: each tspan's measured width, ascent and descent."""
    size = float(text.get("font-size"))
    anchor = text.get("text-anchor", "start")
    box = None
    for tspan in text.iter(f"{NS}tspan"):
        x, y = float(tspan.get("x")), float(tspan.get("y"))
        width = text_width(tspan.text or "", size)
        x0 = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        line = Box(x0, y - 0.93 * size, x0 + width, y + 0.24 * size)
        box = line if box is None else box.union(line)
    assert box is not None, "a label without tspans"
    return box


def parse(svg: str) -> tuple[ET.Element, float, float]:
    root = ET.fromstring(svg)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    return root, width, height


def legend_entries(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if g.get("class") == "legend-entry"]


def legend_box(entry: ET.Element) -> Box:
    swatch = entry.find(f"{NS}line")
    x1, x2, y = (float(swatch.get(a)) for a in ("x1", "x2", "y1"))
    return Box(x1, y - 2, x2, y + 2).union(text_box(entry.find(f"{NS}text")))


def axis_labels(root: ET.Element) -> list[ET.Element]:
    return [t for t in root.iter(f"{NS}text") if t.get("class") == "axis-label"]


def lines_of(text: ET.Element) -> list[str]:
    return [tspan.text or "" for tspan in text.iter(f"{NS}tspan")]


def name_of_length(length: int, *, spaces: bool, index: int) -> str:
    word = "Wagadugu-Nouakchott" if spaces else "W"
    base = f"{index}{'M' if not spaces else ' '}"
    text = base
    while len(text) < length:
        text += word + (" " if spaces else "")
    return text[:length].strip() or "X"


def radar(names: list[str], axes: list[str] = AXES) -> str:
    series = [
        Series(name, [(37 * i + 11 * j) % 101 for j in range(len(axes))], PALETTE[i % 6], i == 0)
        for i, name in enumerate(names)
    ]
    return radar_svg(axes, series, title="Scores", description="Radar chart.")


def assert_laid_out(svg: str, names: list[str]) -> None:
    root, width, height = parse(svg)
    assert root.get("width") == f"{width:g}" and root.get("height") == f"{height:g}"
    entries = legend_entries(root)
    assert len(entries) == len(names)
    boxes = [legend_box(e) for e in entries]
    labels = [text_box(t) for t in axis_labels(root)]
    for box in boxes + labels:
        assert box.inside(width, height), (box, width, height)
    for a, b in combinations(boxes + labels, 2):
        assert not a.intersects(b), (a, b)
    for entry, name in zip(entries, names, strict=True):
        lines = lines_of(entry.find(f"{NS}text"))
        assert "".join(lines).replace(" ", "") == name.replace(" ", "")
        size = float(entry.find(f"{NS}text").get("font-size"))
        assert all(text_width(line, size) <= width for line in lines)


@pytest.mark.parametrize("count", range(1, 7))
@pytest.mark.parametrize("length", [1, 40, 200])
@pytest.mark.parametrize("spaces", [True, False], ids=["words", "one-word"])
def test_radar_legend_wraps_and_never_overlaps(count, length, spaces):
    names = [name_of_length(length, spaces=spaces, index=i) for i in range(count)]
    assert_laid_out(radar(names), names)


@pytest.mark.parametrize("axis_count", [3, 4, 5, 6])
def test_radar_axis_labels_stay_inside_and_apart(axis_count):
    axes = (AXES * 2)[:axis_count]
    names = ["Sahel Partnership", "Bilateral agreement", "Multilateral alliance"]
    assert_laid_out(radar(names, axes), names)


def test_radar_grows_to_fit_long_legends():
    short = parse(radar(["A"] * 4))[2]
    long = parse(radar([name_of_length(200, spaces=False, index=i) for i in range(4)]))[2]
    assert long > short


def test_radar_text_stays_readable_on_a_phone():
    root, width, _ = parse(radar(["Sahel Partnership", "Bilateral agreement"]))
    for text in axis_labels(root) + [e.find(f"{NS}text") for e in legend_entries(root)]:
        assert float(text.get("font-size")) * PHONE_WIDTH / width >= 10


def test_radar_escapes_text_and_uses_no_style_attributes():
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    svg = radar([hostile, "Bilateral"], [hostile, "B", "C"])
    root, _, _ = parse(svg)
    assert "<script" not in svg
    assert "".join(lines_of(legend_entries(root)[0].find(f"{NS}text"))).replace(
        " ", ""
    ) == hostile.replace(" ", "")
    assert all(el.get("style") is None for el in root.iter())
    assert root.find(f".//{NS}style") is None


def test_trend_labels_stay_readable_and_apart():
    labels = [f"#{n} 2025-0{1 + n % 9}-1{n % 10}" for n in range(1, 13)]
    points = [TrendPoint(label, n * 8.0, n % 3 != 0) for n, label in enumerate(labels)]
    svg = trend_svg(points, title="Trend", description="Line.")
    root, width, height = parse(svg)
    ticks = [text_box(t) for t in root.iter(f"{NS}text") if t.get("class") == "x-label"]
    assert ticks
    for box in ticks:
        assert box.inside(width, height)
    for a, b in combinations(ticks, 2):
        assert not a.intersects(b), (a, b)
    labels = [t for t in root.iter(f"{NS}text") if t.find(f"{NS}tspan") is not None]
    assert len(labels) == len(ticks) + 2  # the ticks, and the legend's two keys
    for text in labels:
        assert text_box(text).inside(width, height)
        assert float(text.get("font-size")) * PHONE_WIDTH / width >= 9

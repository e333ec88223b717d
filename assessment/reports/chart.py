"""Radar and trend charts as SVG strings, rendered on the server.

The same SVG goes into the results page and the PDF. Every chart has a <title>
and <desc>, and pages show a data table beside it for screen readers. Only
presentation attributes are used (no style attributes), so a strict CSP holds.

Charts are drawn in a narrow viewBox with large type, because they are scaled
down to the width of a phone (about 366 px) and must stay readable there. Text
cannot be measured on the server, so widths are estimated generously from
DejaVu Sans metrics (the font the PDF uses; browser fallbacks are narrower), and
labels and legend entries are wrapped, long words broken, to fit their space.
"""

import math
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ["#0b3d91", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#1098ad"]

RADAR_WIDTH = 540
MARGIN = 10
RADIUS = 128
AXIS_FONT, AXIS_LINE = 16, 19
LEGEND_FONT, LEGEND_LINE = 15, 18
RING_FONT = 14
SWATCH, SWATCH_GAP, COLUMN_GAP, ROW_GAP = 28, 8, 24, 8
ASCENT, DESCENT = 0.93, 0.24  # DejaVu Sans, in em

# Advance widths in em, rounded up from DejaVu Sans.
_NARROW = dict.fromkeys(" !\"'(),-./:;I[\\]`fijlrt|J", 0.42)
_WIDE = dict.fromkeys("#%&+<=>@MW^mw~", 1.0)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    color: str
    dashed: bool = False
    filled: bool = False


def _char_width(char: str) -> float:
    if char in _NARROW:
        return _NARROW[char]
    if char in _WIDE:
        return _WIDE[char]
    if char.isascii():
        return 0.79 if char.isupper() else 0.64
    if unicodedata.combining(char):
        return 0.0
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.8


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width of `text` at font size `size`."""
    return size * sum(_char_width(c) for c in text)


def wrap_text(text: str, width: float, size: float) -> list[str]:
    """Lines no wider than `width`: break at spaces, and inside words too long for a line."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += " " + word
            continue
        while text_width(word, size) > width:
            cut = 1
            while cut < len(word) and text_width(word[: cut + 1], size) <= width:
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        if word:
            lines.append(word)
    return lines or [""]


def _text(lines: list[str], x: float, first_baseline: float, line_height: float, attrs: str):
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first_baseline + line_height * n:.1f}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f"<text {attrs}>{spans}</text>"


def _point(cx: float, cy: float, radius: float, index: int, count: int, value: float):
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * max(0.0, min(value, 100.0)) / 100.0
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


@dataclass(frozen=True)
class _AxisLabel:
    lines: list[str]
    x: float  # relative to the centre
    top: float  # relative to the centre
    anchor: str

    @property
    def bottom(self) -> float:
        return self.top + AXIS_LINE * len(self.lines)


def _axis_labels(axes: list[str], count: int) -> list[_AxisLabel]:
    """Wrap each axis label to the room between its end of the axis and the chart's edge."""
    labels = []
    half = RADAR_WIDTH / 2 - MARGIN
    for i, label in enumerate(axes):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        cos, sin = math.cos(angle), math.sin(angle)
        x = (RADIUS + 12) * cos
        y = (RADIUS + 12) * sin
        if abs(cos) < 0.2:
            anchor, room = "middle", min(2 * (half - abs(x)), 300)
        else:
            anchor, room = ("start" if cos > 0 else "end"), half - abs(x)
            x += 2 if cos > 0 else -2
        lines = wrap_text(label, room, AXIS_FONT)
        height = AXIS_LINE * len(lines)
        # Above the top of the chart the block sits on its point, below it hangs from
        # it, on the sides it is centred on it.
        top = y + height * (sin - 1) / 2
        if abs(sin) < 0.99 and abs(cos) >= 0.2:
            top += 4 * sin
        labels.append(_AxisLabel(lines, x, top, anchor))
    return labels


def radar_svg(
    axes: list[str],
    series: list[Series],
    *,
    title: str,
    description: str,
    chart_id: str = "radar",
) -> SafeString:
    width = RADAR_WIDTH
    count = max(len(axes), 3)
    labels = _axis_labels(axes, count)
    cx = width / 2
    cy = MARGIN + max([RADIUS + 4] + [-label.top for label in labels])
    plot_bottom = cy + max([RADIUS + 4] + [label.bottom for label in labels])

    legend, legend_bottom = _legend(series, top=plot_bottom + 18)
    height = math.ceil(legend_bottom + MARGIN)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'font-family="DejaVu Sans, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for level in (20, 40, 60, 80, 100):
        ring = " ".join(
            "{:.1f},{:.1f}".format(*_point(cx, cy, RADIUS, i, count, level)) for i in range(count)
        )
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#ced4da" stroke-width="1"/>')
        x, y = _point(cx, cy, RADIUS, 0, count, level)
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 5:.1f}" font-size="{RING_FONT}" fill="#595f64">'
            f"{level}</text>"
        )
    for i, label in enumerate(labels):
        x, y = _point(cx, cy, RADIUS, i, count, 100)
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" '
            'stroke="#adb5bd" stroke-width="1"/>'
        )
        baseline = cy + label.top + (AXIS_LINE - AXIS_FONT) / 2 + ASCENT * AXIS_FONT
        parts.append(
            _text(
                label.lines,
                cx + label.x,
                baseline,
                AXIS_LINE,
                f'class="axis-label" font-size="{AXIS_FONT}" text-anchor="{label.anchor}" '
                'fill="#212529"',
            )
        )
    for s in series:
        points = [
            _point(cx, cy, RADIUS, i, count, v if v is not None else 0)
            for i, v in enumerate(s.values)
        ]
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        fill = s.color if s.filled else "none"
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(
            f'<polygon points="{coords}" fill="{fill}" fill-opacity="0.18" stroke="{s.color}" '
            f'stroke-width="{2.5 if s.filled else 1.8}"{dash}/>'
        )
        for (x, y), v in zip(points, s.values, strict=True):
            if v is not None and s.filled:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{s.color}"/>')
    parts.extend(legend)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def _legend(series: list[Series], *, top: float) -> tuple[list[str], float]:
    """Legend entries in a grid: two columns when every name fits one line, else one.

    A row is as tall as its tallest entry, so wrapped names never run into the next row.
    """
    inner = RADAR_WIDTH - 2 * MARGIN
    text_room = inner - SWATCH - SWATCH_GAP
    columns = 1
    if len(series) > 1:
        half = (inner - COLUMN_GAP) / 2 - SWATCH - SWATCH_GAP
        if all(text_width(s.name, LEGEND_FONT) <= half for s in series):
            columns, text_room = 2, half
    column_width = (inner - COLUMN_GAP * (columns - 1)) / columns
    parts, y = [], top
    for start in range(0, len(series), columns):
        row = series[start : start + columns]
        wrapped = [wrap_text(s.name, text_room, LEGEND_FONT) for s in row]
        baseline = y + (LEGEND_LINE - LEGEND_FONT) / 2 + ASCENT * LEGEND_FONT
        for column, (s, lines) in enumerate(zip(row, wrapped, strict=True)):
            x = MARGIN + column * (column_width + COLUMN_GAP)
            swatch_y = baseline - 0.35 * LEGEND_FONT
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            parts.append(
                '<g class="legend-entry">'
                f'<line x1="{x}" y1="{swatch_y:.1f}" x2="{x + SWATCH}" y2="{swatch_y:.1f}" '
                f'stroke="{s.color}" stroke-width="3"{dash}/>'
                + _text(
                    lines,
                    x + SWATCH + SWATCH_GAP,
                    baseline,
                    LEGEND_LINE,
                    f'font-size="{LEGEND_FONT}" fill="#212529"',
                )
                + "</g>"
            )
        y += LEGEND_LINE * max(len(lines) for lines in wrapped) + ROW_GAP
    return parts, y - ROW_GAP


TREND_WIDTH = 540
TREND_FONT, TREND_LINE = 15, 18


@dataclass(frozen=True)
class TrendPoint:
    label: str
    value: float | None
    approved: bool


def trend_svg(points: list[TrendPoint], *, title: str, description: str) -> SafeString:
    """Overall score per assessment: approved ones joined by a line, the others hollow
    and apart. Tick labels break at spaces and are thinned out when they would touch
    (the table beside the chart lists every point)."""
    left, top, right = 44, 14, 12
    plot_w, plot_h = TREND_WIDTH - left - right, 200
    n = len(points)
    slot = plot_w / n if n else plot_w
    wrapped = [wrap_text(p.label, min(max(slot - 6, 90), 200), TREND_FONT) for p in points]
    widest = max((text_width(line, TREND_FONT) for lines in wrapped for line in lines), default=0)
    step = max(1, math.ceil((widest + 8) / slot))
    line_count = max((len(lines) for lines in wrapped), default=1)
    legend_top = top + plot_h + 10 + TREND_LINE * line_count + 8
    height = math.ceil(legend_top + TREND_LINE + 8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" '
        f'viewBox="0 0 {TREND_WIDTH} {height}" width="{TREND_WIDTH}" height="{height}" '
        'role="img" aria-labelledby="trend-title trend-desc" '
        'font-family="DejaVu Sans, sans-serif">',
        f'<title id="trend-title">{escape(title)}</title>',
        f'<desc id="trend-desc">{escape(description)}</desc>',
    ]
    for level in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - level / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#dee2e6"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 5:.1f}" font-size="{TREND_FONT}" text-anchor="end">'
            f"{level}</text>"
        )
    ticks: list[tuple[float, list[str], float]] = []  # kept labels, latest first
    joined, apart = [], []
    for i in reversed(range(n)):
        x = left + plot_w * (i + 0.5) / n
        half = max(text_width(line, TREND_FONT) for line in wrapped[i]) / 2
        x = min(max(x, half + 2), TREND_WIDTH - half - 2)
        if (n - 1 - i) % step == 0 and (not ticks or x + half + 8 <= ticks[-1][0] - ticks[-1][2]):
            ticks.append((x, wrapped[i], half))
        if points[i].value is not None:
            xy = (left + plot_w * (i + 0.5) / n, top + plot_h * (1 - points[i].value / 100))
            (joined if points[i].approved else apart).insert(0, xy)
    for x, lines, _half in ticks:
        parts.append(
            _text(
                lines,
                x,
                top + plot_h + 10 + ASCENT * TREND_FONT,
                TREND_LINE,
                f'class="x-label" font-size="{TREND_FONT}" text-anchor="middle"',
            )
        )
    if len(joined) > 1:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in joined)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>'
        )
    for x, y in joined:
        parts.append(_trend_dot(x, y, approved=True))
    for x, y in apart:
        parts.append(_trend_dot(x, y, approved=False))
    baseline = legend_top + ASCENT * TREND_FONT
    keys = [(_("Approved"), True), (_("Draft or in review (not joined)"), False)]
    x = left
    for label, approved in keys:
        parts.append(_trend_dot(x + 5, baseline - 0.35 * TREND_FONT, approved=approved))
        parts.append(_text([label], x + 14, baseline, TREND_LINE, f'font-size="{TREND_FONT}"'))
        x += 14 + text_width(label, TREND_FONT) + 24
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def _trend_dot(x: float, y: float, *, approved: bool) -> str:
    if approved:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{PALETTE[0]}"/>'
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#ffffff" '
        f'stroke="{PALETTE[1]}" stroke-width="2"/>'
    )

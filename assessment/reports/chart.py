"""Radar and trend charts as SVG strings, rendered on the server.

The same SVG goes into the results page and the PDF. Every chart has a <title>
and <desc>, and pages show a data table beside it for screen readers. Only
presentation attributes are used (no style attributes), so a strict CSP holds.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ["#0b3d91", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#1098ad"]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    color: str
    dashed: bool = False
    filled: bool = False


def _point(cx: float, cy: float, radius: float, index: int, count: int, value: float):
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * max(0.0, min(value, 100.0)) / 100.0
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def radar_svg(
    axes: list[str],
    series: list[Series],
    *,
    title: str,
    description: str,
    chart_id: str = "radar",
) -> SafeString:
    width, height = 680, 430 + 22 * ((len(series) + 1) // 2)
    cx, cy, radius = width / 2, 215, 145
    count = max(len(axes), 3)
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
            "{:.1f},{:.1f}".format(*_point(cx, cy, radius, i, count, level)) for i in range(count)
        )
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#ced4da" stroke-width="1"/>')
        x, y = _point(cx, cy, radius, 0, count, level)
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" font-size="10" fill="#6c757d">{level}</text>'
        )
    for i, label in enumerate(axes):
        x, y = _point(cx, cy, radius, i, count, 100)
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" '
            'stroke="#adb5bd" stroke-width="1"/>'
        )
        lx, ly = _point(cx, cy, radius + 22, i, count, 100)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        lines = _wrap(label, 22)
        top = ly + 4 - 7 * (len(lines) - 1)
        spans = "".join(
            f'<tspan x="{lx:.1f}" y="{top + 14 * n:.1f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(f'<text font-size="12" text-anchor="{anchor}" fill="#212529">{spans}</text>')
    for s in series:
        points = [
            _point(cx, cy, radius, i, count, v if v is not None else 0)
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
    for i, s in enumerate(series):
        x = 60 + (i % 2) * 300
        y = 420 + 22 * (i // 2)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(
            f'<line x1="{x}" y1="{y}" x2="{x + 28}" y2="{y}" stroke="{s.color}" '
            f'stroke-width="3"{dash}/>'
        )
        parts.append(
            f'<text x="{x + 36}" y="{y + 4}" font-size="12" fill="#212529">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def _wrap(text: str, width: int) -> list[str]:
    """Split an axis label into lines of about `width` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


@dataclass(frozen=True)
class TrendPoint:
    label: str
    value: float | None
    approved: bool


def trend_svg(points: list[TrendPoint], *, title: str, description: str) -> SafeString:
    """Overall score over time: approved points joined by a line, others hollow."""
    width, height, left, top, plot_w, plot_h = 560, 280, 50, 20, 480, 190
    n = len(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="trend-title trend-desc" '
        f'font-family="DejaVu Sans, sans-serif">',
        f'<title id="trend-title">{escape(title)}</title>',
        f'<desc id="trend-desc">{escape(description)}</desc>',
    ]
    for level in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - level / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#dee2e6"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{level}</text>'
        )
    line = []
    for i, point in enumerate(points):
        x = left + (plot_w * (i + 0.5) / n if n else 0)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 18}" font-size="10" text-anchor="middle">'
            f"{escape(point.label)}</text>"
        )
        if point.value is None:
            continue
        y = top + plot_h * (1 - point.value / 100)
        if point.approved:
            line.append((x, y))
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[0]}"/>')
        else:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="#ffffff" '
                f'stroke="{PALETTE[1]}" stroke-width="2"/>'
            )
    if len(line) > 1:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>'
        )
    legend_y = top + plot_h + 44
    parts.append(f'<circle cx="{left + 6}" cy="{legend_y - 4}" r="4" fill="{PALETTE[0]}"/>')
    parts.append(
        f'<text x="{left + 16}" y="{legend_y}" font-size="11">{escape(_("Approved"))}</text>'
    )
    parts.append(
        f'<circle cx="{left + 126}" cy="{legend_y - 4}" r="4.5" fill="#ffffff" '
        f'stroke="{PALETTE[1]}" stroke-width="2"/>'
    )
    parts.append(
        f'<text x="{left + 136}" y="{legend_y}" font-size="11">'
        f"{escape(_('Draft or in review (not joined)'))}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped

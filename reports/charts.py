"""Small SVG charts, drawn on the server: the same markup in the web pages and in the PDFs
(WeasyPrint renders SVG), no JavaScript, nothing inline that the content security policy forbids.
Every chart has a title and a description for screen readers, and the pages show the numbers in a
table beside it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ("#0059b3", "#f29900", "#358000", "#a6192e", "#6b3fa0", "#747474")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # None: suppressed or unknown, drawn as a gap
    color: str = PALETTE[0]


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 4, 6, 8 or 10 times a power of ten that is at least `value` (the axis has
    four steps, so each step is a round number)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 4, 6, 8, 10) if step * magnitude >= value * (1 - 1e-9))


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f} %".replace(".", ",")
    return f"{value:,.0f}".replace(",", ".")


def bar_chart(
    title: str,
    labels: list[str],
    series: list[Series],
    *,
    width: int = 640,
    height: int = 220,
    percent: bool = False,
    capacity: tuple[float | None, ...] | None = None,
) -> SafeString:
    """Grouped vertical bars, one group per label; `capacity` draws a marker line per group."""
    left, right, top, bottom = 48, 8, 28 if len(series) > 1 or capacity else 8, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    if capacity:
        values += [c for c in capacity if c is not None]
    ymax = _nice_max(max(values, default=0))
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(min(group_w * 0.8 / max(len(series), 1), 40), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fhb-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        value = ymax * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dcdcdc" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#454545">'
            f"{escape(_fmt(value, percent))}</text>"
        )
    for g, label in enumerate(labels):
        x0 = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for s_index, s in enumerate(series):
            value = s.values[g] if g < len(s.values) else None
            x = x0 + s_index * bar_w
            if value is None:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - 4:.1f}" font-size="10" text-anchor="middle" '
                    f'fill="#747474">×</text>'
                )
                continue
            h = plot_h * value / ymax
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                f'fill="{s.color}"><title>{escape(label)} — {escape(s.name)}: '
                f"{escape(_fmt(value, percent))}</title></rect>"
            )
        if capacity and g < len(capacity) and capacity[g] is not None:
            y = top + plot_h - plot_h * capacity[g] / ymax
            parts.append(
                f'<line x1="{left + g * group_w + 2:.1f}" x2="{left + (g + 1) * group_w - 2:.1f}" y1="{y:.1f}" '
                f'y2="{y:.1f}" stroke="#1a1a1a" stroke-width="2" stroke-dasharray="4 2"/>'
            )
        parts.append(
            f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle" fill="#1a1a1a">{escape(label)}</text>'
        )
    legend = [(s.name, s.color, "rect") for s in series] if len(series) > 1 or capacity else []
    if capacity:
        legend.append((str(_("Kapacitet")), "#1a1a1a", "line"))
    x = left
    for name, color, shape in legend:
        if shape == "rect":
            parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{color}"/>')
        else:
            parts.append(
                f'<line x1="{x}" x2="{x + 12}" y1="14" y2="14" stroke="{color}" stroke-width="2" '
                f'stroke-dasharray="4 2"/>'
            )
        parts.append(f'<text x="{x + 16}" y="18" font-size="11" fill="#1a1a1a">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def stacked_bars(
    title: str, labels: list[str], series: list[Series], *, width: int = 640, height: int = 240
) -> SafeString:
    """Horizontal stacked bars, one per label (e.g. backlog by target group and status)."""
    left, right, top, bottom = 170, 16, 28, 8
    row_h = (height - top - bottom) / max(len(labels), 1)
    totals = [sum((s.values[i] or 0) for s in series) for i in range(len(labels))]
    xmax = max(totals, default=0) or 1
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="fhb-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    x = 8
    for s in series:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{s.color}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="11" fill="#1a1a1a">{escape(s.name)}</text>')
        x += 28 + 7 * len(s.name)
    for i, label in enumerate(labels):
        y = top + i * row_h
        parts.append(
            f'<text x="{left - 8}" y="{y + row_h / 2 + 4:.1f}" font-size="11" text-anchor="end" fill="#1a1a1a">'
            f"{escape(label)}</text>"
        )
        x = left
        for s in series:
            value = s.values[i] or 0
            w = plot_w * value / xmax
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{w:.1f}" height="{row_h - 6:.1f}" fill="{s.color}">'
                    f"<title>{escape(label)} — {escape(s.name)}: {value}</title></rect>"
                )
            x += w
        parts.append(
            f'<text x="{min(x + 4, width - right):.1f}" y="{y + row_h / 2 + 4:.1f}" font-size="11" fill="#454545">'
            f"{totals[i]}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))

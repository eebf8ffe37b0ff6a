"""Small SVG charts written by hand: hit@k curves and grouped bars, each with its 95 % intervals.

Plain SVG keeps the report free of a plotting dependency, byte-for-byte reproducible, and readable
in any browser or Markdown viewer. Colours are the Okabe–Ito palette (distinguishable with the
common colour-vision deficiencies); every series also has a label, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_W, _H = 640, 360
_LEFT, _RIGHT, _TOP, _BOTTOM = 60, 150, 40, 60


@dataclass(frozen=True)
class Point:
    value: float | None
    low: float | None = None
    high: float | None = None


def _y(v: float) -> float:
    return _TOP + (1 - v) * (_H - _TOP - _BOTTOM)


def _frame(title: str, y_label: str) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{_W}" height="{_H}" fill="white"/>',
        f'<text x="{_W / 2:.0f}" y="20" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="16" y="{(_H - _BOTTOM + _TOP) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(_H - _BOTTOM + _TOP) / 2:.0f})">{escape(y_label)}</text>',
    ]
    for tick in range(0, 101, 20):
        y = _y(tick / 100)
        parts.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick} %</text>')
    return parts


def _legend(names: Sequence[str]) -> list[str]:
    parts = [f'<text x="{_W - _RIGHT + 15}" y="{_H - _BOTTOM + 16}" font-size="10" fill="#555">whiskers: 95 %</text>',
             f'<text x="{_W - _RIGHT + 15}" y="{_H - _BOTTOM + 29}" font-size="10" fill="#555">interval</text>']
    for i, name in enumerate(names):
        y = _TOP + 10 + i * 20
        parts.append(f'<rect x="{_W - _RIGHT + 15}" y="{y - 9}" width="12" height="12" fill="{PALETTE[i % 8]}"/>')
        parts.append(f'<text x="{_W - _RIGHT + 32}" y="{y + 1}">{escape(name)}</text>')
    return parts


def _whisker(x: float, p: Point, colour: str) -> str:
    if p.low is None or p.high is None:
        return ""
    return (f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_y(p.low):.1f}" y2="{_y(p.high):.1f}" stroke="{colour}"/>'
            f'<line x1="{x - 4:.1f}" x2="{x + 4:.1f}" y1="{_y(p.low):.1f}" y2="{_y(p.low):.1f}" stroke="{colour}"/>'
            f'<line x1="{x - 4:.1f}" x2="{x + 4:.1f}" y1="{_y(p.high):.1f}" y2="{_y(p.high):.1f}" stroke="{colour}"/>')


def line_chart(title: str, x_labels: Sequence[str], series: dict[str, Sequence[Point]], *,
               y_label: str = "share of cases", x_label: str = "k (length of the list read)") -> str:
    """One line per series over categorical x positions, with interval whiskers."""
    parts = _frame(title, y_label)
    n = len(x_labels)
    width = _W - _LEFT - _RIGHT
    xs = [_LEFT + (i + 0.5) * width / max(n, 1) for i in range(n)]
    for x, label in zip(xs, x_labels, strict=True):
        parts.append(f'<text x="{x:.1f}" y="{_H - _BOTTOM + 18}" text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<text x="{_LEFT + width / 2:.0f}" y="{_H - 16}" text-anchor="middle">{escape(x_label)}</text>')
    for i, (_name, points) in enumerate(series.items()):
        colour = PALETTE[i % 8]
        # Series are offset a little sideways so overlapping whiskers stay readable.
        dx = (i - (len(series) - 1) / 2) * 6
        coords = [(x + dx, p) for x, p in zip(xs, points, strict=True) if p.value is not None]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{_y(p.value or 0):.1f}" for x, p in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, p in coords:
            parts.append(_whisker(x, p, colour))
            parts.append(f'<circle cx="{x:.1f}" cy="{_y(p.value or 0):.1f}" r="4" fill="{colour}"/>')
    parts += _legend(list(series))
    parts.append("</svg>")
    return "\n".join(p for p in parts if p) + "\n"


def bar_chart(title: str, categories: Sequence[str], series: dict[str, Sequence[Point]], *,
              y_label: str = "share of cases", subtitles: Sequence[str] = ()) -> str:
    """Grouped bars (one group per category, one bar per series) with interval whiskers; a missing
    value (no cases) is marked "n/a" instead of drawn as zero. ``subtitles`` go under the labels."""
    parts = _frame(title, y_label)
    width = _W - _LEFT - _RIGHT
    slot = width / max(len(categories), 1)
    bar = slot * 0.8 / max(len(series), 1)
    # About 6.5 px a character at 11 px: longer labels are cut rather than run into their neighbours.
    room = max(4, int(slot / 6.5))
    for c, cat in enumerate(categories):
        x0 = _LEFT + c * slot + slot * 0.1
        label = cat if len(cat) <= room else cat[:room - 1] + "…"
        cx = _LEFT + (c + 0.5) * slot
        parts.append(f'<text x="{cx:.1f}" y="{_H - _BOTTOM + 16}" text-anchor="middle" font-size="11">'
                     f'<title>{escape(cat)}</title>{escape(label)}</text>')
        if c < len(subtitles):
            parts.append(f'<text x="{cx:.1f}" y="{_H - _BOTTOM + 30}" text-anchor="middle" font-size="10" '
                         f'fill="#555">{escape(subtitles[c])}</text>')
        for i, (_name, points) in enumerate(series.items()):
            p, colour = points[c], PALETTE[i % 8]
            x = x0 + i * bar
            if p.value is None:
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{_y(0) - 4:.1f}" text-anchor="middle" '
                             f'font-size="9">n/a</text>')
                continue
            parts.append(f'<rect x="{x:.1f}" y="{_y(p.value):.1f}" width="{bar * 0.9:.1f}" '
                         f'height="{_y(0) - _y(p.value):.1f}" fill="{colour}"/>')
            parts.append(_whisker(x + bar * 0.45, p, "#333"))
    parts += _legend(list(series))
    parts.append("</svg>")
    return "\n".join(p for p in parts if p) + "\n"

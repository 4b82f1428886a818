"""Charts drawn on the server as inline SVG: no script, no CDN, no inline styles.

Colours and fonts come from CSS classes in static/staff.css; only geometry is
written here, as SVG presentation attributes.  Every text is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

LABEL_WIDTH = 170
BAR_WIDTH = 360
ROW_HEIGHT = 22
TICKS = (0, 25, 50, 75, 100)
# What each part's CSS class means, for the legends; the colours (Okabe–Ito, safe for colour-blind
# readers) are in staff.css, so a legend swatch and its bars always share one rule.
LEGEND = {"present": "Present", "thin": "Thin", "track": "Missing", "searches": "Searches", "zero": "No results"}


@dataclass(frozen=True)
class Bar:
    label: str
    parts: tuple[tuple[str, float], ...]  # (css class, share 0..1), drawn left to right
    note: str


def share_chart(bars: list[Bar], title: str) -> Markup:
    """Horizontal stacked bars on a 0–100 % track, one per row, with a labelled axis and a legend."""
    top = 26  # the legend
    axis_y = top + ROW_HEIGHT * len(bars) + 2
    height = axis_y + 38
    width = LABEL_WIDTH + BAR_WIDTH + 110
    rows = [_share_row(bar, top + i * ROW_HEIGHT + 2) for i, bar in enumerate(bars)]
    classes = [css for css in dict.fromkeys(css for bar in bars for css, _ in bar.parts)] + ["track"]
    return _svg(title, width, height, _legend(classes, LABEL_WIDTH) + "".join(rows) + _share_axis(axis_y))


def _share_row(bar: Bar, y: int) -> str:
    x = float(LABEL_WIDTH)
    rects = [f'<rect class="track" x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{ROW_HEIGHT - 6}"/>']
    for css, share in bar.parts:
        w = max(0.0, min(1.0, share)) * BAR_WIDTH
        rects.append(f'<rect class="{escape(css)}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW_HEIGHT - 6}"/>')
        x += w
    return (
        f"<g><title>{escape(bar.label)}: {escape(bar.note)}</title>"
        f'<text class="label" x="{LABEL_WIDTH - 6}" y="{y + 12}" text-anchor="end">{escape(bar.label)}</text>'
        + "".join(rects)
        + f'<text class="value" x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 12}">{escape(bar.note)}</text></g>'
    )


def _share_axis(y: int) -> str:
    """Ticks at 0, 25, 50, 75 and 100 % under the track, and the axis's name."""
    parts = [f'<line class="axis" x1="{LABEL_WIDTH}" y1="{y}" x2="{LABEL_WIDTH + BAR_WIDTH}" y2="{y}"/>']
    for tick in TICKS:
        x = LABEL_WIDTH + BAR_WIDTH * tick / 100
        parts.append(f'<line class="axis" x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}"/>')
        parts.append(f'<text class="label" x="{x:.1f}" y="{y + 16}" text-anchor="middle">{tick} %</text>')
    middle = LABEL_WIDTH + BAR_WIDTH / 2
    title = "Share of articles"
    parts.append(f'<text class="axis-title" x="{middle:.1f}" y="{y + 32}" text-anchor="middle">{title}</text>')
    return "".join(parts)


def _legend(classes: list[str], x: int) -> str:
    """A swatch and a name for each class the chart draws, in the same classes as the bars."""
    parts = []
    for css in classes:
        parts.append(f'<rect class="{escape(css)} swatch" x="{x}" y="6" width="12" height="12"/>')
        parts.append(f'<text class="label" x="{x + 16}" y="16">{escape(LEGEND.get(css, css))}</text>')
        x += 24 + 8 * len(LEGEND.get(css, css))
    return f'<g class="legend">{"".join(parts)}</g>'


def _svg(title: str, width: int, height: int, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + body
        + "</svg>"
    )


def volume_chart(days: list[tuple[str, int, int]], title: str) -> Markup:
    """Vertical bars per day: all searches, with the zero-result ones drawn over them; labelled axes, a legend."""
    height, top, bottom, left = 200, 30, 44, 52
    step = max(6.0, min(28.0, 640 / max(1, len(days))))
    width = int(step * len(days)) + left + 10
    peak = max((total for _, total, _ in days), default=0) or 1
    scale = (height - top - bottom) / peak
    base = height - bottom
    bars = []
    for i, (day, total, zero) in enumerate(days):
        x = left + i * step
        bars.append(
            f"<g><title>{escape(day)}: {total} searches, {zero} with no results</title>"
            f'<rect class="searches" x="{x:.1f}" y="{base - total * scale:.1f}" width="{step - 2:.1f}" '
            f'height="{total * scale:.1f}"/>'
            f'<rect class="zero" x="{x:.1f}" y="{base - zero * scale:.1f}" width="{step - 2:.1f}" '
            f'height="{zero * scale:.1f}"/></g>'
        )
    axes = (
        f'<line class="axis" x1="{left - 2}" y1="{top}" x2="{left - 2}" y2="{base}"/>'
        f'<line class="axis" x1="{left - 2}" y1="{base}" x2="{width - 4}" y2="{base}"/>'
        f'<text class="label" x="{left - 6}" y="{top + 4}" text-anchor="end">{peak}</text>'
        f'<text class="label" x="{left - 6}" y="{base}" text-anchor="end">0</text>'
        f'<text class="axis-title" x="12" y="{(top + base) / 2:.0f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(top + base) / 2:.0f})">Searches</text>'
        f'<text class="axis-title" x="{(left + width) / 2:.0f}" y="{height - 4}" text-anchor="middle">Day (UTC)</text>'
    )
    if days:
        axes += (
            f'<text class="label" x="{left}" y="{base + 16}">{escape(days[0][0])}</text>'
            f'<text class="label" x="{width - 4}" y="{base + 16}" text-anchor="end">{escape(days[-1][0])}</text>'
        )
    return _svg(title, width, height, _legend(["searches", "zero"], left) + "".join(bars) + axes)

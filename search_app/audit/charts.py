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


@dataclass(frozen=True)
class Bar:
    label: str
    parts: tuple[tuple[str, float], ...]  # (css class, share 0..1), drawn left to right
    note: str


def share_chart(bars: list[Bar], title: str) -> Markup:
    """Horizontal stacked bars, one per row: e.g. present / thin / missing per section."""
    height = ROW_HEIGHT * len(bars) + 4
    width = LABEL_WIDTH + BAR_WIDTH + 110
    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW_HEIGHT + 2
        x = float(LABEL_WIDTH)
        rects = []
        for css, share in bar.parts:
            w = max(0.0, min(1.0, share)) * BAR_WIDTH
            rects.append(f'<rect class="{escape(css)}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW_HEIGHT - 6}"/>')
            x += w
        rows.append(
            f"<g><title>{escape(bar.label)}: {escape(bar.note)}</title>"
            f'<text class="label" x="{LABEL_WIDTH - 6}" y="{y + 12}" text-anchor="end">{escape(bar.label)}</text>'
            + "".join(rects)
            + f'<text class="value" x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 12}">{escape(bar.note)}</text></g>'
        )
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(rows)
        + "</svg>"
    )


def volume_chart(days: list[tuple[str, int, int]], title: str) -> Markup:
    """Vertical bars per day: all searches, with the zero-result ones drawn over them."""
    height, top, bottom = 160, 10, 24
    step = max(6.0, min(28.0, 640 / max(1, len(days))))
    width = int(step * len(days)) + 40
    peak = max((total for _, total, _ in days), default=0) or 1
    scale = (height - top - bottom) / peak
    bars = []
    for i, (day, total, zero) in enumerate(days):
        x = 30 + i * step
        base = height - bottom
        bars.append(
            f"<g><title>{escape(day)}: {total} searches, {zero} with no results</title>"
            f'<rect class="searches" x="{x:.1f}" y="{base - total * scale:.1f}" width="{step - 2:.1f}" '
            f'height="{total * scale:.1f}"/>'
            f'<rect class="zero" x="{x:.1f}" y="{base - zero * scale:.1f}" width="{step - 2:.1f}" '
            f'height="{zero * scale:.1f}"/></g>'
        )
    labels = ""
    if days:
        labels = (
            f'<text class="label" x="30" y="{height - 6}">{escape(days[0][0])}</text>'
            f'<text class="label" x="{width - 4}" y="{height - 6}" text-anchor="end">{escape(days[-1][0])}</text>'
            f'<text class="label" x="26" y="{top + 8}" text-anchor="end">{peak}</text>'
        )
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(bars)
        + labels
        + "</svg>"
    )

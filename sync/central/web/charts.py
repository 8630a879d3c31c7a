"""Charts as inline SVG made on the server: no script, no CDN, readable without colour alone.

Every text that reaches the SVG goes through ``Markup.format``, which escapes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from sync.central.web.fleetview import Segment

#: One palette for the pages and the charts; the CSS uses the same values.
SERIES_COLOURS = {"loans": "#1d5f7a", "returns": "#6a9a3c", "renewals": "#c27c0e"}
STATE_COLOURS = {
    "in_service": "#2f855a",
    "out_of_service": "#b7791f",
    "offline": "#c3c8cf",
}
SEVERITY_COLOURS = {
    "info": "#4a6fa5",
    "warning": "#b7791f",
    "error": "#b42318",
    "critical": "#7a0b0b",
}


@dataclass(frozen=True, slots=True)
class Series:
    key: str
    label: str
    values: Sequence[int]


def daily_bars(
    title: str,
    days: Sequence[str],
    series: Sequence[Series],
    *,
    axis_labels: Sequence[str] | None = None,
    weekends: bool = True,
) -> Markup:
    """Grouped bars, one group per day, with a legend, gridlines and a tooltip on each bar.

    Also for other groups (weeks, hours of the day): ``axis_labels`` then names them and
    ``weekends=False`` leaves out the weekend shading, which only days have.
    """
    width, height = 1100, 250
    left, right, top, bottom = 44, 12, 40, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for s in series for v in s.values), default=0)
    step = _nice_step(peak)
    top_value = max(step * 4, step)
    parts = [
        Markup(
            '<svg class="chart" viewBox="0 0 {w} {h}" width="100%" role="img" '
            'aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
        ).format(w=width, h=height, t=title)
    ]
    group_w = plot_w / max(len(days), 1)
    bar_w = max(min(group_w * 0.8 / max(len(series), 1), 14), 1)
    label_every = max(1, round(len(days) / 10))
    for d, day in enumerate(days):
        if weekends and date.fromisoformat(day).weekday() >= 5:  # rooms are busiest then
            parts.append(
                Markup(
                    '<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" class="weekend"/>'
                ).format(x=left + d * group_w, y=top, w=group_w, h=plot_h)
            )
    for tick in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * tick / top_value
        parts.append(
            Markup(
                '<line x1="{l}" x2="{r}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                '<text x="{tx}" y="{ty:.1f}" class="axis" text-anchor="end">{v}</text>'
            ).format(l=left, r=width - right, y=y, tx=left - 6, ty=y + 4, v=tick)
        )
    for d, day in enumerate(days):
        x0 = left + d * group_w + (group_w - bar_w * len(series)) / 2
        for s_index, s in enumerate(series):
            value = s.values[d]
            bar_h = plot_h * value / top_value
            parts.append(
                Markup(
                    '<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
                    'fill="{c}"><title>{day} {label}: {v}</title></rect>'
                ).format(
                    x=x0 + s_index * bar_w,
                    y=top + plot_h - bar_h,
                    bw=max(bar_w - 1, 1),
                    bh=bar_h,
                    c=SERIES_COLOURS.get(s.key, "#555"),
                    day=day,
                    label=s.label,
                    v=value,
                )
            )
        if d % label_every == 0:
            parts.append(
                Markup(
                    '<text x="{x:.1f}" y="{y}" class="axis" text-anchor="middle">{t}</text>'
                ).format(
                    x=left + d * group_w + group_w / 2,
                    y=height - bottom + 16,
                    t=axis_labels[d] if axis_labels else day[5:],
                )
            )
    x: float = left
    for s in series:
        parts.append(
            Markup(
                '<rect x="{x}" y="10" width="12" height="12" fill="{c}"/>'
                '<text x="{tx}" y="20" class="legend">{label}</text>'
            ).format(x=x, c=SERIES_COLOURS.get(s.key, "#555"), tx=x + 17, label=s.label)
        )
        x += 30 + _text_width(s.label)
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def state_strip(
    segments: Sequence[Segment],
    faults: Sequence[tuple[datetime, str, str]],
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    labels: dict[str, str],
) -> Markup:
    """The service history as a coloured band with day ticks, faults as marks above it.

    ``faults`` are (time, severity, description); ``labels`` name the states for tooltips.
    """
    width, height = 1100, 84
    left, right = 14, 14
    band_top, band_h = 18, 30
    span = max((end - start).total_seconds(), 1.0)
    plot_w = width - left - right

    def x_of(when: datetime) -> float:
        seconds = min(max((when - start).total_seconds(), 0.0), span)
        return left + plot_w * seconds / span

    parts = [
        Markup(
            '<svg class="chart strip" viewBox="0 0 {w} {h}" width="100%" role="img" '
            'aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
        ).format(w=width, h=height, t=labels.get("title", ""))
    ]
    for seg in segments:
        x0, x1 = x_of(seg.start), x_of(seg.end)
        parts.append(
            Markup(
                '<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{h}" fill="{c}" '
                'class="seg-{state}"><title>{label}: {a} – {b}</title></rect>'
            ).format(
                x=x0,
                y=band_top,
                w=max(x1 - x0, 0.5),
                h=band_h,
                c=STATE_COLOURS.get(seg.state, "#999"),
                state=seg.state,
                label=labels.get(seg.state, seg.state),
                a=_local(seg.start, tz),
                b=_local(seg.end, tz),
            )
        )
    ticks = _day_ticks(start, end, tz)
    every = max(1, round(len(ticks) / 10))
    for index, tick in enumerate(ticks):
        x = x_of(tick)
        parts.append(
            Markup('<line x1="{x:.1f}" x2="{x:.1f}" y1="{a}" y2="{b}" class="tick"/>').format(
                x=x, a=band_top + band_h, b=band_top + band_h + 5
            )
        )
        if index % every == 0:
            parts.append(
                Markup(
                    '<text x="{x:.1f}" y="{y}" class="axis" text-anchor="middle">{t}</text>'
                ).format(x=x, y=band_top + band_h + 20, t=tick.astimezone(tz).strftime("%m-%d"))
            )
    for when, severity, description in faults:
        x = x_of(when)
        parts.append(
            Markup(
                '<path d="M{x:.1f} {y1} l-6 -11 h12 z" fill="{c}" class="fault-mark">'
                "<title>{t} {d}</title></path>"
                '<line x1="{x:.1f}" x2="{x:.1f}" y1="{y1}" y2="{y2}" class="fault-line"/>'
            ).format(
                x=x,
                y1=band_top - 4,
                y2=band_top + band_h,
                c=SEVERITY_COLOURS.get(severity, "#555"),
                t=_local(when, tz),
                d=description,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def meter(value: float, peak: float, colour: str = "#1d5f7a") -> Markup:
    """A small bar for a table cell, so the worst machines stand out at a glance."""
    share = value / peak if peak > 0 else 0.0
    return Markup(
        '<svg class="meter" viewBox="0 0 100 10" width="100" height="10" aria-hidden="true">'
        '<rect x="0" y="0" width="100" height="10" class="meter-bg"/>'
        '<rect x="0" y="0" width="{w:.1f}" height="10" fill="{c}"/></svg>'
    ).format(w=100 * min(max(share, 0.0), 1.0), c=colour)


def _text_width(text: str, size: float = 13) -> float:
    """Roughly how wide a label draws: CJK characters are square, Latin ones about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in text)


def _nice_step(peak: int) -> int:
    """A round gridline step giving about four lines up to the peak."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if peak <= step * 4:
            return step
    rounded: int = 10 ** len(str(peak // 4))
    return rounded


def _day_ticks(start: datetime, end: datetime, tz: ZoneInfo) -> list[datetime]:
    local = start.astimezone(tz)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    ticks = []
    while day <= end:
        ticks.append(day)
        day = (day + timedelta(days=1, hours=2)).replace(hour=0)  # safe across DST changes
    return ticks


def _local(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")

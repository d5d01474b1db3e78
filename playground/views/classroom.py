"""Classroom mode (`?classroom=1`): what a lecturer's projector gets, as data and pure functions.

The Streamlit side (reading the link, the sidebar toggle, folding the settings, scaling each chart) is in
playground/web/ui.py; this module says what the mode means: the link's value, the type and chart sizes, the CSS.
"""
from __future__ import annotations

import math
import re
from typing import Any, Mapping

from playground.state import parse_value, quoted

KEY = "classroom"  # the URL parameter, and the session-state key of the sidebar toggle that carries it
ON = {KEY: "1"}  # what a link in classroom mode carries
TYPE_SCALE = 1.25  # the page's type: 20 px for Streamlit's 16 px base, every rem-sized thing with it
FONT_SCALE = 1.3  # chart text: tick labels of 13-14 px become 17-18 px, readable from the back of a room
HEIGHT_SCALE = 1.15  # chart heights: less than the fonts, so a chart still fits a 1280x720 screen
DEFAULT_FONT_PX = 12  # plotly.js's font size where a figure names none
MAX_HEIGHT_PX = 640  # no chart taller than a 720 px screen under Streamlit's header


def parse(raw: str | None) -> tuple[bool | None, str | None]:
    """A link's `classroom` value -> (on, message). on is None when the link has no opinion (no value, or one that
    is not a yes/no word: the message then says so); the words are those of every other switch in a link."""
    if raw is None:
        return None, None
    try:
        return parse_value(bool, raw.strip()), None
    except ValueError:
        return None, (f"Link setting classroom={quoted(raw)} is not 1 (on) or 0 (off), so classroom mode was "
                      "left as it was. Use ?classroom=1 to switch it on.")


def link_params(params: Mapping[str, str], on: bool) -> dict[str, str]:
    """A link's query parameters with classroom=1 added when the mode is on (and any classroom value dropped when
    it is off), so every link the app writes keeps the mode as it is."""
    out = {k: v for k, v in params.items() if k != KEY}
    return {**out, **ON} if on else out


def css() -> str:
    """The style sheet classroom mode adds to every page: Streamlit sizes its type, widgets and gaps in rem, so one
    root size scales them all. The page's margins and its title (already large) do not grow, so that a 1280x720
    screen keeps its room for the charts; the header goes transparent over the top margin."""
    return (f"<style>html {{ font-size: {16 * TYPE_SCALE:g}px; }}"
            "[data-testid='stHeader'] { background: transparent; }"
            "[data-testid='stMainBlockContainer'] { padding: 2.2rem 3rem 2rem 3rem; }"
            "[data-testid='stMainBlockContainer'] h1 { font-size: 2.2rem; padding: 0.25rem 0 0.5rem 0; }"
            # the one-off script that closes the sidebar (COLLAPSE_SIDEBAR_JS) takes no room above the title; an
            # element with a script that draws something is marked data-shown (a room's feed, web/feed.py)
            "[data-testid='stElementContainer']:has(> [data-testid='stHtml'] script):not(:has([data-shown])) "
            "{ display: none; }</style>")


# Streamlit keeps a sidebar the user opened by hand open on the next visit (localStorage), whatever the page asks; so
# on entering the mode that stored choice is forgotten and an open sidebar is closed, once (a lecturer who opens it
# again keeps it open). Closing it stores "closed" again: forgotten too, so a later visit without the mode opens the
# sidebar as usual.
COLLAPSE_SIDEBAR_JS = """<script>
const forget = () => Object.keys(localStorage).filter(k => k.startsWith("stSidebarCollapsed-"))
                           .forEach(k => localStorage.removeItem(k));
forget();
document.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
setTimeout(forget, 0);
</script>"""


def px(n: int) -> int:
    """A width in pixels that holds text (a picker, a number), for the larger type."""
    return round(n * TYPE_SCALE)


_PX = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")


def _font(font: Mapping, factor: float) -> dict:
    size = font.get("size")
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        return {**font, "size": round(size * factor, 1)}
    if isinstance(size, list):  # one size per point (text on a heatmap)
        return {**font, "size": [round(s * factor, 1) if isinstance(s, (int, float)) else s for s in size]}
    return dict(font)


def _walk(obj: Any, factor: float) -> Any:
    """A copy of obj with every font size (any `*font` dict) and every inline `font-size:Npx` of a text scaled.
    Lists of numbers (a trace's arrays) are kept as they are, not copied: that keeps it cheap for a live redraw."""
    if isinstance(obj, Mapping):
        out = {}
        for k, v in obj.items():
            if k.endswith("font") and isinstance(v, Mapping):
                out[k] = _font(v, factor)
            elif isinstance(v, str) and "font-size" in v:
                out[k] = _PX.sub(lambda m: f"font-size:{round(float(m.group(1)) * factor)}px", v)
            elif isinstance(v, (Mapping, list)):
                out[k] = _walk(v, factor)
            else:
                out[k] = v
        return out
    if isinstance(obj, list) and obj and isinstance(obj[0], Mapping):
        return [_walk(x, factor) for x in obj]
    return obj


def scaled_layout(layout: Mapping, factor: float = FONT_SCALE, height_factor: float = HEIGHT_SCALE) -> dict:
    """A figure's layout for the projector: every font `factor` times larger (the base font too, if unnamed),
    the margins with them (they hold the tick labels) and the height `height_factor` times, at most MAX_HEIGHT_PX."""
    out = _walk(layout, factor)
    base = layout.get("font") or {}
    out["font"] = {**out.get("font", {}), "size": round((base.get("size") or DEFAULT_FONT_PX) * factor, 1)}
    if isinstance(layout.get("margin"), Mapping):
        out["margin"] = {k: round(v * factor) if k in ("l", "r", "t", "b") and isinstance(v, (int, float)) else v
                         for k, v in layout["margin"].items()}
    height = layout.get("height")
    if not isinstance(height, (int, float)):
        return out
    out["height"] = min(round(height * height_factor), max(MAX_HEIGHT_PX, height))
    grown = out["height"] / height
    for name, axis in layout.items():
        if not (name.startswith("yaxis") and isinstance(axis, Mapping) and "tickfont" in axis):
            continue
        if _every_row(axis):  # a label on every row of a category axis: it grows with the rows only
            out[name] = {**out[name], "tickfont": _font(axis["tickfont"], min(factor, grown))}
        elif _sparse_rows(axis):  # a label every k-th row: it grows with the font, and labels k * factor / grown apart
            out[name] = {**out[name], "dtick": math.ceil(axis["dtick"] * factor / grown - 1e-9)}
    title = layout.get("title")
    if isinstance(title, Mapping) and title.get("yref") == "container" and isinstance(title.get("y"), (int, float)):
        # a title placed some pixels below the top: the gap grows with its font, else its first line is cut off
        out["title"] = {**out["title"], "y": 1 - (1 - title["y"]) * height * factor / out["height"]}
    return out


def _every_row(axis: Mapping) -> bool:
    return (axis.get("type") == "category" and not _sparse_rows(axis)) or axis.get("dtick") == 1


def _sparse_rows(axis: Mapping) -> bool:
    """A category axis that labels every k-th row (k > 1)."""
    dtick = axis.get("dtick")
    return (axis.get("type") == "category" and isinstance(dtick, (int, float)) and not isinstance(dtick, bool)
            and dtick > 1)


def scaled_traces(data: list, factor: float = FONT_SCALE) -> list:
    """A figure's traces with their text fonts scaled (a trace's arrays are shared, not copied)."""
    return _walk(data, factor)


def scaled_spec(spec: Any, height_factor: float = HEIGHT_SCALE) -> Any:
    """A fastfig.Spec (any type built from `data` and `layout`) for the projector: its fonts and height scaled, its
    data arrays shared, not copied."""
    return type(spec)(scaled_traces(spec.data), scaled_layout(spec.layout, height_factor=height_factor))


def scaled_figure(fig: Mapping, factor: float = FONT_SCALE, height_factor: float = HEIGHT_SCALE) -> dict:
    """A figure dict ({"data", "layout", "frames"}) for the projector: scaled_layout, and the text fonts of its traces
    and animation frames scaled alike. The input is not changed."""
    out = {k: _walk(v, factor) if k != "layout" else v for k, v in fig.items()}
    out["layout"] = scaled_layout(fig.get("layout") or {}, factor, height_factor)
    return out

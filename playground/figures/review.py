"""Pure builders for the "Read a review" page: arrays and labels in, a go.Figure (or escaped HTML) out.

Words sit on the x axis at positions t = 1..T in reading order (labels may repeat). Every token that reaches
HTML or a Plotly label is escaped: a review is shown as plain text, never rendered as markup.
"""
from __future__ import annotations

import copy
import functools
import html
import math
from typing import Sequence

import numpy as np
import plotly.colors as pcolors
import plotly.graph_objects as go

from playground.figures.style import GATE_INFO, CELL_COLOURS, DIVERGING, HOVER_FMT, apply_layout, value_scale

SENTIMENT = dict(colorscale=DIVERGING, zmin=0.0, zmax=1.0, zmid=0.5)  # P(positive): blue 0, white 0.5, red 1
COVER = "white"  # hides the words not read yet
MARK = "#222222"  # outline of the selected word
LABEL_CHARS = 18


def label(token: str, oov: bool = False) -> str:
    """A token as a Plotly tick label: escaped, shortened, unknown words in grey italics."""
    text = html.escape(_short(token), quote=False)
    return f"<i style='color:#8a8a8a'>{text}</i>" if oov else text


def colour(value: float, scale: dict) -> str:
    """The CSS colour a heatmap with `scale` gives to `value` (clipped to the scale's range)."""
    lo, hi = scale["zmin"], scale["zmax"]
    frac = 0.5 if not math.isfinite(value) or hi <= lo else min(1.0, max(0.0, (value - lo) / (hi - lo)))
    cs = scale["colorscale"]
    palette = _palette(cs if isinstance(cs, str) else tuple(tuple(step) for step in cs))  # a cache key
    return palette[round(frac * (len(palette) - 1))]


@functools.lru_cache(maxsize=8)
def _palette(colorscale: str | tuple, n: int = 256) -> tuple[str, ...]:
    scale = colorscale if isinstance(colorscale, str) else [list(step) for step in colorscale]
    return tuple(pcolors.sample_colorscale(scale, [i / (n - 1) for i in range(n)]))


def _ink(rgb: str) -> str:
    r, g, b = (float(v) for v in rgb[rgb.index("(") + 1: rgb.index(")")].split(","))
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "#111111"


def _layout(title: str | None, height: int, **kw) -> dict:
    """The shared style (style.apply_layout, template expanded) as a plain dict, plus this figure's settings."""
    base = copy.deepcopy(_base_layout(title is not None))
    if title is not None:
        base["title"].update(text=title, y=1 - 14 / height, yref="container", yanchor="top")  # grows down
    base["height"] = height
    for k, v in kw.items():
        base[k] = {**base[k], **v} if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return base


@functools.lru_cache(maxsize=2)
def _base_layout(titled: bool) -> dict:
    return apply_layout(go.Figure(), "title" if titled else None, 300).layout.to_plotly_json()


class _Animated(go.Figure):
    """A go.Figure whose animation frames stay plain dicts until the figure is serialised (to_dict, which
    to_json and st.plotly_chart both call). Turning T frames into go.Frame objects costs about as much as the
    rest of the page together; `frames` still gives go.Frame objects to anyone who asks for them."""

    def __init__(self, *args, raw_frames: list[dict] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self._raw_frames = list(raw_frames)

    @property
    def frames(self) -> tuple[go.Frame, ...]:
        return tuple(go.Frame(f) for f in self._raw_frames)

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self._raw_frames:
            out["frames"] = copy.deepcopy(self._raw_frames)
        return out


def _texts(tokens: Sequence[str]) -> np.ndarray:
    """Tokens as a fixed-width string array: Plotly deep-copies figure data, and copying an object array of
    (H x T) hover words cell by cell cost a 200-word review most of its 150 ms budget; this one copies at once."""
    return np.array([str(t) for t in tokens], dtype=str) if len(tokens) else np.array([], dtype="<U1")


def _figure(data: list[dict], layout: dict, frames: list[dict] | None = None) -> go.Figure:
    """A go.Figure from plain dicts, skipping Plotly's per-property checks: they cost several times the whole
    page's 50 ms budget. The tests check every builder's output with the validating go.Figure(fig.to_dict())."""
    if frames:
        return _Animated(data=data, layout=layout, raw_frames=frames, _validate=False)
    return go.Figure(data=data, layout=layout, _validate=False)


def _rows(n: int, heights: Sequence[float], gap: float) -> list[list[float]]:
    """y domains (top row first) for n stacked rows with relative heights and a gap between them."""
    total = sum(heights)
    usable = 1.0 - gap * (n - 1)
    out, top = [], 1.0
    for h in heights:
        bottom = max(0.0, top - usable * h / total)
        out.append([round(bottom, 4), round(top, 4)])
        top = bottom - gap
    return out


def _bar(domain: Sequence[float], title: str) -> dict:
    """A colour bar as tall as the subplot with this y domain, beside it."""
    lo, hi = domain
    return dict(title=dict(text=title, side="right"), thickness=12, len=hi - lo, y=(lo + hi) / 2, yanchor="middle")


def _cover(hide_from: int, T: int) -> dict:
    """A white sheet over the words after `hide_from` (zero width once every word is shown)."""
    return dict(type="rect", xref="x", yref="paper", x0=min(hide_from, T) + 0.5, x1=T + 0.5, y0=-0.2, y1=1.0,
                fillcolor=COVER, line=dict(width=0), layer="above")


def _outline(step: int) -> dict:
    """A frame around word `step` through every panel."""
    return dict(type="rect", xref="x", yref="paper", x0=step - 0.5, x1=step + 0.5, y0=0.0, y1=1.0,
                fillcolor="rgba(0,0,0,0)", line=dict(color=MARK, width=2), layer="above")


def _play(T: int, duration_ms: int, step: int) -> tuple[list[dict], list[dict]]:
    """(frames, updatemenus): frame k moves the cover (shapes[0]) to reveal words 1..k, and shows the frame around
    word `step` (shapes[1]) only once that word is revealed (paused before it, it framed a blank); Play / Pause.

    Frames carry the cover and one flag: with T up to 200 frames, anything more costs the page its speed budget.
    """
    frames = [dict(name=str(k), layout=dict(shapes=[_cover(k, T), dict(visible=k >= step)]))
              for k in range(1, T + 1)]
    menus = [dict(
        type="buttons", direction="left", x=0.0, y=1.0, xanchor="left", yanchor="bottom", pad=dict(b=6),
        showactive=False, buttons=[
            dict(label="▶ Play", method="animate",
                 args=[None, dict(frame=dict(duration=duration_ms, redraw=True), transition=dict(duration=0),
                                  fromcurrent=False, mode="immediate")]),
            dict(label="❚❚ Pause", method="animate",
                 args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")]),
        ])]
    return frames, menus


AIDS_TOP = 125  # top margin of the two reading aids: room for titles broken into short lines (1024 px)
MAX_WORD_LABELS = 28  # word labels on an axis; a longer review labels every k-th word (hover names them all)
WORD_ANGLES = (0, -45, -90)  # the word labels' angles plotly.js may pick, the first that keeps them apart
READING_HEIGHT = 620  # the h_t heatmap + y_t block at most: Play and the word labels on one 1280x720 screen
COMPACT_HEIGHT = 420  # the same on a lecture scene: under the scene's bar and the word slider on a 1280x720 projector
LABEL_ROW_PX = 17  # a unit label shown every so many rows that each has this much height (a projector's 16 px too)


def unit_dtick(rows: int, plot_px: float) -> int:
    """Every how many rows of a category axis `plot_px` high a label fits (1: every row)."""
    return max(1, math.ceil(LABEL_ROW_PX * rows / max(plot_px, 1)))


def _word_axis(tokens: Sequence[str], oov: Sequence[bool], xmax: int, most: int = MAX_WORD_LABELS,
               slanted: bool = False, **kw) -> dict:
    """The word axis (1..xmax): at most `most` word labels. plotly.js slants them (-45°, or upright at -90°) only as
    far as the drawn width needs to keep them apart, and grows the bottom margin to fit them whole; `slanted`: always
    at -45°."""
    T = len(tokens)
    every = max(1, -(-max(T, xmax) // most))  # the same spacing for a short review on a longer shared axis
    shown = list(range(0, T, every))
    angle = dict(tickangle=-45) if slanted else dict(autotickangles=list(WORD_ANGLES))
    return dict(tickmode="array", tickvals=[i + 1 for i in shown], ticktext=[label(tokens[i], oov[i]) for i in shown],
                automargin=True, tickfont=dict(size=word_font(max(T, xmax), most)), range=[0.5, xmax + 0.5], **angle,
                **kw)


def word_font(xmax: int, most: int = MAX_WORD_LABELS) -> int:
    """The word labels' font size (px) on an axis of `xmax` words showing at most `most` labels: smaller when more
    than 30 label slots (shown or not) share the axis."""
    every = max(1, -(-xmax // most))  # the same spacing for a short review on a longer shared axis
    return 10 if -(-xmax // every) > 30 else 13


def slanted_margin(tokens: Sequence[str], font: int) -> int:
    """A bottom margin (px) that fits any of `tokens` as a word label slanted at -45° (0.6 em a character)."""
    chars = max((len(_short(t)) for t in tokens), default=0)
    return max(40, math.ceil(12 + 0.71 * font * (0.6 * chars + 1)))


def reading_figure(tokens: Sequence[str], oov: Sequence[bool], z: np.ndarray, unit_labels: Sequence[str],
                   h_range: tuple[float, float], y: np.ndarray, step: int, cell: str,
                   contrib: np.ndarray | None = None, title: str | None = None, reveal: bool = True,
                   play: bool = True, duration_ms: int = 350, width_words: int | None = None,
                   most_labels: int = MAX_WORD_LABELS, height: int = READING_HEIGHT,
                   words_beside: Sequence[str] = ()) -> go.Figure:
    """h_t heatmap (units x words, z: (H, T)) above the running sentiment y_t (T,), sharing the word axis.

    Words after `step` are hidden when `reveal`; `play` adds frames that reveal the words one by one.
    `width_words` widens the word axis (to line up two reviews of different lengths); `height` caps the figure's.
    `words_beside`: the words of a figure drawn beside this one; both then slant their word labels alike and leave
    the same room below them, so their heatmaps and y_t lines line up.
    """
    z = np.asarray(z, dtype=float)
    H, T = z.shape
    xs = list(range(1, T + 1))
    top, bottom = _rows(2, [0.7, 0.3], 0.05)
    words = _texts(tokens)
    pull = np.zeros(H) if contrib is None else np.asarray(contrib, dtype=float)
    custom = np.empty((H, T, 2), dtype=np.result_type(words, "<U8"))
    custom[:, :, 0] = words[None, :]
    custom[:, :, 1] = np.char.mod("%g", np.round(pull, 3))[:, None]
    heat = dict(type="heatmap", z=z, x=xs, y=list(unit_labels), customdata=custom, name="h_t", xaxis="x",
                yaxis="y", colorbar=_bar(top, "h_t"), **value_scale(h_range, z),
                hovertemplate=f"word %{{x}}: %{{customdata[0]}}<br>unit %{{y}}<br>h_t = %{{z:{HOVER_FMT}}}"
                              "<br>W_hy·h_T of this unit: %{customdata[1]}<extra></extra>")
    line = dict(type="scatter", x=xs, y=np.asarray(y, dtype=float), mode="lines+markers", name="y_t",
                customdata=words, xaxis="x2", yaxis="y2", marker=dict(size=7),
                line=dict(color=CELL_COLOURS.get(cell, CELL_COLOURS["rnn"]), width=3),
                hovertemplate=f"after word %{{x}} (%{{customdata}})<br>y_t = P(positive) = %{{y:{HOVER_FMT}}}"
                              "<extra></extra>")
    xmax = max(T, width_words or 0)
    step = min(max(step, 1), T)
    half = dict(type="scatter", x=[0.5, xmax + 0.5], y=[0.5, 0.5], xaxis="x2", yaxis="y2", mode="lines",
                line=dict(color="#999999", dash="dot", width=1), hoverinfo="skip", name="0.5")
    frames, menus = _play(T, duration_ms, step) if play else ([], [])
    fig_height = int(min(height - 230, 60 + 15 * H) + 230)
    margin = dict(l=70, r=20, t=60 if title else 40, b=40)
    if words_beside:
        margin["b"] = slanted_margin([*tokens, *words_beside], word_font(xmax, most_labels))
    dtick = unit_dtick(H, (fig_height - margin["t"] - margin["b"] - 40) * (top[1] - top[0]))  # 40: the word labels
    layout = _layout(
        title, fig_height, showlegend=False, margin=margin, updatemenus=menus,
        xaxis=dict(anchor="y", matches="x2", showticklabels=False, range=[0.5, xmax + 0.5]),
        yaxis=dict(anchor="x", domain=top, title=dict(text="unit of h_t"), autorange="reversed", type="category",
                   dtick=dtick, tickfont=dict(size=12)),
        xaxis2=_word_axis(tokens, oov, xmax, most_labels, slanted=bool(words_beside), anchor="y2"),
        yaxis2=dict(anchor="x2", domain=bottom, title=dict(text="y_t = P(pos.)"), range=[-0.04, 1.04],
                    tickvals=[0, 0.5, 1]),
        shapes=[_cover(step if reveal else T, T), _outline(step)])
    return _figure([heat, half, line], layout, frames)


def running_figure(tokens: Sequence[str], oov: Sequence[bool], lines: Sequence[tuple[str, str, np.ndarray]],
                   step: int, height: int = 330) -> go.Figure:
    """y_t after every word for several models reading the same review, on one chart: `lines` holds (name, cell,
    y) per model; the words after `step` are hidden, as on the heatmaps below it."""
    T = len(tokens)
    words = _texts(tokens)
    data = [dict(type="scatter", x=[0.5, T + 0.5], y=[0.5, 0.5], mode="lines", line=dict(color="#999999", dash="dot",
                                                                                         width=1),
                 hoverinfo="skip", showlegend=False)]
    for name, cell, y in lines:
        data.append(dict(type="scatter", x=list(range(1, T + 1)), y=np.asarray(y, dtype=float), mode="lines+markers",
                         name=name, customdata=words, marker=dict(size=8),
                         line=dict(color=CELL_COLOURS.get(cell, CELL_COLOURS["rnn"]), width=3),
                         hovertemplate=f"{name}, after word %{{x}} (%{{customdata}})<br>y_t = %{{y:{HOVER_FMT}}}"
                                       "<extra></extra>"))
    step = min(max(step, 1), T)
    layout = _layout("y<sub>t</sub> = P(positive) after each word, every model", height, showlegend=True,
                     legend=dict(orientation="h", x=1, xanchor="right", y=1.0, yanchor="bottom"),
                     margin=dict(l=70, r=20, t=60, b=40),
                     xaxis=_word_axis(tokens, oov, T), yaxis=dict(title=dict(text="y_t"), range=[-0.04, 1.04],
                                                                  tickvals=[0, 0.5, 1]),
                     shapes=[{**_cover(step, T), "y0": 0.0}, _outline(step)])
    return _figure(data, layout)


def changes_figure(unit_labels: Sequence[str], before: np.ndarray, after: np.ndarray, word: str, t: int,
                   h_range: tuple[float, float]) -> go.Figure:
    """Dumbbells: each unit's value before (h_{t-1}, open circle) and after (h_t, filled) word t."""
    n = len(unit_labels)
    ys = list(unit_labels)
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    seg_x = [v for a, b in zip(before, after) for v in (float(a), float(b), None)]
    seg_y = [v for u in ys for v in (u, u, None)]
    scale = value_scale(h_range, np.concatenate([before, after]))
    data = [
        dict(type="scatter", x=seg_x, y=seg_y, mode="lines", line=dict(color="#bbbbbb", width=3), hoverinfo="skip"),
        dict(type="scatter", x=before, y=ys, mode="markers", name="h_{t-1}",
             marker=dict(size=10, symbol="circle-open", color="#777777", line=dict(width=2)),
             hovertemplate=f"%{{y}} before: %{{x:{HOVER_FMT}}}<extra></extra>"),
        dict(type="scatter", x=after, y=ys, mode="markers", name="h_t",
             marker=dict(size=12, color=after, line=dict(width=1, color="#333333"), colorscale=scale["colorscale"],
                         cmin=scale["zmin"], cmax=scale["zmax"]),
             hovertemplate=f"%{{y}} after: %{{x:{HOVER_FMT}}}<extra></extra>"),
    ]
    lo, hi = scale["zmin"], scale["zmax"]
    title = (f"Units that moved most<br>at word {t} “{html.escape(_short(word), quote=False)}”<br>"  # short lines
             "<span style='font-size:13px'>○ before it (h<sub>t−1</sub>), "  # for 1024 px
             "● after it (h<sub>t</sub>)</span>")
    layout = _layout(title, max(400, 150 + 28 * n), showlegend=False, margin=dict(t=AIDS_TOP),
                     yaxis=dict(type="category", autorange="reversed", title=dict(text="unit")),
                     xaxis=dict(range=[lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)], zeroline=True,
                                title=dict(text="value of the unit")))
    return _figure(data, layout)


def _short(token: str) -> str:
    return token if len(token) <= LABEL_CHARS else token[: LABEL_CHARS - 1] + "…"


LOGIT_UNITS = 12  # units drawn one by one in the output's waterfall; the rest share one bar (labels 13 px, not 10)


def logit_figure(unit_labels: Sequence[str], values: np.ndarray, bias: float, logit: float, p: float,
                 word: str, t: int, most: int = LOGIT_UNITS) -> go.Figure:
    """Waterfall: z_t = sum_j W_hy[j] h_t[j] + b_y, one bar per unit (largest first) for the `most` units that
    weigh most (|contribution|), one bar for all the others together, then b_y, then z_t."""
    values = np.asarray(values, dtype=float)
    keep = np.sort(np.argsort(-np.abs(values), kind="stable")[:most])  # the order given (largest first)
    rest = np.setdiff1d(np.arange(values.size), keep)
    names = [unit_labels[i] for i in keep] + ([f"other {rest.size} units"] if rest.size else []) + ["b_y", "z_t"]
    amounts = ([float(values[i]) for i in keep] + ([float(values[rest].sum())] if rest.size else [])
               + [float(bias), 0.0])
    up, down = (pcolors.sample_colorscale(DIVERGING, [f])[0] for f in (0.85, 0.15))
    data = [dict(type="waterfall", orientation="h", y=names, x=amounts, measure=["relative"] * (len(names) - 1) + ["total"],
                 connector=dict(line=dict(color="#cccccc")), increasing=dict(marker=dict(color=up)),
                 decreasing=dict(marker=dict(color=down)), totals=dict(marker=dict(color=CELL_COLOURS["rnn"])),
                 hovertemplate=f"%{{y}}: %{{x:+{HOVER_FMT}}}<extra></extra>")]
    title = (f"The output after word {t}<br>“{html.escape(_short(word), quote=False)}”, unit by unit<br>"
             "<span style='font-size:13px'>z<sub>t</sub> = Σ<sub>j</sub> W<sub>hy</sub>[j]·h<sub>t</sub>[j] "
             f"+ b<sub>y</sub> = {logit:+.2f}<br>y<sub>t</sub> = σ(z<sub>t</sub>) = {p:.2f}</span>")
    rows = len(names)  # one row per unit, then b_y and z_t: every label readable, top to bottom
    layout = _layout(title, max(400, 150 + 15 * rows), showlegend=False, margin=dict(t=AIDS_TOP),
                     yaxis=dict(type="category", autorange="reversed", tickfont=dict(size=10 if rows > 20 else 13),
                                title=dict(text="unit")),
                     xaxis=dict(title=dict(text="contribution to z<sub>t</sub>, summed"), zeroline=True))
    return _figure(data, layout)


def gates_figure(tokens: Sequence[str], panels: dict[str, np.ndarray], unit_labels: Sequence[str], cell: str,
                 step: int) -> go.Figure:
    """One heatmap per gate (and the LSTM cell state), units x words, stacked on a shared word axis."""
    names = list(panels)
    n, T = len(names), len(tokens)
    xs = list(range(1, T + 1))
    domains = _rows(n, [1.0] * n, 0.045)
    words = _texts(tokens)
    data, layout_axes, notes, bars = [], {}, [], set()
    for row, (name, dom) in enumerate(zip(names, domains), start=1):
        z = np.asarray(panels[name], dtype=float)
        rng = GATE_INFO[name][1]
        scale = value_scale(rng, z)
        key = (str(scale["colorscale"]), scale["zmin"], scale["zmax"])
        bar = None if key in bars else _bar(dom, "c_t" if name == "c" else ("gate" if rng[0] == 0 else name + "_t"))
        bars.add(key)
        sx = "" if row == 1 else str(row)
        data.append(dict(type="heatmap", z=z, x=xs, y=list(unit_labels), customdata=np.broadcast_to(words, z.shape),
                         xaxis=f"x{sx}", yaxis=f"y{sx}", showscale=bar is not None, colorbar=bar or {}, **scale,
                         hovertemplate=f"word %{{x}}: %{{customdata}}<br>unit %{{y}}<br>{name}_t = "
                                       f"%{{z:{HOVER_FMT}}}<extra></extra>"))
        last = row == n
        layout_axes[f"xaxis{sx}"] = (_word_axis(tokens, [False] * T, T, anchor=f"y{sx}") if last else
                                     dict(anchor=f"y{sx}", showticklabels=False, range=[0.5, T + 0.5]))
        if not last:
            layout_axes[f"xaxis{sx}"]["matches"] = f"x{n}"
        layout_axes[f"yaxis{sx}"] = dict(anchor=f"x{sx}", domain=dom, autorange="reversed", type="category",
                                         showticklabels=False)
        notes.append(dict(text=GATE_INFO[name][0], xref="paper", yref="paper", x=0.5, y=dom[1], xanchor="center",
                          yanchor="bottom", showarrow=False, font=dict(size=14)))
    step = min(max(step, 1), T)
    title = (f"{cell.upper()} gates per word<br><span style='font-size:13px'>rows: the same units as the "
             "h<sub>t</sub> heatmap</span>")
    layout = _layout(title, 150 + 150 * n, showlegend=False, margin=dict(l=40, r=20, t=90, b=90),
                     annotations=notes, shapes=[_outline(step)], **layout_axes)
    return _figure(data, layout)


def token_chips_html(tokens: Sequence[str], oov: Sequence[bool]) -> str:
    """The tokens as the model reads them; unknown ones dashed and marked. Safe: every token is escaped."""
    chips = []
    for i, (tok, unknown) in enumerate(zip(tokens, oov), start=1):
        text = html.escape(tok, quote=True)
        style = ("border:1px dashed #b00020;color:#b00020;background:#fff5f5" if unknown
                 else "border:1px solid #d0d0d0;background:#f6f6f6;color:#111")
        tip = f"word {i}: not in the vocabulary, read as &lt;unk&gt;" if unknown else f"word {i}"
        mark = "<sup>?</sup>" if unknown else ""
        chips.append(f"<span title='{tip}' style='{style};border-radius:6px;padding:1px 6px;margin:2px;"
                     f"display:inline-block;font-family:monospace'>{text}{mark}</span>")
    return "<div style='line-height:2'>" + "".join(chips) + "</div>"


def coloured_text_html(tokens: Sequence[str], values: np.ndarray, scale: dict, name: str) -> str:
    """Karpathy's view: the text with each word's background coloured by `values` on `scale`. Escaped."""
    spans = []
    for tok, v in zip(tokens, np.asarray(values, dtype=float)):
        bg = colour(float(v), scale)
        spans.append(f"<span title='{html.escape(name)} = {v:.3f}' style='background:{bg};color:{_ink(bg)};"
                     f"padding:2px 3px;border-radius:3px'>{html.escape(tok, quote=True)}</span>")
    lo, hi = scale["zmin"], scale["zmax"]
    legend = (f"<div style='font-size:0.85em;color:#555;margin-top:6px'>{html.escape(name)}: "
              f"<span style='background:{colour(lo, scale)};color:{_ink(colour(lo, scale))};padding:1px 6px'>"
              f"{lo:.2g}</span> <span style='background:{colour((lo + hi) / 2, scale)};padding:1px 6px'>"
              f"{(lo + hi) / 2:.2g}</span> <span style='background:{colour(hi, scale)};"
              f"color:{_ink(colour(hi, scale))};padding:1px 6px'>{hi:.2g}</span></div>")
    return "<div style='line-height:2.1;font-size:1.1em'>" + " ".join(spans) + "</div>" + legend

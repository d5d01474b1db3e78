"""Shared look of every figure: colour scale per value range, fonts, hover format, layout defaults."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import plotly.colors as pcolors
import plotly.graph_objects as go
import plotly.io as pio

FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=14)
DIVERGING = "RdBu_r"  # negative blue, 0 white, positive red
SEQUENTIAL = "Viridis"
HOVER_FMT = ".3f"
# As plotly's validation would expand them: the browser's plotly.js knows no "_r" (reversed) names, and a
# figure built without validation (playground.figures.fastfig) is sent as it is.
COLORSCALES = {name: pcolors.get_colorscale(name) for name in (DIVERGING, SEQUENTIAL)}
SERIES = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]  # consistent per-cell colours
CELL_COLOURS = {"rnn": SERIES[0], "lstm": SERIES[1], "gru": SERIES[2]}



def number(v: float, spec: str = ".2f") -> str:
    """format(v, spec) for a number on a picture, without the "-0.00" of a tiny negative value (it reads as a
    sign that means something): "0.00" (or "+0.00" with a "+" spec)."""
    shown = format(v, spec)
    if shown.startswith("-") and not any(c in "123456789" for c in shown.split("e")[0]):
        return ("+" if spec.startswith("+") else "") + shown[1:]
    return shown

def value_scale(value_range: tuple[float, float], data: np.ndarray | None = None) -> dict:
    """zmin/zmax/colorscale for a heatmap of values from an activation with the given range.

    Bounded ranges are fixed (tanh: -1..1 diverging, centred on 0; sigmoid: 0..1 sequential), so colours
    mean the same across words, models and reruns. Unbounded ends take the data's extent.
    """
    lo, hi = value_range
    finite = np.abs(np.asarray(data, dtype=float)) if data is not None else np.zeros(0)
    finite = finite[np.isfinite(finite)]
    extent = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    if lo < 0:  # signed values: diverging, centred on 0
        m = max(-lo, hi) if math.isfinite(lo) and math.isfinite(hi) else extent
        return dict(colorscale=COLORSCALES[DIVERGING], zmin=-m, zmax=m, zmid=0.0)
    return dict(colorscale=COLORSCALES[SEQUENTIAL], zmin=lo, zmax=hi if math.isfinite(hi) else extent)


def symmetric_scale(data: np.ndarray) -> dict:
    """Diverging scale centred on 0 for signed quantities such as weights."""
    return value_scale((-math.inf, math.inf), data)


def _slim_template() -> dict:
    """plotly_white without what these figures never draw (polar, ternary, 3-D and map axes) and without its
    default colour scales (every heatmap here names its own): 1.5 kB instead of 7 kB in every chart of every
    redraw, which the server serialises, hashes and sends for each user several times a second."""
    t = pio.templates["plotly_white"].to_plotly_json()
    layout = {k: v for k, v in t["layout"].items() if k not in ("polar", "ternary", "scene", "geo", "colorscale")}
    data = {kind: [{k: v for k, v in trace.items() if k != "colorscale"} for trace in traces]
            for kind, traces in t["data"].items() if kind in ("heatmap", "scatter", "bar")}
    return {"layout": layout, "data": data}


TEMPLATE = _slim_template()


def apply_layout(fig: go.Figure, title: str | None = None, height: int = 320, **kw) -> go.Figure:
    fig.layout.template = TEMPLATE  # assigned, not merged into the default template the figure started with
    fig.update_layout(
        title=dict(text=title, x=0.01, xanchor="left") if title else None,
        font=FONT, height=height, margin=dict(l=60, r=20, t=50 if title else 20, b=40),
        hoverlabel=dict(font_size=13), **kw,
    )
    return fig


def even_ticks(lo: float, hi: float) -> list[float]:
    """Two to six round values (steps of 1, 2 or 5 times a power of ten) from lo to hi, for a range too
    narrow for the 1-2-5 labels of a log axis."""
    if hi <= lo:
        return [lo]
    most = (hi - lo) / 2.5
    power = 10.0 ** math.floor(math.log10(most))
    step = max(m * power for m in (1, 2, 5) if m * power <= most)
    first = math.ceil(lo / step - 1e-9)
    return [round(k * step, 12) for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def log_ticks(values: Sequence[float], most: int = 6) -> dict:
    """Tick settings for a log axis over `values`: 1-2-5 labels within a decade or so, else whole decades,
    every k-th one so that at most `most` labels show however many decades the values span."""
    if not values:
        return {}
    lo, hi = min(values), max(values)
    span = math.log10(hi) - math.log10(lo)
    if span <= 1.5:
        decades = range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
        if sum(lo <= m * 10.0 ** e <= hi for e in decades for m in (1, 2, 5)) >= 2:
            return dict(dtick="D2", tickformat=".2g")
        if hi <= lo or not 1e-4 <= hi <= 1e6:  # one value, or a band too far out for fixed decimals
            return dict(tickvals=[lo, hi] if hi > lo else [lo], tickformat=".3g")
        ticks = even_ticks(lo, hi)  # e.g. a loss between 0.66 and 0.72
        step = ticks[1] - ticks[0] if len(ticks) > 1 else abs(lo) or 1.0
        return dict(tickvals=ticks, tickformat=f".{max(0, -math.floor(math.log10(step) + 1e-9))}f")
    return dict(dtick=max(1, math.ceil(span / most)), exponentformat="power")


# What every gate (and state) a trace can return means, and the range its values take (for colour scales).
GATE_INFO: dict[str, tuple[str, tuple[float, float]]] = {  # name -> (title, value range for the colour scale)
    "i": ("input gate i<sub>t</sub>: how much of the candidate is written", (0.0, 1.0)),
    "f": ("forget gate f<sub>t</sub>: how much of c<sub>t-1</sub> is kept", (0.0, 1.0)),
    "g": ("candidate g<sub>t</sub>: what could be written", (-1.0, 1.0)),
    "o": ("output gate o<sub>t</sub>: how much of tanh(c<sub>t</sub>) is shown as h<sub>t</sub>", (0.0, 1.0)),
    "c": ("cell state c<sub>t</sub>: the LSTM's memory", (-math.inf, math.inf)),
    "r": ("reset gate r<sub>t</sub>: how much of h<sub>t-1</sub> the candidate sees", (0.0, 1.0)),
    "z": ("update gate z<sub>t</sub>: how much of h<sub>t-1</sub> is kept", (0.0, 1.0)),
    "n": ("candidate n<sub>t</sub>: the proposed new state", (-1.0, 1.0)),
    "h": ("hidden state h<sub>t</sub>", (-1.0, 1.0)),
}

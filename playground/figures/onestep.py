"""Pure builders for the "Inside one step" page: matrices in, a go.Figure out (no model calls, no Streamlit).

An equation picture is a few lines of blocks (matrices and vectors drawn as small heatmaps with their numbers
in the cells) with the operators between them, so one cell of a_t can be followed by eye to the cells it sums.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import FONT, HOVER_FMT, SERIES, apply_layout, number

HIGHLIGHT = "#f59e0b"  # the term the user looks at: outline and title background
HIGHLIGHT_BG = "#fde68a"
ROW_PX = 28  # height of one matrix row
TITLE_PX = 26
LINE_GAP_PX = 14
OP_UNITS = 0.9  # an operator's width, in cells
MIN_UNITS = 16  # a line is drawn on at least this many cells' width, so a tiny RNN's cells stay cell-sized
CELL_FONT = dict(size=13)


@dataclass(frozen=True)
class Block:
    """One matrix or vector of an equation: z is (rows, cols); `name` is the hover's name for an entry."""

    title: str  # HTML for the label above it, e.g. "W<sub>xh</sub>"
    z: np.ndarray
    scale: dict  # zmin/zmax/colorscale (playground.figures.style.value_scale)
    name: str = ""
    highlight: bool = False
    row_labels: Sequence[str] | None = None  # shown left of the block (e.g. unit numbers)
    decimals: int = 2


@dataclass(frozen=True)
class Op:
    """An operator between blocks: "·", "+", "=", or a function applied ("→ tanh →")."""

    text: str
    units: float = OP_UNITS


Line = Sequence["Block | Op"]


WIDE = 1.3  # a block shown to three decimals ("-1.150") has cells this much wider: the number stays inside its cell


def _units(item: Block | Op) -> float:
    if isinstance(item, Op):
        return item.units
    return np.atleast_2d(item.z).shape[1] * (WIDE if item.decimals >= 3 else 1.0)


def equation_figure(lines: Sequence[Line], label_units: float = 1.2) -> go.Figure:
    """The blocks of each line side by side (cells the same size everywhere, but WIDE for three decimals), each line
    under the last."""
    total = max(MIN_UNITS, max(label_units + sum(_units(i) for i in line) for line in lines))
    unit = 1.0 / total
    rows = [max(np.atleast_2d(i.z).shape[0] for i in line if isinstance(i, Block)) for line in lines]
    height = sum(TITLE_PX + r * ROW_PX + LINE_GAP_PX for r in rows) + 10
    fig = go.Figure()
    annotations, shapes = [], []
    top_px, n = 0.0, 0
    for line, line_rows in zip(lines, rows):
        x = label_units * unit
        y_top = 1 - (top_px + TITLE_PX) / height
        for k, item in enumerate(line):
            w = _units(item) * unit
            if isinstance(item, Op):  # level with the middle of the shorter of its two neighbours
                beside = [np.atleast_2d(b.z).shape[0] for b in line[max(k - 1, 0):k + 2] if isinstance(b, Block)]
                annotations.append(dict(text=item.text, x=x + w / 2, y=y_top - min(beside) * ROW_PX / 2 / height,
                                        xref="paper", yref="paper", xanchor="center", showarrow=False, font=dict(size=18)))
                x += w
                continue
            n += 1
            z = np.atleast_2d(np.asarray(item.z, dtype=float))
            r, c = z.shape
            y0 = y_top - r * ROW_PX / height
            _heat(fig, item, z, n)
            suffix = "" if n == 1 else str(n)
            fig.layout[f"xaxis{suffix}"] = dict(domain=[x + 0.06 * unit, x + w - 0.06 * unit], anchor=f"y{suffix}",
                                           visible=False, range=[-0.5, c - 0.5], fixedrange=True)
            fig.layout[f"yaxis{suffix}"] = dict(domain=[y0, y_top], anchor=f"x{suffix}", range=[r - 0.5, -0.5],
                                           fixedrange=True, showgrid=False, zeroline=False,
                                           showticklabels=item.row_labels is not None,
                                           tickmode="array", tickvals=list(range(r)),
                                           ticktext=list(item.row_labels or []), tickfont=dict(size=12),
                                           ticklabelstandoff=6)
            annotations.append(dict(text=f"<b>{item.title}</b>" if item.highlight else item.title,
                                    x=x + w / 2, y=y_top, xref="paper", yref="paper", xanchor="center", yanchor="bottom",
                                    showarrow=False, font=dict(size=15),
                                    bgcolor=HIGHLIGHT_BG if item.highlight else None))
            if item.highlight:
                shapes.append(dict(type="rect", xref="paper", yref="paper", x0=x, x1=x + w, y0=y0 - 2 / height,
                                   y1=y_top + 2 / height, line=dict(color=HIGHLIGHT, width=3)))
            x += w
        top_px += TITLE_PX + line_rows * ROW_PX + LINE_GAP_PX
    fig.update_layout(annotations=annotations, shapes=shapes)
    apply_layout(fig, None, height)
    fig.update_layout(margin=dict(l=10, r=10, t=6, b=4))
    return fig


def _heat(fig: go.Figure, b: Block, z: np.ndarray, n: int) -> None:
    text = np.vectorize(lambda v: number(v, f".{b.decimals}f"))(z)
    name = b.name or "value"
    fig.add_trace(go.Heatmap(
        z=z, text=text, texttemplate="%{text}", textfont=CELL_FONT, xgap=2, ygap=2, showscale=False,
        hovertemplate=f"{name}[%{{y}},%{{x}}] = %{{z:{HOVER_FMT}}}<extra></extra>" if z.shape[1] > 1
        else f"{name}[%{{y}}] = %{{z:{HOVER_FMT}}}<extra></extra>",
        xaxis="x" if n == 1 else f"x{n}", yaxis="y" if n == 1 else f"y{n}", **b.scale))


def activation_figure(fn: Callable[[np.ndarray], np.ndarray], grad: Callable[[np.ndarray, np.ndarray], np.ndarray],
                      name: str, a: np.ndarray, labels: Sequence[str], bounds: tuple[float, float],
                      height: int = 300) -> go.Figure:
    """f drawn over a range that holds every a_t[j], with each (a_t[j], h_t[j]) marked. Points where f is nearly
    flat (slope f'(a) < 0.1: saturated, or ReLU's dead side) are drawn hollow and red."""
    a = np.asarray(a, dtype=float)
    reach = max(3.0, float(np.abs(a).max()) * 1.15 if a.size else 3.0)
    xs = np.linspace(-reach, reach, 241)
    ys = fn(xs)
    hs = fn(a)
    slopes = grad(a, hs)
    flat = slopes < 0.1
    lo, hi = bounds
    top, bottom = _top(ys, hi), _bottom(ys, lo)
    fig = go.Figure()
    fig.add_scatter(x=xs, y=ys, mode="lines", line=dict(color="#555555", width=2), name=name, hoverinfo="skip")
    for lo_hi in bounds:
        if np.isfinite(lo_hi):
            fig.add_hline(y=lo_hi, line=dict(color="#999999", dash="dot", width=1))
    for is_flat, colour, label in ((False, SERIES[0], "a_t[j], f still steep"),
                                   (True, SERIES[1], "a_t[j], f flat: saturated or dead")):
        idx = np.flatnonzero(flat == is_flat)
        if not idx.size:
            continue
        fig.add_scatter(
            x=a[idx], y=hs[idx], mode="markers+text", name=label, text=[labels[i] for i in idx],
            textposition=_spots(a[idx], hs[idx], (bottom, top)),  # neighbours' labels apart, off the curve
            textfont=dict(size=12, color=colour),
            marker=dict(size=11, color="white" if is_flat else colour, line=dict(color=colour, width=2.5)),
            cliponaxis=False,
            customdata=np.stack([slopes[idx]], axis=-1),
            hovertemplate=f"%{{text}}<br>a = %{{x:{HOVER_FMT}}}<br>{name}(a) = %{{y:{HOVER_FMT}}}<br>"
                          f"slope {name}'(a) = %{{customdata[0]:{HOVER_FMT}}}<extra></extra>")
    fig.update_xaxes(title="a_t[j]", zeroline=True)
    pad = 0.2 * (top - bottom)  # room for the labels above and below the curve
    fig.update_yaxes(title="h_t[j]", zeroline=True, range=[bottom - pad, top + pad])  # f: in the title
    key = " ".join(f"<span style='color:{colour}'>{mark}</span> {what}" for mark, colour, what, shown in (
        ("●", SERIES[0], "f still steep", (~flat).any()), ("○", SERIES[1], "f flat: saturated or dead", flat.any()))
        if shown)  # the key in the title's second line: a legend below ran into the x title, one inside over the curve
    fig = apply_layout(fig, f"f = {name}, with this step's a_t<br><span style='font-size:12px'>{key}</span>", height,
                       showlegend=False)
    fig.update_layout(margin=dict(t=70))
    return fig


def _top(ys: np.ndarray, hi: float = math.inf) -> float:
    return hi if np.isfinite(hi) else max(float(np.max(ys)), 1.0)


def _bottom(ys: np.ndarray, lo: float = -math.inf) -> float:
    return lo if np.isfinite(lo) else min(float(np.min(ys)), -1.0)


def _spots(x: np.ndarray, y: np.ndarray, span: tuple[float, float]) -> list[str]:
    """Where each point's label goes: above a point in the upper half of f's range and below one in the lower half
    (away from the curve); of the points in one half, the leftmost's label to its left, the rightmost's to its right,
    any between centred (two neighbours' labels point away from each other)."""
    upper = y >= (span[0] + span[1]) / 2
    out = [""] * len(x)
    for half in (True, False):
        idx = np.flatnonzero(upper == half)
        ordered = idx[np.argsort(x[idx], kind="stable")]
        for r, i in enumerate(ordered):
            side = "center" if len(ordered) == 1 or 0 < r < len(ordered) - 1 else ("left" if r == 0 else "right")
            out[i] = f"{'top' if half else 'bottom'} {side}"
    return out


def unroll_figure(h: np.ndarray, y: np.ndarray, t: int, h_scale: dict, y_scale: dict, f_name: str,
                  g_name: str) -> go.Figure:
    """h_1..h_T (H, T) over y_1..y_T (O, T), numbers in the cells; steps after t stay blank (not computed yet)."""
    h, y = np.asarray(h, dtype=float), np.asarray(y, dtype=float)
    H, T = h.shape
    O = y.shape[0]
    shown = np.arange(T) < t
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12, row_heights=[H, O],
                        subplot_titles=(f"h_t = {f_name}(a_t), units × steps", f"y_t = {g_name}(z_t)"))
    for row, z, scale, name in ((1, h, h_scale, "h_t"), (2, y, y_scale, "y_t")):
        zz = np.where(shown, z, np.nan)
        text = np.where(shown, np.vectorize(lambda v: number(v, ".2f"))(z), "")
        fig.add_trace(go.Heatmap(
            z=zz, x=list(range(1, T + 1)), y=[f"{name[0]}[{j}]" for j in range(z.shape[0])], text=text,
            texttemplate="%{text}", textfont=CELL_FONT, xgap=2, ygap=2, showscale=False,
            hovertemplate=f"step %{{x}}<br>{name}[%{{y}}] = %{{z:{HOVER_FMT}}}<extra></extra>", **scale), row, 1)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(tickmode="array", tickvals=list(range(1, T + 1)), ticktext=[f"t={k}" for k in range(1, T + 1)],
                     range=[0.5, T + 0.5])
    fig.add_vrect(x0=t - 0.5, x1=t + 0.5, line=dict(color=HIGHLIGHT, width=3), row="all", col=1)
    return apply_layout(fig, None, 90 + (H + O) * ROW_PX + 40).update_layout(margin=dict(l=60, r=20, t=40, b=30))


def contributions_figure(parts: Sequence[tuple[int, list[str], list[float], float, int, float, float]],
                         f_name: str) -> go.Figure:
    """One waterfall per unit j: b_h[j], its largest terms, the rest summed, landing on a_t[j]; the title says
    h_t[j] = f(a_t[j]). parts: (unit, labels, values, rest, n_rest, a, h)."""
    n = len(parts)
    cols = min(n, 2)
    rows = (n + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.08, vertical_spacing=0.35 / max(rows, 1),
                        subplot_titles=[f"unit {u}: a<sub>t</sub> = {number(a, '.3f')} → {f_name} → "
                                        f"h<sub>t</sub> = {number(h, '.3f')}" for u, _, _, _, _, a, h in parts])
    for k, (u, labels, values, rest, n_rest, a, _) in enumerate(parts):
        x = list(labels) + [f"{n_rest} others", "a_t"]
        fig.add_trace(go.Waterfall(
            x=x, y=list(values) + [rest, 0.0], measure=["relative"] * (len(values) + 1) + ["total"],
            text=[number(v, "+.2f") for v in values] + [number(rest, "+.2f"), number(a, ".2f")], textposition="outside",
            increasing=dict(marker=dict(color=SERIES[1])), decreasing=dict(marker=dict(color=SERIES[0])),
            totals=dict(marker=dict(color="#555555")), connector=dict(line=dict(color="#bbbbbb", width=1)),
            hovertemplate=f"%{{x}}<br>%{{y:{HOVER_FMT}}}<extra></extra>", showlegend=False),
            k // cols + 1, k % cols + 1)
    fig.update_xaxes(tickangle=-40, tickfont=dict(size=11))
    fig.update_annotations(font=dict(size=13, family=FONT["family"]))
    return apply_layout(fig, None, 300 * rows).update_layout(margin=dict(l=50, r=20, t=40, b=20))

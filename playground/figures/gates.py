"""Pure figure builders for the "Why LSTM & GRU" page: arrays and labels in, go.Figure out."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.style import CELL_COLOURS, HOVER_FMT, SERIES, apply_layout, log_ticks, symmetric_scale, value_scale

# One colour per curve, the same on every figure of the page; keys are gradflow.CONTENDERS keys or cell names.
COLOURS = {**CELL_COLOURS, "rnn_tanh": CELL_COLOURS["rnn"], "rnn_sigmoid": SERIES[4], "rnn_relu": SERIES[3],
           "rnn_identity": SERIES[5]}
FLOOR = 1e-24  # log axes stop here: a curve leaving the bottom has vanished for any practical purpose
_LEGEND = dict(orientation="v", x=1.01, xanchor="left", y=1, yanchor="top")  # beside the plot: never over a title


def _colour(key: str, i: int) -> str:
    return COLOURS.get(key, SERIES[i % len(SERIES)])


def _log_range(arrays: Sequence[np.ndarray]) -> list[float] | None:
    """[log10 lo, log10 hi] over the positive finite values, the bottom clamped at FLOOR."""
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays]) if arrays else np.zeros(0)
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if not vals.size:
        return None
    lo, hi = max(vals.min(), FLOOR), vals.max()
    return [np.log10(lo) - 0.3, np.log10(hi) + 0.3]


def _positive(ys: Sequence[float]) -> list[float | None]:
    """Zeros (underflow) and non-finite values become gaps on a log axis."""
    return [float(v) if np.isfinite(v) and v > 0 else None for v in np.asarray(ys, dtype=float)]


def norm_curves(t: Sequence[int], curves: Mapping[str, Sequence[float]], labels: Mapping[str, str],
                dashed: Mapping[str, Sequence[float]] | None = None, dashed_suffix: str = "",
                title: str | None = None, y_title: str = "", x_title: str = "t", height: int = 380) -> go.Figure:
    """Norms against time on a log axis: one solid line per key, optional dashed twins (same colour).

    curves/dashed map a key (for the colour) to values at the steps t; labels map a key to its legend name.
    """
    fig = go.Figure()
    dashed = dashed or {}
    for i, (key, ys) in enumerate(curves.items()):
        for style, series, suffix in (("solid", ys, ""), ("dash", dashed.get(key), dashed_suffix)):
            if series is None:
                continue
            name = labels.get(key, key) + suffix
            fig.add_scatter(x=list(t), y=_positive(series), name=name, mode="lines",
                            line=dict(color=_colour(key, i), width=2.5 if style == "solid" else 2, dash=style),
                            hovertemplate=f"{name}<br>{x_title}=%{{x}}<br>%{{y:.3g}}<extra></extra>")
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, type="log", range=_log_range([*curves.values(), *dashed.values()]),
                     exponentformat="power")
    return apply_layout(fig, title, height, legend=_LEGEND)


def eigenvalues(blocks: Mapping[str, np.ndarray], title: str | None = None, height: int = 380) -> go.Figure:
    """Eigenvalues of each W_hh block in the complex plane, with the unit circle |λ| = 1."""
    fig = go.Figure()
    theta = np.linspace(0, 2 * np.pi, 181)
    fig.add_scatter(x=np.cos(theta), y=np.sin(theta), mode="lines", name="|λ| = 1", hoverinfo="skip",
                    line=dict(color="#888", dash="dot", width=1.5))
    extent = 1.0
    for i, (name, ev) in enumerate(blocks.items()):
        ev = np.asarray(ev, dtype=complex)
        extent = max(extent, float(np.abs(ev).max()) if ev.size else 0.0)
        fig.add_scatter(x=ev.real, y=ev.imag, mode="markers", name=name, customdata=np.abs(ev),
                        marker=dict(color=SERIES[i % len(SERIES)], size=8, opacity=0.8),
                        hovertemplate=f"{name}<br>λ = %{{x:{HOVER_FMT}}} + %{{y:{HOVER_FMT}}}i<br>"
                                      f"|λ| = %{{customdata:{HOVER_FMT}}}<extra></extra>")
    lim = 1.1 * extent
    fig.update_xaxes(title="real part", range=[-lim, lim], zeroline=True)
    fig.update_yaxes(title="imaginary part", range=[-lim, lim], zeroline=True, scaleanchor="x", scaleratio=1)
    return apply_layout(fig, title, height, legend=_LEGEND)


def training_runs(runs: Mapping[str, Mapping[str, Sequence[float]]], diverged: Mapping[str, int | None],
                  title: str | None = None, height: int = 460) -> go.Figure:
    """Loss (top) and gradient norm before clipping (bottom), both on log axes, per step, one colour per run.

    runs maps a run name to {"loss": [...], "grad_norm": [...]}; diverged maps it to the step where the
    loss became NaN/inf (marked with an x), or None.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.16,  # room for the lower title
                        subplot_titles=("training loss", "gradient norm ||∇L|| before clipping"))
    longest, marked = 1, 0  # marked: divergence notes drawn so far (stacked when runs blow up at one step)
    for i, (name, run) in enumerate(runs.items()):
        colour = SERIES[(i * 3) % len(SERIES)]
        for row, key in ((1, "loss"), (2, "grad_norm")):
            ys = _positive(run.get(key, []))
            longest = max(longest, len(ys))
            fig.add_scatter(x=list(range(1, len(ys) + 1)), y=ys, name=name, legendgroup=name, showlegend=row == 1,
                            mode="lines+markers" if len(ys) < 20 else "lines", line=dict(color=colour, width=2),
                            marker=dict(size=8), row=row, col=1,
                            hovertemplate=f"{name}<br>step %{{x}}<br>{key}: %{{y:.3g}}<extra></extra>")
        step = diverged.get(name)
        if step is not None:
            fig.add_vline(x=step, line=dict(color=colour, dash="dash", width=1.5))  # both panels
            fig.add_annotation(x=step, y=0.98 - 0.2 * marked, yref="y domain", xanchor="left", yanchor="top",
                               xshift=6,
                               text=f"{name}: NaN/inf after update {step}", showarrow=False,
                               bgcolor="rgba(255,255,255,0.85)", font=dict(color=colour), row=1, col=1)
            marked += 1
    for row, key in ((1, "loss"), (2, "grad_norm")):
        shown = [v for run in runs.values() for v in _positive(run.get(key, [])) if v is not None]
        fig.update_yaxes(type="log", row=row, col=1, **({"exponentformat": "power"} | log_ticks(shown)))
    fig.update_xaxes(range=[0.5, longest + 0.5], **({"dtick": 1} if longest <= 10 else {}))  # whole steps
    fig.update_xaxes(title="training step", row=2, col=1)
    return apply_layout(fig, title, height, legend=_LEGEND).update_layout(margin=dict(t=95 if title else 40))


TIE_STYLES = ((7, 16), (4.5, 11), (2, 7))  # (line width, marker size) of the 1st, 2nd, 3rd line: a tie shows all
MARKERS = ("circle", "square", "diamond")


def accuracy_vs_delay(delays: Sequence[int], accuracy: Mapping[str, Sequence[float]], labels: Mapping[str, str],
                      chance: float | None = None, title: str | None = None, height: int = 380) -> go.Figure:
    """Held-out accuracy against the delay, one line per cell, with the chance level dotted. Two cells often tie (both
    at 100%): each line is drawn thinner than the one before it, with its own marker, so a tie shows both."""
    fig = go.Figure()
    for i, (key, acc) in enumerate(accuracy.items()):
        name = labels.get(key, key)
        width, size = TIE_STYLES[min(i, len(TIE_STYLES) - 1)]
        fig.add_scatter(x=list(delays), y=list(acc), name=name, mode="lines+markers",
                        line=dict(color=_colour(key, i), width=width),
                        marker=dict(size=size, symbol=MARKERS[i % len(MARKERS)]),
                        hovertemplate=f"{name}<br>delay %{{x}}<br>accuracy %{{y:.1%}}<extra></extra>")
    if chance is not None:
        fig.add_hline(y=chance, line=dict(color="#888", dash="dot"), annotation_text="chance",
                      annotation_position="bottom left")  # the lines reach chance at the long delays, on the right
    fig.update_xaxes(title="delay (distractor steps between the symbol and the answer)", type="category")
    fig.update_yaxes(title="held-out accuracy", range=[0, 1.05], tickformat=".0%")
    return apply_layout(fig, title, height, legend=_LEGEND).update_layout(margin=dict(t=75 if title else 20))


def gate_heatmaps(rows: Mapping[str, np.ndarray], ranges: Mapping[str, tuple[float, float]],
                  tokens: Sequence[str], titles: Mapping[str, str] | None = None, height_per_row: int = 150,
                  title: str | None = None) -> go.Figure:
    """One heatmap per gate (units x steps), stacked on a shared step axis, each with its own colour bar.

    rows maps a gate name to an (H, T) array; ranges gives each its activation range for the colour scale
    (sigmoid gates 0..1, tanh -1..1, unbounded = symmetric around 0 from the data).
    """
    names = list(rows)
    n = max(len(names), 1)
    titles = titles or {}
    gap = 0.06 if n > 1 else 0.0
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, vertical_spacing=gap,
                        subplot_titles=[titles.get(k, k) for k in names] or None)
    xs = list(range(1, len(tokens) + 1))  # step t = 1..T, as on every other "step t" axis
    row_h = (1 - gap * (n - 1)) / n
    for r, name in enumerate(names, start=1):
        z = np.asarray(rows[name], dtype=float)
        lo, hi = ranges.get(name, (-np.inf, np.inf))
        scale = value_scale((lo, hi), z) if np.isfinite(lo) and np.isfinite(hi) else symmetric_scale(z)
        centre = 1 - (r - 1) * (row_h + gap) - row_h / 2
        units = list(range(z.shape[0]))
        fig.add_trace(go.Heatmap(
            z=z, x=xs, y=units, customdata=np.array([[str(tok) for tok in tokens]] * len(units)),
            colorbar=dict(y=centre, len=row_h, thickness=10),  # no title: the row's own title names the gate (a
            # title at the bar's side sat on its tick labels)
            hovertemplate=f"{name}<br>step %{{x}} (%{{customdata}})<br>unit %{{y}}<br>"
                          f"value %{{z:{HOVER_FMT}}}<extra></extra>", **scale), row=r, col=1)
        fig.update_yaxes(title="unit", autorange="reversed", row=r, col=1)
    if len(tokens) <= 40:  # one readable label per step
        fig.update_xaxes(tickmode="array", tickvals=xs, ticktext=[str(tok) for tok in tokens], tickangle=0,
                         row=n, col=1)
        fig.update_xaxes(title="step t (input token)", row=n, col=1)
    else:  # too many to label: numbered steps, the token on hover
        fig.update_xaxes(title="step t (hover for the input token)", row=n, col=1)
    return apply_layout(fig, title, height_per_row * n + 100).update_layout(margin=dict(t=80 if title else 40))

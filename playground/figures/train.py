"""Pure figure builders for the Train live page: arrays and labels in, a figure out
(`fastfig.Spec`: its `.json` is sent, its `.figure` is the go.Figure; no model, no Streamlit).

Every label that may come from the user (the text task's characters) is escaped: Plotly renders some HTML
in labels, and the page shows text as text.
"""
from __future__ import annotations

import html
import math
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures import fastfig
from playground.figures.style import HOVER_FMT, SERIES, apply_layout, log_ticks, symmetric_scale, value_scale

TRAIN, HELD_OUT = SERIES[0], SERIES[1]
RIGHT, WRONG, NO_TARGET = "#2ca02c", "#d62728", "#f2f2f2"
REFERENCE = "#7f7f7f"
_SHAPE = "{} ({}×{})"  # a matrix title with its shape, rows × columns


def _esc(s: object, n: int = 12) -> str:
    s = str(s)
    return html.escape(s if len(s) <= n else s[: n - 1] + "…", quote=False)


def _finite(v: Sequence[float]) -> list[float | None]:
    """Plotly draws None as a gap; NaN/inf would break the autorange."""
    return [float(x) if x is not None and math.isfinite(float(x)) else None for x in v]


def curves(step: Sequence[int], train_loss: Sequence[float], test_loss: Sequence[float],
           train_metric: Sequence[float], test_metric: Sequence[float], loss_name: str, metric_name: str,
           chance: float | None = None, perfect: float | None = None, percent: bool = False,
           height: int = 280) -> fastfig.Spec:
    """Loss (log scale) and metric against training step, training batches vs the fixed held-out set."""
    step = [int(s) for s in step]
    ys = [_finite(v) for v in (train_loss, test_loss, train_metric, test_metric)]
    losses = [v for v in ys[0] + ys[1] if v is not None and v > 0]
    key = (loss_name, metric_name, chance, perfect, percent, height, len(step) < 3, len(step) == 1)
    order = (0, 1, 2, 3)  # skeleton traces: loss train, loss held-out, metric train, metric held-out
    return fastfig.figure("curves", key, lambda: _curves_skeleton(*key),
                          data={i: {"x": step, "y": ys[j]} for i, j in enumerate(order)},
                          layout={"yaxis": log_ticks(losses), **_untrained_axis(step, "xaxis", "xaxis2")})


FEW_STEPS = 6  # a step axis up to this many steps is labelled at each whole step


def _untrained_axis(step: Sequence[int], *axes: str) -> dict:
    """A step axis with whole steps only: before the first tick (only step 0) it reads 0 alone, not 0, 0.2 ... 1, and
    a run that ended within a few steps (blown up at step 2) reads 0, 1, 2, not 0, 0.5 ... 2 (there are no half
    steps)."""
    last = max(step, default=0)
    if last == 0:
        return {a: {"range": [0, 1], "tickvals": [0]} for a in axes}
    return {a: {"tickvals": list(range(last + 1))} for a in axes} if last <= FEW_STEPS else {}


REFERENCE_LABEL_PX = 62  # right margin of the curves: room for "guessing" / "perfect" beside their lines


UNTRAINED_NOTE = "the untrained model:<br>press ▶ Play and<br>the curves grow from here"


def _curves_skeleton(loss_name: str, metric_name: str, chance: float | None, perfect: float | None,
                     percent: bool, height: int, few: bool, untrained: bool = False) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(f"loss ({html.escape(loss_name)})", html.escape(metric_name)))
    for col, name in ((1, "loss"), (2, metric_name)):
        for label, colour in (("training batches", TRAIN), ("held-out set", HELD_OUT)):
            fig.add_scatter(x=[], y=[], name=label, mode="lines+markers" if few else "lines",
                            line=dict(color=colour, width=2), legendgroup=label, showlegend=col == 1,
                            hovertemplate=f"{label}<br>step %{{x}}<br>{html.escape(name)}: "
                                          f"%{{y:{'.1%' if percent and col == 2 else HOVER_FMT}}}<extra></extra>",
                            row=1, col=col)
    for value, text in ((chance, "guessing"), (perfect, "perfect")):
        if value is not None:  # the label in the right margin: inside the plot the curve runs over it
            fig.add_hline(y=value, line=dict(color=REFERENCE, dash="dot", width=1), row=1, col=2)
            fig.add_annotation(text=text, x=1, y=value, xref="x2 domain", yref="y2", xanchor="left", xshift=4,
                               showarrow=False, font=dict(size=11, color=REFERENCE))
    if untrained:  # before the first tick: say what the lone points are, not just empty axes
        fig.add_annotation(text=UNTRAINED_NOTE, x=0.55, y=0.2, xref="x domain", yref="y domain", showarrow=False,
                           font=dict(size=12, color=REFERENCE))
    fig.update_xaxes(title="training step", rangemode="tozero")
    fig.update_yaxes(type="log", row=1, col=1)
    if percent:
        fig.update_yaxes(tickformat=".0%", range=[-0.02, 1.05], row=1, col=2)
    else:  # R²: anything below -1 is "worse than guessing"; keep the scale on the interesting part
        fig.update_yaxes(range=[-1.02, 1.05], row=1, col=2)
    apply_layout(fig, None, height, legend=dict(orientation="h", y=1, yanchor="top", x=1, xanchor="right",
                                                yref="container"))  # the figure's top line, clear of the titles
    fig.update_layout(margin=dict(t=70, r=REFERENCE_LABEL_PX))
    return fig


ROOM_PX = 480  # width of the probe's plot area at 1024 px (sidebar open), for text inside its cells


def probe(h: np.ndarray, h_range: tuple[float, float], inputs: Sequence[str], targets: Sequence[str | None],
          predictions: Sequence[str], correct: Sequence[bool | None], y_value: Sequence[float],
          y_target: Sequence[float], regression: bool, title: str = "", height: int | None = None) -> fastfig.Spec:
    """h_t of one probe sequence (units x steps) over what the model answers at each step.

    Classification: a strip with the target (where the step is scored) and y_t's answer, green when right,
    red when wrong. Regression: y_t against the target as lines.
    """
    h = np.asarray(h, dtype=float)
    H, T = h.shape
    xs = list(range(1, T + 1))
    labels = [_esc(s, 12) for s in inputs]
    longest = max((len(str(a)) for a in [*predictions, *targets] if a is not None), default=1)
    roomy = T * (7 * min(longest, 6) + 8) <= ROOM_PX  # every answer fits in its cell on a 1024 px projector
    widest = max((len(str(a)) for a in inputs), default=1)
    short = widest <= 3 and T * (7 * widest + 8) <= ROOM_PX  # tokens and bits fit under their column, upright
    numeric = bool(regression and inputs and all(_is_number(v) for v in inputs))
    total = height or min(420, max(160, 14 * H + 40)) + (170 if regression else 120)
    key = (regression, numeric, roomy, short, total, title)
    data = {0: dict(z=h, x=xs, y=list(range(H)), customdata=np.array([labels] * H), **value_scale(h_range, h))}
    if regression:
        lines = [[float(v) for v in inputs]] if numeric else []
        for i, y in enumerate([*lines, _finite(y_target), _finite(y_value)], start=1):
            data[i] = {"x": xs, "y": y}
    else:
        code = [[np.nan if c is None else (1.0 if c else 0.0) for c in correct], [np.nan] * T]
        text = [[_esc(p, 6) for p in predictions], [_esc(t, 6) if t is not None else "" for t in targets]]
        vals = [[f"{float(v):.2f}" if math.isfinite(float(v)) else "" for v in y_value], [""] * T]
        data[1] = {"z": [[0.0] * T] * 2, "x": xs}  # the grey backing, under the coloured cells
        data[2] = {"z": code, "x": xs, "text": text, "customdata": np.array(vals)}
    layout = {"xaxis2": {"tickvals": xs, "ticktext": labels}} if short else {}
    return fastfig.figure("probe", key, lambda: _probe_skeleton(*key), data=data, layout=layout)


def _probe_skeleton(regression: bool, numeric: bool, roomy: bool, short: bool, total: int,
                    title: str) -> go.Figure:
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=[0.7, 0.3] if not regression else [0.62, 0.38])
    fig.add_trace(go.Heatmap(
        z=[[0.0]], colorbar=dict(title=dict(text="h_t", side="right"), thickness=12, len=0.62, y=1, yanchor="top"),
        hovertemplate="step %{x} (x_t = %{customdata})<br>unit %{y}<br>h_t: %{z:" + HOVER_FMT + "}<extra></extra>",
    ), row=1, col=1)
    if regression:
        if numeric:
            fig.add_scatter(x=[], y=[], name="x_t (input)", mode="markers",
                            marker=dict(color="#b0b0b0", size=5, symbol="circle-open"), row=2, col=1,
                            hovertemplate="step %{x}<br>x_t %{y:.3f}<extra></extra>")
        fig.add_scatter(x=[], y=[], name="target", mode="markers", marker=dict(color="#222222", size=6), row=2,
                        col=1, hovertemplate="step %{x}<br>target %{y:.3f}<extra></extra>")
        fig.add_scatter(x=[], y=[], name="y_t", mode="lines+markers", line=dict(color=HELD_OUT, width=2),
                        marker=dict(size=4), row=2, col=1, hovertemplate="step %{x}<br>y_t %{y:.3f}<extra></extra>")
        fig.update_yaxes(title="value", row=2, col=1)
    else:
        fig.add_trace(go.Heatmap(  # grey backing for steps without a target (nan cells are transparent)
            z=[[0.0]], y=["y_t", "target"], colorscale=[[0, NO_TARGET], [1, NO_TARGET]],
            showscale=False, hoverinfo="skip", xgap=2, ygap=2), row=2, col=1)
        fig.add_trace(go.Heatmap(
            z=[[0.0]], y=["y_t", "target"], texttemplate="%{text}" if roomy else "",
            colorscale=[[0, WRONG], [1, RIGHT]], zmin=0, zmax=1, showscale=False, xgap=2, ygap=2,
            hovertemplate="step %{x}<br>%{y}: %{text}<br>output %{customdata}<extra></extra>",
            textfont=dict(size=12),
        ), row=2, col=1)
        fig.update_yaxes(autorange="reversed", row=2, col=1)
    fig.update_yaxes(title="unit of h_t", autorange="reversed", row=1, col=1)
    if short:
        fig.update_xaxes(tickmode="array", tickangle=0, row=2, col=1, title="x_t (step t)")
    else:
        fig.update_xaxes(row=2, col=1, title="step t (hover for x_t)")
    fig.update_xaxes(showticklabels=False, row=1, col=1)
    apply_layout(fig, title or None, total, showlegend=regression,
                 legend=dict(orientation="v", y=0, yanchor="bottom", x=1.01, xanchor="left"))
    fig.update_layout(margin=dict(r=90 if regression else 60))
    return fig


def _is_number(s: str) -> bool:
    try:
        return math.isfinite(float(s))
    except ValueError:
        return False


def weights(mats: dict[str, np.ndarray], blocks: Sequence[str] = (), height: int | None = None) -> fastfig.Spec:
    """W_xh | W_hh side by side (their rows are the same units) with W_hy under W_hh (its columns are
    those units too), on one diverging scale centred on 0 so their sizes compare. Gate blocks are marked."""
    W_xh, W_hh, W_hy = (np.asarray(mats[k], dtype=float) for k in ("W_xh", "W_hh", "W_hy"))
    scale = symmetric_scale(np.concatenate([W_xh.ravel(), W_hh.ravel(), W_hy.ravel()]))
    key = (W_xh.shape, W_hh.shape, W_hy.shape, tuple(blocks), height)
    return fastfig.figure("weights", key, lambda: _weights_skeleton(*key),
                          data={i: dict(z=m, **scale) for i, m in enumerate((W_xh, W_hh, W_hy))})


def _weights_skeleton(xh: tuple[int, int], hh: tuple[int, int], hy: tuple[int, int], blocks: tuple[str, ...],
                      height: int | None) -> go.Figure:
    rows, E, H, O = hh[0], xh[1], hh[1], hy[0]
    col_w = [max(E, 2), H]
    row_h = [rows, max(1.5 * O, 0.12 * rows, 2)]
    fig = make_subplots(rows=2, cols=2, column_widths=[w / sum(col_w) for w in col_w],
                        row_heights=[r / sum(row_h) for r in row_h], horizontal_spacing=0.11,
                        vertical_spacing=0.2 if O < 4 else 0.12,
                        subplot_titles=[_SHAPE.format("W_xh", *xh), _SHAPE.format("W_hh", *hh),
                                        _SHAPE.format("W_hy", *hy)],
                        specs=[[{}, {}], [None, {}]])
    for (name, shape, r, c) in (("W_xh", xh, 1, 1), ("W_hh", hh, 1, 2), ("W_hy", hy, 2, 2)):
        fig.add_trace(go.Heatmap(z=[[0.0]], showscale=name == "W_hh",
                                 colorbar=dict(title=dict(text="weight", side="right"), thickness=12, len=0.6,
                                               y=1, yanchor="top"),
                                 hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:{HOVER_FMT}}}<extra></extra>"),
                      row=r, col=c)
        fig.update_yaxes(autorange="reversed", row=r, col=c, **_int_ticks(shape[0]))
        fig.update_xaxes(row=r, col=c, **_int_ticks(shape[1]))
    fig.update_xaxes(title="x_t", row=1, col=1)  # short: W_hy's title sits just right of it
    fig.update_xaxes(title="unit of h_t", row=2, col=2)
    fig.update_yaxes(title="unit of h_t (row)", row=1, col=1)
    # W_hy's rows (outputs) get no axis title: it would sit on W_xh's x title, right beside it
    if blocks:
        Hb = rows // len(blocks)
        for c in (1, 2):
            fig.update_yaxes(tickmode="array", tickvals=[Hb * k + (Hb - 1) / 2 for k in range(len(blocks))],
                             ticktext=list(blocks), row=1, col=c)
            for k in range(1, len(blocks)):
                fig.add_hline(y=Hb * k - 0.5, line=dict(color="#333333", width=1), row=1, col=c)
        fig.update_yaxes(title="gate block of W_xh", row=1, col=1)
    total = height or int(min(640, max(260, 9 * rows + 14 * O + 160)))
    return apply_layout(fig, None, total)


def _int_ticks(n: int) -> dict:
    """Integer ticks for a matrix axis of n entries (a 1-wide axis would otherwise show -0.5, 0.5)."""
    return dict(tickmode="array", tickvals=list(range(n))) if n <= 4 else dict(tickformat="d")


def spectral_radius(step: Sequence[int], rho: Sequence[float], label: str = "W_hh", height: int = 260) -> fastfig.Spec:
    """ρ(W_hh) against training step, with the line ρ = 1 where a linear recurrence neither grows nor fades."""
    step = [int(s) for s in step]
    key = (label, height, len(step) < 3)
    return fastfig.figure("spectral", key, lambda: _spectral_skeleton(*key), data={0: {"x": step, "y": _finite(rho)}},
                          layout=_untrained_axis(step, "xaxis"))


def _spectral_skeleton(label: str, height: int, few: bool) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[], y=[], mode="lines+markers" if few else "lines",
                               line=dict(color=SERIES[4], width=2), name="ρ",
                               hovertemplate="step %{x}<br>ρ = %{y:.3f}<extra></extra>"))
    fig.add_hline(y=1.0, line=dict(color=REFERENCE, dash="dot", width=1), annotation_text="ρ = 1",
                  annotation_position="top right", annotation_font=dict(size=11, color=REFERENCE))
    fig.update_xaxes(title="training step", rangemode="tozero")
    fig.update_yaxes(title=f"ρ({html.escape(label)})", rangemode="tozero")
    return apply_layout(fig, None, height)


def grad_norms(norms: Sequence[float], height: int = 260) -> fastfig.Spec:
    """||dL/dh_t|| for t = 1..T on a log scale: how much the loss still feels each step's state."""
    norms = np.asarray(norms, dtype=float)
    shown = [v if v is not None and v > 0 else None for v in _finite(norms)]  # log axis: no zeros
    return fastfig.figure("grad_norms", height, lambda: _grad_norms_skeleton(height),
                          data={0: {"x": list(range(1, len(norms) + 1)), "y": shown}},
                          layout={"yaxis": log_ticks([v for v in shown if v is not None])})


def _grad_norms_skeleton(height: int) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[], y=[], mode="lines+markers", line=dict(color=SERIES[3], width=2),
                               marker=dict(size=5), name="||dL/dh_t||",
                               hovertemplate="t = %{x}<br>||dL/dh_t|| = %{y:.3g}<extra></extra>"))
    fig.update_xaxes(title="step t", rangemode="tozero")
    fig.update_yaxes(title="||dL/dh_t||", type="log")
    return apply_layout(fig, None, height)


# ---- the network, unrolled -------------------------------------------------------------------------------------
NET_STEPS, NET_UNITS, NET_IO = 4, 12, 10  # time steps drawn, hidden units drawn at most, input / output nodes at most
EDGE_BINS = 4  # edge widths: each matrix's weights in 4 bands of |w| (of its largest), a trace per band and sign
EDGE_PX = (0.6, 1.4, 2.6, 4.2)  # the bands' line widths
EDGE_ALPHA = (0.25, 0.45, 0.7, 0.9)
POSITIVE, NEGATIVE = (202, 0, 32), (5, 113, 176)  # the diverging scale's ends: red positive, blue negative
_X_ROW, _Y_ROW, _H_BAND = 0.04, 0.97, (0.2, 0.82)  # heights: x_t's row, y_t's row, h_t's column


def _spread(n: int, centre: float, half: float = 0.32) -> np.ndarray:
    return np.array([centre]) if n == 1 else np.linspace(centre - half, centre + half, n)


def _net_nodes(E: int, H: int, O: int, T: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(x, y) positions of every node, per kind, time major: x_t's row at the bottom, h_t's column, y_t's row."""
    hy = np.linspace(_H_BAND[1], _H_BAND[0], H) if H > 1 else np.array([np.mean(_H_BAND)])
    out = {}
    for kind, n in (("x", E), ("h", H), ("y", O)):
        xs, ys = [], []
        for t in range(T):
            if kind == "h":
                xs.append(np.full(H, float(t))), ys.append(hy)
            else:
                xs.append(_spread(n, float(t))), ys.append(np.full(n, _X_ROW if kind == "x" else _Y_ROW))
        out[kind] = tuple(np.round(np.concatenate(v), 3).tolist() for v in (xs, ys))  # 3 decimals: a short JSON
    return out


def _net_edges(E: int, H: int, O: int, T: int) -> list[tuple[str, int, int, int, int]]:
    """Every edge drawn: (matrix, row, column, from-node index, to-node index) in the node lists of _net_nodes."""
    edges = []
    for t in range(T):
        edges += [("W_xh", j, i, t * E + i, t * H + j) for j in range(H) for i in range(E)]
        if t:
            edges += [("W_hh", j, i, (t - 1) * H + i, t * H + j) for j in range(H) for i in range(H)]
        edges += [("W_hy", k, j, t * H + j, t * O + k) for k in range(O) for j in range(H)]
    return edges


def network(x: np.ndarray, h: np.ndarray, y: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray, W_hy: np.ndarray,
            h_range: tuple[float, float], inputs: Sequence[str], y_range: tuple[float, float] = (-math.inf, math.inf),
            note: str = "", height: int = 360) -> fastfig.Spec:
    """The recurrent network unrolled over its first steps, drawn as TensorFlow Playground draws a network: x_t's
    nodes (bottom) feed h_t's column through W_xh, h_(t-1) feeds h_t through W_hh, h_t feeds y_t's nodes (top) through
    W_hy. Nodes are coloured by their values on this example, edges coloured by the sign of their weight and as wide
    as its size (in bands of each matrix's largest |w|). The weights are the same at every step: that is the
    recurrence. x: (T, E) inputs, h: (H, T) states, y: (T, O) outputs (y_range: g's range); at most NET_STEPS steps, NET_UNITS units and
    NET_IO inputs and outputs are drawn (the first ones)."""
    x, h, y = (np.atleast_2d(np.asarray(a, dtype=float)) for a in (x, h, y))
    T = min(NET_STEPS, x.shape[0], h.shape[1])
    E, H, O = min(x.shape[1], NET_IO), min(h.shape[0], NET_UNITS), min(y.shape[1], NET_IO)
    mats = {"W_xh": np.asarray(W_xh, dtype=float)[:H, :E], "W_hh": np.asarray(W_hh, dtype=float)[:H, :H],
            "W_hy": np.asarray(W_hy, dtype=float)[:O, :H]}
    pos = _net_nodes(E, H, O, T)
    src = {"W_xh": "x", "W_hh": "h", "W_hy": "h"}
    dst = {"W_xh": "h", "W_hh": "h", "W_hy": "y"}
    groups: dict[tuple[int, int], tuple[list, list]] = {(s, b): ([], []) for s in (0, 1) for b in range(EDGE_BINS)}
    for name, m in mats.items():
        top = float(np.nanmax(np.abs(m))) if m.size and np.isfinite(m).any() else 0.0
        for mat, r, c, a, b in _net_edges(E, H, O, T):
            if mat != name:
                continue
            w = m[r, c]
            if not np.isfinite(w) or top == 0:
                continue
            band = min(int(abs(w) / top * EDGE_BINS), EDGE_BINS - 1)
            xs, ys = groups[(int(w < 0), band)]
            xs += [pos[src[name]][0][a], pos[dst[name]][0][b], None]
            ys += [pos[src[name]][1][a], pos[dst[name]][1][b], None]
    data = {i: {"x": groups[g][0], "y": groups[g][1]} for i, g in enumerate(groups)}
    n_edge = len(groups)
    values = {k: np.round(v, 4) for k, v in (("x", x[:T, :E].ravel()), ("h", h[:H, :T].T.ravel()), ("y", y[:T, :O].ravel()))}
    ranges = {"x": (-math.inf, math.inf), "h": h_range, "y": y_range}
    for k, kind in enumerate(("x", "h", "y")):
        v = values[kind]
        s = value_scale(ranges[kind], v)
        data[n_edge + k] = {"marker": {"color": _finite(v), "colorscale": s["colorscale"], "cmin": s["zmin"],
                                       "cmax": s["zmax"]}, "customdata": _finite(v)}
    key = (E, H, O, T, tuple(_esc(s, 6) for s in inputs[:T]), note, height)
    return fastfig.figure("network", key, lambda: _network_skeleton(*key), data=data)


def _network_skeleton(E: int, H: int, O: int, T: int, inputs: tuple[str, ...], note: str, height: int) -> go.Figure:
    fig = go.Figure()
    for sign in (0, 1):
        rgb = NEGATIVE if sign else POSITIVE
        for b in range(EDGE_BINS):
            fig.add_scatter(x=[], y=[], mode="lines", hoverinfo="skip", showlegend=False,
                            line=dict(width=EDGE_PX[b], color=f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{EDGE_ALPHA[b]})"))
    pos = _net_nodes(E, H, O, T)
    names = {"x": ("x_t", E, "input"), "h": ("h_t", H, "unit"), "y": ("y_t", O, "output")}
    for kind in ("x", "h", "y"):
        label, n, what = names[kind]
        px, py = pos[kind]
        t = (np.asarray(px) + 0.5).astype(int) + 1
        idx = np.tile(np.arange(n), T)
        fig.add_scatter(x=px, y=py, mode="markers", showlegend=False, customdata=np.zeros(len(px)),
                        text=[f"{label[0]}<sub>{s}</sub>[{i}]" for s, i in zip(t, idx)],
                        marker=dict(size=15 if kind == "h" else 13, line=dict(width=1, color="#444444"),
                                    symbol="circle" if kind == "h" else "square"),
                        hovertemplate=f"%{{text}} = %{{customdata:{HOVER_FMT}}}<extra>{what} of {label}</extra>")
    for t in range(T):
        fig.add_annotation(x=t, y=-0.06, text=f"t = {t + 1}: “{inputs[t] if t < len(inputs) else ''}”",
                           showarrow=False, yanchor="top", font=dict(size=12))
    for y_, text in ((_X_ROW, "x<sub>t</sub>"), (np.mean(_H_BAND), "h<sub>t</sub>"), (_Y_ROW, "y<sub>t</sub>")):
        fig.add_annotation(x=-0.55, y=y_, text=text, showarrow=False, xanchor="right", font=dict(size=15))
    fig.add_annotation(x=T - 0.55, y=np.mean(_H_BAND), text="…", showarrow=False, font=dict(size=20))
    fig.update_xaxes(visible=False, range=[-0.85, T - 0.4])
    fig.update_yaxes(visible=False, range=[-0.16, 1.03])
    below = f"{note}: the same weights at every step" if note else "The same weights at every step"
    title = ("The network, unrolled: W<sub>xh</sub> ↑, W<sub>hh</sub> →, W<sub>hy</sub> ↑"  # whole at 1024 px
             f"<br><span style='font-size:12px'>{below}</span>")
    return apply_layout(fig, title, height).update_layout(margin=dict(l=10, r=10, t=60, b=10),
                                                           hovermode="closest")

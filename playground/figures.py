"""Generic figure builders: arrays and labels in, go.Figure out. No model calls, no Streamlit."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.style import HOVER_FMT, SERIES, apply_layout, symmetric_scale


def heatmap(z: np.ndarray, x: Sequence, y: Sequence, scale: dict, title: str | None = None,
            x_title: str = "", y_title: str = "", value_name: str = "value", height: int = 320) -> go.Figure:
    """z is (len(y), len(x)). x labels may repeat (words), so positions are used and labels set as ticks."""
    z = np.asarray(z, dtype=float)
    xs = list(range(len(x)))
    hover = np.array([[str(lbl) for lbl in x]] * max(len(y), 1)) if len(x) else None
    fig = go.Figure(go.Heatmap(
        z=z, x=xs, y=[str(v) for v in y], customdata=hover,
        hovertemplate=f"{x_title or 'x'}: %{{customdata}}<br>{y_title or 'y'}: %{{y}}<br>"
                      f"{value_name}: %{{z:{HOVER_FMT}}}<extra></extra>",
        colorbar=dict(title=dict(text=value_name, side="right"), thickness=12), **scale,
    ))
    fig.update_xaxes(tickmode="array", tickvals=xs, ticktext=[str(v) for v in x], title=x_title)
    fig.update_yaxes(title=y_title, autorange="reversed", type="category")
    return apply_layout(fig, title, height)


def weight_heatmap(W: np.ndarray, name: str, rows: str, cols: str, height: int = 260) -> go.Figure:
    """A weight matrix with a diverging scale centred on 0."""
    W = np.asarray(W, dtype=float)
    return heatmap(W, list(range(W.shape[1])), list(range(W.shape[0])), symmetric_scale(W), name,
                   x_title=cols, y_title=rows, value_name=name, height=height)


def lines(x: Sequence, series: dict[str, Sequence[float]], title: str | None = None, x_title: str = "",
          y_title: str = "", log_y: bool = False, height: int = 300) -> go.Figure:
    """One line per named series on a shared x axis."""
    fig = go.Figure()
    for i, (name, ys) in enumerate(series.items()):
        fig.add_scatter(x=list(x), y=list(ys), name=name, mode="lines",
                        line=dict(color=SERIES[i % len(SERIES)], width=2),
                        hovertemplate=f"{name}<br>{x_title or 'x'}: %{{x}}<br>%{{y:{HOVER_FMT}}}<extra></extra>")
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, type="log" if log_y else "linear")
    return apply_layout(fig, title, height, legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1,
                                                        xanchor="right"))

"""What Train live draws from a session's `live.Snapshot`: five figures and the numbers above them.

Kept apart from live.py so that the training workers (pool.py), which only make snapshots, never import plotly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from playground import live
from playground import train_figures as tf
from playground.errors import ConfigError
from playground.train import HISTORY_COLUMNS


@dataclass
class Panel:
    """Everything the live panel draws for one tick."""

    curves: object  # go.Figure
    probe: object
    weights: object
    spectral: object
    grads: object
    stats: dict


def panel(s: live.LiveSession | live.Snapshot) -> Panel:
    """The live panel's figures and numbers (one call per redraw), from a session or its snapshot."""
    snap = live.snapshot(s) if isinstance(s, live.LiveSession) else s
    if snap.view is None:
        raise ConfigError(snap.message or "There is no model: the settings were refused.")
    v, lab, hist = snap.view, snap.labels, snap.rows
    col = {k: [r[k] for r in hist] for k in HISTORY_COLUMNS}
    last = hist[-1] if hist else {}
    return Panel(
        curves=tf.curves(col["step"], col["train_loss"], col["test_loss"], col["train_metric"], col["test_metric"],
                         lab["loss_name"], lab["metric_name"], lab["chance"], lab["perfect"], percent=lab["percent"]),
        probe=tf.probe(v.h, v.h_range, v.inputs, v.targets, v.predictions, v.correct, v.y_value, v.y_target,
                       v.regression),
        weights=tf.weights(v.weights, v.blocks),
        spectral=tf.spectral_radius(col["step"], col["spectral_radius"], lab["spectral_label"]),
        grads=tf.grad_norms(v.grad_norms),
        stats={"step": snap.step, "steps_per_sec": snap.steps_per_sec, "status": snap.status,
               "test_metric": last.get("test_metric", math.nan), "test_loss": last.get("test_loss", math.nan),
               "metric_name": lab["metric_name"], "metric_fmt": lab["metric_fmt"]},
    )

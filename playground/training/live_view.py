"""What Train live's page is shown of a run, as plain data (no Streamlit, no figures): `LiveView`, the probe
sequence, weights and gradient norms of a trainer's current weights, and `Snapshot`, one session's state for a
redraw. Made where the model is (a worker process or the server) and drawn by playground.views.train_live."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from playground.lesson.cells import CELLS
from playground.training import trainer as tr

PROBE_GRAD_BATCH = 32


@dataclass
class LiveView:
    """Plain arrays for the figure builders, all for the current weights."""

    step: int
    h: np.ndarray  # (H, T) hidden state of the probe sequence, h_1..h_T
    h_range: tuple[float, float]  # f's output range (for the colour scale)
    inputs: list[str]  # (T,) x_t labels
    targets: list[str | None]  # (T,) target label where the step is scored, else None
    predictions: list[str]  # (T,) the model's answer y_t read in task units
    correct: list[bool | None]  # (T,) None where there is no target
    y_value: np.ndarray  # (T,) the number behind the prediction (probability of class 1 / top class, or the value)
    y_target: np.ndarray  # (T,) the target as a number (nan where none), for regression tasks
    regression: bool
    weights: dict[str, np.ndarray]  # W_xh, W_hh, W_hy
    blocks: tuple[str, ...]  # gate names of W_xh / W_hh row blocks ((): one block)
    grad_norms: np.ndarray  # (T,) ||dL/dh_t|| on a held-out batch
    x: np.ndarray | None = None  # (T, E) the inputs x_t as the cell takes them (a token's embedding, or its vector)
    y: np.ndarray | None = None  # (T, O) the outputs y_t = g(W_hy h_t + b_y)
    y_range: tuple[float, float] = (-math.inf, math.inf)  # g's output range (for the colour scale)
    candidate: str | None = None  # the gate whose W_xh / W_hh block proposes the new state (None: the RNN)


@dataclass
class Snapshot:
    """What the page shows of one session, as plain data: it is made where the model is (a worker process or
    this one) and drawn by `panel` in the server."""

    status: str
    message: str
    note: str
    step: int
    steps_per_sec: float
    task: str  # the task's name ("" when the settings were refused)
    rows: list[dict]  # the history, one dict per tick
    view: LiveView | None  # None when there is no model
    labels: dict  # metric_name, metric_fmt, loss_name, chance, perfect, percent, spectral_label
    busy: int = 1  # runs training on the same worker now (1: this one alone or none)
    rewind_step: int | None = None  # where Rewind goes back to (LiveSession.rewind_step)

    @property
    def playing(self) -> bool:
        return self.status == "playing"

    @property
    def has_model(self) -> bool:
        return self.view is not None


def view_of(trn: tr.Trainer) -> LiveView:
    """Probe sequence, weights and gradient norms for the trainer's current (finite) weights. The caller holds the
    session's lock."""
    task, head, model = trn.task, trn.head, trn.model
    probe = trn.held_out[0:1]
    model.eval()
    with torch.no_grad():
        trace = model.trace(probe.x, probe.lengths)
        x_in = model.embed(probe.x)[0].numpy().copy()
    model.train()
    logits = trace.logits[0]  # (T, O)
    T = logits.shape[0]
    mask = probe.step_mask()[0]  # (T,)
    pred = head.predict(logits)  # (T,) in task units
    target = probe.y[0] if probe.per_step else torch.full((T,), float(probe.y[0]))
    regression = task.kind == "real"
    y_value = _shown_value(model.config.g, trace.y[0], logits, pred, regression)
    targets = [lbl if m else None for lbl, m in zip(task.target_labels(target), mask.tolist())]
    correct = [None if not m else (abs(float(p) - float(t)) < 0.1 if regression else int(p) == int(t))
               for p, t, m in zip(pred.tolist(), target.tolist(), mask.tolist())]
    y_target = np.where(mask.numpy(), target.double().numpy(), np.nan)
    grads = tr.grad_norms(trn, trn.held_out[0:PROBE_GRAD_BATCH]).numpy()
    return LiveView(
        step=trn.step, h=trace.h[0, 1:].numpy().T, h_range=model.config.h_range,
        inputs=task.token_labels(probe.x[0]), targets=targets, predictions=task.target_labels(pred),
        correct=correct, y_value=y_value, y_target=y_target, regression=regression,
        weights={"W_xh": model.W_xh.detach().numpy().copy(), "W_hh": model.W_hh.detach().numpy().copy(),
                 "W_hy": model.W_hy.detach().numpy().copy()},
        blocks=CELLS[model.config.cell].gates, grad_norms=grads, x=x_in, y=trace.y[0].numpy().copy(),
        y_range=model.g.range, candidate=CELLS[model.config.cell].candidate)


def labels_of(trn: tr.Trainer) -> dict:
    """The words and reference lines the page puts around the numbers of this run."""
    task, cell = trn.task, trn.model.config.cell
    return {"metric_name": task.metric.name, "metric_fmt": task.metric.fmt, "loss_name": trn.model.g.loss_name,
            "chance": task.chance(trn.length), "perfect": task.metric.perfect,
            "percent": task.metric.name == "accuracy",
            "spectral_label": "W_hh" if cell == "rnn" else f"W_hh, {CELLS[cell].candidate} block"}


def _shown_value(g: str, y: torch.Tensor, logits: torch.Tensor, pred: torch.Tensor, regression: bool) -> np.ndarray:
    """(T,) one number per step for the strip under the probe: the value itself, P(class 1) for one
    sigmoid output, else the output of the predicted class."""
    if regression or y.shape[-1] == 1:
        return y[:, 0].double().numpy()
    idx = logits.argmax(-1, keepdim=True)
    return y.gather(-1, idx)[:, 0].double().numpy()

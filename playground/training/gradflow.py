"""Gradient flow through time: ||dL/dh_t||, W_hh's eigenvalues and the Jacobian products dh_T/dh_t.

The five contenders (RNN with tanh / sigmoid / ReLU, LSTM, GRU) are built from the same seed and the same
W_hh initialisation and read the same probe batch, so their curves differ only by the cell.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from playground import tasks as tasklib
from playground.lesson.cells import CELLS, RecurrentModel, hidden_grad_norms, last_step_loss
from playground.errors import ConfigError
from playground.training.race import TASK, RaceTrainConfig, make_model
from playground.training.trainer import MAX_HIDDEN, Trainer, eigenvalues

Tensor = torch.Tensor


@dataclass(frozen=True)
class Contender:
    """One curve of the gradient-flow figure: a cell, and f for the Elman RNN."""

    key: str
    label: str
    cell: str
    f: str = "tanh"


CONTENDERS: dict[str, Contender] = {
    c.key: c
    for c in [
        Contender("rnn_tanh", "RNN (tanh)", "rnn", "tanh"),
        Contender("rnn_sigmoid", "RNN (sigmoid)", "rnn", "sigmoid"),
        Contender("rnn_relu", "RNN (ReLU)", "rnn", "relu"),
        Contender("lstm", "LSTM", "lstm"),
        Contender("gru", "GRU", "gru"),
    ]
}


def _default_block(H: int, gen: torch.Generator) -> Tensor:
    bound = 1 / math.sqrt(H)
    return (torch.rand(H, H, generator=gen, dtype=torch.float64) * 2 - 1) * bound


def _orthogonal_block(H: int, gen: torch.Generator) -> Tensor:
    q, r = torch.linalg.qr(torch.randn(H, H, generator=gen, dtype=torch.float64))
    return q * torch.where(torch.diagonal(r) < 0, -1.0, 1.0)  # sign fix: uniform over the orthogonal group


@dataclass(frozen=True)
class Init:
    """An initialisation of each H x H block of W_hh (before the scale is applied)."""

    name: str
    label: str
    block: Callable[[int, torch.Generator], Tensor]


INITS: dict[str, Init] = {
    i.name: i
    for i in [
        Init("default", "torch default (uniform ±1/√H)", _default_block),
        Init("orthogonal", "orthogonal (all singular values 1)", _orthogonal_block),
    ]
}

SCALE_RANGE = (0.0, 10.0)


def init_W_hh(model: RecurrentModel, init: str = "default", scale: float = 1.0, seed: int = 0) -> None:
    """Overwrite every H x H block of W_hh with scale * (a fresh block from `init`), reproducibly from seed."""
    if init not in INITS:
        raise ConfigError(f"Unknown W_hh initialisation {init!r}; choose one of {', '.join(INITS)}.")
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]):
        raise ConfigError(f"The W_hh scale must be a number between {SCALE_RANGE[0]:g} and {SCALE_RANGE[1]:g}, "
                          f"got {scale!r}.")
    H = model.config.hidden_size
    gen = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for gate in CELLS[model.config.cell].block_gates:  # built in float64, cast on copy
            model.block("W_hh", gate).copy_(INITS[init].block(H, gen) * scale)


def build(contender: Contender, hidden: int, init: str = "default", scale: float = 1.0, seed: int = 0,
          memory_bias: float = 3.0) -> RecurrentModel:
    """A contender as a model for the first-symbol recall task, seeded so every contender starts alike."""
    model = make_model(contender.cell, hidden, memory_bias, seed, contender.f)
    init_W_hh(model, init, scale, seed)
    return model


def grad_norms(model: RecurrentModel, x: Tensor, target: Tensor) -> np.ndarray:
    """||dL/dh_t|| for t = 1..T (batch mean), L = the loss at the last step: (T,)."""
    return hidden_grad_norms(model, x, last_step_loss(model, target)).numpy()


def jacobian_norms(model: RecurrentModel, x: Tensor) -> np.ndarray:
    """||dh_T/dh_t||_2 (largest singular value, batch mean) for t = 1..T: (T,). At t = T it is 1.

    dh_T/dh_t is the product of the step Jacobians dh_s/dh_{s-1} for s = t+1..T, so for a last-step loss
    dL/dh_t = (dh_T/dh_t)^T dL/dh_T: this norm bounds how much of the gradient can reach step t.
    For the LSTM it is the path through h_t (dL/dh_t takes the same path); c_t carries its own.
    """
    tr = model.trace(x)
    if not tr.steps:
        return np.zeros(0)
    h_T = tr.steps[-1]  # (B, H)
    B, H = h_T.shape
    # One backward pass per row i of dh_T/dh_t, from sum_b h_T[b, i] (the batch's rows do not mix). Not one batched
    # pass with grad_outputs: torch imports sympy (35 MB, ~0.5-4 s holding the server's GIL) on its first call
    # given grad_outputs, which stalled a whole room on its first Why LSTM & GRU (bench/room.py).
    rows = [torch.autograd.grad(h_T[:, i].sum(), tr.steps, retain_graph=i < H - 1, allow_unused=True)
            for i in range(H)]
    zero = torch.zeros(B, H, dtype=h_T.dtype)
    J = torch.stack([torch.stack([zero if r[t] is None else r[t] for r in rows])
                     for t in range(len(tr.steps))])  # (T, H_out, B, H_in)
    J = J.permute(0, 2, 1, 3).double()  # (T, B, H_out, H_in)
    finite = torch.isfinite(J).all(dim=-1).all(dim=-1)  # (T, B): a blown-up product (e.g. relu, W_hh x 4) is inf
    norms = torch.linalg.matrix_norm(torch.where(finite[..., None, None], J, 0.0), ord=2)
    return torch.where(finite, norms, math.inf).mean(dim=1).detach().numpy()


@dataclass
class Spectrum:
    """Eigenvalues of each H x H block of W_hh, and the largest modulus among them (spectral radius)."""

    blocks: dict[str, np.ndarray]  # name -> (H,) complex
    radius: dict[str, float]


def spectrum(model: RecurrentModel) -> Spectrum:
    cell = CELLS[model.config.cell]
    blocks = {name: eigenvalues(model, gate).numpy() for gate, name in zip(cell.block_gates, cell.block_names)}
    return Spectrum(blocks, {k: float(np.abs(v).max()) for k, v in blocks.items()})




@dataclass
class GateActivity:
    """Per-gate (H, T) arrays for one probe sequence (the LSTM's cell state "c", the GRU's "h" among them)."""

    rows: dict[str, np.ndarray]
    h_range: tuple[float, float]  # the values h_t takes (its colour range)


def gate_activity(model: RecurrentModel, x: Tensor, sample: int = 0) -> GateActivity:
    """The gates (and the LSTM cell state c_t, else h_t) of `model` reading sequence `sample` of x."""
    with torch.no_grad():
        tr = model.trace(x[sample:sample + 1])
    rows = {name: v[0].T.numpy() for name, v in tr.gates.items()}  # (H, T) each
    if tr.c is not None:
        rows["c"] = tr.c[0, 1:].T.numpy()
    elif not rows or model.config.cell == "gru":
        rows["h"] = tr.h[0, 1:].T.numpy()
    return GateActivity(rows, model.config.h_range)


# ---- runs the user starts: the five contenders trained, and one run with and without clipping ----

@dataclass(frozen=True)
class FlowSetup:
    """What the gradient-flow figures depend on: sequence length T, hidden size, W_hh initialisation, seed."""

    T: int = 40
    hidden: int = 16
    init: str = "default"
    scale: float = 1.0
    memory_bias: float = 3.0
    seed: int = 0
    probe_size: int = 32

    def __post_init__(self):
        if not (2 <= self.T <= TASK.knob.hi + 1):
            raise ConfigError(f"The sequence length T must be between 2 and {TASK.knob.hi + 1}, got {self.T}.")
        if not (1 <= self.hidden <= MAX_HIDDEN):
            raise ConfigError(f"The hidden size must be between 1 and {MAX_HIDDEN}, got {self.hidden}.")

    @property
    def delay(self) -> int:  # T steps = the symbol + T-1 distractors
        return self.T - 1

    def model(self, key: str, scale: float | None = None, init: str | None = None) -> RecurrentModel:
        return build(CONTENDERS[key], self.hidden, init or self.init, self.scale if scale is None else scale,
                     self.seed, self.memory_bias)

    def probe(self) -> tasklib.Batch:
        """The batch every contender reads: fixed by the seed, never used for training."""
        return TASK.held_out(self.probe_size, self.delay, seed=PROBE_SEED + self.seed)

    def train_config(self, key: str, **kw) -> RaceTrainConfig:
        c = CONTENDERS[key]
        return RaceTrainConfig(length=self.delay, cell=c.cell, f=c.f, hidden=self.hidden, seed=self.seed, **kw)


PROBE_SEED = 777


def train_contenders(setup: FlowSetup, steps: int, keys: list[str] | None = None,
                     progress: Callable[[float, str], None] | None = None) -> dict[str, dict]:
    """Train every contender for `steps` steps (Adam, lr 0.01, clip 1, as in the race) on the recall task at
    delay T-1. Returns key -> {"state": state_dict, "accuracy": held-out accuracy, "note": divergence message}."""
    keys = keys or list(CONTENDERS)
    out = {}
    for i, key in enumerate(keys):
        trainer = Trainer(setup.train_config(key), setup.model(key))

        def report(t: Trainer, loss: float, norm: float, i=i, key=key) -> None:
            if progress and t.divergence is None and t.step % 25 == 0:
                progress((i + t.step / steps) / len(keys), f"Training {CONTENDERS[key].label}: step {t.step}")
        trainer.train(steps, on_step=report)
        out[key] = {"state": {k: v.detach().clone() for k, v in trainer.model.state_dict().items()},
                    "accuracy": trainer.evaluate()["metric"],
                    "note": trainer.divergence.message if trainer.divergence else ""}
    if progress:
        progress(1.0, "Done")
    return out


def clipping_runs(setup: FlowSetup, key: str, scale: float, clip: float, lr: float, steps: int,
                  progress: Callable[[float, str], None] | None = None) -> dict[str, dict]:
    """The same model (W_hh = scale x orthogonal) trained twice with plain SGD, without and with clipping at `clip`.

    Orthogonal, so that the scale alone sets how fast products of W_hh grow; SGD, because Adam divides each
    step by a running gradient size and so hides the explosion.
    Returns run name -> {"loss": [...], "grad_norm": [... before clipping], "diverged_at": step or None,
    "accuracy": held-out accuracy, "note": divergence message}.
    """
    if not (math.isfinite(clip) and clip > 0):
        raise ConfigError("The clipping threshold must be a positive number.")
    runs = {}
    for i, (name, c) in enumerate((("no clipping", 0.0), (f"clipped at {clip:g}", clip))):
        trainer = Trainer(setup.train_config(key, optimizer="sgd", lr=lr, clip=c), setup.model(key, scale, "orthogonal"))
        loss, norm = [], []  # every step taken, the one that blew up included

        def record(t: Trainer, value: float, g: float, i=i, name=name) -> None:
            loss.append(value)
            norm.append(g)
            if progress and t.divergence is None and t.step % 25 == 0:
                progress((i + t.step / steps) / 2, f"Training, {name}: step {t.step}")
        trainer.train(steps, on_step=record)
        div = trainer.divergence
        runs[name] = {"loss": loss, "grad_norm": norm, "diverged_at": div.step if div else None,
                      "accuracy": trainer.evaluate()["metric"], "note": div.message if div else ""}
    return runs

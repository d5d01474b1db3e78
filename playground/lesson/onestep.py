"""One step of the lesson's Elman RNN, term by term, in float64 numpy (for the calculator of Inside one step).

    a_t = W_xh x_t + W_hh h_{t-1} + b_h        h_t = f(a_t)        z_t = W_hy h_t + b_y        y_t = g(z_t)

H hidden units, I inputs, O outputs; W_xh is (H, I), W_hh (H, H), b_h (H,), W_hy (O, H), b_y (O,).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground.lesson import activations


@dataclass(frozen=True)
class Weights:
    W_xh: np.ndarray  # (H, I)
    W_hh: np.ndarray  # (H, H)
    b_h: np.ndarray  # (H,)
    W_hy: np.ndarray  # (O, H)
    b_y: np.ndarray  # (O,)


@dataclass(frozen=True)
class Step:
    """Every term of one step, as float64 arrays: H hidden units, O outputs."""

    x: np.ndarray  # (I,)
    h_prev: np.ndarray  # (H,)
    xterm: np.ndarray  # (H,): W_xh x_t
    hterm: np.ndarray  # (H,): W_hh h_{t-1}
    b_h: np.ndarray  # (H,)
    a: np.ndarray  # (H,): a_t = xterm + hterm + b_h
    h: np.ndarray  # (H,): h_t = f(a_t)
    z: np.ndarray  # (O,): z_t = W_hy h_t + b_y
    y: np.ndarray  # (O,): y_t = g(z_t)
    f: str
    g: str


def step(w: Weights, x: np.ndarray, h_prev: np.ndarray, f: str, g: str) -> Step:
    """One step of the lesson's equations, term by term, with f and g from the same registries as the cells."""
    fn, gn = activations.hidden(f).fn, activations.output(g).fn
    x, h_prev = np.asarray(x, dtype=float), np.asarray(h_prev, dtype=float)
    xterm = w.W_xh @ x
    hterm = w.W_hh @ h_prev
    a = xterm + hterm + w.b_h
    h = fn(torch.from_numpy(a)).numpy()
    z = w.W_hy @ h + w.b_y
    y = gn(torch.from_numpy(z)).numpy()
    return Step(x, h_prev, xterm, hterm, np.asarray(w.b_h, dtype=float), a, h, z, y, f, g)


def unroll(w: Weights, seq: np.ndarray, f: str, g: str) -> list[Step]:
    """step() over x_1..x_T from h_0 = 0, as every other page starts: (T,) steps, step t-1 holds h_t."""
    h = np.zeros(w.W_hh.shape[0])
    steps = []
    for x in np.asarray(seq, dtype=float):
        s = step(w, x, h, f, g)
        steps.append(s)
        h = s.h
    return steps

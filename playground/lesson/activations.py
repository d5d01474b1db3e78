"""Registries: hidden activation f and output activation g, each by the short name used in widgets and URLs.

Every entry holds its function, its output range (for colour scales), its derivative expressed through
its output where possible (used by the hand-written backward through time), and its LaTeX.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from playground.errors import ConfigError

Tensor = torch.Tensor
LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Hidden:
    """A hidden activation f. `grad(a, h)` is f'(a) given pre-activation a and output h = f(a)."""

    name: str
    label: str
    fn: Callable[[Tensor], Tensor]
    grad: Callable[[Tensor, Tensor], Tensor]
    range: tuple[float, float]
    latex: str
    out: Callable[[Tensor, Tensor], None]  # out(a, h): writes f(a) into h without allocating
    fused: str | None = None  # torch's fused RNN kernel for this f, if any


@dataclass(frozen=True)
class Output:
    """An output activation g with the loss that matches it (computed from logits, numerically stable)."""

    name: str
    label: str
    fn: Callable[[Tensor], Tensor]
    range: tuple[float, float]
    latex: str
    loss_name: str
    loss: Callable[[Tensor, Tensor], Tensor]  # (logits (N, O), target) -> scalar


def _leaky_grad(a: Tensor, h: Tensor) -> Tensor:
    return torch.where(a > 0, torch.ones_like(a), torch.full_like(a, LEAKY_SLOPE))


HIDDEN: dict[str, Hidden] = {
    h.name: h
    for h in [
        Hidden("tanh", "tanh", torch.tanh, lambda a, h: 1 - h * h, (-1.0, 1.0), r"\tanh",
               lambda a, h: torch.tanh(a, out=h), "rnn_tanh"),
        Hidden("sigmoid", "sigmoid", torch.sigmoid, lambda a, h: h * (1 - h), (0.0, 1.0), r"\sigma",
               lambda a, h: torch.sigmoid(a, out=h)),
        Hidden("relu", "ReLU", torch.relu, lambda a, h: (a > 0).to(a.dtype), (0.0, math.inf),
               r"\mathrm{ReLU}", lambda a, h: torch.clamp(a, min=0, out=h), "rnn_relu"),
        Hidden("leaky_relu", "leaky ReLU", lambda a: F.leaky_relu(a, LEAKY_SLOPE), _leaky_grad,
               (-math.inf, math.inf), r"\mathrm{LeakyReLU}", lambda a, h: h.copy_(F.leaky_relu(a, LEAKY_SLOPE))),
        Hidden("identity", "identity (linear)", lambda a: a, lambda a, h: torch.ones_like(a),
               (-math.inf, math.inf), r"\mathrm{id}", lambda a, h: h.copy_(a)),
    ]
}


def _bce(logits: Tensor, target: Tensor) -> Tensor:
    return F.binary_cross_entropy_with_logits(logits, target.to(logits.dtype).reshape(logits.shape))


def _ce(logits: Tensor, target: Tensor) -> Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1).long())


def _mse(logits: Tensor, target: Tensor) -> Tensor:
    return F.mse_loss(logits, target.to(logits.dtype).reshape(logits.shape))


OUTPUT: dict[str, Output] = {
    o.name: o
    for o in [
        Output("sigmoid", "sigmoid", torch.sigmoid, (0.0, 1.0), r"\sigma", "binary cross-entropy", _bce),
        Output("softmax", "softmax", lambda z: torch.softmax(z, dim=-1), (0.0, 1.0), r"\mathrm{softmax}",
               "cross-entropy", _ce),
        Output("identity", "identity", lambda z: z, (-math.inf, math.inf), r"\mathrm{id}",
               "mean squared error", _mse),
    ]
}


def hidden(name: str) -> Hidden:
    try:
        return HIDDEN[name]
    except KeyError:
        raise ConfigError(f"Unknown hidden activation {name!r}; choose one of {', '.join(HIDDEN)}.") from None


def output(name: str) -> Output:
    try:
        return OUTPUT[name]
    except KeyError:
        raise ConfigError(f"Unknown output activation {name!r}; choose one of {', '.join(OUTPUT)}.") from None

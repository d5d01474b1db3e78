"""The one optimizer update every model in the app takes (the toy tasks' Trainer, the shipped sentiment models and
their next-word pretraining): gradients of a loss, clipped, one optimizer step."""
from __future__ import annotations

import math
from typing import Iterable

import torch

Tensor = torch.Tensor


def update(loss: Tensor, params: Iterable[Tensor], opt: torch.optim.Optimizer, clip: float = 0.0,
           skip_nonfinite: bool = True) -> float:
    """Backpropagate `loss`, clip the gradients' total norm to `clip` (0: no clipping) and step `opt`. Returns the
    norm before clipping; when it is not finite and skip_nonfinite, the weights are left as they were."""
    params = list(params)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    norm = float(torch.nn.utils.clip_grad_norm_(params, clip if clip > 0 else math.inf))
    if math.isfinite(norm) or not skip_nonfinite:
        opt.step()
    return norm

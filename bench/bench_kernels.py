"""Why playground/lesson/kernels.py keeps torch's private fused kernels: forward+backward of the recurrence at Train
live's default size (batch 32, 8 steps, hidden 16) through them, against the public way to the same kernels
(torch.func.functional_call over nn.RNN / nn.LSTM / nn.GRU with the model's own W_xh, W_hh, b_h)."""
from __future__ import annotations

import torch
from torch.func import functional_call

from playground.lesson.cells import ModelConfig, RecurrentModel
from timing import interleaved_medians

B, T, E, H = 32, 8, 8, 16
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def _ours(model, x):
    def go():
        model.states(x).sum().backward()
    return go


def _public(model, x):
    module = MODULES[model.config.cell](E, H, batch_first=True)
    second = model.b_hh if model.config.cell == "gru" else torch.zeros_like(model.b_h)
    params = {"weight_ih_l0": model.W_xh, "weight_hh_l0": model.W_hh, "bias_ih_l0": model.b_h, "bias_hh_l0": second}
    assert torch.allclose(functional_call(module, params, (x,))[0], model.states(x), atol=1e-5)

    def go():
        functional_call(module, params, (x,))[0].sum().backward()
    return go


def run(quick: bool) -> dict[str, float]:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x = torch.randn(B, T, E)
    out: dict[str, float] = {}
    for cell in MODULES:
        model = RecurrentModel(ModelConfig(cell=cell, hidden_size=H, input_size=E))
        med = interleaved_medians({"ours": _ours(model, x), "public": _public(model, x)}, reps=5 if quick else 40)
        out[f"kernels.{cell}_private_fwd_bwd_us"] = med["ours"] * 1e6
        out[f"kernels.{cell}_public_vs_private"] = med["public"] / med["ours"]
    return out

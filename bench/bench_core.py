"""Forward+backward time of our RNN for each f, as a ratio to torch.nn.RNN (batch 32, hidden 32, emb 32)."""
from __future__ import annotations

import torch

from playground.lesson.activations import HIDDEN
from playground.lesson.cells import ModelConfig, RecurrentModel
from timing import interleaved_medians

B, H, E = 32, 32, 32


def _step(model, x):
    def go():
        logits, _ = model(x)
        logits[:, -1].sum().backward()
    return go


def _baseline(x):
    rnn, head = torch.nn.RNN(E, H, batch_first=True), torch.nn.Linear(H, 1)

    def go():
        _, h_n = rnn(x)
        head(h_n[0]).sum().backward()  # readout on the final state only: ours also reads out every step
    return go


def run(quick: bool) -> dict[str, float]:
    torch.manual_seed(0)
    out: dict[str, float] = {}
    for T in (20, 200):
        x = torch.randn(B, T, E)
        fns = {"torch": _baseline(x)}
        for f in HIDDEN:
            fns[f] = _step(RecurrentModel(ModelConfig(f=f, input_size=E, hidden_size=H)), x)
        med = interleaved_medians(fns, reps=5 if quick else 40)
        out[f"core.torch_rnn_fwd_bwd_ms.T{T}"] = med["torch"] * 1e3
        for f in HIDDEN:
            out[f"core.rnn_{f}_vs_torch.T{T}"] = med[f] / med["torch"]
    return out

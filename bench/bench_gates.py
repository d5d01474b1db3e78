"""Why LSTM & GRU: the gradient-flow figures for T = 100 (five models, gradient and Jacobian curves, to JSON)
next to the five gradient-norm curves alone as the baseline; and the race's training steps per second for each
cell at delay 20, next to a bare torch loop (nn.RNN / nn.LSTM / nn.GRU, same sizes, same optimizer)."""
from __future__ import annotations

import time

import torch

from playground.views import gates
from playground.training.gradflow import CONTENDERS, FlowSetup, grad_norms
from playground.training.race import RACERS, TASK, RaceSettings, run_lane
from timing import interleaved_medians

T, DELAY, HIDDEN = 100, 20, 16


def _flow_page(setup: FlowSetup):
    def go():
        view = gates.flow_view(setup)
        view.grads.to_json()
        view.jacobians.to_json()
    return go


def _grads_only(setup: FlowSetup):
    probe = setup.probe()
    models = [setup.model(k) for k in CONTENDERS]

    def go():
        for m in models:
            grad_norms(m, probe.x, probe.y)
    return go


def _bare_steps_per_s(cell: str, steps: int) -> float:
    """nn.RNN/LSTM/GRU + embedding + linear readout of the last step, Adam, clipping at 1, batch 32."""
    torch.manual_seed(0)
    vocab = len(TASK.vocab)
    emb = torch.nn.Embedding(vocab, HIDDEN)
    rnn = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](HIDDEN, HIDDEN, batch_first=True)
    head = torch.nn.Linear(HIDDEN, 8)
    params = [*emb.parameters(), *rnn.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=0.01)
    gen = torch.Generator().manual_seed(0)
    batch = TASK.sample(32, DELAY, gen)
    t0 = time.perf_counter()
    for _ in range(steps):
        out, _ = rnn(emb(batch.x))
        loss = torch.nn.functional.cross_entropy(head(out[:, -1]), batch.y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return steps / (time.perf_counter() - t0)


def run(quick: bool) -> dict[str, float]:
    setup = FlowSetup(T=T, hidden=HIDDEN)
    med = interleaved_medians({"page": _flow_page(setup), "grads": _grads_only(setup)}, reps=3 if quick else 10)
    out = {f"gates.flow_figure_ms.T{T}": med["page"] * 1e3, f"gates.flow_grads_only_ms.T{T}": med["grads"] * 1e3,
           f"gates.flow_figure_vs_grads_only.T{T}": med["page"] / med["grads"]}
    steps = 60 if quick else 300
    settings = RaceSettings(delays=(DELAY,), hidden=HIDDEN, steps=steps)
    for cell in RACERS:
        lane = run_lane(cell, DELAY, HIDDEN, settings)
        ours = len(lane.losses) / lane.seconds
        bare = _bare_steps_per_s(cell, steps)
        out[f"gates.race_steps_per_s.{cell}.delay{DELAY}"] = ours
        out[f"gates.race_vs_bare_torch_time_ratio.{cell}"] = bare / ours
    return out

"""A run that blows up keeps its last finite weights: for every cell, f and optimizer, fuzzed over learning rates
(tiny models, a few steps). Some runs are pushed over the edge on purpose (an update that writes inf or NaN into a
weight), so the rollback is exercised on any CPU, not only where a learning rate happens to overflow."""
from __future__ import annotations

import math

import torch
from hypothesis import event, given, strategies as st

from playground.lesson.activations import HIDDEN
from playground.lesson.cells import CELLS
from playground.training.trainer import LEARNING_RATES, MAX_LR, OPTIMIZERS, TrainConfig, Trainer

RATES = st.one_of(st.sampled_from(LEARNING_RATES), st.floats(1e-6, MAX_LR), st.just(MAX_LR))
TASKS = st.sampled_from([("counting", 12, "identity"), ("parity", 6, "sigmoid"), ("sine", 16, "identity"),
                         ("recall", 3, "softmax")])


def _weights(t: Trainer) -> list[torch.Tensor]:
    return [p.detach().clone() for p in t.model.parameters()]


def _sabotage(t: Trainer, at: int, value: float) -> None:
    """From the update of step `at` on, that update also writes `value` into one weight of W_hh."""
    step = t.opt.step

    def broken(*args, **kwargs):
        out = step(*args, **kwargs)
        if t.step == at:
            with torch.no_grad():
                t.model.W_hh.view(-1)[0] = value
        return out

    t.opt.step = broken


@given(st.sampled_from(list(CELLS)), st.sampled_from(list(HIDDEN)), st.sampled_from(list(OPTIMIZERS)), RATES,
       st.sampled_from([0.0, 1.0]), TASKS, st.none() | st.integers(0, 6),
       st.sampled_from([math.inf, -math.inf, math.nan, 3e38]), st.integers(0, 3))
def test_a_diverging_run_keeps_its_last_finite_weights(cell, f, optimizer, lr, clip, task, sabotage_at, value, seed):
    name, length, g = task
    t = Trainer(TrainConfig(task=name, length=length, cell=cell, f=f, g=g, optimizer=optimizer, lr=lr, clip=clip,
                            hidden=4, batch_size=4, held_out=8, seed=seed))
    if sabotage_at is not None:
        _sabotage(t, sabotage_at, value)
    seen = {}  # step -> the weights the model had when it started that step
    for _ in range(8):
        seen[t.step] = _weights(t)
        t.train_step()
        if t.divergence is not None:
            break
    if t.divergence is None:
        event("no blow-up")
        assert t.step == 8 and all(bool(torch.isfinite(w).all()) for w in _weights(t))  # every step taken, finite
        return
    event(f"blew up: the {t.divergence.where}")
    kept = _weights(t)
    assert all(bool(torch.isfinite(w).all()) for w in kept)
    assert t.step in seen and all(torch.equal(a, b) for a, b in zip(kept, seen[t.step]))
    assert t.divergence.step in (t.step, t.step + 1) and "kept the weights from step" in t.divergence.message
    assert t.train(3).steps == 0 and _weights(t)[0].equal(kept[0])  # paused until the student resumes

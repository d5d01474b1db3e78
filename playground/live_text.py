"""The words and numbers the Train live page shows around its charts: metric values, the task card, and the
caption for a learning rate too big to learn with. Plain functions of settings; no Streamlit, no training."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from playground import tasks as tasklib
from playground import train as tr
from playground.activations import OUTPUT

if TYPE_CHECKING:
    from playground.live import LiveConfig


def fmt(value: float, spec: str) -> str:
    """A metric for the page: '–' until there is a number."""
    return format(value, spec) if value is not None and math.isfinite(value) else "–"


def fmt_loss(value: float) -> str:
    """A loss in at most 7 characters, so it fits its metric box however large a blow-up (or small a fit) makes it:
    four significant digits, fewer when they do not fit."""
    if value is None or not math.isfinite(value):
        return "–"
    for spec in (".4g", ".3g", ".2g"):
        if len(shown := format(value, spec)) <= 7:
            return shown
    return format(value, ".1e")


# Measured on parity at the page's defaults (hidden 16, batch 32, clipping on), seeds 0-7 here and seeds 0-4 under
# each floating-point path bench/robustness.py reaches: at TOO_BIG no run passed 55% in 800 steps; at every rate in
# LEARNS every run passed 90% within LEARNS_WITHIN steps (the slowest, Adam 0.003, by step 2,100). At other rates a
# run may or may not learn, depending on the seed and the CPU, so the hint names none of them: SGD 1 without
# clipping failed 2 seeds of 8; with clipping, under MKL_CBWR=AVX2 it missed at seed 4, and Adam 0.03 took 2,650.
TOO_BIG = {"adam": 0.1, "sgd": 3.0}  # optimizer -> the smallest rate on the slider that does not learn
LEARNS = {"adam": (0.003, 0.01), "sgd": (0.3,)}  # optimizer -> the slider's rates that learn
LEARNS_WITHIN = 3000


def rate_hint(lr: float, optimizer: str, f: str, cell: str, clip: bool) -> str:
    """A caption for a learning rate too big to learn the toy tasks with (thresholds measured on parity):
    what the user will see, and why the run may never stop by itself. Empty for workable rates."""
    too_big = TOO_BIG.get(optimizer, math.inf)
    if lr < too_big:
        return ""
    bounded = cell != "rnn" or f in ("tanh", "sigmoid")
    then = ("the states stay bounded, so the run will usually not overflow and stop by itself: watch the loss "
            "stay at or above where it started and the accuracy stay at guessing" if bounded else
            "with an unbounded f it can overflow, and then the run stops by itself" +
            ("" if clip else " (clipping tames it)"))
    learns = " or ".join(f"{r:g}" for r in LEARNS[optimizer])
    return (f"A rate of {lr:g} is too big for {tr.OPTIMIZERS[optimizer].label} on these tasks: {then}. "
            f"On parity, a rate of {learns} learns (with clipping on).")


def task_card(cfg: LiveConfig) -> str:
    """Markdown describing the task as set up: input, target, g and its loss, metric, what perfect looks like.
    Only our own strings go in (never the user's text)."""
    task = cfg.train_config().make_task()
    g = OUTPUT[cfg.g]
    lines = [f"**{task.label}** ({tasklib.USES[task.use]}) · {task.knob.label} = {cfg.length}",
             f"- **Input:** {task.input}",
             f"- **Target:** {task.target}",
             f"- **Output g = {g.label}**, loss: {g.loss_name}; **metric:** {task.metric.name} on a fixed "
             f"held-out set of {tr.HELD_OUT} sequences"
             + (f" (guessing scores {task.chance(cfg.length):{task.metric.fmt}})"
                if task.chance(cfg.length) is not None else "") + ".",
             f"- **A perfect model:** {task.perfect}"]
    return "\n".join(lines)


def busy_note(busy: int, steps_per_sec: float) -> str:
    """Why training is slower than alone: the worker shares its core equally among the runs playing on it."""
    rate = f" (about {steps_per_sec:.0f} steps/s for this one)" if steps_per_sec else ""
    return (f"Shared server: {busy} runs are training on this core, each gets an equal slice{rate}. The numbers "
            "at each step are the same as alone; they just come slower.")

"""Train live: the page's training loop vs a bare torch loop (batch 32, hidden 32), wall time until parity of
8 bits reaches 95% held-out accuracy with the page's defaults, and redraws per second of the live panel."""
from __future__ import annotations

import dataclasses
import time

import torch

from playground.training import live_config
from playground.training import live
from playground.views import train_live as live_panel
from playground.training.trainer import TrainConfig, Trainer
from timing import interleaved_medians

B, H, STEPS = 32, 32, 50


def _page_loop(task: str, length: int):
    """LiveSession.tick: what the page runs per redraw (steps, metric, one held-out evaluation, history row)."""
    cfg = dataclasses.replace(live.LiveConfig(), task=task, length=length, hidden=H, batch_size=B,
                              steps_per_tick=STEPS, **{"g": live_config.task_defaults(task)["g"]})
    return live.LiveSession(cfg).tick  # exactly STEPS steps, however long they take


def _bare_loop(task: str, length: int):
    """The same model, task batches, loss, clipping and Adam, with nothing else."""
    t = Trainer(TrainConfig(task=task, length=length, hidden=H, batch_size=B))
    model, head, sample = t.model, t.head, t.task.sample
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    gen = torch.Generator().manual_seed(0)

    def go():
        for _ in range(STEPS):
            batch = sample(B, length, gen)
            logits, _ = model(batch.x, batch.lengths)
            out, target = batch.scored(logits)
            loss = model.g.loss(out, head.encode(target))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
    return go


def _time_to_parity(limit: float) -> dict[str, float]:
    """Parity of 8 bits with the page's defaults until held-out accuracy >= 95%: compute seconds (ticks with
    their evaluation, plus building the panel each tick as the page does) and the wall time on the page, where
    a tick starts every redraw_every(1) seconds (a student alone) or as soon as the last one (and its redraw) is done."""
    s = live.LiveSession(live.LiveConfig())
    s.play()
    compute = wall = 0.0
    while compute < limit:
        t0 = time.perf_counter()
        s.tick()
        live_panel.panel(s)
        dt = time.perf_counter() - t0
        compute += dt
        wall += max(live.redraw_every(1), dt)
        if s.latest()["test_metric"] >= 0.95:
            break
    return {"compute_seconds_to_95pct": compute, "page_wall_seconds_to_95pct": wall,
            "steps_to_95pct": float(s.step), "final_accuracy": s.latest()["test_metric"], "ticks": float(s.ticks)}


def _redraw(task: str):
    cfg = dataclasses.replace(live.LiveConfig(), task=task, **live_config.task_defaults(task))
    s = live.LiveSession(cfg)
    for _ in range(20):
        s.tick()

    def go():
        p = live_panel.panel(s)
        for fig in (p.curves, p.probe, p.weights, p.spectral, p.grads):
            fig.json  # what the page sends the browser (live_ui.live_chart)
    return go


def run(quick: bool) -> dict[str, float]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the app runs (app.py): one thread per computation on a shared server
    try:
        return _run(quick)
    finally:
        torch.set_num_threads(threads)


def _run(quick: bool) -> dict[str, float]:
    torch.manual_seed(0)
    out: dict[str, float] = {}
    reps = 3 if quick else 15
    for task, length in (("parity", 8), ("recall", 10)):
        med = interleaved_medians({"page": _page_loop(task, length), "bare": _bare_loop(task, length)}, reps=reps,
                                  warmup=1)
        out[f"train.{task}.bare_torch_steps_per_s"] = STEPS / med["bare"]
        out[f"train.{task}.page_steps_per_s"] = STEPS / med["page"]
        out[f"train.{task}.page_vs_bare_time_ratio"] = med["page"] / med["bare"]
    for k, v in _time_to_parity(20.0 if quick else 60.0).items():
        out[f"train.parity8_defaults.{k}"] = v
    red = interleaved_medians({t: _redraw(t) for t in ("parity", "text")}, reps=3 if quick else 10, warmup=1)
    for task, sec in red.items():
        out[f"train.redraws_per_s.{task}"] = 1 / sec
    out["train.tick_interval_s"] = live.redraw_every(1)
    return out

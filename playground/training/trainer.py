"""Training a RecurrentModel on a task: optimizers, one step, a tick of steps, clipping, divergence, metrics.

No Streamlit here. `Trainer(TrainConfig(...))` owns one model, its optimizer, its batch generator and a fixed
held-out set; `trainer.train(n)` runs up to n steps and stops at the first NaN/inf, keeping the last finite
weights; `history_row` is one row of its history (HISTORY_COLUMNS). `history.fit(cfg, steps)` is the one-call form
for tests, benchmarks and experiments (training/history.py).

Same config (seed included) -> same batches, same initial weights, and on the same machine the same numbers
(another CPU may take other floating-point paths: bench/robustness.py checks which outcomes hold anyway).
"""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Callable, Iterable

import torch

from playground import tasks as tasklib
from playground.lesson.cells import CELLS, ModelConfig, RecurrentModel
from playground.training.loop import update
from playground.errors import ConfigError

Tensor = torch.Tensor
MAX_HIDDEN = 64
MAX_BATCH = 256
MAX_LR = 10.0
MAX_SEED = 2**62  # torch.manual_seed takes at most 2**64 - 1; HELD_OUT_SEED is added to it
HELD_OUT = 512
HELD_OUT_SEED = 1_000_003  # added to the run's seed: the held-out set never overlaps the training stream
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
HISTORY_COLUMNS = ["step", "train_loss", "train_metric", "test_loss", "test_metric", "grad_norm",
                   "spectral_radius", "seconds"]



@torch.no_grad()
def _copy(dst: Iterable[Tensor], src: Iterable[Tensor]) -> None:
    """dst[i] <- src[i], in place (the last finite weights kept, a checkpoint restored)."""
    for d, v in zip(dst, src):
        d.copy_(v)

def model_config(task: tasklib.Task, cell: str = "rnn", hidden_size: int = 16, f: str = "tanh",
                 g: str | None = None, length: int | None = None) -> ModelConfig:
    """The ModelConfig that fits a task: its input (tokens or reals) and the outputs g needs."""
    g = g or task.default_g
    head = task.head(g, length)
    return ModelConfig(cell=cell, hidden_size=hidden_size, f=f, g=g, output_size=head.output_size,
                       vocab_size=task.vocab_size, embed_dim=task.embed_dim, input_size=task.input_size)


@dataclass(frozen=True)
class Optimizer:
    name: str
    label: str
    make: Callable[[Iterable[Tensor], float], torch.optim.Optimizer]


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in [
        Optimizer("sgd", "SGD", lambda ps, lr: torch.optim.SGD(ps, lr=lr)),
        Optimizer("momentum", "SGD + momentum 0.9", lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9)),
        Optimizer("adam", "Adam", lambda ps, lr: torch.optim.Adam(ps, lr=lr)),
        Optimizer("rmsprop", "RMSprop", lambda ps, lr: torch.optim.RMSprop(ps, lr=lr)),
    ]
}


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run. g=None uses the task's natural g; clip=0 turns clipping off."""

    task: str = "parity"
    length: int = 8
    cell: str = "rnn"
    hidden: int = 16
    f: str = "tanh"
    g: str | None = None
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 32
    clip: float = 1.0
    seed: int = 0
    text: str = ""  # the text task's text ("" = its default)
    held_out: int = HELD_OUT

    def __post_init__(self):
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"Unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
        if self.cell not in CELLS:
            raise ConfigError(f"Unknown cell {self.cell!r}; choose one of {', '.join(CELLS)}.")
        if not (1 <= self.hidden <= MAX_HIDDEN):
            raise ConfigError(f"The hidden size must be between 1 and {MAX_HIDDEN}, got {self.hidden}.")
        if not (1 <= self.batch_size <= MAX_BATCH):
            raise ConfigError(f"The batch size must be between 1 and {MAX_BATCH}, got {self.batch_size}.")
        if not (math.isfinite(self.lr) and 0 < self.lr <= MAX_LR):
            raise ConfigError(f"The learning rate must be above 0 and at most {MAX_LR:g}, got {self.lr}.")
        if not (math.isfinite(self.clip) and self.clip >= 0):
            raise ConfigError("The clipping norm must be a positive number (0 turns clipping off).")
        if not (0 <= self.seed <= MAX_SEED):
            raise ConfigError(f"The seed must be a whole number from 0 to {MAX_SEED:,}, got {self.seed}.")
        if not (8 <= self.held_out <= 4096):
            raise ConfigError("The held-out set must hold between 8 and 4096 sequences.")

    def make_task(self) -> tasklib.Task:
        task = tasklib.get(self.task)
        return tasklib.get(self.task, text=self.text) if task.takes_text and self.text else task

    @property
    def output(self) -> str:
        return self.g or self.make_task().default_g

    def describe(self) -> str:
        """'RNN with relu' / 'LSTM': how a message names the model."""
        return f"RNN (f = {self.f})" if self.cell == "rnn" else CELLS[self.cell].label

    def recipe(self) -> str:
        """How it trains, for a page: 'Adam, learning rate 0.01, clipping at 1, batches of 32'."""
        clip = f"clipping at {self.clip:g}" if self.clip > 0 else "no clipping"
        return f"{OPTIMIZERS[self.optimizer].label}, learning rate {self.lr:g}, {clip}, batches of {self.batch_size}"


@dataclass(frozen=True)
class Divergence:
    """Where a run blew up. The trainer's weights and step are rolled back to the last finite ones."""

    step: int  # the update that blew up
    where: str  # "loss" (the last update broke the weights) | "gradient" (this update would have)
    value: str  # "NaN" | "inf"
    message: str


def divergence_message(cfg: TrainConfig, step: int, where: str, value: str, kept: int | None = None) -> str:
    """One paragraph for the student: what happened, what was kept, what to try."""
    tips = []
    if cfg.clip == 0:
        tips.append("turn on gradient clipping")
    else:  # clipping was on: it caps each update at the max norm, so a smaller one takes smaller steps
        tips.append(f"lower the clipping max norm (now {cfg.clip:g})")
    if cfg.lr >= 0.03 or not tips:
        tips.append(f"lower the learning rate (now {cfg.lr:g})")
    if cfg.cell == "rnn" and cfg.f in ("relu", "leaky_relu", "identity"):
        tips.append(f"use tanh instead of {cfg.f} (tanh keeps h_t within -1..1)")
    tips = tips[:-2] + [" or ".join(tips[-2:])]
    return (f"{cfg.describe()} with lr {cfg.lr:g} exploded at step {step}: the {where} became {value}. "
            f"Training paused and kept the weights from step {step - 1 if kept is None else kept}. Try: "
            + ", ".join(tips) + ".")


@dataclass
class Tick:
    """What one call of Trainer.train did."""

    steps: int
    losses: list[float]  # per step
    norms: list[float]  # per step: the gradient norm before clipping
    metric: float  # training metric over the tick's batches
    seconds: float
    divergence: Divergence | None = None

    @property
    def grad_norm(self) -> float:
        """The mean gradient norm (before clipping) over the tick."""
        return sum(self.norms) / len(self.norms) if self.norms else math.nan


@dataclass(frozen=True)
class Checkpoint:
    """A trainer at one step: weights and batch stream. Restoring it replays the same batches from there."""

    step: int
    params: tuple[Tensor, ...]
    gen_state: Tensor


def _nonfinite(x: float) -> str | None:
    return None if math.isfinite(x) else ("NaN" if math.isnan(x) else "inf")


class Trainer:
    """One model learning one task. Holds the config, model, optimizer, batch stream and held-out set."""

    def __init__(self, cfg: TrainConfig, model: RecurrentModel | None = None, step: int = 0):
        self.cfg = cfg
        self.task = cfg.make_task()
        self.length = self.task.check_length(cfg.length)
        self.head = self.task.head(cfg.output, self.length)
        mcfg = model_config(self.task, cfg.cell, cfg.hidden, cfg.f, cfg.output, self.length)
        if model is None:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(cfg.seed)
                model = RecurrentModel(mcfg)
        elif model.config != mcfg:
            raise ConfigError("These weights belong to a different model than the settings describe.")
        self.model = model.train()
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.opt = OPTIMIZERS[cfg.optimizer].make(self.params, cfg.lr)
        self.gen = torch.Generator().manual_seed(cfg.seed)
        self.held_out = self.task.held_out(cfg.held_out, self.length, seed=HELD_OUT_SEED + cfg.seed)
        self.step = step
        self.divergence: Divergence | None = None
        self._finite = [p.detach().clone() for p in self.params]  # last weights known to give a finite loss
        self._finite_step = step  # ...and the step they are from

    # ---- settings that may change without starting over ----
    def set_hyper(self, optimizer: str | None = None, lr: float | None = None, clip: float | None = None,
                  batch_size: int | None = None) -> None:
        """Change optimizer / lr / clipping / batch size and keep the weights (a new optimizer starts fresh)."""
        changes = {k: v for k, v in dict(optimizer=optimizer, lr=lr, clip=clip, batch_size=batch_size).items()
                   if v is not None and getattr(self.cfg, k) != v}
        if not changes:
            return
        self.cfg = dataclasses.replace(self.cfg, **changes)
        if "optimizer" in changes:
            self.opt = OPTIMIZERS[self.cfg.optimizer].make(self.params, self.cfg.lr)
        elif "lr" in changes:
            for group in self.opt.param_groups:
                group["lr"] = self.cfg.lr

    def resume(self) -> None:
        """After a divergence: forget it and start the optimizer afresh (its averages hold the blow-up)."""
        self.divergence = None
        self.opt = OPTIMIZERS[self.cfg.optimizer].make(self.params, self.cfg.lr)

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.step, tuple(p.detach().clone() for p in self.params), self.gen.get_state())

    def restore(self, cp: Checkpoint) -> None:
        """Back to a checkpoint: its weights, step and batches; the optimizer starts afresh (as after resume)."""
        with torch.no_grad():
            _copy(self.params, cp.params)
            _copy(self._finite, cp.params)
        self.step = self._finite_step = cp.step
        self.gen.set_state(cp.gen_state)
        self.resume()

    # ---- the math ----
    def loss(self, batch: tasklib.Batch) -> tuple[Tensor, Tensor, Tensor]:
        """(g's matching loss, scored outputs (N, O), targets (N,)) on one batch."""
        logits, _ = self.model(batch.x, batch.lengths)  # (B, T, O)
        out, target = batch.scored(logits)  # (N, O), (N,)
        return self.model.g.loss(out, self.head.encode(target)), out, target

    def train_step(self) -> tuple[float, float, float]:
        """One optimizer step on a fresh batch: (loss, grad norm before clipping, batch metric).
        On NaN/inf it restores the last finite weights, sets self.divergence and returns the bad loss."""
        batch = self.task.sample(self.cfg.batch_size, self.length, self.gen)
        loss, out, target = self.loss(batch)
        value = float(loss.detach())
        bad = _nonfinite(value)
        if bad:
            return self._diverged("loss", bad, value)
        _copy(self._finite, self.params)
        self._finite_step = self.step
        norm = update(loss, self.params, self.opt, self.cfg.clip)  # no step on a non-finite gradient
        bad = _nonfinite(norm)
        if bad:
            return self._diverged("gradient", bad, value)
        self.step += 1
        with torch.no_grad():
            metric = self.task.metric(self.head.predict(out.detach()), target)
        return value, norm, metric

    def _diverged(self, where: str, bad: str, value: float) -> tuple[float, float, float]:
        """A NaN loss means the last update broke the weights; a NaN gradient means this one would have."""
        step = max(self.step, 1) if where == "loss" else self.step + 1  # the update that blew up
        with torch.no_grad():
            _copy(self.params, self._finite)
        self.step = self._finite_step
        self.opt.zero_grad(set_to_none=True)
        self.divergence = Divergence(step, where, bad, divergence_message(self.cfg, step, where, bad, self.step))
        return value, float("nan"), float("nan")

    def train(self, n: int, time_budget: float | None = None,
              on_step: Callable[[Trainer, float, float], None] | None = None) -> Tick:
        """The training loop: up to n steps, fewer if time_budget seconds pass or the run diverges (then it stops at
        once). on_step(trainer, loss, grad norm) after every step taken, the one that diverged included (its norm is
        nan; trainer.divergence says what happened); the returned Tick holds the steps that were kept."""
        t0 = time.perf_counter()
        losses, norms, metrics = [], [], []
        if self.divergence is None:
            for _ in range(int(n)):
                loss, norm, metric = self.train_step()
                if on_step is not None:
                    on_step(self, loss, norm)
                if self.divergence is not None:
                    break
                losses.append(loss)
                norms.append(norm)
                metrics.append(metric)
                if time_budget is not None and time.perf_counter() - t0 > time_budget:
                    break
        metric = sum(metrics) / len(metrics) if metrics else math.nan
        return Tick(len(losses), losses, norms, metric, time.perf_counter() - t0, self.divergence)

    @torch.no_grad()
    def evaluate(self, batch: tasklib.Batch | None = None) -> dict[str, float]:
        """{'loss', 'metric'} on the fixed held-out set (or the given batch), in eval mode."""
        batch = self.held_out if batch is None else batch
        self.model.eval()
        try:
            loss, out, target = self.loss(batch)
            return {"loss": float(loss), "metric": self.task.metric(self.head.predict(out), target)}
        finally:
            self.model.train()

    def history_row(self, tick: Tick, seconds: float) -> dict[str, float]:
        """One row of the loss history after a tick (columns HISTORY_COLUMNS)."""
        ev = self.evaluate()
        return {"step": self.step, "train_loss": sum(tick.losses) / len(tick.losses) if tick.losses else math.nan,
                "train_metric": tick.metric, "test_loss": ev["loss"], "test_metric": ev["metric"],
                "grad_norm": tick.grad_norm, "spectral_radius": spectral_radius(self.model), "seconds": seconds}


def recurrent_block(model: RecurrentModel) -> Tensor:
    """The H x H part of W_hh that feeds the new state: all of it for the RNN, the candidate block
    (LSTM's g, GRU's n) for gated cells."""
    return model.block("W_hh", CELLS[model.config.cell].candidate).detach()


def eigenvalues(model: RecurrentModel, gate: str | None = None) -> Tensor:
    """The eigenvalues of W_hh's H x H block of `gate` (None: the RNN's whole W_hh), complex (H,)."""
    return torch.linalg.eigvals(model.block("W_hh", gate).detach().double())


def spectral_radius(model: RecurrentModel) -> float:
    """max |eigenvalue| of W_hh (its candidate block for LSTM/GRU); nan if the weights are not finite."""
    if not bool(torch.isfinite(recurrent_block(model)).all()):
        return math.nan
    return float(eigenvalues(model, CELLS[model.config.cell].candidate).abs().max())


def grad_norms(trainer: Trainer, batch: tasklib.Batch) -> Tensor:
    """||dL/dh_t|| for t = 1..T (batch mean) with the task's own loss: (T,)."""
    from playground.lesson.cells import hidden_grad_norms

    model, head = trainer.model, trainer.head
    loss_fn = lambda tr: model.g.loss(*_scored_encoded(batch, tr.logits, head))  # noqa: E731
    return hidden_grad_norms(model, batch.x, loss_fn, batch.lengths)


def _scored_encoded(batch: tasklib.Batch, logits: Tensor, head: tasklib.Head) -> tuple[Tensor, Tensor]:
    out, target = batch.scored(logits)
    return out, head.encode(target)

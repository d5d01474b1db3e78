"""A fair race: RNN, LSTM and GRU on the same data, seed, optimizer and step budget, at several delays.

"Same width" gives every cell the same hidden size; "same parameter count" keeps the RNN's width and
solves, for each gated cell, the hidden size whose parameter count is closest to the RNN's.
Every number the page shows comes out of `race()`; nothing here is a stored result.
"""
from __future__ import annotations

import functools
import threading
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import torch

from playground import tasks as tasklib
from playground.lesson.cells import CELLS, RecurrentModel, n_params
from playground.errors import ConfigError
from playground.training.trainer import MAX_HIDDEN, TrainConfig, Trainer, model_config

if TYPE_CHECKING:  # pandas only for the page's download: the workers that run races never import it
    import pandas as pd

Tensor = torch.Tensor
RACERS = ("rnn", "lstm", "gru")
MODES = {"width": "same width (hidden size)", "params": "same parameter count"}
MAX_DELAY, MAX_DELAYS, MAX_STEPS = 200, 6, 3000


SYMBOLS, DISTRACTORS = 8, 8


def sample_first_symbol(n: int, delay: int, gen: torch.Generator) -> tasklib.Batch:
    """One of 8 symbols A..H, then `delay` random distractor digits 0..7; after the last step the target is
    the class of the first symbol. Token 0 is padding, 1..8 the symbols, 9..16 the distractors."""
    first = torch.randint(1, SYMBOLS + 1, (n, 1), generator=gen)
    rest = torch.randint(SYMBOLS + 1, SYMBOLS + DISTRACTORS + 1, (n, delay), generator=gen)
    return tasklib.Batch(torch.cat([first, rest], dim=1), first[:, 0] - 1)  # x (n, delay+1), y (n,)


TASK = tasklib.Task(
    "first_symbol", "Recall the first symbol after N distractors", "long-range",
    input=f"x_1 is one of {SYMBOLS} symbols A..H; then come N distractor digits 0..7 that carry no information.",
    target="After the last step: which symbol came first.",
    perfect="h_t stores the first symbol and keeps it unchanged through every distractor; "
            "the LSTM's forget gate (GRU: update gate) stays open.",
    kind="classes", default_g="softmax", knob=tasklib.Knob("delay N", 20, 1, MAX_DELAY),
    sample=sample_first_symbol, classes=lambda d: SYMBOLS,
    vocab=("·", *(chr(ord("A") + i) for i in range(SYMBOLS)), *(str(i) for i in range(DISTRACTORS))),
    chance=lambda d: 1 / SYMBOLS,
)


@dataclass(frozen=True)
class RaceTrainConfig(TrainConfig):
    """train.TrainConfig for the race's own task (train.py looks tasks up by name in tasks.TASKS)."""

    task: str = TASK.name

    def make_task(self) -> tasklib.Task:
        return TASK


def set_memory_bias(model: RecurrentModel, bias: float) -> None:
    """Set the bias of the memory gate (LSTM forget gate b_f, GRU update gate b_z); the RNN has none.

    sigmoid(bias) is how much of the old state a unit keeps per step before training has taught it anything:
    0 keeps half, 1 (Keras' LSTM default, unit_forget_bias) keeps 73%.
    """
    gate = CELLS[model.config.cell].memory  # forget (LSTM), update (GRU)
    if gate is None:
        return
    if not math.isfinite(bias):
        raise ConfigError(f"The memory-gate bias must be a finite number, got {bias!r}.")
    with torch.no_grad():
        model.block("b_h", gate).fill_(bias)
        if model.config.cell == "gru":
            model.block("b_hh", gate).zero_()  # GRU adds a second bias inside the gate: keep the sum = bias


def make_model(cell: str, hidden: int, memory_bias: float, seed: int, f: str = "tanh") -> RecurrentModel:
    """A model for the task: weights from `seed` (the same for every cell), memory-gate bias set."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = RecurrentModel(model_config(TASK, cell, hidden, f, "softmax"))
    set_memory_bias(model, memory_bias)
    return model


_sizes_lock = threading.Lock()


def _sizes(cell: str, hidden: int) -> tuple[int, int]:
    """(parameters, W_hh's entries) of a racer: they depend on the cell and hidden size alone. Cached: Why LSTM &
    GRU's lineup asks on every run of the page, and a model built just to count it costs a seeded init (~5 ms).
    Counted by one thread: a room's hundred followers open the page at once, and each would build the same models."""
    with _sizes_lock:
        return _count(cell, hidden)


@functools.lru_cache(maxsize=None)  # at most len(CELLS) x MAX_HIDDEN entries
def _count(cell: str, hidden: int) -> tuple[int, int]:
    model = make_model(cell, hidden, 0.0, 0)
    return n_params(model), model.W_hh.numel()


def params_for(cell: str, hidden: int) -> int:
    return _sizes(cell, hidden)[0]


def matched_hidden(cell: str, target: int) -> int:
    """The hidden size (1..MAX_HIDDEN) whose parameter count is closest to target (ties: the smaller)."""
    lo, hi = 1, MAX_HIDDEN
    while lo < hi:  # smallest H with params >= target; the count grows with H
        mid = (lo + hi) // 2
        if params_for(cell, mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return min({max(lo - 1, 1), lo}, key=lambda h: (abs(params_for(cell, h) - target), h))


def hidden_sizes(mode: str, hidden: int) -> dict[str, int]:
    """Hidden size per racer: all `hidden` (same width), or the RNN at `hidden` and each gated cell at the
    size whose parameter count is closest to the RNN's (same parameter count)."""
    if mode not in MODES:
        raise ConfigError(f"Unknown race mode {mode!r}; choose one of {', '.join(MODES)}.")
    if mode == "width":
        return {c: hidden for c in RACERS}
    target = params_for("rnn", hidden)
    return {c: hidden if c == "rnn" else matched_hidden(c, target) for c in RACERS}


def parse_delays(text: str) -> tuple[int, ...]:
    """'5, 10, 20' -> (5, 10, 20) (sorted, unique), with a student-readable error for anything else."""
    parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p]
    try:
        delays = sorted({int(p) for p in parts})
    except ValueError:
        shown = str(text) if len(str(text)) <= 60 else str(text)[:60] + "…"  # the box holds 60; a link, any length
        raise ConfigError(f"Delays must be whole numbers separated by commas, like 5, 10, 20; got {shown!r}.") from None
    if not delays:
        raise ConfigError("Give at least one delay, like 5, 10, 20.")
    if delays[0] < 1 or delays[-1] > MAX_DELAY:
        raise ConfigError(f"Each delay must be between 1 and {MAX_DELAY}.")
    if len(delays) > MAX_DELAYS:
        raise ConfigError(f"At most {MAX_DELAYS} delays per race, to keep it quick; got {len(delays)}.")
    return tuple(delays)


@dataclass(frozen=True)
class RaceSettings:
    """Everything that decides a race's outcome: equal settings give equal results (the page caches on it)."""

    delays: tuple[int, ...] = (5, 10, 20, 40)
    mode: str = "width"
    hidden: int = 16
    steps: int = 300
    seed: int = 0
    optimizer: str = "adam"
    lr: float = 0.01
    batch: int = 32
    clip: float = 1.0
    memory_bias: float = 3.0

    def __post_init__(self):
        if self.mode not in MODES:
            raise ConfigError(f"Unknown race mode {self.mode!r}; choose one of {', '.join(MODES)}.")
        if not (1 <= self.hidden <= MAX_HIDDEN):
            raise ConfigError(f"The race's hidden size must be between 1 and {MAX_HIDDEN}.")
        if not (1 <= self.steps <= MAX_STEPS):
            raise ConfigError(f"The race's step budget must be between 1 and {MAX_STEPS}.")
        if not self.delays or min(self.delays) < 1 or max(self.delays) > MAX_DELAY:
            raise ConfigError(f"Each delay must be between 1 and {MAX_DELAY}.")

    def train_config(self, cell: str, hidden: int, delay: int) -> RaceTrainConfig:
        return RaceTrainConfig(length=delay, cell=cell, hidden=hidden, optimizer=self.optimizer, lr=self.lr,
                               batch_size=self.batch, clip=self.clip, seed=self.seed)


@dataclass
class Lane:
    """One cell at one delay: what it scored and what it cost."""

    cell: str
    delay: int
    hidden: int
    params: int
    accuracy: float  # on the held-out set, after training
    losses: list[float]  # training loss per step
    seconds: float
    note: str = ""  # a divergence message, if the run blew up


@dataclass
class RaceResult:
    settings: RaceSettings
    lanes: list[Lane] = field(default_factory=list)

    def lane(self, cell: str, delay: int) -> Lane | None:
        return next((ln for ln in self.lanes if ln.cell == cell and ln.delay == delay), None)

    def accuracy(self) -> dict[str, list[float]]:
        """cell -> held-out accuracy at each delay, in settings.delays order (cells that ran)."""
        out = {}
        for c in RACERS:
            lanes = [self.lane(c, d) for d in self.settings.delays]
            if all(lanes):
                out[c] = [ln.accuracy for ln in lanes]
        return out

    def table(self) -> pd.DataFrame:
        """Every lane for download: cell, delay, hidden size, parameters, held-out accuracy, training seconds, the
        last training loss and a divergence note, with the race's settings (step budget, how the sizes were matched,
        the RNN's width, seed); one row per cell and delay, in the race's order."""
        import pandas as pd  # the page's download only: the workers that run races never import it

        s = self.settings
        return pd.DataFrame([{"cell": CELLS[ln.cell].label, "delay": ln.delay, "hidden_size": ln.hidden,
                              "parameters": ln.params, "accuracy": ln.accuracy, "seconds": ln.seconds,
                              "final_train_loss": ln.losses[-1] if ln.losses else float("nan"), "note": ln.note,
                              "steps": s.steps, "compared_at": MODES[s.mode], "rnn_hidden_size": s.hidden,
                              "seed": s.seed}
                             for ln in self.lanes],
                            columns=["cell", "delay", "hidden_size", "parameters", "accuracy", "seconds",
                                     "final_train_loss", "note", "steps", "compared_at", "rnn_hidden_size", "seed"])

    def rows(self) -> list[dict]:
        """One row per cell for a table: hidden size, parameters, accuracy per delay, training steps per second."""
        out = []
        for c in RACERS:
            lanes = [ln for ln in self.lanes if ln.cell == c]
            if not lanes:
                continue
            row = {"cell": CELLS[c].label, "hidden size": lanes[0].hidden, "parameters": lanes[0].params}
            row.update({f"delay {ln.delay}": round(ln.accuracy, 3) for ln in lanes})
            secs = sum(ln.seconds for ln in lanes)
            row["steps/s"] = round(sum(len(ln.losses) for ln in lanes) / secs) if secs > 0 else None
            out.append(row)
        return out

    def notes(self) -> list[str]:
        return [ln.note for ln in self.lanes if ln.note]


def run_lane(cell: str, delay: int, hidden: int, s: RaceSettings,
             on_step: Callable[[int], None] | None = None) -> Lane:
    """Train one cell at one delay with the Trainer: the same batches, seed and held-out set for every cell.
    on_step(steps done) after each step kept."""
    cfg = s.train_config(cell, hidden, delay)
    trainer = Trainer(cfg, make_model(cell, hidden, s.memory_bias, s.seed))

    def report(t: Trainer, loss: float, norm: float) -> None:
        if on_step is not None and t.divergence is None:
            on_step(t.step)
    tick = trainer.train(s.steps, on_step=report)
    accuracy = trainer.evaluate()["metric"]
    note = trainer.divergence.message if trainer.divergence else ""
    return Lane(cell, delay, hidden, n_params(trainer.model), accuracy, tick.losses, tick.seconds, note)


def race(s: RaceSettings, progress: Callable[[float, str], None] | None = None) -> RaceResult:
    """Every racer at every delay; progress(fraction done, message) every 25 steps and after each lane."""
    sizes = hidden_sizes(s.mode, s.hidden)
    result = RaceResult(s)
    total = len(RACERS) * len(s.delays) * s.steps
    done = 0
    for delay in s.delays:
        for cell in RACERS:
            label = f"{CELLS[cell].label} at delay {delay}"

            def tick(step: int, label=label, base=done) -> None:
                if progress and step % 25 == 0:
                    progress((base + step) / total, f"Training {label}: step {step} of {s.steps}")

            result.lanes.append(run_lane(cell, delay, sizes[cell], s, tick))
            done += s.steps
            if progress:
                progress(done / total, f"Finished {label}")
    return result


def lineup(s: RaceSettings) -> list[dict]:
    """Before the race: each racer's hidden size and parameter count (with W_hh's share) under the mode."""
    rows = []
    for cell, hidden in hidden_sizes(s.mode, s.hidden).items():
        n, w_hh = _sizes(cell, hidden)
        rows.append({"cell": CELLS[cell].label, "hidden size": hidden, "parameters": n, "of which W_hh": w_hh})
    return rows

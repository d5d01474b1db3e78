"""The Train live page's state: one `LiveSession` per browser session (in a worker, see pool.py), no Streamlit.

It wraps a train.Trainer with what a TensorFlow-Playground-style loop needs: Play / Pause / Step / Reset,
a tick (a batch of steps, then one history row), a pandas history, steps per second, hard caps, and the
paused-on-divergence state. `LiveConfig` (live_config.py) is the page's settings; `view()` hands the figure
builders plain arrays.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import math
import threading
import time
from typing import TYPE_CHECKING
from collections.abc import Callable
from dataclasses import dataclass, field


from playground.training import trainer as tr
from playground import tasks as tasklib
from playground.tasks import text as tasks_text
from playground.training import history, weights_file
from playground.errors import ConfigError, InputError, PlaygroundError
from playground.state import check
from playground.training.live_config import SLOW_SECONDS, STRUCTURAL, LiveConfig
from playground.training.live_view import LiveView, Snapshot, labels_of, view_of  # noqa: F401 - LiveView: re-exported

if TYPE_CHECKING:  # pandas only where a table is asked for: a training worker never imports it (its memory)
    import pandas as pd

MAX_STEPS = 20_000  # per session, then training pauses until Reset
TICK_SECONDS = 0.25  # training per redraw when the page itself trains (no worker processes; see pool.py)
TICK_EVERY = 0.8  # seconds between redraws while playing, when the run shares its worker with others. Each redraw
# remounts the five charts in the browser; at 0.4 s headless Chromium on a busy 2-core machine was seen with the
# charts blank, mounted again before they had been drawn (0.8 s: drawn throughout)
TICK_EVERY_ALONE = 0.4  # ... and when it trains alone there: the student on their own sees twice the redraws


def redraw_every(busy: int) -> float:
    """Seconds between the page's redraws while playing, for a run whose worker trains `busy` runs now."""
    return TICK_EVERY_ALONE if busy <= 1 else TICK_EVERY


SHOWN_ROWS = 500  # history rows a snapshot carries at most: the curves' points (a chart is ~400 px wide)


def thinned(rows: list[dict], most: int | None = None) -> list[dict]:
    """At most `most` of `rows`, evenly spaced, the first and the last among them. A run at 1 step per tick has up to
    MAX_STEPS rows: sent whole, every redraw pickled, built and encoded them all (4,000 rows: 27 ms and 440 kB of
    JSON a redraw, against 6 ms and 50 kB), for curves no wider than their pixels. The CSV has every row."""
    n, most = len(rows), SHOWN_ROWS if most is None else most
    if n <= most:
        return list(rows)
    return [rows[(i * (n - 1)) // (most - 1)] for i in range(most)]


HEALTHY = 2.0  # Rewind goes back to the last row whose held-out loss was under this many times the untrained


def _locked(method):
    """Run the method holding the session's lock (see LiveSession.lock)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)
    return wrapper


@dataclass
class LiveSession:
    """One user's training run. status: paused | playing | diverged | capped | refused.

    Two script runs of one browser session can overlap: on a click Streamlit (runner.fastReruns) starts the
    new run while the old one, e.g. the training fragment in the middle of a tick, is still finishing. So
    everything that trains, reads or replaces the model holds `lock`, and a figure is never computed from
    weights an optimizer step is rewriting.
    """

    cfg: LiveConfig
    trainer: tr.Trainer | None = None
    rows: list[dict] = field(default_factory=list)  # one per tick (columns train.HISTORY_COLUMNS)
    status: str = "paused"
    message: str = ""  # why training stopped or was refused; empty when fine
    note: str = ""  # a one-line remark about the g chosen for this task
    steps_per_sec: float = 0.0
    seconds: float = 0.0  # training wall time so far
    ticks: int = 0
    _blew_up_with: tr.TrainConfig | None = field(default=None, init=False, repr=False)  # settings of the last
    # blow-up: the next one with the same settings says "Again"
    _rewind: tr.Checkpoint | None = field(default=None, init=False, repr=False)  # the last healthy row (rewind)
    _pending: tr.Tick | None = field(default=None, init=False, repr=False)  # the tick in progress (advance)
    _tick_started: float = field(default=-math.inf, init=False, repr=False)  # clock() when Play began the last tick
    _texts: int = field(default=0, init=False, repr=False)  # texts sampled so far: a second press, another text
    clock: Callable[[], float] = field(default=time.monotonic, repr=False, compare=False)
    lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False, compare=False)

    def __post_init__(self):
        self.reset()

    def __deepcopy__(self, memo: dict) -> "LiveSession":
        """A copy that trains on alone (a room's follower exploring from the room's run): weights, optimizer state,
        batches and history copied under the lock; a lock of its own."""
        with self.lock:
            twin = copy.copy(self)
            for name, value in vars(self).items():
                if name not in ("lock", "clock"):
                    setattr(twin, name, copy.deepcopy(value, memo))
        twin.lock = threading.RLock()
        return twin

    # ---- controls ----
    @property
    def step(self) -> int:
        return self.trainer.step if self.trainer else 0

    @property
    def playing(self) -> bool:
        return self.status == "playing"

    @_locked
    def reset(self) -> None:
        """A fresh model from the settings (same seed, same start); a refused setting leaves no model."""
        try:
            trainer = tr.Trainer(self.cfg.train_config())
        except PlaygroundError as e:
            self._start(None)
            self.status, self.message = "refused", str(e)
            return
        self._start(trainer)

    def _start(self, trainer: tr.Trainer | None) -> None:
        """A new run on `trainer`: paused, empty history but for the row of the model as it starts."""
        self.trainer, self.rows = trainer, []
        self.status, self.message = "paused", ""
        self.note = trainer.head.note if trainer else ""
        self.steps_per_sec = self.seconds = 0.0
        self.ticks = 0
        self._pending = None
        self._tick_started = -math.inf
        self._blew_up_with = self._rewind = None
        if trainer is not None:
            self._record(tr.Tick(0, [], [], math.nan, 0.0))

    @_locked
    def apply(self, cfg: LiveConfig) -> bool:
        """Take new settings. Returns True when they needed a new model (then training is paused)."""
        old, self.cfg = self.cfg, cfg
        if any(getattr(old, k) != getattr(cfg, k) for k in STRUCTURAL):
            self.reset()
            return True
        if self.trainer is None:
            return False
        tcfg = cfg.train_config()
        self.trainer.set_hyper(tcfg.optimizer, tcfg.lr, tcfg.clip, tcfg.batch_size)
        if self.status == "diverged" and old.train_config() != tcfg:
            # The weights kept at the blow-up have usually grown far out of range already (held-out loss 1e8
            # and more), and new settings cannot save them: start the new settings from before the blow-up.
            self.rewind()
            self.message = "Settings changed after the blow-up: " + self.message[0].lower() + self.message[1:]
        return False

    @property
    def rewind_step(self) -> int | None:
        """The step Rewind goes back to: the last history row whose held-out loss was under HEALTHY times the
        untrained model's (step 0 at worst)."""
        return self._rewind.step if self._rewind is not None else None

    @_locked
    def rewind(self) -> None:
        """Back to rewind_step: its weights and batches, the history cut there, a fresh optimizer, paused. With
        the settings unchanged it replays the same run; at step 0 it is Reset with the current settings."""
        if self.trainer is None or self._rewind is None:
            return
        cp = self._rewind
        self.trainer.restore(cp)
        self.rows = [r for r in self.rows if r["step"] <= cp.step]
        self._pending = None
        self.status = "paused"
        self.steps_per_sec = 0.0  # measured afresh from the next Play, as after Reset (the page shows "–")
        self.message = (f"Rewound to step {cp.step}, the last point where the held-out loss was under "
                        f"{HEALTHY:g} times the untrained model's. Press Play to train from there with the current "
                        "settings.")

    @_locked
    def play(self) -> None:
        if self.trainer is None:
            return
        if self.status == "diverged":
            self.trainer.resume()
        if self.step >= MAX_STEPS:
            self._cap()
            return
        self.status, self.message = "playing", ""

    @_locked
    def pause(self) -> None:
        if self.status == "playing":
            self.status = "paused"

    @_locked
    def step_once(self) -> None:
        """The Step button: one tick, then paused."""
        if self.trainer is None:
            return
        if self.status == "diverged":
            self.trainer.resume()
            self.message = ""
        self.status = "paused"
        self.tick()

    @_locked
    def tick(self) -> tr.Tick | None:
        """Finish the current tick: exactly cfg.steps_per_tick steps since the last row (fewer only at a NaN or
        the cap), then one history row. The same clicks give the same steps and numbers on every machine."""
        return self.advance(None)

    def wait(self) -> float:
        """Seconds before Play may train again: 0 but at the slow pace, which starts one tick every SLOW_SECONDS."""
        if not self.cfg.slow or self._pending is not None:
            return 0.0
        return max(0.0, self._tick_started + SLOW_SECONDS - self.clock())

    @_locked
    def advance(self, budget: float | None) -> tr.Tick | None:
        """Train the current tick for up to `budget` seconds (None: to its end, as Step does). Returns the finished
        tick when this call completed it (its history row is recorded), else None. Rows come every
        cfg.steps_per_tick steps however the work is sliced, so a busy server changes how often the page redraws,
        not the numbers. At the slow pace Play (a budget) starts a tick only every SLOW_SECONDS."""
        if self.trainer is None or self.status in ("diverged", "refused"):
            return None
        if self.step >= MAX_STEPS:
            self._cap()
            return None
        if budget is not None and self.wait() > 0:
            return None
        if self._pending is None:
            self._tick_started = self.clock()
        start = self.step - (self._pending.steps if self._pending else 0)  # the step this tick started at
        quota = min(self.cfg.steps_per_tick, MAX_STEPS - start)
        part = self.trainer.train(max(1, start + quota - self.step), time_budget=budget)
        t = self._pending = _joined(self._pending, part)
        self.seconds += part.seconds
        if part.steps and part.seconds > 0:
            rate = part.steps / part.seconds
            self.steps_per_sec = rate if not self.steps_per_sec else 0.8 * self.steps_per_sec + 0.2 * rate
            if self.cfg.slow:  # the pace, not the machine's speed
                self.steps_per_sec = min(self.steps_per_sec, quota / SLOW_SECONDS)
        if t.divergence is None and self.step < start + quota:
            return None  # more of this tick next time
        self._pending = None
        self.ticks += 1
        if t.steps:
            self._record(t)
        if t.divergence is not None:
            again = "Again, with the same settings: " if self._blew_up_with == self.trainer.cfg else ""
            self._blew_up_with = self.trainer.cfg
            self.status, self.message = "diverged", again + t.divergence.message
        elif self.step >= MAX_STEPS:
            self._cap()
        return t

    def _cap(self) -> None:
        self.status = "capped"
        self.message = (f"This session reached its cap of {MAX_STEPS:,} training steps (the server is shared). "
                        "Press Reset to start a new run.")

    def _record(self, t: tr.Tick) -> None:
        row = self.trainer.history_row(t, self.seconds)
        self.rows.append(row)
        if not self.rows[:-1] or row["test_loss"] < HEALTHY * self.rows[0]["test_loss"]:  # NaN compares False
            self._rewind = self.trainer.checkpoint()

    # ---- what the page shows ----
    @property
    def history(self) -> pd.DataFrame:
        """The loss history as a pandas table, one row per tick (the first row is the untrained model)."""
        with self.lock:
            return history.history_frame(list(self.rows))

    @_locked
    def latest(self) -> dict[str, float]:
        return dict(self.rows[-1]) if self.rows else {}

    @_locked
    def view(self) -> LiveView:
        """Probe sequence, weights and gradient norms for the current (finite) weights."""
        return view_of(self._need())

    @_locked
    def sample_text(self, prime: str = "", n_chars: int = 200, temperature: float | None = None) -> str:
        """Text generated by the current model (text task only), at the given (or the settings') temperature."""
        trn = self._need()
        if not trn.task.generates:
            raise ConfigError(f"{trn.task.label} does not write anything: sampling needs a generation task "
                              f"({', '.join(t.label for t in tasklib.TASKS.values() if t.generates)}).")
        temperature = self.cfg.temperature if temperature is None else float(temperature)
        self._texts += 1  # (the same settings, step and press: the same text)
        return tasks_text.generate(trn.model, trn.task, prime, n_chars, temperature, trn.length,
                                   seed=self.cfg.seed + self.step + 1_000_003 * self._texts)

    @_locked
    def written(self, prime: str = "", n_chars: int = 200, temperature: float | None = None) -> tuple[int, str]:
        """(the step, the text the model wrote at it): sample_text with the step of the weights that wrote it."""
        return self.step, self.sample_text(prime, n_chars, temperature)

    @_locked
    def csv(self) -> str:
        """The history as CSV, its metric and loss columns named by the task's metric and the loss (test_accuracy,
        train_loss_MSE)."""
        trn = self.trainer
        if trn is None:
            return history.history_csv(self.rows)
        return history.history_csv(self.rows, trn.task.metric.name, trn.model.g.loss_name)

    @_locked
    def weights_file(self) -> bytes:
        return weights_file.export_weights(self._need())

    @_locked
    def load(self, data: bytes) -> LiveConfig:
        """Continue from an exported file; returns the settings it was trained with (for the widgets). The file
        is checked whole, against this page's limits too, before its model is built."""
        f = weights_file.read_weights(data)
        c = f.cfg
        cfg = dataclasses.replace(self.cfg, task=c.task, length=c.length, cell=c.cell, hidden=c.hidden, f=c.f,
                                  g=c.output, optimizer=c.optimizer, lr=c.lr, batch_size=c.batch_size,
                                  clip=c.clip > 0, clip_norm=c.clip if c.clip > 0 else self.cfg.clip_norm,
                                  seed=c.seed, text=c.text or self.cfg.text)
        problems = check(cfg)  # e.g. a batch size or learning rate the page's widgets do not offer
        if c.held_out != tr.HELD_OUT:
            problems.append(f"its held-out set has {c.held_out} sequences instead of {tr.HELD_OUT}")
        if problems:
            raise InputError("This file's settings are outside what this page offers: " + "; ".join(problems) + ".")
        trainer = weights_file.trainer_from(f)
        self.cfg = cfg
        self._start(trainer)
        return cfg

    def _need(self) -> tr.Trainer:
        if self.trainer is None:
            raise ConfigError(self.message or "There is no model: the settings were refused.")
        return self.trainer


def snapshot(s: LiveSession) -> Snapshot:
    """The session's state for the page (one call per redraw; holds the lock for one consistent state)."""
    with s.lock:  # a tick in flight in another script run finishes first
        trn = s.trainer
        if trn is None:
            return Snapshot(s.status, s.message, s.note, 0, 0.0, "", [], None, {})
        return Snapshot(s.status, s.message, s.note, s.step, s.steps_per_sec, trn.task.name, thinned(s.rows), s.view(),
                        labels_of(trn), rewind_step=s.rewind_step)


def _joined(a: tr.Tick | None, b: tr.Tick) -> tr.Tick:
    """Two slices of one tick as one: all the losses, step-weighted means, the divergence if any.
    (A kept slice `a` has steps: a slice that diverges at once ends its tick.)"""
    if a is None:
        return b
    metric = (a.metric * a.steps + b.metric * b.steps) / (a.steps + b.steps) if b.steps else a.metric
    return tr.Tick(a.steps + b.steps, a.losses + b.losses, a.norms + b.norms, metric, a.seconds + b.seconds,
                   b.divergence)



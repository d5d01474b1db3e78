"""One call to train for N steps, and a run's history as a table or as CSV.

    result = fit(TrainConfig(task="recall", length=10, cell="lstm", hidden=16), steps=300)
    result.metric          # held-out accuracy (or R²) after training
    result.history         # pandas frame: step, train_loss, ..., test_metric
"""
from __future__ import annotations

import csv
import io
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from playground.training.trainer import HISTORY_COLUMNS, Divergence, Tick, TrainConfig, Trainer

if TYPE_CHECKING:  # pandas only where a table is asked for: a training worker never imports it (its memory)
    import pandas as pd


@dataclass
class FitResult:
    trainer: Trainer
    rows: list[dict]  # one per evaluation: HISTORY_COLUMNS
    metric: float  # held-out metric at the end
    loss: float  # held-out loss at the end
    divergence: Divergence | None = None
    seconds: float = 0.0

    @property
    def history(self) -> pd.DataFrame:
        return history_frame(self.rows)


def history_frame(rows: list[dict]) -> pd.DataFrame:
    """A history's rows as a pandas table (imported here: the training workers never need it)."""
    import pandas as pd

    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def fit(cfg: TrainConfig, steps: int, eval_every: int = 50, until: float | None = None,
        on_tick: Callable[[Trainer, dict], None] | None = None) -> FitResult:
    """Train for `steps` steps (evaluating the held-out set at step 0 and every eval_every), stopping early at a
    divergence or once the held-out metric reaches `until`. on_tick(trainer, row) after each evaluation."""
    trainer = Trainer(cfg)
    rows = [trainer.history_row(Tick(0, [], [], math.nan, 0.0), 0.0)]  # the untrained model first
    t0 = time.perf_counter()
    while trainer.step < steps and trainer.divergence is None:
        tick = trainer.train(min(eval_every, steps - trainer.step))
        row = trainer.history_row(tick, time.perf_counter() - t0)
        rows.append(row)
        if on_tick:
            on_tick(trainer, row)
        if until is not None and row["test_metric"] >= until:
            break
    ev = trainer.evaluate()
    return FitResult(trainer, rows, ev["metric"], ev["loss"],
                     trainer.divergence, time.perf_counter() - t0)


def history_csv(history: pd.DataFrame | list[dict], metric: str = "metric", loss: str = "") -> str:
    """The history (a table, or its rows) as CSV, its columns named by what they hold: `metric` (the task's, e.g.
    "accuracy" or "R²") replaces "metric" (train_accuracy, test_R2), and `loss` (e.g. "MSE") is added to the loss
    columns. Numbers to 6 significant digits, a missing one (NaN) empty. No pandas: a worker writes it."""
    rows = history.to_dict("records") if hasattr(history, "to_dict") else history
    names = {"train_metric": f"train_{_column_word(metric)}", "test_metric": f"test_{_column_word(metric)}"}
    if loss:
        names |= {c: f"{c}_{_column_word(loss)}" for c in ("train_loss", "test_loss")}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([names.get(c, c) for c in HISTORY_COLUMNS])
    w.writerows([_csv_value(r.get(c)) for c in HISTORY_COLUMNS] for r in rows)
    return out.getvalue()


def _csv_value(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _column_word(name: str) -> str:
    """A name as a CSV column's word: "R²" -> "R2", "cross-entropy" -> "cross_entropy"."""
    return "".join(c if c.isalnum() and c.isascii() else "2" if c == "²" else "_" for c in name).strip("_")

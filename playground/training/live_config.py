"""Train live's settings: `LiveConfig` (all in the URL; its STRUCTURAL fields build a new model, the rest apply to
the running one) and what the page asks of them (a task's defaults, the task the widgets describe)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from playground import tasks as tasklib
from playground.errors import PlaygroundError
from playground.lesson.activations import HIDDEN, OUTPUT
from playground.lesson.cells import CELLS
from playground.state import choice, flag, number, text
from playground.tasks import text as tasks_text
from playground.training import trainer as tr


PREFIX = "train"


MAX_LENGTH = 64


STEPS_PER_TICK = (1, 5, 10, 25, 50, 100)
SLOW_SECONDS = 1.0  # the slow pace: Play trains one tick, then waits for this many seconds from its start


BATCH_SIZES = (1, 4, 8, 16, 32, 64, 128)


# model's: a blow-up's rows are 1e8 times worse and more, while an early row of a run that learns may be a little worse
STRUCTURAL = ("task", "length", "text", "cell", "f", "g", "hidden", "seed")  # changing these starts over


@dataclass(frozen=True)
class LiveConfig:
    """The page's settings. Fields in STRUCTURAL build a new model; the rest apply to the running one."""

    task: str = choice("parity", list(tasklib.TASKS))
    length: int = number(8, 1, MAX_LENGTH)
    text: str = text(tasks_text.DEFAULT_TEXT, max_len=tasks_text.MAX_CHARS, cut=True)
    cell: str = choice("rnn", list(CELLS))
    f: str = choice("tanh", list(HIDDEN))
    g: str = choice("sigmoid", list(OUTPUT))
    hidden: int = number(16, 1, tr.MAX_HIDDEN)
    optimizer: str = choice("adam", list(tr.OPTIMIZERS))
    lr: float = choice(0.01, tr.LEARNING_RATES)
    batch_size: int = choice(32, BATCH_SIZES)
    clip: bool = flag(True)
    clip_norm: float = number(1.0, 0.1, 10.0)
    seed: int = number(0, 0, 9999)
    steps_per_tick: int = choice(50, STEPS_PER_TICK)
    slow: bool = flag(False)  # Play trains one tick a second (SLOW_SECONDS), for a lecturer to narrate
    temperature: float = number(0.8, 0.0, 2.0)

    def link_omits(self) -> tuple[str, ...]:
        """Settings a shared link leaves out here: only the text task reads the text and the temperature."""
        task = tasklib.get(self.task)
        return tuple(name for name, used in (("text", task.takes_text), ("temperature", task.generates)) if not used)

    def train_config(self) -> tr.TrainConfig:
        return tr.TrainConfig(task=self.task, length=self.length, cell=self.cell, hidden=self.hidden, f=self.f,
                              g=self.g, optimizer=self.optimizer, lr=self.lr, batch_size=self.batch_size,
                              clip=self.clip_norm if self.clip else 0.0, seed=self.seed,
                              text=self.text.strip() if tasklib.get(self.task).takes_text else "")


def task_defaults(name: str) -> dict:
    """Settings to switch to when the user picks a task: its natural g and its knob's default."""
    task = tasklib.get(name)
    return {"g": task.default_g, "length": task.knob.default}


def config_fields(cfg: LiveConfig) -> dict:
    """field name -> value, for putting a config back into the widgets."""
    return {f.name: getattr(cfg, f.name) for f in dataclasses.fields(cfg)}


def current_task(name: str, text: str = "") -> tasklib.Task:
    """The task the widgets describe: for the text task, the one on the user's text (its length knob depends on
    the text), or the default text's while the box is empty or unusable (the run then says why)."""
    task = tasklib.get(name)
    if task.takes_text and text.strip():
        try:
            return tasklib.get(name, text=text.strip())
        except PlaygroundError:
            pass
    return task


def clamp_length(store, task_key: str, length_key: str, text_key: str) -> None:
    """Keep the length widget inside the chosen task's knob bounds (a link may carry any number)."""
    name = store.get(task_key)
    if name not in tasklib.TASKS or length_key not in store:
        return
    knob = current_task(name, store.get(text_key, "")).knob
    store[length_key] = int(min(max(int(store[length_key]), knob.lo), knob.hi))

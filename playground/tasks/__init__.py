"""tasks: the toy sequence tasks, seeded generators with known answers, and their registry (`TASKS`, `get`).

Imports only playground.errors, playground.state and torch: no model, no training, no drawing. A task declares
what it is (`kind`, `use`, `per_step`, its options such as the text to learn); code asks that, never its name.

    base.py       Task, Head, Metric, Knob, Batch: what a task is and how an output g reads it
    sequences.py  the seeded generators: (n, length, torch.Generator) -> Batch
    toy.py        the toy tasks (parity, memory, brackets, recall, counting, sine, adding)
    text.py       the generation task: next character of a text, and sampling from it
"""
from __future__ import annotations

import dataclasses

from playground.errors import ConfigError
from playground.tasks import text
from playground.tasks.base import (KINDS, MAX_SEQUENCES, SEEDS, USES, Batch, Head, Knob, Metric,  # noqa: F401
                                   Task)
from playground.tasks.toy import TOY_TASKS

TASKS: dict[str, Task] = {t.name: t for t in TOY_TASKS}
TASKS["text"] = text.text_task()


def get(name: str, **options) -> Task:
    """The task by name; options (e.g. text=... for the text task) give a task with those settings."""
    if name not in TASKS:
        raise ConfigError(f"Unknown task {name!r}; choose one of {', '.join(TASKS)}.")
    task = TASKS[name]
    if options and task.rebuild is not None:  # options that make other data (the text task's text)
        return task.rebuild(**options)
    return dataclasses.replace(task, options={**task.options, **options}) if options else task

"""Toy sequence tasks with known answers: each a seeded pure generator (playground.tasks.sequences) plus what it
asks of the model.

A task turns (n, length, torch.Generator) into a `Batch`: inputs x, targets y and which steps are scored.
`length` is the task's one size knob (`task.knob` says what it means: n bits, sequence length T, delay k).
How the output activation g reads the task (how many outputs, the target g's loss wants, how a prediction
is read back) is a `Head`, looked up by the task's target kind and g. Combinations that make no sense
(softmax on a number) raise ConfigError with the reason. Typical use:

    task = tasks.get("parity")
    batch = task.batch(32, length=8, seed=0)           # or gen=torch.Generator().manual_seed(0)
    head = task.head("sigmoid", length=8)
    model = RecurrentModel(model_config(task, "rnn", 16, "tanh", "sigmoid", length=8))  # playground.training
    logits, _ = model(batch.x, batch.lengths)           # (B, T, O)
    out, target = batch.scored(logits)                  # (N, O), (N,)
    loss = model.g.loss(out, head.encode(target))
    metric = task.metric(head.predict(out), target)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch
import torch.nn.functional as F

from playground.errors import ConfigError
from playground.state import whole
from playground.tasks.sequences import Batch

Tensor = torch.Tensor
MAX_SEQUENCES = 4096  # per batch: the largest held-out set a run may ask for
SEEDS = (-(2**63), 2**64 - 1)  # what torch.Generator.manual_seed takes
USES = {
    "classification": "classify a whole sequence",
    "next": "next-element prediction",
    "series": "time series",
    "generation": "sequence generation",
    "long-range": "long-range regression",
}



@dataclass(frozen=True)
class Head:
    """How an output activation g reads a task: number of outputs, the target its loss wants, and how a
    prediction in the task's own units (class id, count, number) is read off the logits."""

    output_size: int
    encode: Callable[[Tensor], Tensor]  # task target (N,) -> what g's loss wants
    predict: Callable[[Tensor], Tensor]  # logits (N, O) -> prediction (N,) in the task's units
    note: str = ""  # one line for the student when g is not the task's natural choice


@dataclass(frozen=True)
class Metric:
    name: str
    fn: Callable[[Tensor, Tensor], float]  # (prediction (N,), target (N,)) -> value; higher is better
    perfect: float
    fmt: str  # format spec for the page

    def __call__(self, pred: Tensor, target: Tensor) -> float:
        return self.fn(pred, target)


def _accuracy(pred: Tensor, target: Tensor) -> float:
    return float((pred.long() == target.long()).float().mean()) if target.numel() else float("nan")


def _r2(pred: Tensor, target: Tensor) -> float:
    """1 - MSE / variance of the targets: 0 for always predicting the mean, 1 for perfect."""
    pred, target = pred.detach().double(), target.detach().double()
    var = float(((target - target.mean()) ** 2).sum())
    if target.numel() < 2 or var == 0:
        return float("nan")
    return 1 - float(((pred - target) ** 2).sum()) / var


ACCURACY = Metric("accuracy", _accuracy, 1.0, ".1%")
R2 = Metric("R²", _r2, 1.0, ".3f")


@dataclass(frozen=True)
class Knob:
    """The task's one size setting: what `length` means for it and its bounds."""

    label: str
    default: int
    lo: int
    hi: int
    help: str = ""


def _argmax(z: Tensor) -> Tensor:
    return z.argmax(-1)


def _one_hot(k: int) -> Callable[[Tensor], Tensor]:
    return lambda y: F.one_hot(y.long(), k).float()


# Heads per target kind; a kind maps g -> (k classes -> Head) or to the reason g is refused.
def _binary_heads(k: int) -> dict[str, Head | str]:
    return {
        "sigmoid": Head(1, lambda y: y.float(), lambda z: (z[:, 0] > 0).long()),
        "softmax": Head(2, lambda y: y.long(), _argmax,
                        "softmax over two outputs (no / yes) with cross-entropy is the same model as one sigmoid "
                        "output, with one redundant row in W_hy."),
        "identity": Head(1, lambda y: y.float(), lambda z: (z[:, 0] > 0.5).long(),
                         "identity g treats the 0/1 answer as a number and trains with squared error (outputs "
                         "above 0.5 count as 1): it learns, but a confidently wrong output is pushed more gently "
                         "than with cross-entropy."),
    }


def _class_heads(k: int) -> dict[str, Head | str]:
    return {
        "softmax": Head(k, lambda y: y.long(), _argmax),
        "sigmoid": Head(k, _one_hot(k), _argmax,
                        f"sigmoid gives {k} independent yes/no outputs (binary cross-entropy on a one-hot target) "
                        "that need not sum to 1; the largest one is read as the answer."),
        "identity": Head(k, _one_hot(k), _argmax,
                         f"identity g regresses {k} raw outputs onto a one-hot target with squared error; the "
                         "largest one is read as the answer. Softmax with cross-entropy learns classes faster."),
    }


def _count_heads(k: int) -> dict[str, Head | str]:
    return {
        "identity": Head(1, lambda y: y.float(), lambda z: z[:, 0].round().clamp(0, k - 1).long()),
        "softmax": Head(k, lambda y: y.long(), _argmax,
                        f"softmax makes every count 0..{k - 1} its own class: it works, but what the model learns "
                        "about 3 does not help it with 4."),
        "sigmoid": "sigmoid squeezes the output into 0..1, but a count goes up to the sequence length; "
                   "use identity (a number) or softmax (one class per count).",
    }


def _real_heads(k: int) -> dict[str, Head | str]:
    return {
        "identity": Head(1, lambda y: y.float(), lambda z: z[:, 0]),
        "sigmoid": "sigmoid outputs a probability in 0..1 trained with cross-entropy against a 0/1 label; "
                   "this target is a real number, so use identity g (squared error).",
        "softmax": "softmax needs two or more classes to choose between; this target is one real number, "
                   "so use identity g (squared error).",
    }


KINDS: dict[str, Callable[[int], dict[str, Head | str]]] = {
    "binary": _binary_heads, "classes": _class_heads, "count": _count_heads, "real": _real_heads,
}
METRIC_OF_KIND = {"binary": ACCURACY, "classes": ACCURACY, "count": ACCURACY, "real": R2}


@dataclass(frozen=True)
class Task:
    """A toy task: the generator plus everything the page says about it (input, target, loss, metric, perfect)."""

    name: str
    label: str
    use: str  # a key of USES
    input: str  # what x_t is
    target: str  # what the model must output, and when
    perfect: str  # what a perfect model shows
    kind: str  # a key of KINDS: binary | classes | count | real
    default_g: str
    knob: Knob
    sample: Callable[[int, int, torch.Generator], Batch]  # (n, length, gen) -> Batch
    sample_held_out: Callable[[int, int, torch.Generator], Batch] | None = None  # if it differs from training
    classes: Callable[[int], int] = lambda length: 2  # number of classes (or counts) for a length
    vocab: tuple[str, ...] = ()  # token names, index 0 = padding; () when the input is real numbers
    input_size: int = 1  # features per step for real input
    embed_dim: int = 8
    chance: Callable[[int], float | None] = lambda length: None  # the metric of guessing, for reference
    known_good: dict = field(default_factory=dict)  # a configuration that learns it (tests, bench/robustness.py)
    options: dict = field(default_factory=dict)  # task-specific settings (e.g. the text to learn)
    per_step: bool = False  # scored at every step (next element, series, generation), not only after the last
    class_names: tuple[str, ...] = ()  # names of the answers 0, 1, ... when they have names (even / odd)
    rebuild: Callable[..., "Task"] | None = None  # options -> the task they make, when they change its data

    @property
    def metric(self) -> Metric:
        return METRIC_OF_KIND[self.kind]

    @property
    def takes_text(self) -> bool:
        """The task learns a text the user types (it has its own input box)."""
        return "text" in self.options

    @property
    def generates(self) -> bool:
        """A generation task: the trained model writes (sampling, at a temperature)."""
        return self.use == "generation"

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def check_length(self, length: int) -> int:
        k = self.knob
        try:
            n = int(length)
        except (TypeError, ValueError, OverflowError):
            n = None
        if n is None or not (k.lo <= n <= k.hi):
            raise ConfigError(f"{self.label}: {k.label} must be between {k.lo} and {k.hi}, got {length}.")
        return n

    def batch(self, n: int, length: int | None = None, seed: int | None = None,
              gen: torch.Generator | None = None) -> Batch:
        """n sequences at this length (default: the knob's default), from gen or from a fresh seeded one."""
        length = self.check_length(self.knob.default if length is None else length)
        if gen is None:
            gen = torch.Generator().manual_seed(whole(0 if seed is None else seed, *SEEDS, "seed"))
        return self.sample(whole(n, 0, MAX_SEQUENCES, "number of sequences"), length, gen)

    def held_out(self, n: int, length: int | None = None, seed: int = 0) -> Batch:
        """A held-out batch: the task's evaluation form (e.g. parity: always the full n bits)."""
        length = self.check_length(self.knob.default if length is None else length)
        return (self.sample_held_out or self.sample)(whole(n, 0, MAX_SEQUENCES, "number of sequences"), length,
                                                     torch.Generator().manual_seed(whole(seed, *SEEDS, "seed")))

    def head(self, g: str, length: int | None = None) -> Head:
        """How g reads this task; ConfigError with the reason when g does not fit it."""
        heads = KINDS[self.kind](self.classes(self.knob.default if length is None else length))
        if g not in heads:
            raise ConfigError(f"Unknown output activation {g!r}; choose one of {', '.join(heads)}.")
        h = heads[g]
        if isinstance(h, str):
            raise ConfigError(f"{self.label} with g = {g}: {h}")
        return h

    def token_labels(self, x: Tensor) -> list[str]:
        """Readable labels for one sequence's steps: x (T,) ids or (T,) / (T, I) reals."""
        if self.vocab:
            return [_visible(self.vocab[int(i)]) for i in x.tolist()]
        if x.dim() == 2:
            return [", ".join(_num(v) for v in row) for row in x.tolist()]
        return [_num(v) for v in x.tolist()]

    def target_labels(self, values: Tensor) -> list[str]:
        """Readable targets / predictions (in task units)."""
        if self.kind == "real":
            return [f"{float(v):.2f}" for v in values]
        if self.class_names:
            names = self.class_names
            return [names[int(v)] if 0 <= int(v) < len(names) else str(int(v)) for v in values]
        if self.kind == "classes" and self.vocab:
            return [_visible(self.vocab[int(v) + 1]) if 0 <= int(v) + 1 < len(self.vocab) else "?" for v in values]
        return [str(int(v)) for v in values]


def _visible(token: str) -> str:
    """A space is shown as '␣' so that it can be seen in a label."""
    return "␣" if token == " " else token


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}"

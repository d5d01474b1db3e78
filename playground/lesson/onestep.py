"""One step of the lesson's Elman RNN, term by term, in float64 numpy (for the calculator of Inside one step).

    a_t = W_xh x_t + W_hh h_{t-1} + b_h        h_t = f(a_t)        z_t = W_hy h_t + b_y        y_t = g(z_t)

H hidden units, I inputs, O outputs; W_xh is (H, I), W_hh (H, H), b_h (H,), W_hy (O, H), b_y (O,).
The numbers a user sets are written as text (the URL form): entries of a row split by ",", rows by ";"
("1,-0.5;0.2,0"); parse / fmt turn that text into arrays and back.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import torch

from playground.errors import InputError
from playground.lesson import activations
from playground.lesson.activations import HIDDEN


# ---- numbers as text (the URL form) ------------------------------------------------------------------------

MAX_ABS = 10.0  # every number the user sets lies in -10..10


SYMBOLS = {"x": "x_t", "h_prev": "h_{t-1}", "W_xh": "W_xh", "W_hh": "W_hh", "b_h": "b_h", "W_hy": "W_hy",
           "b_y": "b_y", "seq": "the sequence"}


def parse(text: str, name: str = "the numbers") -> np.ndarray:
    """"1,-0.5;0.2,0" -> a (rows, cols) float array; InputError with a message for a student otherwise."""
    rows = (text or "").replace(" ", "").split(";")
    if not any(rows):
        raise InputError(f"{SYMBOLS.get(name, name)} is empty: type some numbers.")
    values = []
    for i, row in enumerate(rows, 1):
        try:
            values.append([float(v) for v in row.split(",")])
        except ValueError:
            raise InputError(f"{SYMBOLS.get(name, name)}: row {i} ({row!r}) is not a list of numbers "
                             "separated by commas.") from None
    if len({len(r) for r in values}) != 1:
        raise InputError(f"{SYMBOLS.get(name, name)}: every row needs as many numbers as the first "
                         f"({len(values[0])}).")
    a = np.array(values, dtype=float)
    if not np.isfinite(a).all() or np.abs(a).max() > MAX_ABS:
        raise InputError(f"{SYMBOLS.get(name, name)}: every number must lie between {-MAX_ABS:g} and {MAX_ABS:g}.")
    return a


def fmt(a: np.ndarray) -> str:
    """An array (1-D: one row) -> the URL form; at most 6 significant digits, like the editors show."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    return ";".join(",".join(f"{v:.6g}" for v in row) for row in a)


def from_table(rows: list[list[float | None]], name: str) -> str:
    """An editor's cells (rows of numbers, None where a cell was emptied) -> the URL form, or InputError."""
    for i, row in enumerate(rows, 1):
        for j, v in enumerate(row, 1):
            if v is None or v != v:  # NaN: an emptied cell
                raise InputError(f"{SYMBOLS[name]}: the cell in row {i}, column {j} is empty. Type a number "
                                 f"between {-MAX_ABS:g} and {MAX_ABS:g}; the last numbers are kept meanwhile.")
            if abs(v) > MAX_ABS:
                raise InputError(f"{SYMBOLS[name]}: {v:g} in row {i}, column {j} is out of range. Type a number "
                                 f"between {-MAX_ABS:g} and {MAX_ABS:g}; the last numbers are kept meanwhile.")
    a = np.array(rows, dtype=float)
    return fmt(a.reshape(-1) if len(SHAPES[name]) == 1 else a)  # a vector's column is written as one row


SHAPES = {"x": ("inputs",), "h_prev": ("hidden",), "W_xh": ("hidden", "inputs"), "W_hh": ("hidden", "hidden"),
          "b_h": ("hidden",), "W_hy": ("outputs", "hidden"), "b_y": ("outputs",), "seq": ("steps", "inputs")}


def shapes(hidden: int, inputs: int, outputs: int, steps: int) -> dict[str, tuple[int, ...]]:
    """The shape every number field must have for H, I, O and a sequence of T steps."""
    dims = dict(hidden=hidden, inputs=inputs, outputs=outputs, steps=steps)
    return {name: tuple(dims[d] for d in ds) for name, ds in SHAPES.items()}


def steps_of(seq: str) -> int:
    """T, the unroll's length: the rows of the sequence's text."""
    return len(seq.split(";"))


def table(text: str, name: str) -> np.ndarray:
    """A field's numbers as its editor shows them: a matrix as it is, a vector as one column (rows: units)."""
    a = parse(text, name)
    return a.reshape(-1, 1) if len(SHAPES[name]) == 1 else a


def _draw(rng: np.random.Generator, shape_: tuple[int, ...], lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    return np.round(rng.uniform(lo, hi, size=shape_), 2)  # two decimals: numbers a student can multiply


def random_numbers(f: str, seed: int, hidden: int, inputs: int, outputs: int, steps: int) -> dict[str, str]:
    """Every number drawn anew from `seed` for these sizes: uniform in -1..1, h_{t-1} in f's range (within
    -1..1), two decimals. Returns config field -> URL form."""
    rng = np.random.default_rng(seed)
    lo, hi = HIDDEN[f].range
    out = {}
    for name, shape_ in shapes(hidden, inputs, outputs, steps).items():
        bounds = (max(lo, -1.0), min(hi, 1.0)) if name == "h_prev" else (-1.0, 1.0)
        out[name] = fmt(_draw(rng, shape_, *bounds))
    return out


def resized(old: Mapping[str, str], f: str, seed: int, hidden: int, inputs: int, outputs: int,
            steps: int) -> dict[str, str]:
    """The numbers `old` (field -> URL form) fitted to new sizes: entries that exist are kept, new ones come from
    the seed's draw for the new sizes (so resizing back and forth is repeatable). Returns field -> URL form."""
    out = {}
    for name, text in random_numbers(f, seed, hidden, inputs, outputs, steps).items():
        target = np.atleast_2d(parse(text))
        try:
            before = np.atleast_2d(parse(old.get(name, "")))
        except InputError:
            before = np.zeros((0, 0))
        if len(SHAPES[name]) == 1 and before.shape[0] > 1:  # a vector written as a column
            before = before.reshape(1, -1)
        r, c = min(before.shape[0], target.shape[0]), min(before.shape[1], target.shape[1])
        target[:r, :c] = before[:r, :c]
        out[name] = fmt(target)
    return out


# ---- the step itself ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Weights:
    W_xh: np.ndarray  # (H, I)
    W_hh: np.ndarray  # (H, H)
    b_h: np.ndarray  # (H,)
    W_hy: np.ndarray  # (O, H)
    b_y: np.ndarray  # (O,)


@dataclass(frozen=True)
class Step:
    """Every term of one step, as float64 arrays: H hidden units, O outputs."""

    x: np.ndarray  # (I,)
    h_prev: np.ndarray  # (H,)
    xterm: np.ndarray  # (H,): W_xh x_t
    hterm: np.ndarray  # (H,): W_hh h_{t-1}
    b_h: np.ndarray  # (H,)
    a: np.ndarray  # (H,): a_t = xterm + hterm + b_h
    h: np.ndarray  # (H,): h_t = f(a_t)
    z: np.ndarray  # (O,): z_t = W_hy h_t + b_y
    y: np.ndarray  # (O,): y_t = g(z_t)
    f: str
    g: str


def step(w: Weights, x: np.ndarray, h_prev: np.ndarray, f: str, g: str) -> Step:
    """One step of the lesson's equations, term by term, with f and g from the same registries as the cells."""
    fn, gn = activations.hidden(f).fn, activations.output(g).fn
    x, h_prev = np.asarray(x, dtype=float), np.asarray(h_prev, dtype=float)
    xterm = w.W_xh @ x
    hterm = w.W_hh @ h_prev
    a = xterm + hterm + w.b_h
    h = fn(torch.from_numpy(a)).numpy()
    z = w.W_hy @ h + w.b_y
    y = gn(torch.from_numpy(z)).numpy()
    return Step(x, h_prev, xterm, hterm, np.asarray(w.b_h, dtype=float), a, h, z, y, f, g)


def unroll(w: Weights, seq: np.ndarray, f: str, g: str) -> list[Step]:
    """step() over x_1..x_T from h_0 = 0, as every other page starts: (T,) steps, step t-1 holds h_t."""
    h = np.zeros(w.W_hh.shape[0])
    steps = []
    for x in np.asarray(seq, dtype=float):
        s = step(w, x, h, f, g)
        steps.append(s)
        h = s.h
    return steps

"""Inside one step: the lesson's two equations computed term by term for a tiny Elman RNN whose numbers the user
sets, a short unroll of it, and the same step of the shipped sentiment RNN at one word of a review.

    a_t = W_xh x_t + W_hh h_{t-1} + b_h        h_t = f(a_t)        z_t = W_hy h_t + b_y        y_t = g(z_t)

The numbers are written as text in the URL: entries of a row split by ",", rows by ";" ("1,-0.5;0.2,0").
H hidden units, I inputs, O outputs; W_xh is (H, I), W_hh (H, H), b_h (H,), W_hy (O, H), b_y (O,).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Mapping

import numpy as np
import torch

from playground import activations, review, state
from playground.activations import HIDDEN, OUTPUT
from playground.errors import ConfigError, InputError
from playground.sentiment import Sentiment

PREFIX = "onestep"
MAX_ABS = 10.0  # every number the user sets lies in -10..10
MAX_UNITS_PICKED = 6  # units of the shipped model shown at once
TOP_TERMS = 6  # the largest terms of a_t[j] shown one by one for the shipped model (the rest summed)
SOURCES = {"tiny": "tiny RNN", "review": "review word"}  # whose step: yours, or the shipped RNN's

# The terms of one step, in the order the equations read them: name -> (label, LaTeX)
TERMS: dict[str, tuple[str, str]] = {
    "xterm": ("W_xh x_t", r"W_{xh}\,x_t"),
    "hterm": ("W_hh h_(t-1)", r"W_{hh}\,h_{t-1}"),
    "b_h": ("b_h", r"b_h"),
    "a": ("a_t (their sum)", r"a_t"),
    "h": ("h_t = f(a_t)", r"h_t"),
    "z": ("z_t = W_hy h_t + b_y", r"z_t"),
    "y": ("y_t = g(z_t)", r"y_t"),
}
MATRICES = ("x", "h_prev", "W_xh", "W_hh", "b_h", "W_hy", "b_y")  # what the user sets, in the editors' order
LATEX = {"x": "x_t", "h_prev": "h_{t-1}", "W_xh": "W_{xh}", "W_hh": "W_{hh}", "b_h": "b_h", "W_hy": "W_{hy}",
         "b_y": "b_y", "seq": r"x_1 \ldots x_T"}
SYMBOLS = {"x": "x_t", "h_prev": "h_{t-1}", "W_xh": "W_xh", "W_hh": "W_hh", "b_h": "b_h", "W_hy": "W_hy",
           "b_y": "b_y", "seq": "the sequence"}


# ---- numbers as text (the URL form) ------------------------------------------------------------------------

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


# ---- the page's settings ------------------------------------------------------------------------------------

# The default tiny RNN: H = 3, I = 2, O = 1, hand-picked so that one unit saturates (a_t ~ 2.75), one stays
# in tanh's linear middle and one is clearly negative.
DEFAULTS = dict(x="1,-0.5", h_prev="0.5,-0.2,0.8", W_xh="1.2,-0.8;0.5,0.3;-0.7,1",
                W_hh="0.9,0.4,0.6;-0.3,0.2,-0.5;0.1,-0.6,-0.4", b_h="0.3,-0.1,0.2", W_hy="1.5,-0.7,0.9",
                b_y="-0.2", seq="1,-0.5;0.5,0.5;-1,0.2;0,1")


def problem(text: str) -> str | None:
    """What is wrong with a field's numbers (None: they parse), for the URL's per-field check."""
    try:
        parse(text)
    except InputError as e:
        return str(e)
    return None


def _matrix(default: str):
    return state.text(default, max_len=400, check=problem)


@dataclass(frozen=True)
class OneStepConfig:
    """The page's settings, all in the URL. `source` "review" shows word `word` of `text` read by the shipped
    RNN (its weights, not the tiny ones); `units` are the shipped model's units picked ("" = automatic)."""

    source: str = state.choice("tiny", list(SOURCES))
    hidden: int = state.number(3, 2, 4)
    inputs: int = state.number(2, 1, 3)
    outputs: int = state.number(1, 1, 3)
    f: str = state.choice("tanh", list(HIDDEN))
    g: str = state.choice("sigmoid", list(OUTPUT))
    seed: int = state.number(0, 0, 9999)
    look: str = state.choice("a", list(TERMS))
    x: str = _matrix(DEFAULTS["x"])
    h_prev: str = _matrix(DEFAULTS["h_prev"])
    W_xh: str = _matrix(DEFAULTS["W_xh"])
    W_hh: str = _matrix(DEFAULTS["W_hh"])
    b_h: str = _matrix(DEFAULTS["b_h"])
    W_hy: str = _matrix(DEFAULTS["W_hy"])
    b_y: str = _matrix(DEFAULTS["b_y"])
    seq: str = _matrix(DEFAULTS["seq"])  # x_1 .. x_T for the unroll, one row per step
    t: int = state.number(1, 1, 8)  # the unroll's step shown
    text: str = state.text("This movie is not good.", max_len=review.MAX_CHARS)
    word: int = state.number(0, 0, review.CAP)  # 0: the last word
    units: str = state.text("", max_len=40)

    def __post_init__(self):
        if self.source == "tiny":
            tiny_weights(self)  # raises ConfigError when a matrix does not fit H, I, O
            if self.g == "softmax" and self.outputs < 2:
                raise ConfigError("softmax over a single output is always 1: give g = softmax two or more "
                                  "outputs, or pick sigmoid.")

    def link_omits(self) -> tuple[str, ...]:
        """A link keeps what its source reads: the tiny RNN's numbers, or the review, its word and units."""
        review_only = ("text", "word", "units")
        return review_only if self.source == "tiny" else tuple(
            f.name for f in fields(self) if f.name not in review_only + ("source", "look"))


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


@dataclass(frozen=True)
class Weights:
    W_xh: np.ndarray  # (H, I)
    W_hh: np.ndarray  # (H, H)
    b_h: np.ndarray  # (H,)
    W_hy: np.ndarray  # (O, H)
    b_y: np.ndarray  # (O,)


@dataclass(frozen=True)
class Tiny:
    weights: Weights
    x: np.ndarray  # (I,)
    h_prev: np.ndarray  # (H,)
    seq: np.ndarray  # (T, I)


def tiny_weights(cfg: OneStepConfig) -> Tiny:
    """The config's numbers as arrays, checked against H, I, O (ConfigError naming the first that does not fit)."""
    arrays = {}
    want_all = shapes(cfg.hidden, cfg.inputs, cfg.outputs, steps_of(cfg.seq))
    for name in MATRICES + ("seq",):
        try:
            a = parse(getattr(cfg, name), name)
        except InputError as e:
            raise ConfigError(str(e)) from None
        want = want_all[name]
        a = a.reshape(-1) if len(want) == 1 else a
        if a.shape != want:
            raise ConfigError(f"{SYMBOLS[name]} has shape {'x'.join(map(str, a.shape))}, but H = {cfg.hidden}, "
                              f"I = {cfg.inputs}, O = {cfg.outputs} need {'x'.join(map(str, want))}.")
        arrays[name] = a
    T = arrays["seq"].shape[0]
    if not 3 <= T <= 8:
        raise ConfigError(f"The sequence has {T} steps; the unroll takes 3 to 8.")
    w = Weights(*(arrays[n] for n in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")))
    return Tiny(w, arrays["x"], arrays["h_prev"], arrays["seq"])


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


# ---- the shipped sentiment RNN at one word ----------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewStep:
    """Word t of a review as the shipped RNN reads it: x_t is the word's embedding (32 numbers), h_{t-1} the state
    Read a review shows after word t-1."""

    tokens: list[str]
    t: int  # 1-based
    weights: Weights
    step: Step
    notices: list[str]

    @property
    def word(self) -> str:
        return self.tokens[self.t - 1]


@torch.no_grad()
def review_step(sm: Sentiment, text: str, word: int) -> ReviewStep:
    """The shipped model `sm` (the Elman RNN) at word `word` of `text` (0 or past the end: the last word). Its
    tokens and h_{t-1} come from review.read, the same trace Read a review draws."""
    model = sm.model
    if model.config.cell != "rnn":
        raise ConfigError("The calculator shows the Elman RNN's step; the LSTM and GRU have other equations.")
    p = review.prepare(text, sm)
    r = review.read(sm, text)
    t = review.clamp_step(word, r.T)
    x = model.embedding.weight[p.ids[t - 1]].double().numpy()
    w = Weights(*(getattr(model, n).detach().double().numpy().copy() for n in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")))
    s = step(w, x, r.h[t - 1].astype(float), model.config.f, model.config.g)
    return ReviewStep(r.tokens, t, w, s, r.notices)


def picked_units(rs: ReviewStep, units: str, k: int = 4) -> tuple[list[int], str | None]:
    """The units to show: those typed ("3, 17"), else the k whose h_t moved most at this word. A message
    when some typed ones were dropped (not numbers, out of range, too many)."""
    H = rs.step.h.shape[0]
    if not units.strip():
        moved = np.abs(rs.step.h - rs.step.h_prev)
        return [int(j) for j in np.argsort(-moved, kind="stable")[:k]], None
    picked, bad = [], []
    for part in units.replace(" ", "").split(","):
        if part.isdigit() and int(part) < H:
            if int(part) not in picked:
                picked.append(int(part))
        elif part:
            bad.append(part)
    note = None
    if bad or len(picked) > MAX_UNITS_PICKED:
        note = (f"Units are whole numbers from 0 to {H - 1}, at most {MAX_UNITS_PICKED} at once"
                + (f"; ignored: {', '.join(bad)}" if bad else "") + ".")
    picked = picked[:MAX_UNITS_PICKED]
    return (picked or picked_units(rs, "", k)[0]), note


@dataclass(frozen=True)
class Contribution:
    """a_t[j] split into its largest terms: labels and values (b_h[j] first, then by |value|), the rest summed."""

    unit: int
    labels: list[str]
    values: list[float]
    rest: float
    n_rest: int
    a: float
    h: float


def contributions(rs: ReviewStep, unit: int, top: int = TOP_TERMS) -> Contribution:
    """a_t[j] = sum_k W_xh[j,k] x_t[k] + sum_k W_hh[j,k] h_{t-1}[k] + b_h[j], its `top` largest terms by size."""
    w, s = rs.weights, rs.step
    terms = np.concatenate([w.W_xh[unit] * s.x, w.W_hh[unit] * s.h_prev])
    names = ([f"W_xh·x[{k}]" for k in range(s.x.size)]  # row `unit` of each matrix
             + [f"W_hh·h[{k}]" for k in range(s.h_prev.size)])
    order = np.argsort(-np.abs(terms), kind="stable")
    shown, hidden = order[:top], order[top:]
    return Contribution(unit, ["b_h"] + [names[i] for i in shown], [float(w.b_h[unit])] + [float(terms[i]) for i in shown],
                        float(terms[hidden].sum()), int(hidden.size), float(s.a[unit]), float(s.h[unit]))


def review_params(text: str, word: int) -> dict[str, str]:
    """The query parameters that open this page on word `word` of `text` (for Read a review's link)."""
    return state.to_params(OneStepConfig(source="review", text=text, word=word))


def step_fields(steps: list[Step], t: int) -> dict[str, str]:
    """x_t and h_{t-1} of step t (1-based) of an unroll, as fields: to look at that step on its own. InputError
    when h_{t-1} left the editors' range (an unbounded f, e.g. relu, can take it past MAX_ABS): the page would
    refuse those numbers and fall back to its defaults."""
    s = steps[t - 1]
    out = {"x": fmt(s.x), "h_prev": fmt(s.h_prev)}
    for name, text in out.items():
        try:
            parse(text, name)
        except InputError:
            raise InputError(f"Step {t} cannot be set up on its own: its {SYMBOLS[name]} has numbers outside "
                             f"{-MAX_ABS:g}..{MAX_ABS:g}, the range the editors take.") from None
    return out


def review_link_params(text: str, word: int) -> dict[str, str]:
    """Read a review's parameters for word `word` of `text` read by the RNN (the way back from the calculator)."""
    return state.to_params(review.ReviewConfig(text=text, model="rnn", step=word))

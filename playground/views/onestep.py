"""The "Inside one step" page: its settings (the numbers written as text in the URL: entries of a row split by ",",
rows by ";", "1,-0.5;0.2,0"), the tiny RNN they make, and one function per view: the equations with the chosen f
and g (and the term looked at highlighted), the numbers of that term, the step as matrix pictures, f with a_t
marked, the unroll, and the shipped model's largest contributions at one word of a review.

The step itself is playground/lesson/onestep.py; the shipped RNN's step at a word, playground/sentiment/reading.py.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import plotly.graph_objects as go
import torch

from playground import state
from playground.errors import ConfigError, InputError
from playground.figures import onestep as of
from playground.figures.style import number, symmetric_scale, value_scale
from playground.lesson.activations import HIDDEN, OUTPUT
from playground.lesson.onestep import (MAX_ABS, SHAPES, SYMBOLS, Step, Weights, fmt, from_table,  # noqa: F401
                                      parse, random_numbers, resized, shapes, step, steps_of, table, unroll)
from playground.sentiment.models import MODELS
from playground.sentiment.reading import CAP, MAX_CHARS, ReviewStep, n_tokens, review_step  # noqa: F401


PREFIX = "onestep"
# The page's sections top to bottom (a lecture scene may draw some first): the equations, the step's picture, the
# looked-at term's numbers beside the chart of f, and the editors and the unroll.
SECTIONS = ("equations", "step", "main", "more")
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
    text: str = state.text("This movie is not good.", max_len=MAX_CHARS, cut=True)
    word: int = state.number(0, 0, CAP, means=f"a word from 1 to {CAP}, or 0 for the last word")
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


# ---- the step itself ----------------------------------------------------------------------------------------


# ---- the shipped sentiment RNN at one word ----------------------------------------------------------------------


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


# ---- views ---------------------------------------------------------------------------------------------------

MARK = "#fde68a"  # the looked-at term's background in the equations (onestep_figures.HIGHLIGHT_BG)


def _box(tex: str, on: bool) -> str:
    return rf"\colorbox{{{MARK}}}{{$\displaystyle {tex}$}}" if on else tex


def equations(f: str, g: str, look: str) -> tuple[str, str]:
    """The lesson's two equations with f and g substituted by name, the term `look` (a TERMS key) highlighted."""
    fl, gl = HIDDEN[f].latex, OUTPUT[g].latex
    inner = " + ".join(_box(TERMS[k][1], look == k) for k in ("xterm", "hterm", "b_h"))
    arg = _box(rf"\underbrace{{{inner}}}_{{a_t}}", look == "a")
    hline = _box(rf"h_t = {fl}\left({arg}\right)", look == "h")
    z = _box(r"\underbrace{W_{hy}\,h_t + b_y}_{z_t}", look == "z")
    yline = _box(rf"y_t = {gl}\left({z}\right)", look == "y")
    return hline, yline


def names(f: str, g: str) -> str:
    """The chosen f and g by name, for the line under the equations (markdown)."""
    return f"$f$ = **{HIDDEN[f].label}** (the hidden activation), $g$ = **{OUTPUT[g].label}** (the output activation)"


def _vec(v: np.ndarray, d: int = 2) -> str:
    return r"\begin{bmatrix}" + r"\\".join(number(x, f".{d}f") for x in np.atleast_1d(v)) + r"\end{bmatrix}"


def _mat(m: np.ndarray, d: int = 2) -> str:
    return r"\begin{bmatrix}" + r"\\".join("&".join(number(x, f".{d}f") for x in row) for row in np.atleast_2d(m)) + \
        r"\end{bmatrix}"


def numbers(s: Step, look: str, w: Weights | None = None, units: list[int] | None = None) -> str:
    """The looked-at term with its numbers, as LaTeX a student can check by hand. With `units` (the shipped
    model) only those rows, and the products as their results (the matrices have 32 columns)."""
    rows = np.arange(s.h.size) if units is None else np.asarray(units)
    sub = (lambda v: v[rows])
    fl, gl = HIDDEN[s.f].latex, OUTPUT[s.g].latex
    full = w is not None and units is None
    if look == "xterm":
        return _chain(r"W_{xh}\,x_t", *([f"{_mat(w.W_xh)}{_vec(s.x)}"] if full else []), _vec(sub(s.xterm)))
    if look == "hterm":
        return _chain(r"W_{hh}\,h_{t-1}", *([f"{_mat(w.W_hh)}{_vec(s.h_prev)}"] if full else []),
                      _vec(sub(s.hterm)))
    if look == "b_h":
        return rf"b_h = {_vec(sub(s.b_h))}"
    if look == "a":
        return _chain("a_t", f"{_vec(sub(s.xterm))} + {_vec(sub(s.hterm))} + {_vec(sub(s.b_h))}", _vec(sub(s.a), 3))
    if look == "h":
        return _chain("h_t", rf"{fl}\left({_vec(sub(s.a), 3)}\right)", _vec(sub(s.h), 3))
    if look == "z":
        return _chain("z_t", r"W_{hy}\,h_t + b_y", *([f"{_mat(w.W_hy)}{_vec(s.h, 3)} + {_vec(w.b_y)}"] if full else []),
                      _vec(s.z, 3))
    return _chain("y_t", rf"{gl}\left({_vec(s.z, 3)}\right)", _vec(s.y, 3))


NUMBERS_KEY = f"{PREFIX}-numbers"  # the container of numbers(): a line wider than its column scrolls, not cut off
NUMBERS_CSS = f"<style>.st-key-{NUMBERS_KEY} .katex-display {{ overflow-x: auto; overflow-y: hidden; }}</style>"


def _chain(head: str, *sides: str) -> str:
    """head = side = side ...: one side a line (aligned at "="), so a chain of vectors fits a narrow column (1024 px:
    the sum a_t's four vectors in one line were cut at the column's edge)."""
    if len(sides) == 1:
        return f"{head} = {sides[0]}"
    return r"\begin{aligned}" + f"{head} &= " + r" \\ &= ".join(sides) + r"\end{aligned}"


def _scales(s: Step) -> dict[str, dict]:
    """One colour scale per kind of number, so equal colours mean equal values within a line."""
    pre = np.concatenate([s.xterm, s.hterm, s.b_h, s.a])
    return {"pre": symmetric_scale(pre), "h": value_scale(HIDDEN[s.f].range, np.concatenate([s.h, s.h_prev])),
            "z": symmetric_scale(s.z), "y": value_scale(OUTPUT[s.g].range, s.y), "x": symmetric_scale(s.x)}


def _col(v: np.ndarray) -> np.ndarray:
    return np.asarray(v, dtype=float).reshape(-1, 1)


def step_view(s: Step, w: Weights, look: str) -> go.Figure:
    """The tiny RNN's step as matrix pictures: the two products, their sum through f, and the output through g."""
    sc = _scales(s)
    wsc = symmetric_scale(np.concatenate([w.W_xh.ravel(), w.W_hh.ravel(), w.W_hy.ravel()]))
    B, Op = of.Block, of.Op
    units = [f"h[{j}]" for j in range(s.h.size)]
    fname, gname = HIDDEN[s.f].label, OUTPUT[s.g].label
    line1 = [B("W<sub>xh</sub>", w.W_xh, wsc, "W_xh", look == "xterm", units), Op("·"),
             B("x<sub>t</sub>", _col(s.x), sc["x"], "x_t", look == "xterm"), Op("="),
             B("W<sub>xh</sub>x<sub>t</sub>", _col(s.xterm), sc["pre"], "W_xh x_t", look == "xterm"), Op("", 1.5),
             B("W<sub>hh</sub>", w.W_hh, wsc, "W_hh", look == "hterm"), Op("·"),
             B("h<sub>t-1</sub>", _col(s.h_prev), sc["h"], "h_(t-1)", look == "hterm"), Op("="),
             B("W<sub>hh</sub>h<sub>t-1</sub>", _col(s.hterm), sc["pre"], "W_hh h_(t-1)", look == "hterm")]
    line2 = [B("W<sub>xh</sub>x<sub>t</sub>", _col(s.xterm), sc["pre"], "W_xh x_t", look in ("xterm", "a"), units),
             Op("+"), B("W<sub>hh</sub>h<sub>t-1</sub>", _col(s.hterm), sc["pre"], "W_hh h_(t-1)",
                        look in ("hterm", "a")),
             Op("+"), B("b<sub>h</sub>", _col(s.b_h), sc["pre"], "b_h", look in ("b_h", "a")), Op("="),
             B("a<sub>t</sub>", _col(s.a), sc["pre"], "a_t", look in ("a", "h"), decimals=3),
             Op(f"→ {fname} →", 2.6), B("h<sub>t</sub>", _col(s.h), sc["h"], "h_t", look in ("h", "z"), decimals=3)]
    line3 = [B("W<sub>hy</sub>", w.W_hy, wsc, "W_hy", look == "z", [f"y[{k}]" for k in range(s.y.size)]), Op("·"),
             B("h<sub>t</sub>", _col(s.h), sc["h"], "h_t", look == "z", decimals=3), Op("+"),
             B("b<sub>y</sub>", _col(w.b_y), sc["z"], "b_y", look == "z"), Op("="),
             B("z<sub>t</sub>", _col(s.z), sc["z"], "z_t", look in ("z", "y"), decimals=3),
             Op(f"→ {gname} →", 2.6), B("y<sub>t</sub>", _col(s.y), sc["y"], "y_t", look == "y", decimals=3)]
    return of.equation_figure([line1, line2, line3])


def review_step_view(rs: ReviewStep, units: list[int], look: str) -> go.Figure:
    """The shipped model's step for the picked units: the three terms, a_t, h_t; then z_t and y_t (one output)."""
    s, B, Op = rs.step, of.Block, of.Op
    sc = _scales(s)
    u = np.asarray(units)
    labels = [f"h[{j}]" for j in units]
    fname, gname = HIDDEN[s.f].label, OUTPUT[s.g].label
    line1 = [B("W<sub>xh</sub>x<sub>t</sub>", _col(s.xterm[u]), sc["pre"], "W_xh x_t", look in ("xterm", "a"),
               labels), Op("+"),
             B("W<sub>hh</sub>h<sub>t-1</sub>", _col(s.hterm[u]), sc["pre"], "W_hh h_(t-1)", look in ("hterm", "a")),
             Op("+"), B("b<sub>h</sub>", _col(s.b_h[u]), sc["pre"], "b_h", look in ("b_h", "a")), Op("="),
             B("a<sub>t</sub>", _col(s.a[u]), sc["pre"], "a_t", look in ("a", "h"), decimals=3),
             Op(f"→ {fname} →", 2.6), B("h<sub>t</sub>", _col(s.h[u]), sc["h"], "h_t", look in ("h", "z"), decimals=3)]
    line2 = [Op(f"z<sub>t</sub> = W<sub>hy</sub>h<sub>t</sub> + b<sub>y</sub> (all {s.h.size} units) =", 6.5),
             B("z<sub>t</sub>", _col(s.z), sc["z"], "z_t", look in ("z", "y"), decimals=3),
             Op(f"→ {gname} →", 2.6), B("y<sub>t</sub>", _col(s.y), sc["y"], "y_t", look == "y", decimals=3)]
    return of.equation_figure([line1, line2], label_units=2.2)


def activation_view(s: Step, units: list[int] | None = None) -> go.Figure:
    """f with this step's a_t entries (all of them, or the picked units) marked on it."""
    f = HIDDEN[s.f]
    idx = np.arange(s.a.size) if units is None else np.asarray(units)

    def fn(a):
        return f.fn(torch.as_tensor(a, dtype=torch.float64)).numpy()

    def grad(a, h):
        return f.grad(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(h, dtype=torch.float64)).numpy()

    return of.activation_figure(fn, grad, f.label, s.a[idx], [f"h[{j}]" for j in idx], f.range)


def unroll_view(steps: list[Step], t: int) -> go.Figure:
    """h_1..h_T and y_1..y_T, revealed up to step t; colours on the same fixed scale as the other pages' heatmaps."""
    h = np.stack([s.h for s in steps], axis=1)  # (H, T)
    y = np.stack([s.y for s in steps], axis=1)  # (O, T)
    f, g = steps[0].f, steps[0].g
    return of.unroll_figure(h, y, t, value_scale(HIDDEN[f].range, h), value_scale(OUTPUT[g].range, y),
                            HIDDEN[f].label, OUTPUT[g].label)


def contributions_view(rs: ReviewStep, units: list[int]) -> go.Figure:
    parts = [contributions(rs, j) for j in units]
    return of.contributions_figure([(c.unit, c.labels, c.values, c.rest, c.n_rest, c.a, c.h) for c in parts],
                                   HIDDEN[rs.step.f].label)


# ---- the words around the calculator, formatted from what they describe ----------------------------------------

SHIPPED = MODELS["rnn"].config  # the shipped RNN the review mode steps through


def random_help(f: str) -> str:
    """What Random draws, for f (random_numbers): h_{t-1} stays inside f's range."""
    lo, hi = HIDDEN[f].range
    h_lo, h_hi = max(lo, -1.0), min(hi, 1.0)
    h = "" if (h_lo, h_hi) == (-1.0, 1.0) else f" (h_t−1 in {h_lo:g}..{h_hi:g}, inside f's range)"
    return f"Draw every number anew from the seed: uniform in −1..1{h}, two decimals."


def reset_help() -> str:
    d = OneStepConfig()
    return (f"Back to the page's example: {d.hidden} hidden units, {d.inputs} input{'s' * (d.inputs != 1)}, "
            f"{d.outputs} output{'s' * (d.outputs != 1)}.")


def review_help() -> str:
    return (f"The shipped RNN (the lesson's model, {SHIPPED.hidden_size} units) reads it word by word, as on Read a "
            "review.")


def review_word_intro(t: int, word: str) -> str:
    return (f"Word **t = {t}**, “{word}”, read by the shipped RNN: $x_t$ is the word's {SHIPPED.embed_dim}-number "
            "embedding, $h_{t-1}$ the state after the word before.")


def sums_caption(inputs: int, hidden: int) -> str:
    """How many products a_t[j] sums: one per input (W_xh x_t) and one per unit (W_hh h_{t-1})."""
    return (f"Each unit sums {inputs + hidden} products, {inputs} from $W_{{xh}}x_t$ and {hidden} from "
            f"$W_{{hh}}h_{{t-1}}$, plus $b_h$; the {TOP_TERMS} largest are shown, the rest summed. ")


def next_seed(seed: int) -> int:
    """The seed after a press of Random: the next one, back to the first after the last the box takes."""
    bounds = state.limits(OneStepConfig, "seed")
    return bounds["min_value"] if seed >= bounds["max_value"] else seed + 1

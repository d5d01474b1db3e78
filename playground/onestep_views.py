"""What the "Inside one step" page shows, one function per view: the equations with the chosen f and g (and the
term looked at highlighted), the numbers of that term, the step as matrix pictures, f with a_t marked, the
unroll, and the shipped model's largest contributions."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch

from playground import onestep_figures as of
from playground.activations import HIDDEN, OUTPUT
from playground.onestep import TERMS, ReviewStep, Step, Weights, contributions
from playground.style import number, symmetric_scale, value_scale

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
        rhs = f"{_mat(w.W_xh)}{_vec(s.x)}" if full else ""
        return rf"W_{{xh}}\,x_t = {rhs + ' = ' if rhs else ''}{_vec(sub(s.xterm))}"
    if look == "hterm":
        rhs = f"{_mat(w.W_hh)}{_vec(s.h_prev)}" if full else ""
        return rf"W_{{hh}}\,h_{{t-1}} = {rhs + ' = ' if rhs else ''}{_vec(sub(s.hterm))}"
    if look == "b_h":
        return rf"b_h = {_vec(sub(s.b_h))}"
    if look == "a":
        return (rf"a_t = {_vec(sub(s.xterm))} + {_vec(sub(s.hterm))} + {_vec(sub(s.b_h))} = "
                rf"{_vec(sub(s.a), 3)}")
    if look == "h":
        return rf"h_t = {fl}\left({_vec(sub(s.a), 3)}\right) = {_vec(sub(s.h), 3)}"
    if look == "z":
        rhs = f"{_mat(w.W_hy)}{_vec(s.h, 3)} + {_vec(w.b_y)} = " if full else ""
        return rf"z_t = W_{{hy}}\,h_t + b_y = {rhs}{_vec(s.z, 3)}"
    return rf"y_t = {gl}\left({_vec(s.z, 3)}\right) = {_vec(s.y, 3)}"


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

"""Every figure builder fuzzed with the arrays it can be handed (empty, length 1, NaN/inf, huge, subnormal) and any
labels: it returns a figure the browser can read (strict JSON) or refuses with a PlaygroundError (tests/fuzzing.py)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from fuzzing import ODD_FLOATS, arrays, outcome, reached, short_texts, strict_json
from playground.figures import gates as gf
from playground.figures import review as rf
from playground.figures import train as tf
from playground.lesson.cells import CELLS
from playground.figures.style import value_scale

RANGES = st.sampled_from([(-1.0, 1.0), (0.0, 1.0), (0.0, float("inf")), (-float("inf"), float("inf"))])
LABELS = st.lists(short_texts(16), max_size=6)
VALUES = st.lists(ODD_FLOATS, max_size=8)
STEPS = st.integers(-3, 300)


def _json(fig) -> None:
    if fig is not None:
        strict_json(fig)


@st.composite
def matrix_and_labels(draw, long: int = 0):
    z = draw(arrays(2, long=long))
    H, T = z.shape
    tokens = draw(st.lists(short_texts(10), min_size=T, max_size=T))
    units = [f"h[{j}]" for j in range(H)]
    return z, tokens, units


@given(st.data())
def test_curves(data):
    n = data.draw(st.integers(0, 6))
    cols = [data.draw(st.lists(ODD_FLOATS, min_size=n, max_size=n)) for _ in range(4)]
    _json(outcome(tf.curves, list(range(n)), *cols, data.draw(short_texts(10)), data.draw(short_texts(10)),
                  chance=data.draw(st.none() | ODD_FLOATS), perfect=data.draw(st.none() | st.just(1.0)),
                  percent=data.draw(st.booleans())))


@given(matrix_and_labels(long=200), RANGES, st.booleans(), st.data())
def test_probe(zt, h_range, regression, data):
    h, tokens, _ = zt
    T = h.shape[1]
    labels = st.lists(short_texts(6), min_size=T, max_size=T)
    fig = outcome(tf.probe, h, h_range, tokens, data.draw(st.lists(st.none() | short_texts(6), min_size=T, max_size=T)),
                  data.draw(labels), data.draw(st.lists(st.none() | st.booleans(), min_size=T, max_size=T)),
                  data.draw(st.lists(ODD_FLOATS, min_size=T, max_size=T)),
                  data.draw(st.lists(ODD_FLOATS, min_size=T, max_size=T)), regression)
    _json(fig)


@given(st.integers(1, 8), st.integers(1, 6), st.integers(1, 4), st.sampled_from(list(CELLS)), st.data())
def test_weights(H, E, O, cell, data):
    gates = CELLS[cell].gates
    rows = H * max(len(gates), 1)
    draw = lambda shape: np.array(data.draw(st.lists(ODD_FLOATS, min_size=int(np.prod(shape)),  # noqa: E731
                                                    max_size=int(np.prod(shape))))).reshape(shape)
    mats = {"W_xh": draw((rows, E)), "W_hh": draw((rows, H)), "W_hy": draw((O, H))}
    _json(outcome(tf.weights, mats, gates))


@given(VALUES, short_texts(12))
def test_spectral_radius(rho, label):
    _json(outcome(tf.spectral_radius, list(range(len(rho))), rho, label))


@given(st.one_of(VALUES, arrays(1, long=500)))
def test_grad_norms(norms):
    _json(outcome(tf.grad_norms, norms))


@given(matrix_and_labels(long=200), RANGES, STEPS, st.sampled_from(list(CELLS) + ["x"]), st.booleans(), st.data())
def test_reading_figure(zt, h_range, step, cell, play, data):
    z, tokens, units = zt
    H, T = z.shape
    y = data.draw(st.lists(ODD_FLOATS, min_size=T, max_size=T))
    oov = data.draw(st.lists(st.booleans(), min_size=T, max_size=T))
    contrib = data.draw(st.none() | st.lists(ODD_FLOATS, min_size=H, max_size=H))
    _json(outcome(rf.reading_figure, tokens, oov, z, units, h_range, np.array(y), step, cell, contrib=contrib,
                  play=play, width_words=data.draw(st.none() | st.integers(0, 300))))


@given(st.data(), RANGES, short_texts(30), STEPS)
def test_changes_figure(data, h_range, word, t):
    n = data.draw(st.integers(0, 8))
    before, after = (data.draw(st.lists(ODD_FLOATS, min_size=n, max_size=n)) for _ in range(2))
    _json(outcome(rf.changes_figure, [f"h[{j}]" for j in range(n)], before, after, word, t, h_range))


@given(VALUES, ODD_FLOATS, ODD_FLOATS, ODD_FLOATS, short_texts(30), STEPS)
def test_logit_figure(values, bias, logit, p, word, t):
    _json(outcome(rf.logit_figure, [f"h[{j}]" for j in range(len(values))], values, bias, logit, p, word, t))


@given(matrix_and_labels(), st.sampled_from([("i", "f", "g", "o", "c"), ("r", "z", "n"), ()]), STEPS)
def test_gates_figure(zt, names, step):
    z, tokens, units = zt
    _json(outcome(rf.gates_figure, tokens, {k: z for k in names}, units, "lstm", step))


@given(st.data(), RANGES)
def test_html_views(data, h_range):
    tokens = data.draw(LABELS)
    T = len(tokens)
    chips = rf.token_chips_html(tokens, data.draw(st.lists(st.booleans(), min_size=T, max_size=T)))
    values = np.array(data.draw(st.lists(ODD_FLOATS, min_size=T, max_size=T)))
    text = outcome(rf.coloured_text_html, tokens, values, value_scale(h_range, values), data.draw(short_texts(8)))
    for html in (chips, text or ""):
        assert "<script" not in html.lower() and "<img" not in html.lower()  # every token escaped


@given(st.dictionaries(st.sampled_from(["rnn_tanh", "lstm", "gru", "x"]), VALUES, max_size=3), st.data())
def test_norm_curves(curves, data):
    n = max((len(v) for v in curves.values()), default=0)
    dashed = data.draw(st.none() | st.dictionaries(st.sampled_from(list(curves) or ["x"]), VALUES, max_size=2))
    _json(outcome(gf.norm_curves, list(range(1, n + 1)), curves, {}, dashed, " (trained)"))


@given(st.dictionaries(short_texts(6), st.lists(st.tuples(ODD_FLOATS, ODD_FLOATS), max_size=6).map(
    lambda v: np.array([complex(a, b) for a, b in v], dtype=complex)), max_size=3))
def test_eigenvalues(blocks):
    _json(outcome(gf.eigenvalues, blocks))


@given(st.dictionaries(short_texts(8), st.fixed_dictionaries({"loss": VALUES, "grad_norm": VALUES}), max_size=3),
       st.data())
def test_training_runs(runs, data):
    diverged = {k: data.draw(st.none() | st.integers(-2, 40)) for k in runs}
    _json(outcome(gf.training_runs, runs, diverged))


@given(st.lists(st.integers(-5, 300), max_size=6), st.data())
def test_accuracy_vs_delay(delays, data):
    acc = {c: data.draw(st.lists(ODD_FLOATS, min_size=len(delays), max_size=len(delays))) for c in ("rnn", "gru")}
    _json(outcome(gf.accuracy_vs_delay, delays, acc, {}, chance=data.draw(st.none() | ODD_FLOATS)))


@given(matrix_and_labels(long=60), st.sampled_from([("f",), ("i", "f"), ()]), RANGES)
def test_gate_heatmaps(zt, names, rng):
    z, tokens, _ = zt
    _json(outcome(gf.gate_heatmaps, {k: z for k in names}, {k: rng for k in names}, tokens))


def test_the_generated_cases_reach_the_builders(capsys):
    """Runs after the fuzz tests above (file order): a builder that refused every input would pass them."""
    import pytest

    from fuzzing import REACHED

    if not REACHED:
        pytest.skip("run with the fuzz tests of this module")
    with capsys.disabled():  # the builders refuse nothing they are given here: well-formed arrays and labels
        print("\n" + reached(sorted(REACHED), at_least=0.9))

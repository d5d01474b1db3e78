"""Inside one step, fuzzed as the page takes it: its link (every field; the numbers are text in the URL), the
editors' cells, the units typed for the shipped model, and the step computed and drawn for any numbers in range.
Each case gives a valid result (finite numbers, figures the browser can read) or a PlaygroundError whose message
a student can read (tests/fuzzing.py)."""
from __future__ import annotations

import dataclasses
import functools

import pytest

import numpy as np
from hypothesis import given, strategies as st

from fuzzing import ODD_FLOATS, number_texts, outcome, short_texts, strict_json, student_message, texts
from playground.web import links
from playground import state
from playground.views import onestep
from playground.views import onestep as views
from playground.sentiment import models as sentiment
from playground.lesson.activations import HIDDEN, OUTPUT
from playground.views.onestep import MAX_ABS, OneStepConfig

FIELDS = [f.name for f in dataclasses.fields(OneStepConfig)]
IN_RANGE = st.one_of(st.floats(-MAX_ABS, MAX_ABS), st.sampled_from([MAX_ABS, -MAX_ABS, 0.0, -0.0, 5e-324, 1e-300]))


@functools.lru_cache(maxsize=None)
def shipped_rnn() -> sentiment.Sentiment:
    return sentiment.load("rnn")


def number_rows() -> st.SearchStrategy[str]:
    """The URL form of numbers ("1,-0.5;0.2,0"), in range or not, ragged or not."""
    rows = st.lists(st.lists(st.one_of(IN_RANGE, ODD_FLOATS), max_size=5), max_size=9)
    return rows.map(lambda rs: ";".join(",".join(repr(v) for v in r) for r in rs))


def page(cfg: OneStepConfig) -> None:
    """What pages/4_inside_one_step.py computes and draws for cfg (figures as the browser gets them)."""
    if cfg.source == "tiny":
        tiny = onestep.tiny_weights(cfg)
        s = onestep.step(tiny.weights, tiny.x, tiny.h_prev, cfg.f, cfg.g)
        assert all(np.isfinite(getattr(s, n)).all() for n in ("a", "h", "z", "y"))
        strict_json(views.step_view(s, tiny.weights, cfg.look))
        assert views.numbers(s, cfg.look, tiny.weights)
        strict_json(views.activation_view(s))
        steps = onestep.unroll(tiny.weights, tiny.seq, cfg.f, cfg.g)
        t = min(cfg.t, len(steps))  # the page's slider clamps t to the sequence's T
        strict_json(views.unroll_view(steps, t))
        alone = outcome(onestep.step_fields, steps, t)  # "Look at step t on its own": refused past the editors' range
        if alone is not None:
            onestep.tiny_weights(dataclasses.replace(cfg, **alone))
        return
    rs = outcome(onestep.review_step, shipped_rnn(), cfg.text, cfg.word)
    if rs is None:
        return
    units, note = onestep.picked_units(rs, cfg.units)
    if note:
        student_message(note)
    assert units and all(0 <= j < rs.step.h.size for j in units) and len(units) <= onestep.MAX_UNITS_PICKED
    strict_json(views.review_step_view(rs, units, cfg.look))
    strict_json(views.contributions_view(rs, units))
    strict_json(views.activation_view(rs.step, units))
    assert views.numbers(rs.step, cfg.look, units=units)
    back, more = state.from_params(OneStepConfig, links.calculator_params(cfg.text, rs.t))
    assert more == [] and back.word == rs.t


@given(st.dictionaries(st.one_of(st.sampled_from(FIELDS), short_texts(8)),
                       st.one_of(number_texts(), texts(), number_rows(), st.sampled_from(["tiny", "review", "0", "1"])),
                       max_size=len(FIELDS) + 2))
def test_link(params):
    cfg, messages = state.from_params(OneStepConfig, params)
    assert state.check(cfg) == []
    for m in messages:
        student_message(m)
    again, more = state.from_params(OneStepConfig, state.to_params(cfg))
    assert more == [] and all(getattr(again, k) == getattr(cfg, k) for k in state.to_params(cfg))
    page(cfg)


@st.composite
def tiny_configs(draw) -> dict[str, str]:
    """Every field of a tiny RNN that fits its sizes, with any numbers in -10..10 (the editors' range)."""
    H, I, O, T = draw(st.integers(2, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(3, 8))
    out = dict(hidden=H, inputs=I, outputs=O, f=draw(st.sampled_from(list(HIDDEN))),
               g=draw(st.sampled_from([g for g in OUTPUT if O > 1 or g != "softmax"])),
               look=draw(st.sampled_from(list(onestep.TERMS))), t=draw(st.integers(1, 8)))
    for name, shape in onestep.shapes(H, I, O, T).items():
        a = np.array(draw(st.lists(IN_RANGE, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))))
        out[name] = onestep.fmt(a.reshape(shape))
    return out


@given(tiny_configs())
def test_any_numbers_in_range_give_a_finite_step_and_its_figures(fields):
    cfg = OneStepConfig(**fields)
    page(cfg)
    back, messages = state.from_params(OneStepConfig, state.to_params(cfg))
    assert messages == [] and back == cfg


@given(st.sampled_from(list(onestep.SHAPES)), st.integers(1, 9), st.integers(1, 5), st.data())
def test_editor_cells(name, rows, cols, data):
    """A data editor's cells: numbers, emptied cells (None, NaN), out of range, inf."""
    cell = st.one_of(IN_RANGE, ODD_FLOATS, st.none())
    cells = data.draw(st.lists(st.lists(cell, min_size=cols, max_size=cols), min_size=rows, max_size=rows))
    text = outcome(onestep.from_table, cells, name)
    if text is not None:
        table = onestep.table(text, name)
        want = np.array(cells, dtype=float)
        assert np.allclose(table.reshape(want.shape) if len(onestep.SHAPES[name]) == 1 else table, want, rtol=1e-5,
                           atol=1e-300)


@given(texts(), st.one_of(st.integers(-5, 300), st.integers()), st.one_of(short_texts(40), number_texts(),
       st.lists(st.integers(-3, 40), max_size=9).map(lambda v: ",".join(map(str, v)))))
def test_a_review_word_and_the_units_typed(text, word, units):
    cfg = outcome(OneStepConfig, source="review", text=text[:onestep.MAX_CHARS], word=word, units=units[:40])
    if cfg is not None:
        page(cfg)


def test_the_generated_cases_reach_the_code_under_test(capsys):
    """Runs after the fuzz tests above (file order): each function they call accepted some generated cases."""
    from fuzzing import REACHED, reached

    if not REACHED:
        pytest.skip("run with the fuzz tests of this module")
    with capsys.disabled():
        print("\n" + reached(sorted(REACHED), at_least=0.1))

"""Inside one step: the page's step equals playground.lesson.cells for the same weights (every f and g), a hand-computed
case, the shipped model's step equals Read a review's heatmap, and the settings' text form, sizes and links."""
import dataclasses
import zlib

import numpy as np
import pytest
import torch

from playground.web import links
from playground import state
from playground.views import onestep
from playground.views import onestep as views
from playground.views import review
from playground.views import lecture
from playground.sentiment import models as sentiment
from playground.lesson.activations import HIDDEN, OUTPUT
from playground.lesson.cells import ModelConfig, RecurrentModel
from playground.errors import ConfigError, InputError
from playground.views.onestep import OneStepConfig


def cell_trace(w: onestep.Weights, seq: np.ndarray, f: str, g: str):
    """The package's own Elman cell (float64) with the given weights, traced over seq (T, I) from h_0 = 0."""
    H, I = w.W_xh.shape
    model = RecurrentModel(ModelConfig(cell="rnn", hidden_size=H, input_size=I, output_size=w.W_hy.shape[0], f=f,
                                       g=g)).double()
    with torch.no_grad():
        for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
            getattr(model, name).copy_(torch.from_numpy(getattr(w, name)))
        return model.trace(torch.from_numpy(seq).unsqueeze(0))


def tiny(f="tanh", seed=0, H=3, I=2, O=1, T=5) -> onestep.Tiny:
    fields = onestep.random_numbers(f, seed, H, I, O, T)
    return onestep.tiny_weights(OneStepConfig(hidden=H, inputs=I, outputs=O, f=f, g="softmax" if O > 1 else "sigmoid",
                                              seed=seed, **fields))


@pytest.mark.parametrize("f", list(HIDDEN))
@pytest.mark.parametrize("g", list(OUTPUT))
def test_unroll_equals_the_cells_trace_for_every_f_and_g(f, g):
    rng = np.random.default_rng(zlib.crc32(f"{f} {g}".encode()))  # sizes and seed differ per pair, fixed per run
    H, I, O, T = int(rng.integers(2, 5)), int(rng.integers(1, 4)), int(rng.integers(2, 4)), int(rng.integers(3, 9))
    tw = tiny(f, int(rng.integers(0, 9999)), H, I, O, T)
    w = tw.weights
    w = onestep.Weights(w.W_xh * 2.5, w.W_hh * 2.5, w.b_h, w.W_hy, w.b_y)  # larger: f saturates, ReLU dies
    steps = onestep.unroll(w, tw.seq, f, g)
    tr = cell_trace(w, tw.seq, f, g)
    np.testing.assert_allclose(np.stack([s.a for s in steps]), tr.pre[0].numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.stack([s.h for s in steps]), tr.h[0, 1:].numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.stack([s.z for s in steps]), tr.logits[0].numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.stack([s.y for s in steps]), tr.y[0].numpy(), rtol=1e-12, atol=1e-12)
    # one step from any h_{t-1}: step 3 of the trace, computed from the trace's own h_2
    s = onestep.step(w, tw.seq[2], tr.h[0, 2].numpy(), f, g)
    np.testing.assert_allclose(s.h, tr.h[0, 3].numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.xterm + s.hterm + s.b_h, s.a, rtol=1e-12, atol=1e-12)


def test_the_default_step_by_hand():
    """The page's example, multiplied out by hand (see onestep.DEFAULTS)."""
    tw = onestep.tiny_weights(OneStepConfig())
    s = onestep.step(tw.weights, tw.x, tw.h_prev, "tanh", "sigmoid")
    # W_xh x: 1.2*1 - 0.8*-0.5 = 1.6; 0.5 - 0.15 = 0.35; -0.7 - 0.5 = -1.2
    np.testing.assert_allclose(s.xterm, [1.6, 0.35, -1.2], atol=1e-12)
    # W_hh h_prev: 0.45 - 0.08 + 0.48; -0.15 - 0.04 - 0.4; 0.05 + 0.12 - 0.32
    np.testing.assert_allclose(s.hterm, [0.85, -0.59, -0.15], atol=1e-12)
    np.testing.assert_allclose(s.a, [2.75, -0.34, -1.15], atol=1e-12)
    np.testing.assert_allclose(s.h, np.tanh([2.75, -0.34, -1.15]), atol=1e-12)
    z = 1.5 * np.tanh(2.75) - 0.7 * np.tanh(-0.34) + 0.9 * np.tanh(-1.15) - 0.2
    np.testing.assert_allclose(s.z, [z], atol=1e-12)
    np.testing.assert_allclose(s.y, [1 / (1 + np.exp(-z))], atol=1e-12)


@pytest.fixture(scope="module")
def rnn():
    return sentiment.load("rnn")


def test_review_step_is_the_cell_of_read_a_reviews_heatmap(rnn):
    text = "The plot is thin, but the cast is wonderful and the ending is not bad at all."
    r = review.read(rnn, text)
    for t in (1, 7, r.T):
        rs = onestep.review_step(rnn, text, t)
        assert rs.t == t and rs.word == r.tokens[t - 1]
        np.testing.assert_allclose(rs.step.h_prev, r.h[t - 1], atol=1e-7)
        np.testing.assert_allclose(rs.step.h, r.h[t], atol=1e-5)  # float64 here, float32 there
        assert rs.step.y[0] == pytest.approx(r.y[t - 1], abs=1e-5)
    assert onestep.review_step(rnn, text, 0).t == r.T  # 0: the last word
    c = onestep.contributions(rs, 3)
    assert sum(c.values) + c.rest == pytest.approx(c.a, abs=1e-12) and c.n_rest == 64 - onestep.TOP_TERMS
    assert all(abs(c.values[i]) >= abs(c.values[i + 1]) for i in range(1, len(c.values) - 1))


def test_review_step_refuses_the_lstm_and_empty_text(rnn):
    with pytest.raises(ConfigError, match="Elman"):
        onestep.review_step(sentiment.load("lstm"), "good", 1)
    with pytest.raises(InputError):
        onestep.review_step(rnn, "   ", 1)


def test_picked_units(rnn):
    rs = onestep.review_step(rnn, "This movie is not good.", 4)
    auto, note = onestep.picked_units(rs, "")
    moved = np.abs(rs.step.h - rs.step.h_prev)
    assert note is None and len(auto) == 4 and min(moved[auto]) >= np.sort(moved)[-4]
    assert onestep.picked_units(rs, "5, 3,5") == ([5, 3], None)
    units, note = onestep.picked_units(rs, "2,x,99")
    assert units == [2] and "x, 99" in note


def test_text_form_round_trips_and_bad_text_is_explained():
    a = np.array([[1.25, -0.5], [0, 3e-7]])
    np.testing.assert_array_equal(onestep.parse(onestep.fmt(a)), a)
    assert onestep.fmt(np.array([1.0, -0.5])) == "1,-0.5"
    with pytest.raises(InputError, match="row 2"):
        onestep.parse("1,2;x,3", "W_xh")
    with pytest.raises(InputError, match="as many numbers"):
        onestep.parse("1,2;3", "W_xh")
    with pytest.raises(InputError, match="between -10 and 10"):
        onestep.parse("11")
    assert onestep.from_table([[1.0], [2.5]], "b_h") == "1,2.5"
    with pytest.raises(InputError, match="row 2, column 1 is empty"):
        onestep.from_table([[1.0], [None]], "b_h")
    with pytest.raises(InputError, match="out of range"):
        onestep.from_table([[1.0, 12.0]], "W_hy")


def test_config_round_trips_through_the_url_and_bad_links_fall_back():
    fields = onestep.random_numbers("relu", 7, 4, 3, 2, 6)
    cfg = OneStepConfig(hidden=4, inputs=3, outputs=2, f="relu", g="softmax", seed=7, look="h", t=5, **fields)
    assert state.from_params(OneStepConfig, state.to_params(cfg)) == (cfg, [])
    assert "text" not in state.to_params(cfg)  # the tiny RNN's link leaves the review out
    bad, messages = state.from_params(OneStepConfig, {"f": "relu", "W_xh": "1,abc"})
    assert bad.f == "relu" and bad.W_xh == OneStepConfig().W_xh and "W_xh" in messages[0]
    bad, messages = state.from_params(OneStepConfig, {"hidden": "4"})  # the default matrices are 3 units
    assert bad == OneStepConfig() and "do not go together" in messages[0] and "H = 4" in messages[0]
    with pytest.raises(ConfigError, match="softmax"):
        OneStepConfig(g="softmax")
    params = links.calculator_params("not good", 2)
    linked, messages = state.from_params(OneStepConfig, params)
    assert messages == [] and (linked.source, linked.text, linked.word) == ("review", "not good", 2)
    assert "W_xh" not in params


def test_random_numbers_are_seeded_and_resizing_keeps_what_exists():
    a = onestep.random_numbers("sigmoid", 3, 4, 2, 1, 5)
    assert a == onestep.random_numbers("sigmoid", 3, 4, 2, 1, 5) != onestep.random_numbers("sigmoid", 4, 4, 2, 1, 5)
    h_prev = onestep.parse(a["h_prev"])
    assert (h_prev >= 0).all() and (h_prev <= 1).all()  # a state sigmoid can reach
    cfg = OneStepConfig()
    old = {n: getattr(cfg, n) for n in onestep.MATRICES + ("seq",)}
    big = onestep.resized(old, "tanh", 0, 4, 3, 2, 6)
    W = onestep.parse(big["W_xh"])
    assert W.shape == (4, 3)
    np.testing.assert_array_equal(W[:3, :2], onestep.parse(cfg.W_xh))
    assert onestep.parse(big["seq"]).shape == (6, 3)
    back = onestep.resized(big, "tanh", 0, 3, 2, 1, 4)
    assert back == old  # shrinking back gives the example again
    OneStepConfig(hidden=4, inputs=3, outputs=2, g="softmax", **big)  # fits the new sizes


def test_views_name_f_and_g_and_highlight_the_term_looked_at():
    tw = onestep.tiny_weights(OneStepConfig())
    for f in HIDDEN:
        s = onestep.step(tw.weights, tw.x, tw.h_prev, f, "identity")
        h_eq, y_eq = views.equations(f, "identity", "xterm")
        assert HIDDEN[f].latex in h_eq and OUTPUT["identity"].latex in y_eq
        assert f"**{HIDDEN[f].label}**" in views.names(f, "identity")
        assert h_eq.count(r"\colorbox") == 1 and r"\colorbox{" + views.MARK + r"}{$\displaystyle W_{xh}" in h_eq
    assert r"\colorbox" not in views.equations("tanh", "sigmoid", "y")[0]
    assert r"\colorbox" in views.equations("tanh", "sigmoid", "y")[1]
    s = onestep.step(tw.weights, tw.x, tw.h_prev, "tanh", "sigmoid")
    assert "2.750" in views.numbers(s, "a") and "0.992" in views.numbers(s, "h")


def test_a_chain_of_equalities_puts_each_side_on_a_line_of_its_own():
    """At 1024 px the sum a_t's four vectors in one line were cut at the column's edge: the terms on one line, their
    sum (the number a student checks) on the next; a single equality stays one line."""
    tw = onestep.tiny_weights(OneStepConfig())
    s = onestep.step(tw.weights, tw.x, tw.h_prev, "tanh", "sigmoid")
    terms, total = views.numbers(s, "a").removeprefix(r"\begin{aligned}a_t &=").split(r"\\ &=")
    assert terms.count(r"\begin{bmatrix}") == 3 and "2.750" not in terms
    assert total.count(r"\begin{bmatrix}") == 1 and "2.750" in total
    full = views.numbers(s, "z", tw.weights)  # z_t = W_hy h_t + b_y = (the numbers) = (z): three sides, three lines
    assert full.startswith(r"\begin{aligned}z_t &= W_{hy}") and full.count(r"\\ &=") == 2
    assert r"\begin{aligned}" not in views.numbers(s, "b_h")


def test_step_picture_shows_the_step_and_marks_the_term():
    tw = onestep.tiny_weights(OneStepConfig())
    s = onestep.step(tw.weights, tw.x, tw.h_prev, "tanh", "sigmoid")
    fig = views.step_view(s, tw.weights, "a")
    by_name = {}
    for tr in fig.data:
        by_name.setdefault(tr.hovertemplate.split("[")[0], np.asarray(tr.z, dtype=float))
    np.testing.assert_allclose(by_name["a_t"].ravel(), s.a)
    np.testing.assert_allclose(by_name["h_t"].ravel(), s.h)
    np.testing.assert_allclose(by_name["W_hh"], tw.weights.W_hh)
    marked = [a.text for a in fig.layout.annotations if a.bgcolor]
    assert len(marked) == 4 and any("a<sub>t</sub>" in m for m in marked)  # the three terms and their sum
    assert sum(sh.type == "rect" for sh in fig.layout.shapes) == 4


def test_a_sum_that_rounds_to_zero_is_shown_without_a_minus():
    tw = onestep.tiny_weights(OneStepConfig())
    b_h = tw.weights.b_h.copy()
    s0 = onestep.step(tw.weights, tw.x, tw.h_prev, "tanh", "sigmoid")
    b_h[1] -= s0.a[1] + 0.0002  # a_t[1] = -0.0002
    w = dataclasses.replace(tw.weights, b_h=b_h)
    s = onestep.step(w, tw.x, tw.h_prev, "tanh", "sigmoid")
    assert -0.0003 < s.a[1] < 0
    texts = [t for tr in views.step_view(s, w, "a").data for t in np.ravel(tr.text) if isinstance(t, str)]
    assert not any(t.startswith("-0.0") and not t.strip("-0.") for t in texts) and "0.000" in texts


def test_the_f_plot_marks_saturated_units():
    tw = onestep.tiny_weights(OneStepConfig())
    s = onestep.step(tw.weights, tw.x, tw.h_prev, "tanh", "sigmoid")  # a = 2.75, -0.34, -1.15
    fig = views.activation_view(s)
    marks = {tr.name: list(tr.text) for tr in fig.data if tr.mode == "markers+text"}
    assert marks == {"a_t[j], f still steep": ["h[1]", "h[2]"], "a_t[j], f flat: saturated or dead": ["h[0]"]}
    relu = onestep.step(tw.weights, tw.x, tw.h_prev, "relu", "sigmoid")
    dead = {tr.name: list(tr.text) for tr in views.activation_view(relu).data if tr.mode == "markers+text"}
    assert dead["a_t[j], f flat: saturated or dead"] == ["h[1]", "h[2]"]  # a < 0: ReLU's dead side


def test_the_f_plot_keeps_neighbouring_labels_apart_and_off_the_curve():
    """The saturating scene: a_t = 6.65, -5.69, 4.05 through the sigmoid. h[0] and h[2] both sit on the upper arm:
    their labels go above it, one to the left and one to the right (they were printed over each other)."""
    cfg = OneStepConfig(f="sigmoid", W_xh=lecture.SATURATING_W_xh)
    tw = onestep.tiny_weights(cfg)
    s = onestep.step(tw.weights, tw.x, tw.h_prev, "sigmoid", "sigmoid")
    fig = views.activation_view(s)
    (flat,) = [tr for tr in fig.data if tr.mode == "markers+text"]
    spot = dict(zip(flat.text, flat.textposition))
    assert spot["h[0]"].startswith("top") and spot["h[2]"].startswith("top") and spot["h[1]"].startswith("bottom")
    assert spot["h[2]"] == "top left" and spot["h[0]"] == "top right"  # h[2] is left of h[0]: they point apart
    assert fig.layout.showlegend is False and "○</span> f flat: saturated or dead" in fig.layout.title.text
    assert "f still steep" not in fig.layout.title.text  # no steep point here: its key is not shown


def test_unroll_picture_reveals_steps_up_to_t():
    tw = onestep.tiny_weights(OneStepConfig())
    steps = onestep.unroll(tw.weights, tw.seq, "tanh", "sigmoid")
    z = np.asarray(views.unroll_view(steps, 2).data[0].z, dtype=float)  # (H, T)
    np.testing.assert_allclose(z[:, :2], np.stack([s.h for s in steps[:2]], axis=1))
    assert np.isnan(z[:, 2:]).all()
    assert onestep.step_fields(steps, 3) == {"x": onestep.fmt(tw.seq[2]), "h_prev": onestep.fmt(steps[1].h)}


def test_a_step_whose_h_left_the_editors_range_is_not_offered_on_its_own():
    """With relu, h_t can grow past MAX_ABS: setting x_t and h_(t-1) from it would give numbers the page refuses
    (and it would fall back to its defaults, losing the student's). Found by tests/views/test_fuzz_onestep.py."""
    cfg = OneStepConfig(hidden=2, inputs=1, f="relu", x="1", h_prev="0,0", W_xh="6;6", W_hh="2,0;0,2", b_h="0,0",
                        W_hy="1,1", seq="1;1;1")
    tw = onestep.tiny_weights(cfg)
    steps = onestep.unroll(tw.weights, tw.seq, "relu", "sigmoid")
    assert [list(s.h) for s in steps[:2]] == [[6.0, 6.0], [18.0, 18.0]]  # 6, then 6 + 2 * 6
    OneStepConfig(**{**cfg.__dict__, **onestep.step_fields(steps, 2)})  # h_1 = 6: in range, a valid config
    with pytest.raises(InputError, match="Step 3 cannot be set up on its own"):
        onestep.step_fields(steps, 3)


def test_the_words_around_the_calculator_say_what_the_numbers_are():
    """Issue 23: the sentences are formatted from what they describe (checked against hand-worked values)."""
    assert "8 products, 3 from $W_{xh}x_t$ and 5 from" in onestep.sums_caption(inputs=3, hidden=5)
    assert onestep.reset_help() == "Back to the page's example: 3 hidden units, 2 inputs, 1 output."
    assert "32 units" in onestep.review_help() and "32-number embedding" in onestep.review_word_intro(2, "good")
    assert "h_t−1 in 0..1" in onestep.random_help("sigmoid") and "h_t−1" not in onestep.random_help("tanh")
    assert "h_t−1 in 0..1" in onestep.random_help("relu")  # ReLU's 0..inf, cut to the editors' -1..1


def test_random_moves_the_seed_on_and_wraps_at_the_last():
    assert onestep.next_seed(0) == 1 and onestep.next_seed(41) == 42
    assert onestep.next_seed(state.limits(OneStepConfig, "seed")["max_value"]) == 0


def test_a_block_of_three_decimals_has_wider_cells_so_its_numbers_fit():
    """'-1.150' at 13 px is wider than a two-decimal block's cell at 1024 px: its block's cells are WIDE times wider."""
    from playground.figures import onestep as figures
    z = np.array([[2.75], [-0.34], [-1.15]])
    fig = figures.equation_figure([[figures.Block("b", z, {}), figures.Op("="), figures.Block("a", z, {}, decimals=3)]])
    two, three = (fig.layout[a].domain for a in ("xaxis", "xaxis2"))
    assert (three[1] - three[0]) == pytest.approx(figures.WIDE * (two[1] - two[0]), rel=0.1)
    assert "-1.150" in list(np.ravel(fig.data[1].text))

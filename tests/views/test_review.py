"""The page's computations: input cleaning and the cap, the trace it reads, and the reading aids, checked
against brute force and against the model's fast path."""
import json

import numpy as np
import pytest

from playground.views import review
from playground.sentiment import models as sentiment
from playground.errors import InputError
from playground.state import from_params, to_params
from playground.sentiment.text import tokenize


@pytest.fixture(scope="module")
def models():
    return {name: sentiment.load(name) for name in sentiment.MODELS}


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u200b\u200b", "\x00\x01"])
def test_empty_or_invisible_text_asks_for_a_review(models, text):
    with pytest.raises(InputError, match="Type a review"):
        review.read(models["rnn"], text)


def test_long_text_is_cut_at_the_cap_with_a_notice(models):
    r = review.read(models["rnn"], "good movie , " * 100)
    assert r.T == review.CAP and r.h.shape == (review.CAP + 1, 32)
    assert any("300" in n and str(review.CAP) in n for n in r.notices)
    assert review.n_tokens("good movie , " * 100) == review.CAP


def test_all_unknown_words_still_give_a_result_with_an_explanation(models):
    r = review.read(models["gru"], "zorblax quenticulated frimbled")
    assert all(r.oov) and np.isfinite(r.y).all()
    assert any("None of these words" in n for n in r.notices)


def test_odd_unicode_and_html_are_tokens_not_markup(models):
    r = review.read(models["rnn"], "<b>great</b> 😀 映画 \u200b tr\u00e8s bien")
    assert r.tokens == tokenize("<b>great</b> 😀 映画  très bien")
    chips = review.tokens_view(r)
    coloured = review.text_view(r, "sentiment", 0)
    for html in (chips, coloured):
        assert "<b>" not in html and "&lt;" in html and "😀" in html and "映画" in html


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_reading_matches_the_fast_forward_and_the_lessons_readout(models, name):
    sm = models[name]
    r = review.read(sm, "The acting is not bad at all, but the plot is thin.")
    fast = sentiment.running_sentiment(sm, r.tokens)
    assert r.y == pytest.approx(fast, abs=1e-5)
    z = r.h[1:] @ r.W_hy + r.b_y  # z_t = W_hy h_t + b_y
    assert r.logits == pytest.approx(z, abs=1e-5) and r.y == pytest.approx(1 / (1 + np.exp(-z)), abs=1e-6)
    assert np.all(r.h[0] == 0) and np.abs(r.h).max() <= 1
    if name == "lstm":
        assert set(r.gates) == {"i", "f", "g", "o"} and r.c.shape == r.h.shape
        o, c = r.gates["o"], r.c[1:]
        assert r.h[1:] == pytest.approx(o * np.tanh(c), abs=1e-5)  # h_t = o_t * tanh(c_t)


def test_logit_split_adds_up_to_the_logit(models):
    r = review.read(models["lstm"], "a gorgeous cast , but a dull story")
    for t in (1, 4, r.T):
        s = review.logit_split(r, t)
        assert s.values.sum() + s.bias == pytest.approx(r.logits[t - 1], abs=1e-5)
        assert s.p == pytest.approx(r.y[t - 1], abs=1e-5)
        assert list(s.values) == sorted(s.values, reverse=True)


def test_unit_order_and_top_changed_by_brute_force(models):
    r = review.read(models["rnn"], "this movie is good")
    contrib = [r.W_hy[j] * r.h[r.T][j] for j in range(r.H)]
    order = review.unit_order(r)
    assert [contrib[j] for j in order] == sorted(contrib, reverse=True)
    t = 4
    units, before, after = review.top_changed(r, t, k=5)
    moves = sorted(range(r.H), key=lambda j: -abs(r.h[t][j] - r.h[t - 1][j]))[:5]
    assert list(units) == moves
    assert before == pytest.approx(r.h[t - 1][moves]) and after == pytest.approx(r.h[t][moves])


@pytest.mark.parametrize("step,T,expected", [(3, 5, 3), (0, 5, 5), (9, 5, 5), (-1, 5, 5), (1, 1, 1)])
def test_clamp_step(step, T, expected):
    assert review.clamp_step(step, T) == expected


def test_page_views_are_all_there_and_serialise(models):
    r = review.read(models["lstm"], "not good")
    views = review.page_views(r, 1, review.unit_order(r), "unit", 3)
    assert set(views) == {"tokens", "reading", "changes", "logit", "text", "gates"}
    assert views["tokens"].count("<span") == len(r.tokens)  # the word strip: one span per word
    assert all(w in views["text"] for w in r.tokens)  # the text coloured by one unit
    for name in ("reading", "changes", "logit", "gates"):  # figures that serialise, with data to draw
        spec = json.loads(views[name].to_json())
        assert spec["data"] and all(trace.get("type") for trace in spec["data"]), name
    rnn = review.read(models["rnn"], "not good")
    assert review.gates_view(rnn, 1) is None


def test_compare_uses_one_unit_order_and_one_word_axis(models):
    sm = models["rnn"]
    a, b = review.read(sm, "this movie is good"), review.read(sm, "this movie is not good")
    order = review.unit_order(a)
    fa, fb = review.compare_view(a, b, order)
    assert list(fa.data[0].y) == list(fb.data[0].y) == [f"h[{j}]" for j in order]
    assert fa.layout.xaxis2.range == fb.layout.xaxis2.range == (0.5, 5.5)
    assert (fa.data[0].zmin, fa.data[0].zmax) == (fb.data[0].zmin, fb.data[0].zmax) == (-1, 1)


def test_two_reviews_side_by_side_leave_the_same_room_for_their_words_so_their_charts_line_up(models):
    sm = models["rnn"]
    a, b = review.read(sm, "a wonderful , unforgettable performance"), review.read(sm, "bad")
    fa, fb = review.compare_view(a, b)
    assert fa.layout.xaxis2.tickangle == fb.layout.xaxis2.tickangle == -45  # not each its own angle
    assert fa.layout.margin.b == fb.layout.margin.b  # the same room below: the same plot heights
    # room for the longest word ("unforgettable", 13 characters) slanted at 45 degrees in 13-px type
    assert fa.layout.margin.b >= 13 * 0.6 * 13 * 0.7
    alone = review.reading_view(b, b.T)  # a review alone: plotly.js picks the angle its width needs
    assert alone.layout.xaxis2.tickangle is None and alone.layout.margin.b == 40


def test_all_three_read_the_same_review_on_the_same_scales(models):
    text = "not bad at all , but the plot is thin"
    readings = [review.read(models[n], text) for n in review.models_shown(review.ALL)]
    figs = review.all_models_view(readings, 4, sort=True)
    assert [r.model for r in readings] == ["rnn", "lstm", "gru"] and len(figs) == 3
    heat = [f.data[0] for f in figs]
    assert {(h.zmin, h.zmax, h.zmid) for h in heat} == {(-1, 1, 0)} and len({str(h.colorscale) for h in heat}) == 1
    assert {f.layout.xaxis2.range for f in figs} == {(0.5, 10.5)} and {f.layout.yaxis2.range for f in figs} == {
        (-0.04, 1.04)}
    assert {tuple(f.layout.xaxis2.ticktext) for f in figs} == {tuple(text.split())}
    for r, f in zip(readings, figs):  # each model's own y_t, as sentiment.predict computes it
        line = next(d for d in f.data if d.name == "y_t")
        assert np.allclose(line.y, sentiment.predict(models[r.model], text)["p_positive"], atol=1e-4)
        assert list(f.data[0].y) == [f"h[{j}]" for j in review.unit_order(r)]  # its own units, its own order
        assert f.layout.shapes[0].x0 == 4.5 and f"{r.y[-1]:.2f}" in f.layout.title.text  # word 4 shown in each
    assert review.models_shown("gru") == ["gru"]


def test_config_round_trips_through_the_url():
    cfg = review.ReviewConfig(text="Not <b>bad</b> at all 😀", model="gru", step=3, order=False,
                              colour_by="unit", unit=7, compare=True, text_b="good")
    back, messages = from_params(review.ReviewConfig, to_params(cfg))
    assert back == cfg and messages == []
    bad, messages = from_params(review.ReviewConfig, {"model": "transformer", "step": "nan"})
    assert bad == review.ReviewConfig() and len(messages) == 2


def test_a_link_carries_the_second_review_only_when_comparing():
    alone = to_params(review.ReviewConfig(text="good", text_b="bad"))
    assert "text_b" not in alone and alone["text"] == "good"
    assert to_params(review.ReviewConfig(text="good", text_b="bad", compare=True))["text_b"] == "bad"


def test_shipped_examples_cover_negation_and_a_turn():
    texts = " ".join(e.text for e in review.EXAMPLES.values()).lower()
    assert "not good" in texts and "not bad at all" in texts and ", but " in texts


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_an_example_the_model_reads_wrongly_says_so_and_why(models, name):
    """No example shows a wrong verdict as if it were right: the page's notice appears exactly when the model's
    label after the last word (sentiment.predict, the fast path) differs from the example's own label."""
    sm = models[name]
    for e in review.EXAMPLES.values():
        note = review.example_note(e.text, review.read(sm, e.text))
        wrong = e.label is not None and sentiment.predict(sm, e.text)["label"] != e.label
        assert (note is not None) == wrong, (name, e.title)
        if wrong:
            assert e.title in note and e.why_hard and e.why_hard in note
    assert review.example_note("Not one of the examples.", review.read(sm, "Not one of the examples.")) is None


def test_trim_keeps_short_text_and_cuts_long_text_with_a_notice():
    assert review.trim("This movie is good.") == ("This movie is good.", None)
    cut, notice = review.trim("x" * (review.MAX_CHARS + 5))
    assert len(cut) == review.MAX_CHARS and f"{review.MAX_CHARS + 5:,} characters" in notice

"""Classroom mode as data: the link's value, the links it keeps, and every chart's type and height scaled for a
projector (hand-computed cases at factor 2 / height 1.5, and every real figure still valid plotly)."""
import copy
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.views import classroom
from playground.views import review
from playground.sentiment import models as sentiment
from playground.figures import train as tf
from playground.views.classroom import link_params, parse, scaled_figure, scaled_layout, scaled_traces


@pytest.mark.parametrize("raw,on", [("1", True), ("0", False), ("true", True), ("yes", True), ("ON", True),
                                    ("off", False), (" 1 ", True)])
def test_the_links_yes_and_no_words_switch_it(raw, on):
    assert parse(raw) == (on, None)


@pytest.mark.parametrize("raw", ["2", "", "maybe", "1;drop", "\u202eon"])
def test_a_bad_value_has_no_opinion_and_says_what_it_was(raw):
    on, message = parse(raw)
    assert on is None
    assert f"classroom={raw!r}" in message and "?classroom=1" in message


def test_no_value_is_no_opinion():
    assert parse(None) == (None, None)


def test_links_keep_the_mode_and_drop_a_stale_value():
    assert link_params({"model": "gru"}, True) == {"model": "gru", "classroom": "1"}
    assert link_params({"model": "gru", "classroom": "yes"}, True) == {"model": "gru", "classroom": "1"}
    assert link_params({"model": "gru", "classroom": "1"}, False) == {"model": "gru"}
    assert link_params({}, False) == {}


def test_every_font_margin_and_the_height_scale_and_the_input_is_untouched():
    layout = {"font": {"family": "Inter", "size": 14}, "height": 300, "margin": {"l": 60, "r": 20, "t": 50, "b": 40,
              "pad": 4}, "xaxis": {"tickfont": {"size": 10}, "title": {"text": "t", "font": {"size": 12}}},
              "annotations": [{"text": "perfect", "font": {"size": 11, "color": "grey"}}],
              "title": {"text": "Units<br><span style='font-size:13px'>before, after</span>"},
              "hoverlabel": {"font": {"size": 13}}, "legend": {"orientation": "h"}}
    before = copy.deepcopy(layout)
    out = scaled_layout(layout, factor=2, height_factor=1.5)
    assert layout == before
    assert out["font"] == {"family": "Inter", "size": 28}
    assert out["xaxis"]["tickfont"]["size"] == 20 and out["xaxis"]["title"]["font"]["size"] == 24
    assert out["annotations"][0]["font"] == {"size": 22, "color": "grey"}
    assert out["title"]["text"] == "Units<br><span style='font-size:26px'>before, after</span>"
    assert out["hoverlabel"]["font"]["size"] == 26
    assert out["margin"] == {"l": 120, "r": 40, "t": 100, "b": 80, "pad": 4}
    assert out["height"] == 450 and out["legend"] == {"orientation": "h"}


def test_a_figure_without_a_font_size_gets_plotlys_default_scaled():
    assert scaled_layout({}, factor=2)["font"]["size"] == 24  # plotly.js draws 12 px where none is named


def test_no_chart_grows_past_one_screen_and_a_taller_one_stays_as_it_was():
    assert scaled_layout({"height": 600}, 1, 1.5)["height"] == classroom.MAX_HEIGHT_PX == 640
    assert scaled_layout({"height": 700}, 1, 1.5)["height"] == 700
    assert scaled_layout({"height": 400}, 1, 1.5)["height"] == 600


def test_a_label_on_every_row_grows_with_the_rows_only():
    layout = {"height": 400, "yaxis": {"type": "category", "tickfont": {"size": 10}},
              "yaxis2": {"tickfont": {"size": 10}}}
    out = scaled_layout(layout, factor=2, height_factor=1.5)
    assert out["yaxis"]["tickfont"]["size"] == 15  # rows 1.5x taller: labels 1.5x, not 2x (they would collide)
    assert out["yaxis2"]["tickfont"]["size"] == 20
    capped = scaled_layout({**layout, "height": 600}, factor=2, height_factor=1.5)  # 600 -> 640: rows grow 1.07x
    assert capped["yaxis"]["tickfont"]["size"] == pytest.approx(10 * 640 / 600, abs=0.05)


def test_a_label_every_few_rows_grows_with_the_font_and_the_labels_thin_out():
    """Read a review's h_t heatmap labels every 2nd of 32 units, at a height the projector keeps (factor 1): its
    labels grow like every other text, and sit 2 * 1.3 -> 3 rows apart so that they keep their room."""
    layout = {"height": 420, "yaxis": {"type": "category", "dtick": 2, "tickfont": {"size": 12}}}
    out = scaled_layout(layout, factor=1.3, height_factor=1)
    assert out["yaxis"]["tickfont"]["size"] == pytest.approx(15.6)
    assert out["yaxis"]["dtick"] == 3
    assert scaled_layout(layout, factor=2, height_factor=1)["yaxis"]["dtick"] == 4  # exactly 2 * 2 rows: not 5
    grown = scaled_layout(layout, factor=1.3, height_factor=1.3)  # rows as much taller as the labels: as before
    assert grown["yaxis"]["dtick"] == 2 and grown["yaxis"]["tickfont"]["size"] == pytest.approx(15.6)
    assert layout["yaxis"] == {"type": "category", "dtick": 2, "tickfont": {"size": 12}}


def test_a_title_some_pixels_below_the_top_moves_down_with_its_font():
    out = scaled_layout({"height": 400, "title": {"text": "x", "y": 1 - 14 / 400, "yref": "container"}}, 2, 1.5)
    assert out["height"] == 600
    assert (1 - out["title"]["y"]) * 600 == pytest.approx(28)  # 14 px below the top before, 2 x 14 px now
    paper = scaled_layout({"height": 400, "title": {"text": "x", "y": 0.9}}, 2, 1.5)
    assert paper["title"]["y"] == 0.9  # a title in paper coordinates moves with the plot by itself


def test_trace_text_scales_but_the_arrays_are_shared_not_copied():
    z = [[0.1, 0.2], [0.3, 0.4]]
    data = [{"type": "heatmap", "z": z, "text": ["a", "b"], "textfont": {"size": 12}},
            {"type": "scatter", "x": [1, 2], "y": [3, 4]}]
    out = scaled_traces(data, factor=2)
    assert out[0]["textfont"] == {"size": 24} and data[0]["textfont"] == {"size": 12}
    assert out[0]["z"] is z and out[1]["x"] is data[1]["x"]  # a live redraw copies no data


def _live_figures():
    steps = list(range(0, 500, 50))
    loss = list(np.linspace(0.7, 0.1, len(steps)))
    yield tf.curves(steps, loss, loss, loss, loss, "cross-entropy", "accuracy", 0.5, 1.0, percent=True)
    yield tf.spectral_radius(steps, list(np.linspace(0.5, 1.2, len(steps))))
    yield tf.grad_norms(list(np.logspace(-3, 0, 8)))
    rng = np.random.default_rng(0)
    yield tf.weights({"W_xh": rng.normal(size=(8, 2)), "W_hh": rng.normal(size=(8, 8)), "W_hy": rng.normal(size=(1, 8))})


def test_every_scaled_figure_is_still_valid_plotly_with_larger_fonts():
    """plotly's own validation (go.Figure) accepts every property the scaling writes, for the live figures and a page's
    animated figure (frames and all)."""
    model = sentiment.load("lstm")
    r = review.read(model, "The first half is slow, but the ending is wonderful.")
    figures = [f.to_dict() for f in _live_figures()] + [review.reading_view(r, r.T).to_dict(),
                                                        review.gates_view(r, r.T, None).to_dict()]
    for d in figures:
        out = scaled_figure(d)
        go.Figure(json.loads(json.dumps(out, default=lambda a: np.asarray(a).tolist())))  # raises on a bad property
        assert out["layout"]["font"]["size"] > (d["layout"].get("font", {}).get("size") or 12)
        assert out["layout"]["height"] >= d["layout"]["height"]


def test_the_readme_states_the_modes_sizes_as_the_module_has_them():
    from conftest import ROOT

    text = (ROOT / "README.md").read_text()
    para = text[text.index("**Classroom mode**"):].split("\n\n")[0]
    for scale in (classroom.TYPE_SCALE, classroom.FONT_SCALE, classroom.HEIGHT_SCALE):
        assert f"{scale:g}x" in para, scale

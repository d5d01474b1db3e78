"""Shared style and generic builders: colour ranges fixed by activation, axis order, labels."""
import math

import numpy as np

from playground.figures import heatmap, lines, weight_heatmap
from playground.style import COLORSCALES, number, value_scale


def test_tanh_scale_is_fixed_diverging_centered():
    s = value_scale((-1.0, 1.0), np.array([[0.1, 0.2]]))
    assert (s["zmin"], s["zmax"], s["zmid"]) == (-1.0, 1.0, 0.0) and s["colorscale"] == COLORSCALES["RdBu_r"]
    assert s["colorscale"][0] == [0.0, "rgb(5,48,97)"]  # spelt out: the browser's plotly.js knows no "_r" names


def test_sigmoid_scale_is_fixed_sequential():
    s = value_scale((0.0, 1.0), np.array([5.0]))
    assert (s["zmin"], s["zmax"]) == (0.0, 1.0) and "zmid" not in s


def test_unbounded_scale_takes_data_extent():
    assert value_scale((0.0, math.inf), np.array([0.0, 3.0]))["zmax"] == 3.0
    s = value_scale((-math.inf, math.inf), np.array([-2.0, 1.0]))
    assert (s["zmin"], s["zmax"]) == (-2.0, 2.0)
    assert value_scale((0.0, math.inf), np.array([np.nan]))["zmax"] == 1.0


def test_heatmap_keeps_repeated_words_in_reading_order():
    words = ["good", "not", "good"]
    z = np.arange(6).reshape(2, 3)
    fig = heatmap(z, words, ["u0", "u1"], value_scale((-1, 1)), x_title="word", y_title="unit")
    trace = fig.data[0]
    assert list(trace.x) == [0, 1, 2] and list(fig.layout.xaxis.ticktext) == words
    assert np.array_equal(np.asarray(trace.z), z) and "word" in trace.hovertemplate
    fig.to_json()


def test_weight_heatmap_is_symmetric_around_zero():
    fig = weight_heatmap(np.array([[0.5, -2.0]]), "W_hh", "unit", "unit")
    assert (fig.data[0].zmin, fig.data[0].zmax) == (-2.0, 2.0)


def test_lines_one_trace_per_series_and_log_axis():
    fig = lines([1, 2, 3], {"train": [3, 2, 1], "held-out": [3, 3, 2]}, log_y=True)
    assert [t.name for t in fig.data] == ["train", "held-out"] and fig.layout.yaxis.type == "log"


def test_numbers_on_pictures_have_no_negative_zero():
    assert [number(v, ".3f") for v in (-0.0002, -0.0, 0.0004, -0.0006)] == ["0.000", "0.000", "0.000", "-0.001"]
    assert [number(v, "+.2f") for v in (-0.004, 0.004, -0.5)] == ["+0.00", "+0.00", "-0.50"]
    assert number(-1e-9, ".3g") == "-1e-09" and number(-2.5) == "-2.50"  # a sign that means something stays

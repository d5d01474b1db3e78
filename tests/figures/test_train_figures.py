"""Train live figure builders: the data they are handed ends up in the traces, scales and escapes are right."""
import math

import numpy as np
import pytest

from playground.figures import train as tf
from playground.tasks import TASKS


def test_curves_plot_both_series_log_loss_and_reference_lines():
    fig = tf.curves([0, 10, 20], [math.nan, 0.6, 0.4], [0.7, 0.5, 0.3], [math.nan, 0.6, 0.8], [0.5, 0.7, 0.9],
                    "binary cross-entropy", "accuracy", chance=0.5, perfect=1.0, percent=True).figure
    names = [t.name for t in fig.data]
    assert names.count("training batches") == 2 and names.count("held-out set") == 2
    assert list(fig.data[0].y) == [None, 0.6, 0.4]  # NaN becomes a gap, not a broken axis
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.tickformat == ".0%"
    assert {s.y0 for s in fig.layout.shapes} == {0.5, 1.0}
    fig.to_json()


def test_an_untrained_run_has_no_half_steps_on_its_step_axes():
    start = tf.curves([0], [0.7], [0.7], [0.5], [0.5], "binary cross-entropy", "accuracy", percent=True).figure
    assert list(start.layout.xaxis.tickvals) == [0] == list(start.layout.xaxis2.tickvals)
    assert list(tf.spectral_radius([0], [0.9]).figure.layout.xaxis.tickvals) == [0]
    later = tf.curves([0, 50], [0.7, 0.5], [0.7, 0.5], [0.5, 0.6], [0.5, 0.6], "binary cross-entropy", "accuracy",
                      percent=True).figure
    assert later.layout.xaxis.tickvals is None and later.layout.xaxis.range is None  # plotly's own ticks again
    blown = tf.curves([0, 1, 2], [0.7, 9.0, 1e9], [0.7, 9.0, 1e9], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], "mean squared "
                      "error", "accuracy", percent=True).figure  # exploded at step 2: whole steps only
    assert list(blown.layout.xaxis.tickvals) == [0, 1, 2] == list(blown.layout.xaxis2.tickvals)
    assert list(tf.spectral_radius([0, 1, 2], [0.9, 2.0, 5.0]).figure.layout.xaxis.tickvals) == [0, 1, 2]


def test_the_reference_labels_sit_beside_the_plot_where_no_curve_runs():
    fig = tf.curves([0, 10], [0.7, 0.1], [0.7, 0.1], [0.5, 1.0], [0.5, 1.0], "binary cross-entropy", "accuracy",
                    chance=0.5, perfect=1.0, percent=True).figure
    labels = {a.text: a for a in fig.layout.annotations if a.text in ("guessing", "perfect")}
    for text, y in (("guessing", 0.5), ("perfect", 1.0)):
        a = labels[text]
        assert (a.xref, a.x, a.xanchor, a.yref, a.y) == ("x2 domain", 1, "left", "y2", y)  # right of the plot area
    assert fig.layout.margin.r >= 6 * len("guessing")  # the margin holds the longer label (11 px type)


def test_probe_classification_strip_marks_right_wrong_and_unscored_steps():
    h = np.arange(12, dtype=float).reshape(3, 4) / 12
    fig = tf.probe(h, (-1.0, 1.0), ["1", "0", "<b>", "1"], [None, None, "odd", "even"],
                   ["odd", "odd", "odd", "odd"], [None, None, True, False], [0.6, 0.6, 0.7, 0.8],
                   [np.nan] * 4, regression=False).figure
    heat = fig.data[0]
    assert np.array_equal(np.asarray(heat.z), h) and (heat.zmin, heat.zmax) == (-1.0, 1.0)
    strip = [t for t in fig.data if t.type == "heatmap" and t.texttemplate][0]
    codes = np.asarray(strip.z, dtype=float)[0]
    assert np.isnan(codes[:2]).all() and list(codes[2:]) == [1.0, 0.0]
    assert "&lt;b&gt;" in list(fig.layout.xaxis2.ticktext)  # user tokens are text, never HTML
    long = tf.probe(h, (-1.0, 1.0), ["<img src=x>"] * 4, [None] * 4, ["a"] * 4, [None] * 4, [0.5] * 4,
                    [np.nan] * 4, regression=False).figure
    assert "<img" not in long.to_json() and "&lt;img" in str(long.data[0].customdata[0][0])
    fig.to_json()


def test_probe_regression_draws_target_and_prediction():
    fig = tf.probe(np.zeros((2, 3)), (-math.inf, math.inf), ["0.1", "0.2", "0.3"], [None, "0.5", "0.6"],
                   ["0.4", "0.5", "0.6"], [None, True, True], [0.4, 0.5, 0.6], [np.nan, 0.5, 0.6], regression=True).figure
    by_name = {t.name: t for t in fig.data if t.type == "scatter"}
    assert list(by_name["y_t"].y) == [0.4, 0.5, 0.6] and list(by_name["target"].y) == [None, 0.5, 0.6]
    assert list(by_name["x_t (input)"].y) == [0.1, 0.2, 0.3]


def test_weights_share_one_symmetric_scale_and_mark_gate_blocks():
    W_xh, W_hh, W_hy = np.full((8, 1), 0.5), np.full((8, 2), -3.0), np.full((1, 2), 1.0)
    fig = tf.weights({"W_xh": W_xh, "W_hh": W_hh, "W_hy": W_hy}, blocks=("i", "f", "g", "o")).figure
    assert all((t.zmin, t.zmax) == (-3.0, 3.0) for t in fig.data)
    assert [t.showscale for t in fig.data] == [False, True, False]
    assert len(fig.layout.shapes) == 2 * 3  # three block borders in W_xh and in W_hh
    assert "W_hy (1×2)" in [a.text for a in fig.layout.annotations]


def test_spectral_radius_has_the_rho_equals_one_line():
    fig = tf.spectral_radius([0, 5], [0.5, float("inf")]).figure
    assert list(fig.data[0].y) == [0.5, None] and fig.layout.shapes[0].y0 == 1.0


def test_grad_norms_on_log_scale_drop_zeros():
    fig = tf.grad_norms([0.0, 1e-3, 1e-2]).figure
    assert fig.layout.yaxis.type == "log" and list(fig.data[0].y) == [None, 1e-3, 1e-2]
    assert list(fig.data[0].x) == [1, 2, 3]


def test_gradient_axis_keeps_few_labels_however_many_decades_it_spans():
    narrow = tf.grad_norms([0.01, 0.012, 0.02]).figure.layout.yaxis
    assert narrow.type == "log" and narrow.dtick == "D2"
    wide = tf.grad_norms(np.logspace(-14, 0, 40)).figure.layout.yaxis
    assert wide.dtick == 3  # 14 decades, at most 6 labels: every 3rd decade


def test_loss_axis_keeps_few_labels_when_a_run_explodes():
    loss = [0.7, 0.6, 5.0, 1e9, 1.5e21]
    fig = tf.curves([0, 1, 2, 3, 4], loss, loss, [0.5] * 5, [0.5] * 5, "mean squared error", "accuracy", 0.1, 1.0).figure
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.dtick == 4  # 22 decades: every 4th labelled


@pytest.mark.parametrize("lo,hi", [(0.66, 0.72), (0.6931, 0.6932), (3.1, 3.9), (120.0, 180.0)])
def test_a_loss_in_a_narrow_band_still_has_labels_on_its_axis(lo, hi):
    """Between 0.66 and 0.72 there is no 1-2-5 tick of a log axis: the axis gets round values in the band."""
    axis = tf.curves([0, 1], [lo, hi], [hi, lo], [0.5, 0.5], [0.5, 0.5], "x", "accuracy").figure.layout.yaxis
    assert axis.type == "log" and 2 <= len(axis.tickvals) <= 6
    assert all(lo <= t <= hi for t in axis.tickvals)
    labels = [format(t, axis.tickformat) for t in axis.tickvals]  # d3's ".Nf" is Python's
    assert len(set(labels)) == len(labels) and all(float(x) == pytest.approx(t) for x, t in zip(labels, axis.tickvals))


@pytest.mark.parametrize("T,answer,printed", [(8, "even", True), (16, "even", False), (30, "1", True),
                                              (40, "1", False)])
def test_answers_are_printed_in_the_strip_only_when_they_fit_their_cells(T, answer, printed):
    fig = tf.probe(np.zeros((2, T)), (-1.0, 1.0), ["1"] * T, [answer] * T, [answer] * T, [True] * T,
                   [0.5] * T, [np.nan] * T, regression=False).figure
    strip = [t for t in fig.data if t.type == "heatmap" and t.text is not None][0]
    assert bool(strip.texttemplate) == printed


def test_a_loss_axis_for_one_huge_value_gets_a_readable_label():
    axis = tf.curves([0], [3.9e34], [3.9e34], [0.1], [0.1], "x", "accuracy").figure.layout.yaxis
    assert list(axis.tickvals) == [3.9e34] and format(3.9e34, axis.tickformat) == "3.9e+34"


# ---- the unrolled network ---------------------------------------------------------------------------------------
from playground.figures.train import EDGE_BINS, EDGE_PX, NEGATIVE, POSITIVE, network  # noqa: E402


def _net(seed=0, E=2, H=3, O=1, T=5):
    rng = np.random.default_rng(seed)
    x, h, y = rng.normal(size=(T, E)), np.tanh(rng.normal(size=(H, T))), rng.uniform(size=(T, O))
    W = dict(W_xh=rng.normal(size=(H, E)), W_hh=rng.normal(size=(H, H)), W_hy=rng.normal(size=(O, H)))
    return x, h, y, W


def _segments(trace) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    xs, ys = list(trace["x"]), list(trace["y"])
    return [((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(0, len(xs), 3)]


def test_network_nodes_carry_the_values_a_student_hovers():
    x, h, y, W = _net()
    fig = network(x, h, y, W["W_xh"], W["W_hh"], W["W_hy"], (-1, 1), list("10110"), y_range=(0, 1)).to_dict()
    nodes = fig["data"][2 * EDGE_BINS:]
    T = 4  # NET_STEPS of the 5
    assert np.allclose(nodes[0]["customdata"], x[:T].ravel(), atol=1e-4)  # x_t's row, time major
    assert np.allclose(nodes[1]["customdata"], h[:, :T].T.ravel(), atol=1e-4)  # h_t's column at each step
    assert np.allclose(nodes[2]["customdata"], y[:T].ravel(), atol=1e-4)
    assert nodes[1]["marker"]["color"] == nodes[1]["customdata"]  # the colour is the value
    assert (nodes[1]["marker"]["cmin"], nodes[1]["marker"]["cmax"]) == (-1, 1)  # tanh's fixed range
    assert nodes[1]["text"][3] == "h<sub>2</sub>[0]"  # hover names: step 2's unit 0 comes after step 1's 3 units


def test_network_every_weight_is_an_edge_coloured_by_its_sign_and_as_wide_as_its_size():
    x, h, y, W = _net(E=2, H=3, O=1)
    W["W_hh"][1, 2] = 10.0  # far the largest of W_hh: the widest band, red
    W["W_hh"][0, 0] = -0.001  # next to nothing: the thinnest band, blue
    fig = network(x, h, y, W["W_xh"], W["W_hh"], W["W_hy"], (-1, 1), list("abcde")).to_dict()
    edges = fig["data"][:2 * EDGE_BINS]
    T, E, H, O = 4, 2, 3, 1
    assert sum(len(_segments(t)) for t in edges) == T * E * H + (T - 1) * H * H + T * H * O
    nodes = fig["data"][2 * EDGE_BINS + 1]  # h_t's nodes: unit j of step t at index t*H + j
    pos = list(zip(nodes["x"], nodes["y"]))
    big = (pos[0 * H + 2], pos[1 * H + 1])  # W_hh[1, 2]: from unit 2 of step 1 to unit 1 of step 2
    tiny = (pos[0 * H + 0], pos[1 * H + 0])
    where = {seg: (i, t["line"]) for i, t in enumerate(edges) for seg in _segments(t)}
    i, line = where[big]
    assert line["width"] == EDGE_PX[-1] and line["color"].startswith(f"rgba({','.join(map(str, POSITIVE))},")
    i, line = where[tiny]
    assert line["width"] == EDGE_PX[0] and line["color"].startswith(f"rgba({','.join(map(str, NEGATIVE))},")


@pytest.mark.parametrize("name", [n for n, t in TASKS.items() if t.class_names])
def test_a_task_s_named_answers_are_printed_whole_in_the_probe_strip(name):
    names = list(TASKS[name].class_names)
    T = len(names)
    fig = tf.probe(np.zeros((2, T)), (-1.0, 1.0), ["1"] * T, names, names, [True] * T, [0.5] * T,
                   [np.nan] * T, regression=False).figure
    strip = [t for t in fig.data if t.type == "heatmap" and t.text is not None][0]
    assert [list(row) for row in strip.text] == [names, names]  # no "unbal…"

"""Figure builders of the "Why LSTM & GRU" page: what is drawn matches the arrays handed in."""
import math

import numpy as np

from playground.figures.gates import (COLOURS, FLOOR, accuracy_vs_delay, eigenvalues, gate_heatmaps, norm_curves,
                                      training_runs)


def test_norm_curves_log_axis_gaps_for_underflow_and_dashed_twin_in_same_colour():
    fig = norm_curves([1, 2, 3], {"rnn_tanh": [1e-3, 0.0, 1.0], "lstm": [0.5, 0.6, 1.0]},
                      {"rnn_tanh": "RNN (tanh)", "lstm": "LSTM"}, dashed={"lstm": [0.1, np.nan, 1.0]},
                      dashed_suffix=" trained", y_title="||dL/dh_t||")
    names = [t.name for t in fig.data]
    assert names == ["RNN (tanh)", "LSTM", "LSTM trained"]
    assert list(fig.data[0].y) == [1e-3, None, 1.0]  # 0 cannot be drawn on a log axis: a gap, not a fake value
    assert fig.data[2].y[1] is None and fig.data[2].line.dash == "dash"
    assert fig.data[1].line.color == fig.data[2].line.color == COLOURS["lstm"]
    assert fig.layout.yaxis.type == "log"
    lo, hi = fig.layout.yaxis.range
    assert math.isclose(lo, -3.3) and math.isclose(hi, 0.3)
    fig.to_json()


def test_norm_curves_floor_keeps_a_vanished_curve_from_squashing_the_rest():
    fig = norm_curves([1, 2], {"a": [1e-200, 1.0]}, {})
    assert math.isclose(fig.layout.yaxis.range[0], math.log10(FLOOR) - 0.3)


def test_eigenvalues_draws_unit_circle_and_each_block_with_equal_axes():
    ev = np.array([0.5 + 0.5j, 0.5 - 0.5j, -2.0])
    fig = eigenvalues({"W_hh": ev})
    circle, pts = fig.data
    assert np.allclose(np.hypot(circle.x, circle.y), 1.0)
    assert np.allclose(pts.x, ev.real) and np.allclose(pts.y, ev.imag)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.xaxis.range[1] >= 2.0  # the eigenvalue outside the unit circle stays in view


def test_training_runs_marks_divergence_and_logs_the_gradient_axis():
    runs = {"no clipping": {"loss": [1.0, 5.0, float("nan")], "grad_norm": [1.0, 1e6, float("inf")]},
            "clipped": {"loss": [1.0, 0.8, 0.7], "grad_norm": [1.0, 0.9, 0.8]}}
    fig = training_runs(runs, {"no clipping": 3, "clipped": None})
    assert len(fig.data) == 4 and fig.layout.yaxis.type == fig.layout.yaxis2.type == "log"
    assert fig.data[0].mode == "lines+markers"  # a run that stops after a few steps still shows its points
    assert list(fig.layout.xaxis.range) == [0.5, 3.5]
    assert list(fig.data[0].y) == [1.0, 5.0, None]
    shapes = [s for s in fig.layout.shapes if s.type == "line"]
    assert shapes and all(s.x0 == 3 for s in shapes)  # only the diverged run is marked, in both panels
    notes = [a for a in fig.layout.annotations if "NaN/inf" in (a.text or "")]
    assert [(a.text, a.yref) for a in notes] == [("no clipping: NaN/inf after update 3", "y domain")]  # once, on top


def test_accuracy_vs_delay_one_line_per_cell_and_chance():
    fig = accuracy_vs_delay([5, 10, 20], {"rnn": [1.0, 0.5, 0.2], "gru": [1.0, 1.0, 0.9]},
                            {"rnn": "RNN", "gru": "GRU"}, chance=0.125)
    assert [t.name for t in fig.data] == ["RNN", "GRU"]
    assert list(fig.data[1].y) == [1.0, 1.0, 0.9] and fig.data[0].line.color == COLOURS["rnn"]
    assert any(s.y0 == 0.125 for s in fig.layout.shapes)


def test_accuracy_vs_delay_a_tie_shows_every_line():
    """LSTM and GRU both at 100%: each later line is thinner, with a smaller marker of another shape, so the one
    drawn first still shows around the one on top of it."""
    fig = accuracy_vs_delay([5, 20], {"rnn": [1.0, 0.1], "lstm": [1.0, 1.0], "gru": [1.0, 1.0]},
                            {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"})
    widths, sizes = [t.line.width for t in fig.data], [t.marker.size for t in fig.data]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3, widths
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 3, sizes
    assert len({t.marker.symbol for t in fig.data}) == 3


def test_gate_heatmaps_one_row_per_gate_with_its_activation_range():
    rows = {"f": np.full((3, 4), 0.9), "g": np.zeros((3, 4)), "c": np.array([[-3.0, 1, 0, 0]] * 3)}
    ranges = {"f": (0.0, 1.0), "g": (-1.0, 1.0), "c": (-math.inf, math.inf)}
    fig = gate_heatmaps(rows, ranges, ["A", "x", "y", "?"], titles={"f": "forget gate"})
    f, g, c = fig.data
    assert (f.zmin, f.zmax) == (0.0, 1.0) and (g.zmin, g.zmax, g.zmid) == (-1.0, 1.0, 0.0)
    assert (c.zmin, c.zmax) == (-3.0, 3.0)  # unbounded: symmetric from the data
    assert np.asarray(f.z).shape == (3, 4)
    assert len({round(t.colorbar.y, 3) for t in fig.data}) == 3  # each colour bar beside its own row
    assert all(t.colorbar.title.text is None for t in fig.data)  # named by its row's title, not over its ticks
    assert list(fig.layout.xaxis3.ticktext) == ["A", "x", "y", "?"]
    assert list(f.x) == list(fig.layout.xaxis3.tickvals) == [1, 2, 3, 4]  # step t = 1..T as on the other axes
    assert fig.layout.annotations[0].text == "forget gate"


def test_gate_heatmaps_number_the_steps_instead_of_labelling_a_long_sequence():
    T = 60
    fig = gate_heatmaps({"f": np.full((2, T), 0.5)}, {"f": (0.0, 1.0)}, ["x"] * T)
    assert fig.layout.xaxis.tickvals is None and "hover" in fig.layout.xaxis.title.text

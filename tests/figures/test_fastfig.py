"""Cheap figures: every live figure passes plotly's full validation, and redraws never leak into each other."""
import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.figures import fastfig
from playground.training import live
from playground.views import train_live as live_panel
from playground.figures import train as tf


def validated(fig: fastfig.Spec) -> dict:
    """The figure through plotly's validated constructor (raises on any property plotly does not know)."""
    return plain(go.Figure(fig.to_dict(), skip_invalid=False).to_json())


def plain(spec: str) -> dict:
    """The figure as the browser gets it, without empty objects (they draw nothing either way)."""
    def prune(v):
        if isinstance(v, dict):
            v = {k: prune(x) for k, x in v.items()}
            return {k: x for k, x in v.items() if x != {}}
        return [prune(x) for x in v] if isinstance(v, list) else v
    return prune(json.loads(spec))


def _panels():
    for cfg in (live.LiveConfig(), live.LiveConfig(task="sine", g="identity", cell="lstm", hidden=4),
                live.LiveConfig(task="text", g="softmax", cell="gru", f="tanh", length=12),
                live.LiveConfig(task="recall", f="relu", hidden=3)):
        s = live.LiveSession(cfg)
        yield cfg, live_panel.panel(s)
        s.step_once()
        yield cfg, live_panel.panel(s)


@pytest.mark.parametrize("cfg,p", list(_panels()), ids=lambda x: getattr(x, "task", ""))
def test_every_live_figure_passes_plotlys_full_validation(cfg, p):
    for name in ("curves", "probe", "weights", "spectral", "grads"):
        fig = getattr(p, name)
        assert validated(fig) == plain(fig.json), name  # validation changes nothing


def test_a_redraw_with_new_data_shows_the_new_data_and_leaves_the_skeleton_alone():
    fastfig.clear()
    a = tf.spectral_radius([0, 10, 20], [0.9, 1.1, 1.2])
    skel = json.dumps(fastfig.skeleton("spectral", ("W_hh", 260, False), lambda: None), default=str)
    a.figure.update_layout(title="changed by a page")  # a caller changing its figure...
    a.figure.data[0].update(y=[5, 5, 5])
    b = tf.spectral_radius([0, 10, 20], [0.1, 0.2, math.nan])
    assert b.data[0]["y"] == [0.1, 0.2, None] and not b.figure.layout.title.text  # ...changes no other figure
    assert json.loads(a.json)["data"][0]["y"] == [0.9, 1.1, 1.2]  # nor what its own page sends
    assert json.dumps(fastfig.skeleton("spectral", ("W_hh", 260, False), lambda: None), default=str) == skel


def test_figures_of_two_shapes_do_not_share_a_skeleton():
    small = tf.weights({"W_xh": np.ones((2, 1)), "W_hh": np.ones((2, 2)), "W_hy": np.ones((1, 2))})
    gated = tf.weights({"W_xh": np.ones((12, 1)), "W_hh": np.ones((12, 4)), "W_hy": np.ones((1, 4))},
                       blocks=("r", "z", "n"))
    assert len(small.figure.layout.shapes) == 0 and len(gated.figure.layout.shapes) == 2 * 2
    assert np.asarray(gated.data[1]["z"]).shape == (12, 4)


def test_the_cache_is_bounded(monkeypatch):
    fastfig.clear()
    monkeypatch.setattr(fastfig, "MAX_SKELETONS", 3)
    for n in range(6):
        tf.spectral_radius([0], [1.0], label=f"W{n}")
    assert len(fastfig._skeletons) == 3


def test_merged_copies_what_it_changes():
    base = {"a": {"b": 1, "c": {"d": 2}}, "e": 3}
    out = fastfig.merged(base, {"a": {"c": {"d": 5}}, "f": 6})
    assert out == {"a": {"b": 1, "c": {"d": 5}}, "e": 3, "f": 6}
    assert base == {"a": {"b": 1, "c": {"d": 2}}, "e": 3}


def test_the_json_sent_is_strict_and_keeps_gaps_as_gaps():
    """JSON has no NaN (plotly.js would reject the whole chart): non-finite values go out as null, a gap."""
    spec = tf.weights({"W_xh": np.array([[np.nan], [1.0]]), "W_hh": np.full((2, 2), np.inf), "W_hy": np.ones((1, 2))})
    sent = json.loads(spec.json, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert sent["data"][0]["z"] == [[None], [1.0]] and sent["data"][1]["z"] == [[None, None], [None, None]]
    assert json.loads(fastfig.Spec([{"y": [np.float32(0.5), np.int64(3), np.float64("nan")]}], {}).json) == {
        "data": [{"y": [0.5, 3, None]}], "layout": {}}

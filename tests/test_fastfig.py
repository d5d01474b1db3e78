"""Cheap figures: every live figure passes plotly's full validation, and redraws never leak into each other."""
import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from playground import fastfig, live, live_panel
from playground import train_figures as tf


def validated(fig: go.Figure) -> dict:
    """The figure through plotly's validated constructor (raises on any property plotly does not know)."""
    return plain(go.Figure(fig.to_dict(), skip_invalid=False))


def plain(fig: go.Figure) -> dict:
    """The figure as the browser gets it, without empty objects (they draw nothing either way)."""
    def prune(v):
        if isinstance(v, dict):
            v = {k: prune(x) for k, x in v.items()}
            return {k: x for k, x in v.items() if x != {}}
        return [prune(x) for x in v] if isinstance(v, list) else v
    return prune(json.loads(fig.to_json()))


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
        assert validated(fig) == plain(fig), name  # validation changes nothing


def test_a_redraw_with_new_data_shows_the_new_data_and_leaves_the_skeleton_alone():
    fastfig.clear()
    a = tf.spectral_radius([0, 10, 20], [0.9, 1.1, 1.2])
    skel = json.dumps(fastfig.skeleton("spectral", ("W_hh", 260, False), lambda: None), default=str)
    a.update_layout(title="changed by a page")  # a caller changing its figure...
    a.data[0].update(y=[5, 5, 5])
    b = tf.spectral_radius([0, 10, 20], [0.1, 0.2, math.nan])
    assert list(b.data[0].y) == [0.1, 0.2, None] and not b.layout.title.text  # ...changes no other figure
    assert json.dumps(fastfig.skeleton("spectral", ("W_hh", 260, False), lambda: None), default=str) == skel


def test_figures_of_two_shapes_do_not_share_a_skeleton():
    small = tf.weights({"W_xh": np.ones((2, 1)), "W_hh": np.ones((2, 2)), "W_hy": np.ones((1, 2))})
    gated = tf.weights({"W_xh": np.ones((12, 1)), "W_hh": np.ones((12, 4)), "W_hy": np.ones((1, 4))},
                       blocks=("r", "z", "n"))
    assert len(small.layout.shapes) == 0 and len(gated.layout.shapes) == 2 * 2
    assert np.asarray(gated.data[1].z).shape == (12, 4)


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

"""Figures that are cheap to redraw: plotly's validated build once per shape, then only the data is set.

Building a `go.Figure` with make_subplots / update_layout costs 10-50 ms, almost all of it plotly validating
every property; a live redraw needs five figures several times a second per user. So a builder splits its
figure into a *skeleton* (layout, styles, subplot grid: everything that depends only on a small hashable
`key`, built once with the full, validated plotly API and kept as a plain dict) and the data-dependent
parts (trace arrays, scales, ticks) which are set on a copy of it:

    def spectral(step, rho, label):
        key = (label, len(step) < 3)
        return fastfig.figure("spectral", key, lambda: _skeleton(*key),
                              data={0: {"x": step, "y": rho}}, layout={"yaxis": {"title": {"text": label}}})

The copy is wrapped as `go.Figure(..., _validate=False)` (about 1 ms): the same object the pages and tests
use. The skeleton is shared read-only: updates copy every dict they change, and plotly copies its input.
tests/test_fastfig.py re-validates every live figure with the full plotly API.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, Mapping

import numpy as np
import plotly.graph_objects as go

MAX_SKELETONS = 256  # per server; one per figure shape in use (tasks x lengths x hidden sizes ...)

_skeletons: OrderedDict[tuple, dict] = OrderedDict()
_lock = threading.Lock()


def skeleton(name: str, key: Hashable, build: Callable[[], go.Figure]) -> dict:
    """The plain-dict skeleton of figure `name` for `key`, built by `build()` on first use (LRU-bounded)."""
    k = (name, key)
    with _lock:
        hit = _skeletons.get(k)
        if hit is not None:
            _skeletons.move_to_end(k)
            return hit
    built = build().to_dict()
    with _lock:
        _skeletons[k] = built
        while len(_skeletons) > MAX_SKELETONS:
            _skeletons.popitem(last=False)
    return built


def merged(base: Mapping, updates: Mapping) -> dict:
    """A copy of `base` with `updates` merged in, dict into dict; `base` is not changed."""
    out = dict(base)
    for k, v in updates.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = merged(out[k], v)
        else:
            out[k] = v
    return out


def figure(name: str, key: Hashable, build: Callable[[], go.Figure], data: Mapping[int, Mapping] | None = None,
           layout: Mapping | None = None) -> go.Figure:
    """The skeleton of (name, key) with trace i's properties updated by data[i] and the layout by `layout`."""
    skel = skeleton(name, key, build)
    traces = [merged(t, _plain((data or {}).get(i, {}))) for i, t in enumerate(skel["data"])]
    return go.Figure({"data": traces, "layout": merged(skel["layout"], layout or {})}, _validate=False)


def _plain(props: Mapping) -> dict:
    """Arrays as lists: plotly's JSON encoder handles a numpy array by trying a series of optional imports
    (sage, pandas, ...) under the import lock, which all of the server's threads queue for."""
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in props.items()}


def clear() -> None:
    with _lock:
        _skeletons.clear()

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

The result is a `Spec`: the plain dict plotly.js draws and its JSON, made once. The page sends that JSON as it
is (live_ui.live_chart); `st.plotly_chart` would build a `go.Figure` from it again, deep-copy it, re-encode it
three times over and hash it (with 50 sessions redrawing, most of the server's time). `Spec.figure` is the same
figure as a `go.Figure` for tests and exports. The skeleton is shared read-only: updates copy every dict they
change. tests/figures/test_fastfig.py re-validates every live figure with the full plotly API.
"""
from __future__ import annotations

import functools
import json
import math
import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable, Mapping

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


class Spec:
    """One figure as plotly.js takes it: `.data` (traces) and `.layout` as plain dicts; `.json` is the text the
    browser gets, `.figure` the same as a go.Figure. Treat it as read-only: it is drawn as it was built."""

    def __init__(self, data: list[dict], layout: dict):
        self.data, self.layout = data, layout

    def to_dict(self) -> dict:
        return {"data": self.data, "layout": self.layout}

    @functools.cached_property
    def json(self) -> str:
        """Strict JSON (no NaN: plotly.js's parser rejects it; builders send gaps as None)."""
        try:
            return json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=False, default=_scalar)
        except ValueError:  # a NaN/inf a builder let through: plotly's own encoder turns it into null
            import plotly.io

            return plotly.io.to_json(self.to_dict(), validate=False)

    @functools.cached_property
    def figure(self) -> go.Figure:
        return go.Figure(json.loads(self.json), _validate=False)


def figure(name: str, key: Hashable, build: Callable[[], go.Figure], data: Mapping[int, Mapping] | None = None,
           layout: Mapping | None = None) -> Spec:
    """The skeleton of (name, key) with trace i's properties updated by data[i] and the layout by `layout`."""
    skel = skeleton(name, key, build)
    traces = [merged(t, _plain((data or {}).get(i, {}))) for i, t in enumerate(skel["data"])]
    return Spec(traces, merged(skel["layout"], layout or {}))


def _plain(props: Mapping) -> dict:
    """Arrays as lists, their NaN/inf as None (a gap): JSON has no NaN."""
    return {k: _listed(v) if isinstance(v, np.ndarray) else v for k, v in props.items()}


def _listed(a: np.ndarray) -> list:
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        a = np.where(np.isfinite(a), a, None)
    return a.tolist()


def _scalar(v: Any) -> Any:
    """numpy scalars as Python numbers (json knows only the built-in types)."""
    if isinstance(v, np.generic):
        v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v
    raise TypeError(f"{type(v).__name__} is not JSON serialisable")


def clear() -> None:
    with _lock:
        _skeletons.clear()

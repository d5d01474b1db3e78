"""Streamlit glue of Train live's runs: the server's training workers (playground.pool) and the session's handle on
its run, the janitor that pauses and frees the runs of gone browsers, and the cheap redraw of the live charts.

    h = live_ui.live_handle(live.SESSION_KEY)     # this browser session's run, in a worker process
    with live_ui.one_redraw_at_a_time():
        live_ui.live_chart(panel.curves, "train:curves", alt="...")
"""
from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from typing import Iterator

import streamlit as st

from playground import classroom, fastfig, pool
from playground.errors import PlaygroundError
from playground.ui import CHART_CONFIG, classroom_on

log = logging.getLogger("playground")

JANITOR_EVERY = 1.0  # seconds between checks for sessions whose browser has gone


@st.cache_resource(show_spinner="Starting the training workers (once per server, a few seconds)…")
def live_pool() -> pool.Pool | None:
    """The server's training workers, started on first use (None: PLAYGROUND_WORKERS=0, train in-process)."""
    n = pool.default_workers()
    if n == 0:
        return None
    p = pool.Pool(n)
    threading.Thread(target=_janitor, args=(p,), daemon=True, name="playground-janitor").start()
    return p


def _janitor(p: pool.Pool) -> None:
    """Pause the runs of sessions whose websocket is gone (from that moment they train no more steps) and free
    those Streamlit has dropped (server.disconnectedSessionTTL later), so their memory comes back."""
    from streamlit.runtime import Runtime

    paused: set[str] = set()
    while True:
        time.sleep(JANITOR_EVERY)
        try:
            rt = Runtime.instance()
            for sid in p.sessions():
                if rt._session_mgr.get_session_info(sid) is None:
                    p.forget(sid)
                    paused.discard(sid)
                elif not rt.is_active_session(sid):
                    if sid not in paused:
                        paused.add(sid)
                        with contextlib.suppress(PlaygroundError):  # e.g. its worker restarted meanwhile
                            p.call(sid, "pause", timeout=10)
                else:
                    paused.discard(sid)
        except Exception:  # noqa: BLE001 - the janitor must keep going
            log.exception("live-session janitor")


def live_handle(session_key: str) -> pool.Handle:
    """This browser session's handle on its training run (created on first use)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    h = st.session_state.get(session_key)
    if h is None:
        ctx = get_script_run_ctx()
        h = pool.Handle(live_pool(), ctx.session_id if ctx else "local")
        st.session_state[session_key] = h
    return h


def live_chart(fig: fastfig.Spec, key: str, alt: str, height_factor: float = classroom.HEIGHT_SCALE) -> None:
    """`st.plotly_chart(fig, key=key, theme=None)` for a figure redrawn every tick, at a fraction of its cost.

    plotly_chart rebuilds a go.Figure from its input, deep-copies it and encodes it three times over; this
    sends the figure's JSON as it is. The element's id still hashes the figure, as plotly_chart's does: the
    browser keeps a chart's figure per id and would go on showing the first one. Streamlit's element internals
    (pinned version): tests/test_app_train.py reads these charts back and would see them change. In classroom mode
    the type grows and the height `height_factor` times (1: a chart that must stay on the projector's first screen)."""
    from streamlit.elements.lib.layout_utils import LayoutConfig
    from streamlit.elements.lib.utils import compute_and_register_element_id
    from streamlit.proto.PlotlyChart_pb2 import PlotlyChart

    if classroom_on():  # a layout update on the spec: its data arrays are not copied
        fig = fastfig.Spec(classroom.scaled_traces(fig.data),
                           classroom.scaled_layout(fig.layout, height_factor=height_factor))
    proto = PlotlyChart()
    proto.spec = fig.json
    proto.config = _CHART_CONFIG_JSON
    proto.alt = alt
    proto.id = compute_and_register_element_id("plotly_chart", user_key=key, key_as_main_identity=False,
                                               dg=st._main, plotly_spec=proto.spec, plotly_config=proto.config,
                                               alt=alt)
    height = fig.layout.get("height") or 450  # plotly.js's default, as plotly_chart's "content" height
    st._main._enqueue("plotly_chart", proto, layout_config=LayoutConfig(width="stretch", height=int(height)))


_CHART_CONFIG_JSON = json.dumps(CHART_CONFIG)
_REDRAW = threading.Lock()


@contextlib.contextmanager
def one_redraw_at_a_time() -> Iterator[None]:
    """Hold while building and sending a live redraw. It is pure Python under the GIL, so doing twenty at once
    is no faster than one after another, and much slower in fact: each thread gives the GIL up and waits to take
    it back many times per chart (hashing, sockets), the server's event loop among them. Queued here instead,
    the redraws come in turn and the event loop that sends them stays free."""
    with _REDRAW:
        yield

"""Streamlit glue of Train live's runs: the server's training workers (playground.server.pool) and the session's handle on
its run, the janitor that pauses and frees the runs of gone browsers, and the cheap redraw of the live charts.

    h = live_ui.live_handle()                     # this browser session's run, in a worker process
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

from playground.views import classroom
from playground.figures import fastfig
from playground.server import pool
from playground.training import live_config
from playground.errors import PlaygroundError
from playground.web import internals
from playground.web.ui import CHART_CONFIG, classroom_on

log = logging.getLogger("playground")
SESSION_KEY = f"{live_config.PREFIX}:session"  # st.session_state key of this browser session's run

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


_gone: dict[str, float] = {}  # session id -> when its browser went away (monotonic seconds), until it comes back
_gone_lock = threading.Lock()


@st.cache_resource(scope="session", on_release=lambda sid: _went_away(sid), show_spinner=False)
def _watch(sid: str) -> str:
    """Called on every run of a session with a training run: Streamlit drops this session-scoped entry when the
    session's websocket goes away (and calls _went_away); the next run after a reconnection makes it again."""
    with _gone_lock:
        _gone.pop(sid, None)
    return sid


def _went_away(sid: str) -> None:
    """on_release of _watch: runs on the server's event loop, so it only notes the time; the janitor acts."""
    with _gone_lock:
        _gone[sid] = time.monotonic()


def _janitor(p: pool.Pool) -> None:
    """Pause the runs of sessions whose websocket is gone (from that moment they train no more steps) and free them
    once Streamlit has dropped their session (server.disconnectedSessionTTL later), so their memory comes back. A
    session that reconnects meanwhile runs its page again (_watch), which takes it off the list."""
    paused: set[str] = set()
    while True:
        time.sleep(JANITOR_EVERY)
        try:
            sweep(p, paused, float(st.get_option("server.disconnectedSessionTTL")), time.monotonic())
        except Exception:  # noqa: BLE001 - the janitor must keep going
            log.exception("live-session janitor")


def sweep(p: pool.Pool, paused: set[str], ttl: float, now: float) -> None:
    """One round of the janitor: pause each gone session's run once, forget those gone for longer than ttl."""
    with _gone_lock:
        gone = dict(_gone)
    paused &= set(gone)  # back again: a later disconnection pauses it again
    for sid, since in gone.items():
        if now - since > ttl:
            p.forget(sid)
            paused.discard(sid)
            with _gone_lock:
                if _gone.get(sid) == since:
                    del _gone[sid]
        elif sid not in paused:
            paused.add(sid)
            with contextlib.suppress(PlaygroundError):  # e.g. its worker restarted meanwhile
                p.call(sid, "pause", timeout=10)


def live_run() -> pool.Handle | None:
    """This browser session's handle on its Train live run, None before it has one."""
    return st.session_state.get(SESSION_KEY)


def pause_run() -> None:
    """Pause this session's Train live run if it is playing (e.g. the lecture moves on: it would go on training,
    unseen, on a core the room shares)."""
    h = live_run()
    if h is not None:
        with contextlib.suppress(PlaygroundError):  # e.g. its worker restarted: nothing left to pause
            h.call("pause")


def live_handle() -> pool.Handle:
    """This browser session's handle on its training run (created on first use)."""
    h = live_run()
    if h is None:
        h = pool.Handle(live_pool(), internals.session_id())
        st.session_state[SESSION_KEY] = h
    if h.pool is not None:
        _watch(h.sid)
    return h


def live_chart(fig: fastfig.Spec, key: str, alt: str, height_factor: float = classroom.HEIGHT_SCALE) -> None:
    """`st.plotly_chart(fig, key=key, theme=None)` for a figure redrawn every tick, at a fraction of its cost.

    plotly_chart rebuilds a go.Figure from its input, deep-copies it and encodes it three times over; this
    sends the figure's JSON as it is. The element's id still hashes the figure, as plotly_chart's does: the
    browser keeps a chart's figure per id and would go on showing the first one. Streamlit's element internals
    (pinned version): tests/app/test_app_train.py reads these charts back and would see them change. In classroom mode
    the type grows and the height `height_factor` times (1: a chart that must stay on the projector's first screen)."""
    if classroom_on():  # a layout update on the spec: its data arrays are not copied
        fig = fastfig.Spec(classroom.scaled_traces(fig.data),
                           classroom.scaled_layout(fig.layout, height_factor=height_factor))
    height = fig.layout.get("height") or 450  # plotly.js's default, as plotly_chart's "content" height
    internals.send_plotly_json(fig.json, _CHART_CONFIG_JSON, alt, key, int(height))


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

"""Every use of Streamlit's private API in the app, in one place, for the version pinned in requirements.txt.

Streamlit has no public way to do these; each is written for STREAMLIT_VERSION and tests/web/test_internals.py fails
loudly on another version (read each function again against the new Streamlit before changing the pin):
- session_id: which browser session a script run belongs to (a training run's key on the worker);
- send_plotly_json: a live chart sent as its JSON as it is (st.plotly_chart rebuilds, copies and encodes a
  figure three times: too slow for five charts a tick per student);
- stop_pages_directory_mode: a first visit's deep link run through app.py's st.navigation, not the page file alone;
- batch_script_events: a script run's elements handed to the server's event loop in batches, not one wake each;
- preload_plotly: the browser starts loading Streamlit's Plotly chart code as the page opens (its file's name).
"""
from __future__ import annotations

import collections
import functools
import threading
from pathlib import Path

import streamlit as st

STREAMLIT_VERSION = "1.67.0"


def session_id() -> str:
    """This script run's browser session ("local" outside a server, e.g. a bare script)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "local"


def send_plotly_json(spec: str, config: str, alt: str, key: str, height: int, where=None) -> None:
    """What `where`.plotly_chart(fig, key=key, theme=None) sends (`where`: a container, or None for the current
    one), for a figure already encoded as plotly JSON. The element's id hashes the spec as plotly_chart's does: the
    browser keeps a chart's figure per id."""
    from streamlit.elements.lib.layout_utils import LayoutConfig
    from streamlit.elements.lib.utils import compute_and_register_element_id
    from streamlit.proto.PlotlyChart_pb2 import PlotlyChart

    dg = where if where is not None else st._main
    proto = PlotlyChart()
    proto.spec = spec
    proto.config = config
    proto.alt = alt
    proto.id = compute_and_register_element_id("plotly_chart", user_key=key, key_as_main_identity=False,
                                               dg=dg, plotly_spec=proto.spec, plotly_config=proto.config,
                                               alt=alt)
    dg._enqueue("plotly_chart", proto, layout_config=LayoutConfig(width="stretch", height=height))


def stop_pages_directory_mode() -> bool:
    """On a fresh server Streamlit runs the very first visit the old way when a `pages/` folder exists. Switch that
    mode off (as st.navigation itself does); True when it was on (the caller reruns through app.py)."""
    from streamlit.runtime.pages_manager import PagesManager

    if not PagesManager.uses_pages_directory:
        return False
    PagesManager.uses_pages_directory = False
    return True


def batch_script_events() -> None:
    """Hand a script run's events (each element it draws is one) to the server's event loop in batches.

    Streamlit wakes its event loop once per element (AppSession._on_scriptrunner_event: call_soon_threadsafe, a
    write to the loop's self-pipe, which gives up the GIL in the script's thread and must win it back). When a
    room's lecturer moves, a hundred followers' pages run at once, each of ~60 elements: the wakes cost ~15% of the
    server's CPU for the move (bench/room.py). Here an event joins the session's queue, and the loop is woken only
    when no drain of that queue is pending; the drain handles the events in their order, as Streamlit would have.
    Idempotent: app.py calls it on every run."""
    from streamlit.runtime.app_session import AppSession

    if getattr(AppSession, "_rnnp_batched", False):
        return
    def on_event(self, sender, event, **kwargs) -> None:
        state = self.__dict__.get("_rnnp_events")
        if state is None:
            state = self.__dict__.setdefault("_rnnp_events", _Events())
        with state.lock:
            state.queue.append((sender, event, kwargs))
            wake, state.pending = not state.pending, True
        if wake:
            self._call_soon_on_event_loop(lambda: drain(self, state))

    def drain(self, state: "_Events") -> None:
        with state.lock:
            events, state.pending = list(state.queue), False
            state.queue.clear()
        for sender, event, kwargs in events:  # each on its own, as when each was a callback of the loop's
            try:
                self._handle_scriptrunner_event_on_event_loop(sender, event, **kwargs)
            except Exception as e:  # noqa: BLE001 - the loop logs a callback's error and goes on to the next
                self._event_loop.call_exception_handler({"message": "Exception in a script event", "exception": e})

    # the runs in progress hold Streamlit's own handler by a weak reference (its Signal): keep it alive
    AppSession._rnnp_unbatched = AppSession._on_scriptrunner_event
    AppSession._on_scriptrunner_event = on_event
    AppSession._rnnp_batched = True


class _Events:
    """One session's script events on their way to the event loop (batch_script_events)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: collections.deque = collections.deque()
        self.pending = False


# Import the chart code's module by its URL next to Streamlit's own index module (any base path): the same URL as
# Streamlit's lazy import of it, so the browser loads and runs it once, and the chart finds it ready.
_PRELOAD = """<script>
(() => {{
  const index = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (index) import(new URL("{chunk}", index.src).href).catch(() => {{}});
}})();
</script><style>.st-key-plotly_preload {{ display: none; }}</style>"""


@functools.lru_cache(maxsize=1)
def plotly_chunk() -> str | None:
    """The file name of Streamlit's Plotly chart code in its built frontend (a hash in the name changes with each
    release), or None when the build has no single such file."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


def preload_plotly(where=None) -> None:
    """Start the browser loading Plotly's code now, not when a page's first chart arrives.

    Streamlit fetches its Plotly chart code (4.7 MB; ~0.7 s of the browser's main thread to run it) only once a
    chart element reaches the page. A class mostly lands on Home, which draws no chart: there the code now loads while
    the student reads, and the page they click next draws its first chart sooner (bench/felt.py, "from Home": Train
    live 1.54 -> 0.64 s after the click, Why LSTM & GRU 1.38 -> 0.60 s). A deep link's first chart gains little (its
    elements all arrive at once). Nothing is drawn here: a hidden element whose script imports that code."""
    chunk = plotly_chunk()
    if chunk is None:
        return
    with (where if where is not None else st).container(key="plotly_preload"):
        st.html(_PRELOAD.format(chunk=chunk), unsafe_allow_javascript=True)

"""Every use of Streamlit's private API in the app, in one place, for the version pinned in requirements.txt.

Streamlit has no public way to do these; each is written for STREAMLIT_VERSION and tests/web/test_internals.py fails
loudly on another version (read each function again against the new Streamlit before changing the pin):
- session_id: which browser session a script run belongs to (a training run's key on the worker);
- send_plotly_json: a live chart sent as its JSON as it is (st.plotly_chart rebuilds, copies and encodes a
  figure three times: too slow for five charts a tick per student);
- stop_pages_directory_mode: a first visit's deep link run through app.py's st.navigation, not the page file alone.
"""
from __future__ import annotations

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

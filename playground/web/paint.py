"""A page's first chart painted before the rest of it.

A browser draws all the charts that arrive together in one task, and paints none of them until the last is drawn:
Streamlit loads Plotly's code once the first chart arrives, then mounts every chart waiting for it at once. In
Chromium's profile of a fresh visit to Train live that was six charts and ~3 s of drawing before the first appeared
(bench/felt.py measures it). So on a session's first run of a page, the page draws its first chart alone; once the
browser has painted it, a small script presses a hidden button, and the rerun that asks for draws the rest. A timer
asks for it too, later, in case the script cannot run.

A run with no browser (AppTest has no request headers) draws everything at once: nothing is painted there. Nor does
a room's screen defer: the press of a page the room has just left would rerun that page (a follower was seen to stay
on scene 1 in CI), and a follower's screen must move only with the presenter's.
"""
from __future__ import annotations

import streamlit as st

from playground.web import rooms

FALLBACK_S = 4.0  # the rest comes after this at the latest (a browser whose script did not run)
_KEY = "_paint:{page}"  # per page: "first" (this run draws the first chart) -> "ready" -> "done"
_BUTTON = "paint_rest_{page}"
# once a chart's SVG is in the page, wait for the frame that paints it, then ask for the rest
_SCRIPT = """<script>
(() => {{
  const ask = () => document.querySelector('.st-key-{button} button')?.click();
  const wait = () => document.querySelector('.js-plotly-plot .main-svg')
    ? requestAnimationFrame(() => setTimeout(ask, 0)) : setTimeout(wait, 50);
  wait();
}})();
</script><style>.st-key-{button} {{ display: none; }}</style>"""


def first_run(page: str) -> bool:
    """True on a browser session's first run of `page`: draw the page's first chart and leave the rest below it for
    the rerun that follows its paint. False on every later run, and where there is no browser."""
    key = _KEY.format(page=page)
    if st.session_state.get(key) is not None or not st.context.headers or rooms.following() or rooms.presenting():
        return False
    st.session_state[key] = "first"
    button = _BUTTON.format(page=page)
    with st.sidebar:
        st.button("Draw the rest", key=button, on_click=_done, args=(key,))  # hidden: the script presses it
        st.html(_SCRIPT.format(button=button), unsafe_allow_javascript=True)
        _fallback(key)
    return True


def _done(key: str) -> None:
    st.session_state[key] = "done"


@st.fragment(run_every=FALLBACK_S)
def _fallback(key: str) -> None:
    """Runs with the page (the state becomes "ready"), then on its timer's first tick asks for the rest, unless the
    script's press has already. The full rerun does not call it again, so its timer is gone."""
    if st.session_state.get(key) == "ready":
        _done(key)
        st.rerun()
    elif st.session_state.get(key) == "first":
        st.session_state[key] = "ready"

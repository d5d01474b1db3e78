"""Classroom mode (playground/views/classroom.py) in the app: carried by the session, written into every link, its
CSS on every run and its switch in the sidebar. The pages reach it through playground.web.ui."""
from __future__ import annotations

import streamlit as st

from playground.views import classroom

_CLASSROOM_ON = f"{classroom.KEY}:on"  # a plain key: Streamlit drops a widget's own state on a page switch
_CLASSROOM_SEEN = f"{classroom.KEY}:url"  # the classroom value this session last wrote into the URL


def classroom_on() -> bool:
    return bool(st.session_state.get(_CLASSROOM_ON, False))


def classroom_mode() -> bool:
    """Once per run, before the page (app.py): classroom mode from a link that names it, else as this session has it
    (the sidebar toggle flips it); the URL then says so, and in the mode the page gets its CSS.

    A link's value counts only when it is not the one this session wrote itself: the URL still says classroom=1 on
    the run in which the toggle has just switched the mode off."""
    raw = st.query_params.get(classroom.KEY)
    message = None
    if raw is not None and raw != st.session_state.get(_CLASSROOM_SEEN):
        on, message = classroom.parse(raw)
        if on is not None:
            st.session_state[_CLASSROOM_ON] = on
    on = classroom_on()
    # Streamlit sends a style-only st.html to the page's event container, which keeps it over the next runs: so the
    # style goes there first on every run, empty when the mode is off (else its large type would stay).
    st.html(classroom.css() if on else "<style></style>")
    if message:
        st.toast(message, icon="⚠️")
    if on and st.session_state.get(_CLASSROOM_SEEN) != "1":  # entering the mode
        st.html(classroom.COLLAPSE_SIDEBAR_JS, unsafe_allow_javascript=True)
    if on and raw != "1":
        st.query_params[classroom.KEY] = "1"
    elif not on and raw is not None:
        del st.query_params[classroom.KEY]
    st.session_state[_CLASSROOM_SEEN] = "1" if on else None
    st.session_state[classroom.KEY] = on  # what the sidebar toggle shows
    return on


def px(n: int) -> int:
    """A widget's width in pixels (one that holds text), grown with classroom mode's type."""
    return classroom.px(n) if classroom_on() else n


def classroom_toggle() -> None:
    """The sidebar's switch (the sidebar is collapsed in the mode: its arrow opens it)."""
    st.toggle("Classroom mode", key=classroom.KEY, on_change=_toggled,
              help="For a projector: larger type and charts, the settings folded away, no share box, the seed "
                   "fixed. A link with ?classroom=1 opens in it.")


def _toggled() -> None:
    st.session_state[_CLASSROOM_ON] = st.session_state[classroom.KEY]

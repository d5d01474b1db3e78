"""Streamlit glue of the guided lecture (playground/views/lecture.py): the bar a scene's page shows, and the moves
between scenes.

Arriving at a scene (by its link, or by ◀ / ▶) makes the link's settings win over what this session had set on
that page: the page's remembered config and widget state are dropped, so ui.init_config reads the URL as on a
first visit. Once there, the visitor's own changes stay until the next scene.
"""
from __future__ import annotations


import streamlit as st

from playground.views import lecture
from playground.web import live as live_ui
from playground.web import ui
from playground.views.pages import PAGES

ARRIVED = "lecture:arrived"  # the scene whose settings this session last took from its link
LECTURE_PAGE = next(p for p in PAGES if p.key == "lecture")


def left_tour() -> None:
    """Pages outside the tour (and the Lecture page) call this: the next scene link is applied afresh."""
    st.session_state.pop(ARRIVED, None)


def go(number: int, classroom: bool) -> None:
    """Open scene `number` on its page with its settings. A Train live run that is playing is paused first: the
    next scene would not show it, and it would go on training on a core the room shares."""
    live_ui.pause_run()
    st.switch_page(lecture.page_of(number).path, query_params=lecture.scene_params(number, classroom))


def scene_bar(prefix: str) -> None:
    """Call right after a page's title, before ui.init_config: when the URL names one of this page's scenes, take
    its settings on arrival and show the scene's bar (number, title, script, ◀ Previous, Next scene ▶, Leave)."""
    params = st.query_params.to_dict()
    number = lecture.scene_from_params(params, prefix)
    if number is None:
        left_tour()
        return
    if st.session_state.get(ARRIVED) != number:
        ui.forget_settings(prefix, lecture.CONFIGS[prefix])
        st.session_state[ARRIVED] = number
    classroom = ui.classroom_on()  # the app's mode (a scene link with classroom=1 turned it on): the next links keep it
    s, last = lecture.scene(number), lecture.count()
    with st.container(border=True, key="lecture_bar"):
        row = st.container(horizontal=True, vertical_alignment="center")  # wraps on a narrow screen
        row.markdown(f"**Scene {number} of {last}: {s.title}**", width="stretch")
        if row.button("◀ Previous", key="lecture:previous", disabled=number == 1):
            go(number - 1, classroom)
        if number < last and row.button("Next scene ▶", key="lecture:next", type="primary"):
            go(number + 1, classroom)
        row.page_link(LECTURE_PAGE.path, label="All scenes", icon=LECTURE_PAGE.icon,
                      query_params=ui.link_params({}))
        if row.button("Leave the tour", key="lecture:leave", type="tertiary",
                      help="Stay on this page with these settings."):
            left_tour()
            del st.query_params[lecture.SCENE]
            st.rerun()
        st.markdown(s.script + (f" [↓ Go there](#{s.anchor})" if s.anchor else ""))

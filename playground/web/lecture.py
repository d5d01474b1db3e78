"""Streamlit glue of the guided lecture (playground/views/lecture.py): the bar a scene's page shows, and the moves
between scenes.

Arriving at a scene (by its link, or by ◀ / ▶) makes the link's settings win over what this session had set on
that page: the page's remembered config and widget state are dropped, so ui.init_config reads the URL as on a
first visit. Once there, the visitor's own changes stay until the next scene.
"""
from __future__ import annotations

from typing import Any, Sequence

import streamlit as st

from playground.views import lecture
from playground.web import live as live_ui
from playground.web import rooms as rooms_ui
from playground.web import ui
from playground.views.pages import PAGES, url_for

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


BAR_CSS = ("<style>.st-key-lecture_bar h1 { font-size: 1.1rem; font-weight: 600; padding: 0; }"
           ".st-key-lecture_bar { padding: 0.35rem 0.75rem; gap: 0.5rem; }</style>")


BAD_SCENE = "lecture:bad_scene"  # the last bad scene= of a link this session was told about


def tell_bad_scene() -> None:
    """A link whose scene= names no scene (scene=99, scene=x): say so once, as for any other refused link setting."""
    raw = st.query_params.get(lecture.SCENE)
    if raw is None or lecture.scene_from_params({lecture.SCENE: raw}) is not None:
        return
    if st.session_state.get(BAD_SCENE) != raw:
        st.session_state[BAD_SCENE] = raw
        st.toast(f"Link setting scene={raw!r} was ignored (the tour's scenes are 1 to {lecture.count()}).", icon="⚠️")


def header(title: str, prefix: str) -> lecture.Scene | None:
    """A page's top, right after ui.require_navigation. Outside the tour: the page's title (returns None). When the
    URL names one of this page's scenes: take its settings on arrival, and in the title's place one compact bar
    (scene number and title, the lecturer's script folded in a popover, ◀ Previous, Next scene ▶, All scenes,
    Leave), so that the scene's chart comes right under it; returns the scene."""
    rooms_ui.before_page(url_for(prefix))  # a room's follower goes where the presenter is first
    params = st.query_params.to_dict()
    number = lecture.scene_from_params(params, prefix)
    if number is None:
        tell_bad_scene()
        left_tour()
        st.title(title)
        return None
    if st.session_state.get(ARRIVED) != number:
        ui.forget_settings(prefix, lecture.CONFIGS[prefix])
        st.session_state[ARRIVED] = number
    classroom = ui.classroom_on()  # the app's mode (a scene link with classroom=1 turned it on): the next links keep it
    s, last = lecture.scene(number), lecture.count()
    st.html(BAR_CSS)
    with st.container(border=True, key="lecture_bar", horizontal=True, vertical_alignment="center"):  # wraps if narrow
        st.title(f"Scene {number} of {last}: {s.title}", anchor=False, width="stretch")
        if rooms_ui.following():  # a follower (the projector too): no script, and the lecturer moves the scenes
            st.caption("The lecturer moves the scenes.", width="content")
            return s
        with st.popover("Script", icon=":material/description:"):  # (no tooltip: it covered the script's first line)
            st.markdown(f"**{title}**, scene {number}: {s.title}")
            st.caption("What to do and say: for the lecturer's eyes (a room's screens show no script).")
            st.markdown(s.script)
            st.caption(f"Checked by the tests: {s.claim}")
        if st.button("◀ Previous", key="lecture:previous", disabled=number == 1):
            go(number - 1, classroom)
        if number < last and st.button("Next scene ▶", key="lecture:next", type="primary"):
            go(number + 1, classroom)
        st.page_link(LECTURE_PAGE.path, label="All scenes", icon=LECTURE_PAGE.icon, query_params=ui.link_params({}))
        if st.button("Leave", key="lecture:leave", type="tertiary",
                     help="Leave the tour: stay on this page with these settings, as a page of your own."):
            left_tour()
            del st.query_params[lecture.SCENE]
            st.rerun()
    return s


def sections(names: Sequence[str], first: Sequence[str] = ()) -> dict[str, Any]:
    """One st.container per section of a page, in the page's order, except that the sections in `first` (a scene's
    focus) come first, right under the scene's bar: the scene's chart on the first screen, the rest below it."""
    boxes = {n: st.container() for n in first}
    boxes.update({n: st.container() for n in names if n not in boxes})
    return boxes


"""The rooms' boxes: the sidebar's on every page (present, follow, explore, join) and the Lecture page's card (open a
room; its code, link and QR code for a projector). What they do is web/rooms.py's.
"""
from __future__ import annotations

import io
from typing import Any

import streamlit as st

from playground.server.rooms import RoomError, normal_code, spaced
from playground.views.pages import ROOM, app_root
from playground.web import ui
from playground.web.rooms import (OWN_TIMER, branch_off, branched, clock, close_room, following, log, open_room, poll,
                                  presenting, rejoin, remember_console, restore_console, server_rooms)

COUNTS_SECONDS = 5.0  # the presenter's counts of followers refresh this often
PREPARE_AFTER = 3.0  # seconds a room stays on a scene before its next scene is prepared (prepare_next)


def follow_link(base: str, code: str) -> str:
    """The link students open: the app's address with room=CODE (the home page: the room takes them on)."""
    return f"{app_root(base)}/?{ROOM}={code}"


def qr_svg(link: str) -> str:
    """The link as a QR code (SVG), large enough to scan from the back of a room off a projector."""
    import segno

    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", scale=8, border=2, dark="#111111")
    return out.getvalue().decode()


def sidebar(url_path: str) -> None:
    """The sidebar's room box on every page (`url_path`: the page's): present (code and counts), follow (explore /
    back) or join."""
    restore_console()
    p, code, off = presenting(), following(), branched()
    if p:
        remember_console(*p)
        _presenter_counts(p[0])
        if st.button("Close the room", key="room:close", icon=":material/close:", type="tertiary"):
            close_room()
            st.rerun()
    elif code:
        st.caption(f"Following the lecturer's room **{spaced(code)}**: your screen moves with theirs.")
        if st.button("Explore on my own", key="room:branch", icon=":material/explore:",
                     help="Keep these settings (on Train live, the run as it is now) and change them yourself. "
                          "The lecture goes on without you until Back to the lecture."):
            branch_off()
            st.rerun()
        if url_path not in OWN_TIMER:
            poll(url_path)
    elif off:
        st.caption(f"Exploring on your own, away from room **{spaced(off)}**.")
        if st.button("Back to the lecture", key="room:rejoin", icon=":material/groups:", type="primary",
                     help="Follow the lecturer again, where they are now."):
            rejoin()
            st.rerun()
    else:
        with st.expander("Room", icon=":material/groups:"):
            typed = st.text_input("Room code", key="room:code", placeholder="e.g. KQ7-M4", max_chars=12,
                                  help="The code the lecturer shows: your screen will follow theirs.")
            if st.button("Join", key="room:join", disabled=not typed.strip()):
                st.query_params[ROOM] = normal_code(typed)
                st.rerun()
            st.caption("Lecturing? Open a room on the **Lecture** page: the class follows your screen.")


@st.fragment(run_every=COUNTS_SECONDS)
def _presenter_counts(code: str) -> None:
    try:
        room = server_rooms().get(code)
    except RoomError:
        st.caption("Your room has closed.")
        return
    here, away = room.counts(clock())
    st.caption(f"Presenting room **{spaced(code)}**: {here} following, {away} exploring on their own.")
    prepare_next(room, clock())


def prepare_next(room: Any, now: float) -> None:
    """In the presenter's counts (every COUNTS_SECONDS): once the room has stayed on a scene of the tour for
    PREPARE_AFTER seconds, the next scene's first shared views (views.lecture.PREPARED), computed if they are not
    yet (a few tenths of a second, once per server and settings). The class arrives there at once when the lecturer
    moves: each follower's page would wait for the first of them to compute them. Not at the move itself, when the
    class's page runs share the server's one Python thread."""
    from playground.views import lecture  # (torch: not loaded by Home's first run)
    from playground.web import jobs

    number = lecture.scene_from_params(room.params)
    if now - room.moved < PREPARE_AFTER or number is None or number >= lecture.count():
        return
    views = lecture.PREPARED.get(lecture.scene(number + 1).page)
    try:
        for name, (key, compute) in (views(lecture.scene_config(number + 1)) if views else {}).items():
            jobs.shared_view(name, key, compute)
    except Exception:  # noqa: BLE001 - ahead of time only: the page computes (and reports) it when it gets there
        log.warning("could not prepare scene %d's views", number + 1, exc_info=True)


def room_card(page: str) -> None:
    """The Lecture page's room box: open a room; once open, its code, link and QR code, large for a projector,
    and how to run the lecture with two windows."""
    with st.container(border=True, key="room_card"):
        st.subheader("Teach with a room", anchor=False)
        p = presenting()
        if not p:
            st.markdown("Open a room and show its code or QR code: every student who opens it sees your screen "
                        "move with you (pages, scenes, settings, Play and Step), and Train live trains **one** "
                        "run for the whole room. A student can explore on their own and come back.")
            if st.button("Open a room", icon=":material/groups:", key="room:open", type="primary"):
                with ui.friendly_errors():
                    open_room(page)
                    st.rerun()
            return
        code = p[0]
        link = follow_link(st.context.url or "", code)
        left, right = st.columns([3, 2], vertical_alignment="center")
        with left:
            st.markdown(f"Room code: <span class='room-code'>{spaced(code)}</span>", unsafe_allow_html=True)
            st.html("<style>.room-code { font-size: 3.5rem; font-weight: 700; letter-spacing: 0.15em; "
                    "font-family: monospace; }</style>")
            st.code(link, language=None, wrap_lines=True)
            _presenter_counts(code)
            st.markdown("**Two windows:** this one is your console (the scene's script, the tour's buttons, these "
                        "counts; a reload keeps the room). On the projector, open the link above: it follows you and shows no script.")
        with right:
            st.image(qr_svg(link), caption="Scan to follow", width=260)

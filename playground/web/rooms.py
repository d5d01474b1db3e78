"""Streamlit glue of rooms (playground/server/rooms.py): a lecturer presents, a class follows. The boxes they see
(the sidebar's, the Lecture page's card) are in web/room_boxes.py.

    a page's top:    rooms_ui.before_page(url)  # a follower goes where the presenter is (lecture_ui.header calls it)
    its publish:     ui.publish_config(...)     # calls after_page: the presenter's page and settings become the
                                                # room's; a follower's own change branches off

The presenter's rights are the room's secret in their session state, never in a link. A follower's link is the page's
with `room=CODE`; a follower's own change of a setting means they explore on their own (branched off, their URL without
the room) until Back to the lecture. On Train live a room is one run: the presenter's controls move it, followers
draw it through a read-only handle (web/live.py).
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any, Mapping

import streamlit as st

from playground.server.rooms import IDLE_AFTER, RoomError, Rooms, normal_code, run_id
from playground.views import classroom
from playground.views.pages import PAGES, ROOM, page_of
from playground.web import internals, ui

PRESENTING = "room:presenting"  # session_state: (code, secret) of the room this session presents
FOLLOWING = "room:following"  # session_state: {"code", "applied" (the room version shown), "branched"}
RUNS, LOOKED = "room:runs", "room:looked"  # full runs of this session (app.py counts), and the last whose page looked
CONSOLE_COOKIE = "rnnp_console"  # the presenter's browser: CODE.SECRET, so that a reload keeps the room (never a URL)
CONSOLE_SET = "room:console_cookie"  # session_state: the cookie has been written for this room's code
POLL_SECONDS = 1.0  # a follower looks for the presenter's moves this often
FOLLOW_REDRAW = 0.8  # ...and redraws a room's Train live run this often (>= 1 redraw a second with a margin)
log = logging.getLogger("playground")


@st.cache_resource(show_spinner=False)
def server_rooms() -> Rooms:
    """The open rooms of this server process. Behind a proxy with several processes, PLAYGROUND_REPLICA (one letter)
    starts every code of this one, and the proxy routes a room's browsers by it (deploy/nginx.conf)."""
    return Rooms(replica=os.environ.get("PLAYGROUND_REPLICA", "").strip().upper())


def clock() -> float:
    return time.monotonic()


def presenting() -> tuple[str, str] | None:
    """(code, secret) when this session presents an open room."""
    return st.session_state.get(PRESENTING)


def following() -> str | None:
    """The code of the room this session follows (None: none, or exploring on its own)."""
    f = st.session_state.get(FOLLOWING)
    return f["code"] if f and not f["branched"] else None


def applied_version() -> int:
    """The room version this follower's screen shows (-1: none yet): a newer one is a move to follow."""
    f = st.session_state.get(FOLLOWING)
    return f["applied"] if f else -1


def branched() -> str | None:
    """The code of the room this session has branched off from (None: following or in no room)."""
    f = st.session_state.get(FOLLOWING)
    return f["code"] if f and f["branched"] else None


def room_run() -> str | None:
    """The id of the room's Train live run when this session presents or follows a room (else None)."""
    code = (presenting() or (None,))[0] or following()
    return run_id(code) if code else None


def _room_params(params: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the room carries of a URL's parameters (this session's URL by default): the page's settings and the
    scene (not the viewer's classroom mode, not the room itself)."""
    params = st.query_params.to_dict() if params is None else params
    return {k: v for k, v in params.items() if k not in (ROOM, classroom.KEY)}


def open_room(page: str = "") -> str:
    """This session opens a room and presents it; returns its code. Stops following any room."""
    room, secret = server_rooms().open(clock(), page, _room_params())
    st.session_state[PRESENTING] = (room.code, secret)
    st.session_state.pop(FOLLOWING, None)
    return room.code


def restore_console() -> None:
    """A presenter's browser that reloads (a new session) presents its room again: its cookie holds the room's code
    and secret, checked against the server's. Not a window that opened a room's link (the projector's, in the same
    browser, follows) and not a session that already follows or presents."""
    if presenting() or ROOM in st.query_params or st.session_state.get(FOLLOWING) is not None:
        return
    cookie = st.context.cookies.get(CONSOLE_COOKIE)
    code, _, secret = cookie.partition(".") if isinstance(cookie, str) else ("", "", "")  # (AppTest: no cookies)
    if code and server_rooms().is_presenter(code, secret):
        st.session_state[PRESENTING] = (code, secret)
        st.session_state[CONSOLE_SET] = code


def remember_console(code: str, secret: str) -> None:
    """Write the console cookie once per room (a script in the page: Streamlit has no public way to set a cookie).
    It lives as long as an idle room does; a closed room's is refused by the server."""
    if st.session_state.get(CONSOLE_SET) != code:
        st.html(f"<script>document.cookie = '{CONSOLE_COOKIE}={code}.{secret}; path=/; max-age={int(IDLE_AFTER)}; "
                "samesite=strict';</script>", unsafe_allow_javascript=True)
        st.session_state[CONSOLE_SET] = code


def close_room() -> None:
    p = presenting()
    if p:
        try:
            server_rooms().close(*p)
        except RoomError:
            pass  # closed already (expired)
        st.session_state.pop(PRESENTING, None)


_pages: dict[str, Any] = {}  # url path ("" for home) -> its st.Page (app.py registers them)


def register_pages(pages: Mapping[str, Any]) -> None:
    """app.py, on every full run: the pages a follower may be taken to; counts the run (see poll)."""
    _pages.update(pages)
    st.session_state[RUNS] = st.session_state.get(RUNS, 0) + 1


def before_page(url_path: str) -> None:
    """A page's top (after ui.require_navigation); `url_path`: the page's ("" for home).

    A link with room=CODE joins the room; a follower whose room has moved since it last looked goes there: the
    target page forgets this session's settings and opens with the presenter's, as a lecture scene's link does. A
    follower found on another page than the room's goes there too: a timer's rerun that crossed a page switch can
    leave a browser on the page it came from."""
    st.session_state[LOOKED] = st.session_state.get(RUNS, 0)  # this full run has looked (see poll)
    _say_branched()  # a change of the last run branched off: said now
    raw = st.query_params.get(ROOM)
    mine = presenting()
    if raw and mine and normal_code(raw) == mine[0]:
        del st.query_params[ROOM]  # the presenter's own window (the console): it presents, it does not follow
        raw = None
    rooms, sid, now = server_rooms(), internals.session_id(), clock()
    f = st.session_state.get(FOLLOWING)
    if raw and (f is None or f["code"] != normal_code(raw)):  # (this room's link again: Back to the lecture is the way)
        try:
            room = rooms.join(raw, sid, now)
        except RoomError as e:
            _refused(e)
            return
        f = st.session_state[FOLLOWING] = {"code": room.code, "applied": -1, "branched": False}
    if f is None:
        return
    try:
        room = rooms.seen(f["code"], sid, now, branched=f["branched"])
    except RoomError as e:
        st.session_state.pop(FOLLOWING, None)
        _refused(e)
        return
    if f["branched"]:
        if ROOM in st.query_params:  # its link is its own (a rerun can bring back a parameter deleted before it)
            del st.query_params[ROOM]
        return
    version, page, params = room.where
    if version != f["applied"] or page != url_path:
        f["applied"] = version
        _go(page, params, room.code)


def _go(page: str, params: Mapping[str, str], code: str) -> None:
    from playground.views import lecture  # the pages' configs (torch): not loaded by Home's first run

    info = next((p for p in PAGES if p.url == page), None)
    if info is not None and info.key in lecture.CONFIGS:  # its settings come from the room, as a link's do
        ui.forget_settings(info.key, lecture.CONFIGS[info.key])
    target = _pages.get(page) or (info.path if info else _pages.get("", "app.py"))
    st.switch_page(target, query_params=ui.link_params({**params, ROOM: code}))


def _refused(e: RoomError) -> None:
    if ROOM in st.query_params:
        del st.query_params[ROOM]
    st.warning(f"{e} You are on this page on your own.", icon=":material/meeting_room:")


def after_page(url_path: str, params: Mapping[str, str] | None = None) -> None:
    """After the page has written its settings to the URL (ui.publish_config; the Lecture and home pages at their
    end). `params`: the query parameters the page wrote (None: read the URL's). The presenter's page and settings
    become the room's (the followers go there); a follower whose own settings now differ from the room's has chosen
    to explore on their own."""
    p = presenting()
    if p:
        try:
            server_rooms().move(*p, url_path, _room_params(params), clock())
        except RoomError:
            st.session_state.pop(PRESENTING, None)
            st.toast("Your room has closed (idle for hours, or closed in another window).", icon="⚠️")
        return
    code, mine = following(), params
    if code is None:
        return
    try:
        version, page, params = server_rooms().get(code).where
    except RoomError:
        return
    if st.session_state[FOLLOWING]["applied"] == version and (page, params) != (url_path, _room_params(mine)):
        branch_off(toast=True)
        st.rerun()


ui.PUBLISHED.append(after_page)  # every page's publish_config tells the room
ui.FOLLOWING.append(lambda: following() is not None)  # a follower's settings are folded (ui.settings_box)


def share(name: str, value: Any) -> None:
    """The presenter's result `name` (ui.share_with_room): the room's, and its followers run their page to show it."""
    p = presenting()
    if p:
        try:
            server_rooms().share(*p, name, value, clock())
        except RoomError:
            pass  # closed: the next publish says so


def shared(name: str) -> Any:
    """The result `name` the presenter of the room this session follows has shared (None: none or not following)."""
    code = following()
    if code is None:
        return None
    try:
        return server_rooms().get(code).shared.get(name)
    except RoomError:
        return None


ui.SHARING.append(share)
ui.SHARED.append(shared)


def branch_off(toast: bool = False) -> None:
    """Explore on my own: the room's settings stay (and on Train live, a copy of the room's run, at its step)."""
    code = following()
    if code is None:
        return
    st.session_state[FOLLOWING].update(branched=True, copy=True)  # web/live copies the run (take_copy)
    if ROOM in st.query_params:
        del st.query_params[ROOM]
    if toast:  # said by the next run (before_page), which the caller's rerun starts: a toast of a run cut short by a
        # rerun went with it when the next run ended (a quick page's, Inside one step's, before it could be read)
        st.session_state[TOAST] = True


TOAST = "room:branched_toast"  # session_state: say at the next run that a change branched off


def _say_branched() -> None:
    if st.session_state.pop(TOAST, False):
        st.toast("You changed a setting: you explore on your own now. **Back to the lecture** is in the sidebar.",
                 icon=":material/explore:")


def take_copy() -> str | None:
    """The room's run id, once, after this session branched off: web/live makes its own run a copy of it."""
    f = st.session_state.get(FOLLOWING)
    if f and f["branched"] and f.pop("copy", False):
        return run_id(f["code"])
    return None


def rejoin() -> None:
    """Back to the lecture: follow again, at the presenter's current place."""
    code = branched()
    if code:
        st.session_state[FOLLOWING] = {"code": code, "applied": -1, "branched": False}
        st.query_params[ROOM] = code


@st.fragment(run_every=POLL_SECONDS)
def poll(url_path: str) -> None:
    """A follower's watch on the room: when the presenter has moved, run the whole app (before_page takes it there).
    Cheap when nothing moved: one dictionary lookup."""
    check_moved(url_path)


def check_moved(url_path: str) -> None:
    """In a follower's timer on page `url_path` (the sidebar's poll; Train live's redraw, which replaces it there): if
    the presenter has moved, or the room is on another page, switch the follower there (as before_page does).

    The page is the one the browser asked this run for (st.context.url), not the one the session last ran: a timer
    sent just before the server switched the follower's page runs after the switch as the old page's, and its run
    shows the browser that old page, empty (seen in Chromium: a blank Read a review after a scene's move). Then
    this timer sees the room elsewhere and switches the follower there once more."""
    here = page_of(st.context.url) if st.context.url else url_path
    f = st.session_state.get(FOLLOWING)
    if not f or f["branched"]:
        return
    if not server_rooms().heard(f["code"], internals.session_id(), clock()):  # its heartbeat: a follower on a
        st.rerun(scope="app")  # page of text runs no page for minutes, and still counts in the presenter's console
        return  # (closed, or forgotten: before_page says so, or joins it again)
    if st.session_state.get(LOOKED) != st.session_state.get(RUNS, 0):
        return  # a full run whose page has not looked yet (the sidebar comes first): before_page will
    try:
        room = server_rooms().get(f["code"])
    except RoomError:
        st.rerun(scope="app")  # closed: before_page says so
        return
    version, page, params = room.where
    if version != f["applied"] or page != here:  # switch from here: a whole run of the page left, only to switch
        f["applied"] = version  # from it, left the browser's address on that page (seen in Chromium)
        _go(page, params, room.code)


OWN_TIMER = ("train_live",)  # pages whose follower's redraw timer calls check_moved itself (no second timer)

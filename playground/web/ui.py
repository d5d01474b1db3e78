"""Streamlit glue shared by the pages: a page's config <-> its widgets <-> the URL, and friendly errors.

Pattern for a page with config class `Cfg` and prefix "review":

    ui.init_config(Cfg, "review")                  # first visit: URL -> widget state
    st.selectbox("Cell", CELLS, key=ui.key("review", "cell"))
    ...
    cfg = ui.publish_config(Cfg, "review")         # widget state -> config -> URL
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import html
import json
import logging
from typing import Callable, Hashable, Iterable, Iterator, NoReturn, TypeVar
from urllib.parse import urlencode

import streamlit as st

from playground.errors import PlaygroundError
from playground.state import check, from_params, to_params
from playground.views import classroom
from playground.views.pages import ROOM, SCENE, url_for
from playground.web import internals
from playground.web.classroom_mode import (classroom_mode, classroom_on,  # noqa: F401 - the pages call
                                           classroom_toggle, px)  # classroom mode through ui

C = TypeVar("C")
T = TypeVar("T")
log = logging.getLogger("playground")
LINK_CHARS_SHOWN = 400  # a longer share link scrolls inside a box of fixed height in the sidebar
SHARE_STYLE = ("font-family: monospace; font-size: 0.75rem; word-break: break-all; overflow-y: auto; user-select: all; "
               "padding: 0.4rem 0.5rem; border-radius: 0.4rem; background: rgba(128, 128, 128, 0.1);")
CARRIED = (SCENE, ROOM)  # query parameters of the visit, not of a page's settings (the scene, the room): the
# configs ignore them, publish_config keeps them in the URL (classroom mode, the app's, is written by link_params)


def page_params() -> dict[str, str]:
    """The URL's query parameters that are a page's settings: what the page's config reads."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in (*CARRIED, classroom.KEY)}


def key(prefix: str, name: str) -> str:
    """The session_state key of the widget for one config field."""
    return f"{prefix}.{name}"


def require_navigation() -> None:
    """Call first in every page script. On a fresh server Streamlit runs the very first visit the old way when
    a `pages/` folder exists: a deep link then runs the page file alone, without app.py's navigation, layout
    and links. Switch that mode off (as st.navigation itself does) and run again through app.py."""
    if not st.session_state.get("_rerun_through_app") and internals.stop_pages_directory_mode():
        st.session_state["_rerun_through_app"] = True  # once: AppTest turns the old mode back on every run
        st.rerun()


PAGE_RUNS = "ui:page_runs"  # session_state: (the page of the full run before this one, this run's page)


def note_page(url_path: str) -> None:
    """app.py, on every full run, before the page: which page this run is, and which the one before it was."""
    st.session_state[PAGE_RUNS] = (st.session_state.get(PAGE_RUNS, (None, None))[1], url_path)


def session_first_run() -> bool:
    """This is the session's first full run (a new visitor, or a reload): its browser draws a whole page."""
    return st.session_state.get(PAGE_RUNS, (None, None))[0] is None


def init_config(cls: type[C], prefix: str, link_wins: bool = False) -> None:
    """Fill the page's widget state: from the URL on a first visit, else from the last config this session.

    Streamlit drops a widget's state when its page is not shown, so it is restored from a plain key. With
    `link_wins`, a URL that is not the page's own last one (another page's link into it) replaces the settings.

    Why not Streamlit's own widget memory: persist_state="session" would keep each widget's value across pages, but
    a page needs its whole config anyway (the URL writes every field, and a link or a lecture scene replaces the
    settings), so one path from a config to the widgets serves a first visit, a return and a scene alike; and
    bind="query-params" leaves defaults out of the URL and drops a bad value silently, where this names it.
    """
    saved = st.session_state.get(f"{prefix}:config")
    params = page_params()
    before, now = st.session_state.get(PAGE_RUNS, (None, None))
    # a rerun of the page itself (a widget's) is never a link: the browser's address, which Streamlit reads at each
    # rerun, can lag the page's last runs (five quick presses on Read a review's word slider took it back to a
    # word the runs had already passed, and the slider with it)
    rerun = before is not None and before == now
    linked = link_wins and not rerun and saved is not None and bool(params) and params != to_params(saved)
    if saved is None or linked:  # a link names what it changes; the rest stays as this session left it
        saved, messages = from_params(cls, {**to_params(saved), **params} if linked else params)
        for m in messages:  # a toast, and a notice that stays on this first view of the link
            st.toast(m, icon="⚠️")
            st.warning(m, icon="⚠️")
    for f in dataclasses.fields(saved):
        k = key(prefix, f.name)
        if linked or k not in st.session_state:
            st.session_state[k] = getattr(saved, f.name)


def stop_early(cls: type, prefix: str, shown: Iterable[str]) -> NoReturn:
    """st.stop() for a page that ends before the widgets of some of its settings (call publish_config first).

    Streamlit keeps such a widget's value through a stopped run, but the widget comes back showing its default and
    sends that on the next click (seen in Chromium: "Sort units", on, came back off after an empty review). Dropped
    here, the values are put back from the page's last config by init_config, and shown."""
    _drop_widgets(cls, prefix, keep=shown)
    st.stop()


def _drop_widgets(cls: type, prefix: str, keep: Iterable[str] = ()) -> None:
    """Drop the widget state of every field of the page's config but those in `keep`."""
    for f in dataclasses.fields(cls):
        if f.name not in keep:
            st.session_state.pop(key(prefix, f.name), None)


def memory_key(prefix: str, name: str) -> str:
    """The session_state key of something a page remembers beside its widgets (e.g. the text it last read):
    forget_settings drops it with the settings."""
    return f"{prefix}:memory:{name}"


def forget_settings(prefix: str, cls: type) -> None:
    """Drop what the page remembers of its last settings (config, widget state, memory_key values), so that
    init_config takes them from the URL as on a first visit; a widget keyed with forgotten(prefix) starts afresh."""
    st.session_state.pop(f"{prefix}:config", None)
    _drop_widgets(cls, prefix)
    for k in [k for k in st.session_state if str(k).startswith(memory_key(prefix, ""))]:
        del st.session_state[k]
    st.session_state[f"{prefix}:forgotten"] = forgotten(prefix) + 1


def forgotten(prefix: str) -> int:
    """How many times forget_settings has run for the page: part of the key of a widget whose own state (e.g. a
    data editor's edits) would otherwise outlive the settings under it."""
    return st.session_state.get(f"{prefix}:forgotten", 0)


def current_config(cls: type[C], prefix: str) -> C:
    """The config the widgets show now; on an invalid combination, a warning and the defaults."""
    values = {f.name: st.session_state[key(prefix, f.name)]
              for f in dataclasses.fields(cls) if key(prefix, f.name) in st.session_state}
    try:
        cfg = cls(**values)
    except PlaygroundError as e:
        st.warning(f"{e} Using the default settings instead.")
        return cls()
    problems = check(cfg)
    if problems:
        st.warning("; ".join(problems) + ". Using the default settings instead.")
        return cls()
    return cfg


PUBLISHED: list[Callable[[str, dict[str, str]], None]] = []  # called with the page's url path and the query parameters
# it has just written (rooms): not read back from st.query_params, which a newer request of the session may have changed


def publish_config(cls: type[C], prefix: str) -> C:
    """Read the widgets into a config, remember it for this session and write it to the URL.

    The sidebar offers the full link (the page's url_path comes from playground/views/pages.py).
    """
    cfg = current_config(cls, prefix)
    st.session_state[f"{prefix}:config"] = cfg
    params = to_params(cfg)
    url = link_params({**params, **{k: v for k, v in st.query_params.to_dict().items() if k in CARRIED}})
    if st.query_params.to_dict() != url:
        st.query_params.from_dict(url)
    for hook in PUBLISHED:
        hook(url_for(prefix), url)
    base = st.context.url
    if base and not classroom_on() and not following_room():  # a projector and a room's follower: no share box
        with st.sidebar:
            st.caption("Share this view: the link below (or the address bar) reproduces these settings.")
            link = share_link(base, url_for(prefix), params)
            # Plain selectable text, not st.code: its syntax highlighter took 0.2-0.4 s of the browser's first paint
            # of a page with a long link (Inside one step's weights). A long review's link scrolls, not fills.
            st.html(f"<div class='share-link' style='{SHARE_STYLE}{'' if len(link) <= LINK_CHARS_SHOWN else ' max-height: 240px;'}'>"
                    f"{html.escape(link)}</div>")
    return cfg


def link_params(params: dict[str, str]) -> dict[str, str]:
    """A link's (or the URL's) query parameters, with classroom=1 when classroom mode is on: pass every page link's
    query_params through it, so that a link keeps the mode."""
    return classroom.link_params(params, classroom_on())


FOLLOWING: list[Callable[[], bool]] = []  # web/rooms: True while this session follows a lecturer's room


def following_room() -> bool:
    """This session follows a room: its settings are the lecturer's (see settings_box)."""
    return any(f() for f in FOLLOWING)


SHARING: list[Callable[[str, object], None]] = []  # web/rooms: a presenter's result, made the room's
SHARED: list[Callable[[str], object]] = []  # web/rooms: the followed room's result of that name (None: none)


def share_with_room(name: str, value: Hashable) -> None:
    """A result this session's press made (a shared run's key, a generated text): when it presents a room, every
    follower is moved to show it too (rooms.Rooms.share). Nothing otherwise."""
    for hook in SHARING:
        hook(name, value)


def room_shared(name: str):
    """The result `name` the presenter of the room this session follows has shared (None: none, or not following)."""
    return next((v for v in (f(name) for f in SHARED) if v is not None), None)


def settings_box(where=None, fold: bool = False, label: str = "Settings", key: str | None = None):
    """Where a page's settings go: `where` (a column or container; a new container if None), or, in classroom mode
    or when `fold`, an expander folded in it, labelled `label` (e.g. the settings' values). The widgets and their
    keys are the same either way.

    A room's follower gets every box with a `key` folded, and its widgets are drawn only once it is opened (test
    with `opened`): the settings are the lecturer's, and a follower's page runs again whenever the lecturer moves, a
    whole class at once (a setting changed in the open fold branches off, as anywhere)."""
    where = st.container() if where is None else where
    if key is not None and following_room():
        return where.expander(label, expanded=False, icon=":material/tune:", key=key, on_change="rerun")
    folded = fold or classroom_on()  # keyed: the same fold when its label (the values) changes, so it stays open
    return where.expander(label, expanded=False, icon=":material/tune:", key=key) if folded else where


def opened(box) -> bool:
    """Whether to draw the widgets of a settings box (settings_box): False only for a follower's closed fold."""
    return getattr(box, "open", None) is not False


def settings_columns(spec, key: str, **kw) -> tuple:
    """(settings, header, main) for a page whose settings take a column: st.columns(spec, **kw) as (settings, main),
    with `header` at the top of main. In classroom mode the settings are folded into an expander with `header` beside
    it (one row less above the charts on a 1280x720 projector), above a main area of the full width; a room's follower
    gets a popover there instead, keyed `key` and drawn once opened (see settings_box): it floats over the charts (a
    fold in a third of the width was a tall narrow column that pushed the room's charts below the first screen)."""
    if classroom_on() or following_room():
        fold, header = st.columns([1, 2])  # the equation stays beside the closed fold when it opens
        box = fold.popover("Settings", icon=":material/tune:", key=key, on_change="rerun") if following_room() \
            else settings_box(fold, key=key)
        return box, header, st.container()
    settings, main = st.columns(spec, **kw)
    return settings, main.container(), main


def chart(fig, key: str, alt: str, where=None, height_factor: float = classroom.HEIGHT_SCALE) -> None:
    """st.plotly_chart(fig, key=key, alt=alt, theme=None) for a page's figure (a go.Figure) with the app's chart
    settings; in classroom mode its type and height (`height_factor` times: 1 for a chart that must stay whole on the
    projector's first screen) scaled for a projector (a copy: the figure may be shared with other sessions).

    What it sends is the figure's JSON, encoded once per figure and kept on it (see _encoded): a figure shared by
    many sessions (web.jobs.shared_view) is not copied, checked and encoded again in every session's run, as
    plotly_chart does (a room's followers all run the page when the lecturer moves; a classroom mode's figure was
    checked property by property). A figure must not change once it has been drawn."""
    spec, height = _encoded(fig, height_factor if classroom_on() else None)
    internals.send_plotly_json(spec, CHART_CONFIG_JSON, alt, key, height, where=where)


_ENCODED = "_rnnp_encoded"  # a figure's attribute (plotly allows "_" names): {height_factor or None: (json, height)}


def _encoded(fig, height_factor: float | None) -> tuple[str, int]:
    """The JSON plotly_chart would send for `fig` (scaled for classroom mode when `height_factor` is not None) and
    its height in pixels (plotly.js's 450 when the layout has none), once per figure and scale."""
    import plotly.io

    kept = fig.__dict__.setdefault(_ENCODED, {})
    if height_factor not in kept:
        d = fig.to_dict()
        if height_factor is not None:
            d = classroom.scaled_figure(d, height_factor=height_factor)
        h = (d.get("layout") or {}).get("height")
        kept[height_factor] = (plotly.io.to_json(d, validate=False),
                               int(h) if isinstance(h, (int, float)) and h > 0 else 450)
    return kept[height_factor]


def share_link(base: str, page: str, params: dict[str, str]) -> str:
    """The page's full link. `base` is st.context.url: the app's address, with or without the page's path."""
    base = base.rstrip("/")
    if not base.endswith(f"/{page}"):
        base = f"{base}/{page}"
    return f"{base}?{urlencode(params)}"


@contextlib.contextmanager
def callback_errors(prefix: str) -> Iterator[None]:
    """For widget callbacks (they run before the page, outside its friendly_errors): keep the message for
    show_callback_error instead of letting a traceback through."""
    st.session_state[f"{prefix}:callback_error"] = ""
    try:
        yield
    except PlaygroundError as e:
        st.session_state[f"{prefix}:callback_error"] = str(e)
    except Exception as e:  # noqa: BLE001 - last line of defence for a live demo
        log.exception("unexpected error in a callback")
        st.session_state[f"{prefix}:callback_error"] = f"Something went wrong ({type(e).__name__}). Try other settings."


def show_callback_error(prefix: str) -> None:
    if st.session_state.get(f"{prefix}:callback_error"):
        st.warning(st.session_state[f"{prefix}:callback_error"])


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Show PlaygroundError as a warning and anything else as a short error, never a traceback."""
    try:
        yield
    except PlaygroundError as e:
        st.warning(str(e))
    except Exception as e:  # noqa: BLE001 - last line of defence for a live demo
        log.exception("unexpected error")
        st.error(f"Something went wrong ({type(e).__name__}). Try other settings or reload the page.")


CHART_CONFIG = {"displaylogo": False}  # plotly's modebar (PNG download included) without its logo
CHART_CONFIG_JSON = json.dumps(CHART_CONFIG)


@st.cache_resource(show_spinner="Loading the trained model…")
def shipped_model(name: str):
    """A shipped sentiment model (sentiment.models.Sentiment), loaded once per server for every page and session:
    read-only (eval mode, never trained or changed). Imported here, not at the top: Home needs no torch."""
    from playground.sentiment import models as sentiment

    return sentiment.load(name)


def _as_bytes(make) -> bytes:
    """What a download's function makes, as the file's content: a table as CSV, bytes or text as they are."""
    from playground.views import exports

    data = make()
    return exports.csv_bytes(data) if hasattr(data, "to_csv") else data


def download(label: str, data, what: str, key: str, ext: str = "csv", where=None, help: str | None = None,
             icon: str | None = ":material/download:") -> None:
    """A download button. data: bytes, a pandas table (sent as CSV), or a function that makes either when pressed
    (so a page run makes no table, and a server loads pandas only for a download); the file name says what it
    holds and when (exports.file_name)."""
    from playground.views import exports

    if callable(data):
        data = functools.partial(_as_bytes, data)
    elif hasattr(data, "to_csv"):
        data = exports.csv_bytes(data)
    mime = {"csv": "text/csv"}.get(ext, "application/octet-stream")
    (where or st).download_button(label, data, file_name=exports.file_name(what, ext=ext), mime=mime,
                                  on_click="ignore", icon=icon, key=key, help=help)

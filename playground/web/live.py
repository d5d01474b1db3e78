"""Streamlit glue of Train live's runs: the server's training workers (playground.server.pool) and the session's handle on
its run, the janitor that pauses and frees the runs of gone browsers, and the cheap redraw of the live charts.

    h = live_ui.live_handle()                     # this browser session's run, in a worker process
    with live_ui.one_redraw_at_a_time():
        live_ui.live_chart(panel.curves, "train:curves", alt="...")
"""
from __future__ import annotations

import collections
import contextlib
import logging
import statistics
import threading
import time
from typing import Any, Callable, Iterator, TypeVar

import streamlit as st

from playground.views import classroom
from playground.figures import fastfig
from playground.server import pool
from playground.server.rooms import code_of_run, run_id
from playground.server.worker import Engine
from playground.training import live as training_live, live_config
from playground.errors import PlaygroundError
from playground.web import internals, priority
from playground.web import rooms as rooms_ui
from playground.web.ui import CHART_CONFIG_JSON, classroom_on

log = logging.getLogger("playground")
T = TypeVar("T")
SESSION_KEY = f"{live_config.PREFIX}:session"  # st.session_state key of the handle on the run this session shows
OWN_KEY = f"{live_config.PREFIX}:own"  # ...and of its own run (kept while it follows a room)

JANITOR_EVERY = 1.0  # seconds between checks for sessions whose browser has gone


_pool: pool.Pool | None = None
_pool_lock = threading.Lock()


def live_pool() -> pool.Pool | None:
    """The server's training workers, started once per server process: in the background after its first page
    (web/warm.py), or by the first page that needs them, whichever comes first (None: PLAYGROUND_WORKERS=0,
    train in-process)."""
    global _pool
    n = pool.default_workers()
    if n == 0:
        return None
    if _pool is None:
        with _pool_lock:  # a page and the warm-up may ask at once: one pool
            if _pool is None:
                p = pool.Pool(n)
                threading.Thread(target=_janitor, args=(p,), daemon=True, name="playground-janitor").start()
                priority.holds.append(p.hold)  # a page run holds the workers' training (server/hold.py)
                _pool = p
    return _pool


def _started_pool() -> pool.Pool | None:
    """live_pool() for a page: a spinner says why it waits while the workers start (once per server)."""
    if _pool is not None or pool.default_workers() == 0:
        return _pool
    with st.spinner("Starting the training workers (once per server, a few seconds)…"):
        return live_pool()


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
    """This browser session's handle on the Train live run it shows (its own, or its room's), None before it has
    one."""
    return st.session_state.get(SESSION_KEY)


def pause_run() -> None:
    """Pause this session's Train live run if it is playing (e.g. the lecture moves on: it would go on training,
    unseen, on a core the room shares). A follower's handle cannot: the room's run is its presenter's."""
    h = live_run()
    if h is not None and not h.read_only:
        with contextlib.suppress(PlaygroundError):  # e.g. its worker restarted: nothing left to pause
            h.call("pause")


def live_handle() -> pool.Handle:
    """This browser session's handle on the run it shows: its own (created on first use), or in a room the room's
    one run, which the presenter's handle drives and a follower's (a pool.Watcher) only looks at."""
    room_run = rooms_ui.room_run()
    if room_run is None:
        copy_of = rooms_ui.take_copy()
        if copy_of:  # just branched off a room: explore from where the room's run is
            adopt_room_run(copy_of)
        h = _own_handle()
    elif rooms_ui.presenting():
        h = pool.Handle(_started_pool(), room_run, _room_engine())
    else:
        h = pool.Watcher(_started_pool(), room_run, _room_engine())
    st.session_state[SESSION_KEY] = h
    if h.pool is not None and not h.read_only:
        _watch(h.sid)  # its browser gone: the janitor pauses the run (a follower's going pauses nothing)
    return h


def _own_handle() -> pool.Handle:
    h = st.session_state.get(OWN_KEY)
    if h is None:
        h = st.session_state[OWN_KEY] = pool.Handle(_started_pool(), internals.session_id())
    return h


@st.cache_resource(show_spinner=False)
def _shared_engine() -> Engine:
    return Engine()


def _room_engine() -> Engine | None:
    """In-process mode (no workers: tests): one Engine for the rooms' runs and the runs copied from them, shared by
    the sessions of this process; with workers, None (the pool holds the runs)."""
    return _shared_engine() if live_pool() is None else None


def adopt_room_run(room_run: str) -> None:
    """Explore on my own: this session's own run becomes a paused copy of the room's (its settings, weights, step and
    history). Nothing to copy (the room has no run yet): the session's own run stays as it was."""
    if live_pool() is None:  # in-process: the copy lives in the engine that holds the room's run
        st.session_state[OWN_KEY] = pool.Handle(None, internals.session_id(), _room_engine())
    with contextlib.suppress(PlaygroundError):
        _own_handle().copy_from(room_run)


SHARED_FRESH = 0.25  # seconds a room's snapshot serves every follower before the next is asked of the worker


class _Shared:
    """A room run's last snapshot and the panel drawn from it, shared by its followers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.at, self.snapshot, self.panel = -1e9, None, None


_shared: dict[str, _Shared] = {}
_shared_lock = threading.Lock()


def snapshot(h: pool.Handle) -> Any:
    """The run's snapshot for this redraw. A room's run: one snapshot per SHARED_FRESH seconds for all who draw it
    (the presenter's redraw trains it in-process mode and refreshes it for everyone)."""
    if code_of_run(h.sid) is None:
        return h.snapshot(train=True)
    with _shared_lock:
        if h.sid not in _shared:  # a new room's run: forget those of closed rooms (their snapshot and figures)
            open_runs = {run_id(c) for c in rooms_ui.server_rooms().codes()}
            for gone in [sid for sid in _shared if sid not in open_runs]:
                del _shared[gone]
        entry = _shared.setdefault(h.sid, _Shared())
    with entry.lock:
        if not h.read_only or time.monotonic() - entry.at > SHARED_FRESH:
            entry.at, entry.snapshot, entry.panel = time.monotonic(), h.snapshot(train=True), None
        return entry.snapshot


def room_snapshot(h: pool.Handle) -> Any:
    """snapshot(h) for a follower's handle, None while the room's run is not on the server (not opened yet, or
    dropped): the page waits for it instead of showing an error."""
    try:
        return snapshot(h)
    except PlaygroundError:
        return None


def panel(h: pool.Handle, s: Any, build: Callable[[Any], T], newest: bool = True) -> T:
    """build(s): the figures of a redraw; for a room's run, built once per snapshot and shared by its followers.

    A follower draws the room's newest snapshot, not the one its redraw began with: under load its redraw waits in
    line (one_redraw_at_a_time) while the snapshot moves on, and a hundred followers each building the figures of
    the snapshot they began with cost the server ten times the redraws themselves (bench/room.py, 100 followers).
    newest=False: the figures of `s` itself (the feed, whose answer also states s's step and status)."""
    entry = _shared.get(h.sid)
    if entry is None:
        return build(s)
    with entry.lock:
        if newest and h.read_only and entry.snapshot is not None:
            s = entry.snapshot
        if entry.snapshot is not s:  # the presenter's, a newer one taken by a follower meanwhile: its own
            return build(s)
        if entry.panel is None:
            entry.panel = build(s)
        return entry.panel


def live_chart(fig: fastfig.Spec, key: str, alt: str, height_factor: float = classroom.HEIGHT_SCALE) -> None:
    """`st.plotly_chart(fig, key=key, theme=None)` for a figure redrawn every tick, at a fraction of its cost.

    plotly_chart rebuilds a go.Figure from its input, deep-copies it and encodes it three times over; this
    sends the figure's JSON as it is. The element's id still hashes the figure, as plotly_chart's does: the
    browser keeps a chart's figure per id and would go on showing the first one. Streamlit's element internals
    (pinned version): tests/app/test_app_train.py reads these charts back and would see them change. In classroom mode
    the type grows and the height `height_factor` times (1: a chart that must stay on the projector's first screen)."""
    if classroom_on():  # a layout update on the spec: its data arrays are not copied
        fig = classroom.scaled_spec(fig, height_factor)
    height = fig.layout.get("height") or 450  # plotly.js's default, as plotly_chart's "content" height
    internals.send_plotly_json(fig.json, CHART_CONFIG_JSON, alt, key, int(height))


_REDRAW = priority.InTurn()


PACES = (0.8, 1.2, 1.6, 2.4, 3.2, 6.4)  # seconds between redraws a crowd may slow a session to
SERVER_SHARE = 0.65  # the timer redraws of all sessions take at most this share of the server's Python thread (their
# cost is the CPU time of the redraw's own thread; sending what it drew takes the event loop's thread about as long)
PACE_WINDOW = 2 * PACES[-1]  # a session that redrew within this many seconds counts as redrawing


class Pace:
    """How often a session's timer may redraw so that the server keeps up with every session's redraws.

    The redraws queue for the server's one Python thread (one_redraw_at_a_time). A fragment's timer that fires while
    its last run still waits there cuts that run short when it reaches its next element (Streamlit 1.67: a fragment
    whose run takes longer than its run_every never draws). So when the crowd asks for more redraws than the server
    can draw, nearly every run is cut short: fifty sessions on one link at 0.8 s got 0.07 redraws/s each and 38 of
    them none in 15 s (bench/load.py --sessions 50 --same); at 1.6 s they got 0.60 each and no one stalled. The paces
    step by 1.5x and 1.33x, not 2x: fifty on one link need ~0.85 s, and at 1.6 s the slowest got 0.37-0.43. The pace
    follows the load: the sessions `redrawing` times the `cost` of one redraw (the median CPU time of a redraw's own
    thread over the last 101) must stay under SERVER_SHARE of the thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: collections.deque[float] = collections.deque([0.01], maxlen=101)  # the last redraws' CPU seconds
        self.last: dict[str, float] = {}  # session -> when it last redrew

    @property
    def cost(self) -> float:
        """Seconds of CPU per redraw: the median of the last 101."""
        with self.lock:
            return statistics.median(self.held)

    def note(self, session: str, held: float, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self.lock:
            self.held.append(held)
            self.last[session] = now
            if len(self.last) > 64 and len(self.last) % 64 == 0:  # forget the sessions that stopped redrawing
                self.last = {k: t for k, t in self.last.items() if now - t < PACE_WINDOW}

    def redrawing(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self.lock:
            return sum(now - t < PACE_WINDOW for t in self.last.values())

    def every(self, base: float, current: float | None = None, now: float | None = None) -> float:
        """Seconds between a session's redraws: `base` (training.live.redraw_every) while the server keeps up, else
        the shortest of PACES that it keeps up with. `current`, the session's pace now, goes up at once when the
        server cannot keep up with it, and down only once the need has fallen below a third of it: a pace that
        changes costs the session a run of its whole page, and fifty of those at once slow every redraw."""
        need = self.redrawing(now) * self.cost / SERVER_SHARE
        wanted = base if need <= base else next((p for p in PACES if p >= need), PACES[-1])
        if current is not None and base <= wanted < current and need > current / 3:
            return current
        return wanted


pace = Pace()


def redraw_every(busy: int, current: float | None = None) -> float:
    """Seconds between this session's redraws while playing: training.live.redraw_every(busy), slowed down when the
    server's crowd of redraws would not keep up (Pace)."""
    return pace.every(training_live.redraw_every(busy), current)


def slowed_by_crowd(every: float, busy: int) -> int:
    """The sessions redrawing on this server if they slowed this session's pace `every` (0 if it is its own)."""
    return pace.redrawing() if every > training_live.redraw_every(busy) else 0


@contextlib.contextmanager
def one_redraw_at_a_time() -> Iterator[None]:
    """Hold while building and sending a live redraw. It is pure Python under the GIL, so doing twenty at once
    is no faster than one after another, and much slower in fact: each thread gives the GIL up and waits to take
    it back many times per chart (hashing, sockets), the server's event loop among them. Queued here instead,
    the redraws come in turn and the event loop that sends them stays free. Page runs come first: a redraw waits
    while another session's page runs (web/priority.py), so a visitor does not queue behind the crowd's timers."""
    priority.wait_for_page_runs()
    with _REDRAW:
        start = time.thread_time()
        try:
            yield
        finally:
            pace.note(internals.session_id(), time.thread_time() - start)


def room_watcher(code: str) -> pool.Watcher:
    """A look-only handle on room `code`'s run, outside any session (web/feed.py serves it to the followers)."""
    return pool.Watcher(live_pool(), run_id(code), _room_engine())

"""Visitors before the crowd's timers: a page run (a page opened, a click, a typed review) goes first, and the timer
redraws of sessions training live wait for it.

The server is one Python process: a redraw of Train live is pure Python under the GIL, and twenty sessions redrawing
once a second leave a new visitor's page run a twentieth of the interpreter. So while any page run is in progress,
a timer redraw waits (live.one_redraw_at_a_time), at most YIELD_AT_MOST seconds, before it takes its turn.

The training workers are other processes, on the same cores: a page run also asks them to hold (server/hold.py,
within a budget), and a session's first run a little longer, while its browser draws the whole page. Beside a room of
50 and 20 sessions training, a new visitor's first chart came 2.07x -> 1.65x its idle time (bench/room.py, one hour).

    with priority.page_run():   # app.py, around the page's script
        current.run()
"""
from __future__ import annotations

import collections
import contextlib
import logging
import threading
import time
from typing import Callable, Iterator

log = logging.getLogger("playground")

YIELD_AT_MOST = 1.0  # seconds a timer redraw waits for page runs (then it goes anyway: a crowd never stalls)
# The training workers hold too (server/hold.py: within a budget): from a page run's start, for at most RUN_HOLD s,
# and for AFTER_HOLD s after it ends; after a session's first run FIRST_AFTER_HOLD s, while its browser draws the page
RUN_HOLD, AFTER_HOLD, FIRST_AFTER_HOLD = 1.0, 0.2, 1.5
holds: list[Callable[[float], object]] = []  # hold(seconds) of each pool of training workers (web/live.py adds it)
_running: dict[int, int] = {}  # thread id -> page runs in progress on it (a page run may start another: st.rerun)
_lock = threading.Lock()


@contextlib.contextmanager
def page_run(first: bool = False) -> Iterator[None]:
    """Mark this thread's page run in progress while the block runs, and hold the training workers for it (first:
    the session's first run, its browser has the whole page to draw)."""
    me = threading.get_ident()
    with _lock:
        _running[me] = _running.get(me, 0) + 1
    hold_training(RUN_HOLD)
    try:
        yield
    finally:
        with _lock:
            if _running[me] == 1:
                del _running[me]
            else:
                _running[me] -= 1
        hold_training(FIRST_AFTER_HOLD if first else AFTER_HOLD)


def hold_training(seconds: float) -> None:
    """The training workers train nothing for the next `seconds` (as far as their holds' budget allows)."""
    for hold in list(holds):
        try:
            hold(seconds)
        except Exception:  # noqa: BLE001 - a hold is a courtesy: a page never fails for it
            log.exception("holding the training workers")


def others_running() -> bool:
    """A page run is in progress on another thread (this thread's own page may draw its first redraw inline)."""
    me = threading.get_ident()
    with _lock:
        return any(t != me for t in _running)


def in_page_run() -> bool:
    """This thread runs a page (not a timer's fragment)."""
    with _lock:
        return threading.get_ident() in _running


def wait_for_page_runs(at_most: float = YIELD_AT_MOST, every: float = 0.01) -> float:
    """For a timer's redraw: sleep (the GIL free for them) while other page runs are in progress, at most `at_most`
    s; returns the wait. A page run never waits (two pages opening at once would wait for each other)."""
    start = time.monotonic()
    while not in_page_run() and others_running() and time.monotonic() - start < at_most:
        time.sleep(every)
    return time.monotonic() - start


class InTurn:
    """A lock taken in the order asked (first come, first served), as `with InTurn():`.

    threading.Lock wakes no one in particular: with fifty sessions' redraws waiting on it, the thread that just let it
    go or one that came last may take it again. Here the holder hands it to the first in line, so a crowd's waits are
    even (alone it did not end the stalls of fifty sessions on one link: web.live.Pace did)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._line: collections.deque[threading.Lock] = collections.deque()
        self._held = False

    def __enter__(self) -> "InTurn":
        with self._lock:
            if not self._held:
                self._held = True
                return self
            mine = threading.Lock()
            mine.acquire()
            self._line.append(mine)
        mine.acquire()  # released by the holder before us: the lock is ours (still held, never free in between)
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            if self._line:
                self._line.popleft().release()
            else:
                self._held = False

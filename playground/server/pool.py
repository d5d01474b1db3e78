"""Live training outside the Streamlit server's Python thread: a few worker processes own every run.

Why: the server is one Python process. Twenty script threads each stepping a model in it fight over one
GIL (every torch op releases and retakes it), so at five sessions each got ~2 steps/s. Here each worker is
a process of its own with one thread, it trains its sessions in turn, in slices of SLICE seconds (round
robin: every playing session gets the same CPU time), and answers the page's requests between slices. The
page only sends commands (play, pause, step, reset, new settings) and asks for a `live.Snapshot` to draw.

    pool = Pool(2)                          # the app starts it once per server (st.cache_resource)
    h = Handle(pool, session_id)
    h.call("open", cfg); h.call("play")
    snap = h.snapshot()                     # step, history, probe arrays: what the page draws

`Handle(None, sid)` runs the same `Engine` in this process instead (PLAYGROUND_WORKERS=0; tests, AppTest):
then the page's own redraw trains TICK_SECONDS per call, as before.

The long runs of Why LSTM & GRU go to a worker of their own, mode "jobs" (playground.server.jobs.JobRunner).

Fault handling: a worker that dies is replaced at once; its sessions' calls raise WorkerGone (a
PlaygroundError: the page says so) and the next "open" starts the session afresh on a live worker. A
session whose page has not asked anything for GONE_AFTER seconds (its browser went away) stops training;
one not heard of for DROP_AFTER is forgotten, and so is every session the server reports closed.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing.connection import Listener
from typing import Any, Callable

from playground.server import default_workers, hold, zygote  # noqa: F401 - default_workers: pool's name for it
from playground.server.protocol import RoomOnly, WorkerGone, accept, recv, send
from playground.server.worker import HOLD, READ_ONLY, Engine
from playground.training import live

log = logging.getLogger("playground")
CALL_TIMEOUT = 60.0  # a request that takes longer means a hung worker
LOOK_EVERY_S = 0.5  # how often worker_of asks the OS whether the workers still run
USE_ZYGOTE = os.environ.get("PLAYGROUND_ZYGOTE", "1") != "0"  # fork the workers from one preloaded process


_zygote: zygote.Zygote | None = None
_zygote_lock = threading.Lock()


def _forker() -> zygote.Zygote | None:
    """The server's zygote (started on first use, again if it died); None if it cannot start."""
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive:
            try:
                _zygote = zygote.Zygote()
            except (OSError, EOFError, TimeoutError) as e:
                log.warning("no zygote (%s): workers start as processes of their own", e)
                _zygote = None
        return _zygote


class Worker:
    """One worker process, its connection, and the thread that hands its replies to the waiting calls."""

    _ids = itertools.count()

    def __init__(self, mode: str = "live"):
        self.name = f"playground-{mode}-worker-{next(self._ids)}"
        key = secrets.token_bytes(16)
        path = os.path.join(tempfile.mkdtemp(prefix="playground-"), "worker.sock")
        with Listener(path, family="AF_UNIX", authkey=key) as listener:
            forker = _forker() if USE_ZYGOTE else None
            self.process: subprocess.Popen | zygote.Proc
            if forker is not None:  # forked from the preloaded zygote: shares its memory
                self.process = forker.fork(mode, path, key)
            else:
                root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
                env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
                self.process = subprocess.Popen([sys.executable, "-c", "from playground.server.worker import main; main()",
                                                 path, mode], stdin=subprocess.PIPE, env=env, cwd=root)
                self.process.stdin.write(key.hex().encode() + b"\n")
                self.process.stdin.close()
            self.conn = accept(listener, path)
        with contextlib.suppress(OSError):  # the listener removed its socket file on closing
            os.rmdir(os.path.dirname(path))
        self.pending: dict[int, Future] = {}
        self.progress: dict[int, Callable[[float, str], None]] = {}  # a running job's progress callback
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.gone = False  # its connection ended: it died (set by the reader, or by a send that failed)
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"{self.name}-reader")
        self._reader.start()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def submit(self, rid: int, sid: str, op: str, args: tuple,
               progress: Callable[[float, str], None] | None = None) -> Future:
        fut: Future = Future()
        with self.lock:
            self.pending[rid] = fut
            if progress is not None:
                self.progress[rid] = progress
        try:
            with self.send_lock:
                send(self.conn, (rid, sid, op, args))
        except (OSError, ValueError):
            self.gone = True
            self._fail_all()
        return fut

    def _read(self) -> None:
        while True:
            try:
                rid, ok, value = recv(self.conn)
            except Exception as e:  # noqa: BLE001 - EOF / OSError: it died; anything else: no call may hang
                if not isinstance(e, (EOFError, OSError)):
                    log.exception("unreadable reply from %s", self.name)
                self.gone = True
                self._fail_all()
                return
            if ok == "progress":
                with self.lock:
                    report = self.progress.get(rid)
                if report is not None:
                    report(*value)
                continue
            with self.lock:
                fut = self.pending.pop(rid, None)
                self.progress.pop(rid, None)
            if fut is not None:
                fut.set_result(value) if ok else fut.set_exception(value)

    def _fail_all(self) -> None:
        with self.lock:
            waiting, self.pending, self.progress = list(self.pending.values()), {}, {}
        for fut in waiting:
            if not fut.done():
                fut.set_exception(WorkerGone("The training worker stopped (the server restarts it). The run is "
                                             "lost: press Reset to start again."))

    def hold(self, until: float) -> None:
        """Train no slice before `until` (time.monotonic); requests are still answered."""
        with contextlib.suppress(OSError, ValueError), self.send_lock:
            send(self.conn, (HOLD, until))

    def stop(self) -> None:
        if self.alive:
            with contextlib.suppress(OSError, ValueError), self.send_lock:
                send(self.conn, "stop")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2)
        if self.alive:
            self.process.kill()
        self.conn.close()


class Pool:
    """`n` workers; each session lives on one (the least loaded when it first opens)."""

    def __init__(self, n: int = 2):
        with ThreadPoolExecutor(max(1, n)) as ex:  # each start imports torch: side by side, not one after another
            self.workers = list(ex.map(lambda _: Worker(), range(max(1, n))))
        self.home: dict[str, Worker] = {}
        self._rid = itertools.count()
        self.lock = threading.Lock()
        self._looked = 0.0  # when worker_of last asked the OS whether each worker is alive
        self._holds = hold.Budget()

    def worker_of(self, sid: str, op: str) -> Worker:
        with self.lock:
            now = time.monotonic()  # a worker's end is seen at once on its connection (gone); the OS is asked
            look = now - self._looked >= LOOK_EVERY_S  # at most every LOOK_EVERY_S (a /proc read per worker and
            if look:  # call was 4% of a crowd's redraws, each a release of the GIL to wait for)
                self._looked = now
            for i, w in enumerate(self.workers):
                if w.gone or (look and not w.alive):  # replace a dead worker; its sessions learn it at their next call
                    log.warning("training worker %s died; starting a new one", w.name)
                    self.workers[i] = Worker()
            w = self.home.get(sid)
            if w is not None and w in self.workers:
                return w
            if op != "open" and w is not None:
                raise WorkerGone("The training worker of this session stopped (the server restarted it). "
                                 "The run is lost: press Reset to start again.")
            w = min(self.workers, key=lambda x: sum(home is x for home in self.home.values()))
            self.home[sid] = w
            return w

    def call(self, sid: str, op: str, *args, timeout: float = CALL_TIMEOUT) -> Any:
        w = self.worker_of(sid, op)
        fut = w.submit(next(self._rid), sid, op, args)
        try:
            return fut.result(timeout)
        except FutureTimeout:
            raise WorkerGone(f"The training worker did not answer within {timeout:.0f} s; it is being "
                             "restarted. Press Reset to start again.") from None

    def copy(self, src: str, sid: str) -> Any:
        """Session `sid` becomes a paused copy of session `src` (a room's run), on `src`'s worker."""
        with self.lock:
            w = self.home.get(src)
            if w is None or w not in self.workers:
                raise WorkerGone("The room's run is no longer on the server: press Reset to start your own.")
            self.home[sid] = w
        fut = w.submit(next(self._rid), sid, "copy_from", (src,))
        try:
            return fut.result(CALL_TIMEOUT)
        except FutureTimeout:
            raise WorkerGone("The training worker did not answer: press Reset to start your own run.") from None

    def forget(self, sid: str) -> None:
        """The session is closed: free its run on its worker."""
        with self.lock:
            w = self.home.pop(sid, None)
        if w is not None and w.alive:
            w.submit(next(self._rid), sid, "close", ())

    def hold(self, seconds: float) -> float:
        """Every worker trains no slice for the next `seconds` (a page runs: server/hold.py), as far as the holds'
        budget allows; returns when the hold ends (monotonic)."""
        with self.lock:
            before = self._holds.until  # the end of the hold the workers already have
            until = self._holds.grant(seconds)
            if until <= before:
                return until
            workers = list(self.workers)
        for w in workers:
            w.hold(until)
        return until

    def sessions(self) -> list[str]:
        with self.lock:
            return list(self.home)

    def stop(self) -> None:
        for w in self.workers:
            w.stop()


class Handle:
    """The page's end of one session: the pool's worker, or an Engine in this process (pool None; `engine`: one
    shared with other handles, e.g. a room's, else one of its own)."""

    read_only = False

    def __init__(self, pool: Pool | None, sid: str, engine: Engine | None = None):
        self.pool, self.sid = pool, sid
        self.engine = (engine or Engine()) if pool is None else None

    def call(self, op: str, *args) -> Any:
        return self.engine.call(self.sid, op, *args) if self.engine else self.pool.call(self.sid, op, *args)

    def copy_from(self, src: str) -> live.Snapshot:
        """This session becomes a paused copy of session `src` (same pool or engine)."""
        return self.engine.call(self.sid, "copy_from", src) if self.engine else self.pool.copy(src, self.sid)

    def snapshot(self, train: bool = False) -> live.Snapshot:
        """The session as it is now. In-process mode with train=True (the page's redraw while playing): train up
        to TICK_SECONDS first. A worker trains on its own and is only asked."""
        return self.call("snapshot", live.TICK_SECONDS if self.engine and train else 0.0)

    @property
    def session(self) -> live.LiveSession | None:
        """The LiveSession itself (in-process mode only; tests look inside it)."""
        return self.engine.sessions.get(self.sid) if self.engine else None


class Watcher(Handle):
    """A room follower's end of the room's run: it may look (snapshot, sample, download), never move it. The
    rights are here, on the server, not in which buttons the page shows: a forged click reaches this and stops."""

    read_only = True

    def call(self, op: str, *args) -> Any:
        if op not in READ_ONLY:
            raise RoomOnly("The lecturer drives this run. Press Explore on my own to train a copy of it yourself.")
        return super().call(op, *args)

    def snapshot(self, train: bool = False) -> live.Snapshot:
        return super().snapshot(False)  # a follower never trains the room's run, not even in-process

"""A worker process's side: the live sessions it trains in slices (`Engine`), the shared runs it computes (RUNS),
and its life from start to the server going away. No Streamlit and no figures here.

A live worker answers the page's requests between slices of training; a job worker runs the shared runs of
playground.server.jobs one after another and reports their progress.
"""
from __future__ import annotations

import copy
import importlib
import logging
import os
import sys
import time
from collections import deque
from multiprocessing.connection import Client, Connection
from typing import Any, Callable

from playground.server.protocol import WorkerGone, answer, recv, send
from playground.training import live

log = logging.getLogger("playground")
SLICE = 0.03  # seconds a worker trains one session before it turns to the next one and to its requests
GONE_AFTER = 60.0  # a playing session whose page asked nothing for this long is paused (the janitor in ui.py
# pauses one whose browser disconnected at once; this catches a server that stopped asking at all)
DROP_AFTER = 600.0  # ...and after this long forgotten (its memory comes back)
WORKER_NICE = 10  # workers train with whatever CPU the server's page work leaves
OPS = ("open", "play", "pause", "step_once", "reset", "snapshot", "sample_text", "written", "csv", "weights_file",
       "load", "close", "rewind", "copy_from")
READ_ONLY = ("snapshot", "sample_text", "csv", "weights_file")  # what a room's follower may ask of the room's run
JOB_NICE = 5  # a shared run (one for many students) goes before the live runs (one student's each), after pages
JOB_IDLE_EXIT = 300.0  # a job worker with no run for this long exits (its memory comes back)
HOLD = "hold"  # ("hold", until): train no slice before `until` (time.monotonic: the same in all processes)
PROGRESS_EVERY = 0.2  # seconds between a job worker's progress reports
Progress = Callable[[float, str], None]


RUNS = {  # name -> the function it runs, imported where it runs (the server, or a job worker process)
    "five": "playground.training.gradflow:train_contenders",  # (setup, steps): "Train all five"
    "boom": "playground.training.gradflow:clipping_runs",  # (setup, key, scale, clip, lr, steps): with and without clipping
    "race": "playground.training.race:race",  # (settings,): the race
}


def call(name: str, args: tuple, progress: Progress | None = None) -> Any:
    """Run the shared run `name` (a key of RUNS) with `args`, here in this process."""
    module, function = RUNS[name].split(":")
    return getattr(importlib.import_module(module), function)(*args, progress=progress)


class Engine:
    """Every session of one worker (or of this process): runs the page's requests and trains in slices."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.sessions: dict[str, live.LiveSession] = {}
        self.seen: dict[str, float] = {}
        self._turn: deque[str] = deque()  # round robin over sessions that are playing
        self.clock = clock

    # ---- requests ----
    def call(self, sid: str, op: str, *args) -> Any:
        if op not in OPS:
            raise ValueError(f"unknown request {op!r}")
        self.seen[sid] = self.clock()
        if op == "close":
            self.drop(sid)
            return None
        if op == "copy_from":  # a follower explores on its own: the room's run (weights, step, history), paused
            (src,) = args
            if src not in self.sessions:
                raise WorkerGone("The room's run is no longer on the server: press Reset to start your own.")
            s = self.sessions[sid] = copy.deepcopy(self.sessions[src])
            s.pause()
            return self._snapshot(s)
        if op == "open":  # the page's settings, on every full script run: (rebuilt the model?, snapshot)
            (cfg,) = args
            s = self.sessions.get(sid)
            rebuilt = s.apply(cfg) if s is not None else False
            if s is None:
                s = self.sessions[sid] = live.LiveSession(cfg)
            return rebuilt, self._snapshot(s)
        s = self.sessions.get(sid)
        if s is None:
            raise WorkerGone("This training session is no longer on the server (it was idle, or its worker "
                             "restarted). Press Reset to start again.")
        if op == "snapshot":
            (train_for,) = args or (0.0,)
            if train_for and s.playing:  # in-process mode: the redraw itself trains
                s.advance(train_for)
            return self._snapshot(s)
        result = getattr(s, op)(*args)
        if op == "load":
            return result  # the settings of the loaded file
        return self._snapshot(s) if op in ("play", "pause", "step_once", "reset", "rewind") else result

    def _snapshot(self, s: live.LiveSession) -> live.Snapshot:
        snap = live.snapshot(s)
        snap.busy = max(1, len(self.playing()))
        return snap

    # ---- training ----
    def playing(self) -> list[str]:
        return [sid for sid, s in self.sessions.items() if s.playing]

    def wait(self) -> float | None:
        """Seconds before a playing session has work (0: now; at the slow pace, its next tick); None: none plays."""
        waits = [self.sessions[sid].wait() for sid in self.playing()]
        return min(waits) if waits else None

    def work(self, budget: float = SLICE) -> str | None:
        """Train the next playing session that has work (round robin) for up to `budget` seconds; returns its id
        (None: none had work)."""
        playing = {sid for sid in self.playing() if self.sessions[sid].wait() == 0}
        self._turn = deque(sid for sid in self._turn if sid in playing)
        self._turn.extend(sid for sid in playing if sid not in self._turn)
        if not self._turn:
            return None
        sid = self._turn.popleft()
        self._turn.append(sid)
        self.sessions[sid].advance(budget)
        return sid

    def expire(self) -> None:
        """Pause sessions nobody watches; forget those long gone."""
        now = self.clock()
        for sid in list(self.sessions):
            idle = now - self.seen.get(sid, now)
            if idle > DROP_AFTER:
                self.drop(sid)
            elif idle > GONE_AFTER and self.sessions[sid].playing:
                s = self.sessions[sid]
                s.pause()
                s.message = "Paused: this page was not open (training stops when no one watches)."

    def drop(self, sid: str) -> None:
        self.sessions.pop(sid, None)
        self.seen.pop(sid, None)


def serve(conn: Connection) -> None:
    """A worker process's loop: answer every waiting request, train one slice, repeat; sleep when idle."""
    import torch

    torch.set_num_threads(1)
    engine = Engine()
    last_expire = time.monotonic()
    held_until = 0.0  # a page runs on the server: train nothing before this (monotonic; see server/hold.py)

    def timeout() -> float:
        held = held_until - time.monotonic()
        if held > 0:
            return min(held, 1.0)
        wait = engine.wait()
        return 1.0 if wait is None else min(wait, 1.0)

    while True:
        while conn.poll(timeout()):
            msg = recv(conn)
            if msg == "stop":
                return
            if msg[0] == HOLD:
                held_until = max(held_until, msg[1])
                continue
            rid, sid, op, args = msg
            send(conn, answer(rid, lambda: engine.call(sid, op, *args)))
        if time.monotonic() >= held_until:
            engine.work()
        if time.monotonic() - last_expire > 1.0:
            engine.expire()
            last_expire = time.monotonic()


def serve_jobs(conn: Connection) -> None:
    """A job worker's loop: run the shared runs of playground.server.jobs one after another, sending their progress;
    exit after JOB_IDLE_EXIT seconds without one (its memory comes back; the next run starts a new worker)."""
    import torch

    torch.set_num_threads(1)
    while conn.poll(JOB_IDLE_EXIT):
        msg = recv(conn)
        if msg == "stop":
            return
        rid, _, name, args = msg
        last = [0.0]

        def progress(fraction: float, message: str) -> None:
            if time.monotonic() - last[0] >= PROGRESS_EVERY or fraction >= 1.0:
                last[0] = time.monotonic()
                send(conn, (rid, "progress", (fraction, message)))
        send(conn, answer(rid, lambda: call(name, args, progress)))


def main() -> None:
    """Entry point of a worker process of its own (no zygote): `python -c "from playground.server.worker import main;
    main()" ADDRESS MODE`, with the authentication key on stdin (a plain subprocess: multiprocessing's spawn would
    re-run the app's __main__, which under `streamlit run` is the page script)."""
    key = bytes.fromhex(sys.stdin.readline().strip())
    run_worker(sys.argv[1], key, sys.argv[2] if len(sys.argv) > 2 else "live")


def run_worker(address: str, key: bytes, mode: str) -> None:
    """A worker's life: connect back to the server at `address` and serve ("live" sessions or "jobs")."""
    # the server's own thread (pages, redraws, a visitor's first view) goes first; a shared run (one for many
    # students) before the live runs (one student's each)
    if mode == "jobs":
        nice, loop = JOB_NICE, serve_jobs
    else:
        nice, loop = WORKER_NICE, serve
    os.nice(nice)
    with Client(address, family="AF_UNIX", authkey=key) as conn:
        try:
            loop(conn)
        except (EOFError, OSError):
            pass  # the server went away

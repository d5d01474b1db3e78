"""Long runs that many sessions ask for with the same settings, computed once per server and shared read-only.

Why LSTM & GRU trains for seconds per button ("Train all five", the race, the clipping runs), and a whole class
presses the same button with the lecturer's settings at once. Every such run is deterministic for its settings,
so the first press starts one job and every later press of the same settings joins it: all of them watch the
same progress and get the same result. Jobs run one at a time, in the order asked, from a background thread
that hands each to a job worker process (JobRunner, below: the runs are Python loops, which in the server's own
process would hold the GIL every page is drawn with), or runs it there itself with PLAYGROUND_WORKERS=0.

    jobs = Jobs()
    job = jobs.submit(("race", settings), lambda progress: call("race", (settings,), progress))
    job.fraction, job.message        # progress, as the run reports it
    job.done, job.result, job.error  # the result is shared: read it, never change it

The runs are named in RUNS, so that a worker process can run one from its name and arguments.

The last KEEP finished results stay (a bounded cache); a failed job is not kept, so pressing again retries.
"""
from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable

from playground.errors import PlaygroundError
from playground.server import pool
from playground.server.protocol import WorkerGone
from playground.server.worker import JOB_IDLE_EXIT, RUNS, Progress, call  # noqa: F401 - RUNS, call: the runs
log = logging.getLogger("playground")
JOB_TIMEOUT = 600.0  # a shared run that takes longer means a hung job worker
KEEP = 32  # finished results kept per server (each is a few trained tiny models and their curves)


@dataclass
class Job:
    """One shared run: its progress while it runs, then its result or a message for the student."""

    key: Hashable
    fraction: float = 0.0
    message: str = "Waiting to start…"
    result: Any = None
    error: str = ""
    order: int = 0  # when it was asked for, among all jobs
    started: bool = False
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        return self.finished.is_set()

    def progress(self, fraction: float, message: str) -> None:
        self.fraction, self.message = min(max(float(fraction), 0.0), 1.0), message


class Jobs:
    """The server's queue of shared runs. `inline=True` runs each job in the caller at once (tests, AppTest)."""

    def __init__(self, keep: int = KEEP, inline: bool = False):
        self.keep, self.inline = keep, inline
        self._jobs: OrderedDict[Hashable, Job] = OrderedDict()
        self._queue: queue.Queue[tuple[Job, Callable[[Progress], Any]]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._order = itertools.count()

    def submit(self, key: Hashable, run: Callable[[Progress], Any]) -> Job:
        """The job for `key`: the one already running, queued or finished, else a new one that runs `run`."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                self._jobs.move_to_end(key)
                return job
            job = self._jobs[key] = Job(key, order=next(self._order))
            if not self.inline:
                self._queue.put((job, run))
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, daemon=True, name="playground-jobs")
                    self._thread.start()
        if self.inline:
            self._run(job, run)
        return job

    def get(self, key: Hashable) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def ahead_of(self, job: Job) -> int:
        """How many runs (the one running included) come before this one starts; 0 once it has."""
        if job.started or job.done:
            return 0
        with self._lock:
            return sum(1 for j in self._jobs.values()
                       if j is not job and not j.done and (j.started or j.order < job.order))

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.done]
        for k in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[k]

    def _loop(self) -> None:
        while True:
            job, run = self._queue.get()
            self._run(job, run)

    def _run(self, job: Job, run: Callable[[Progress], Any]) -> None:
        job.started = True
        job.progress(0.0, "Starting…")
        try:
            job.result = run(job.progress)
            job.progress(1.0, "Done")
        except PlaygroundError as e:
            job.error = str(e)
        except Exception as e:  # noqa: BLE001 - one bad run must not stop the queue
            log.exception("shared job %r failed", job.key)
            job.error = f"Something went wrong ({type(e).__name__}). Try other settings."
        finally:
            with self._lock:  # one step for the waiting pages: finished, and dropped if it failed
                job.finished.set()
                if job.error and self._jobs.get(job.key) is job:
                    del self._jobs[job.key]  # not kept: the next press tries again
                self._trim()


class JobRunner:
    """Runs the shared runs in a worker process of their own, started when first needed."""

    def __init__(self):
        self.worker: pool.Worker | None = None
        self.last_used = 0.0
        self._rid = itertools.count()
        self.lock = threading.Lock()

    def call(self, name: str, args: tuple, progress: Callable[[float, str], None] | None = None) -> Any:
        """jobs.call(name, args, progress), run in the job worker; WorkerGone if it dies meanwhile."""
        with self.lock:
            w = self.worker
            if w is not None and (not w.alive or time.monotonic() - self.last_used > JOB_IDLE_EXIT - 10):
                w.stop()  # dead, or about to exit for idleness while this run is on its way: a new one
                w = None
            if w is None:
                w = self.worker = pool.Worker("jobs")
            self.last_used = time.monotonic()
        try:
            return w.submit(next(self._rid), "", name, args, progress).result(JOB_TIMEOUT)
        except FutureTimeout:
            w.process.kill()
            raise WorkerGone(f"The computation did not finish within {JOB_TIMEOUT / 60:.0f} minutes and was "
                             "stopped. Try fewer steps.") from None
        except WorkerGone:
            with self.lock:  # its socket closes a moment before the process is seen to exit: drop it now
                if self.worker is w:
                    self.worker = None
            w.stop()
            raise WorkerGone("The process running this computation stopped (the server starts a new one). "
                             "Press the button again.") from None
        finally:
            self.last_used = time.monotonic()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()

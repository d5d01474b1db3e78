"""One pre-loaded process that forks the training workers, so that they share its memory copy-on-write.

A worker started as a Python process of its own imports torch and the package again: ~180 MB of private memory
each (measured: `import torch, playground.training.live` gives Pss 180 MB, 175 MB of it anonymous), so two live workers
and a job worker were ~700 MB, the whole of Community Cloud's smallest container. Forked from one process that
imported everything once (and trained one tick of each cell, so that torch's first-use set-up is made there too),
they share those pages until one writes them, and each costs only what it makes: its sessions (measured: a forked
worker holds ~10 MB of its own, a worker of its own ~245 MB; tests/server/test_zygote.py).

    z = Zygote()                        # pool.py starts one per server, on the first worker it needs
    proc = z.fork("live", address, key) # a worker that connects to `address` and serves (worker.run_worker)
    proc.poll(), proc.kill(), proc.wait(5)

The zygote is forked from the server itself, once the server has imported torch and the package (its pages
compute with them too): then the server, the zygote and every worker share one copy of torch's ~140 MB (its C++
operator tables and its Python modules) instead of two. The server freezes its objects first (`gc.freeze`), so its
own garbage collector never writes to (and so never copies) the pages it shares. Forking a process with threads
can copy a lock another thread holds, so the new zygote trains a tick of each cell (what a worker does) before it
says it is ready; if it does not within READY_TIMEOUT, or cannot be forked, it is started as a process of its own
that imports everything again (as before: safe, ~140 MB more). The zygote itself starts no thread: the workers it
forks copy no held lock. It reaps its children, so a dead worker's pid disappears; `Proc` checks the pid's start
time, so a reused pid is never taken for the worker.
"""
from __future__ import annotations

import gc
import importlib
import logging
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from multiprocessing.connection import Client, Connection, Listener

from playground.server import worker
from playground.training import live, live_config
from playground.server.protocol import accept

log = logging.getLogger("playground")
FORK_FROM_SERVER = os.environ.get("PLAYGROUND_ZYGOTE_FORK", "1") != "0"  # 0: always a process of its own
READY_TIMEOUT = 30.0  # seconds for a zygote forked from the server to warm up and say so
SPAWN_TIMEOUT = 120.0  # ...and for one started as a process of its own (it imports torch and the package first)
PRELOAD = ("torch", "playground.training.live", "playground.server.worker", "playground.training.gradflow", "playground.training.race")


class Proc:
    """A process that is not this one's child, as much of `subprocess.Popen` as pool.py uses."""

    def __init__(self, pid: int):
        self.pid = pid
        self._start = _start_time(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            start = _start_time(self.pid)
            if start is None or start != self._start:
                self.returncode = -1  # gone (reaped, or a zombie the zygote has yet to reap)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _start_time(pid: int) -> int | None:
    """The process's start time (clock ticks after boot), None if it does not exist or is a zombie."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in "ZX" else int(fields[19])


class Child(Proc):
    """A process this one forked: reaped here when it ends."""

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


class Zygote:
    """The server's end of the zygote process: fork() asks it for a worker."""

    def __init__(self, from_server: bool | None = None):
        self.lock = threading.Lock()
        self.forked = FORK_FROM_SERVER if from_server is None else from_server
        if self.forked:
            try:
                self.process, self.conn = _fork_from_here()
                return
            except (OSError, EOFError, TimeoutError) as e:
                log.warning("the zygote could not be forked from the server (%s): it starts as a process of its own", e)
                self.forked = False
        self.process, self.conn = _spawn()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def fork(self, mode: str, address: str, key: bytes) -> Proc:
        with self.lock:
            self.conn.send(("fork", mode, address, key.hex()))
            return Proc(self.conn.recv())

    def stop(self) -> None:
        if self.alive:
            self.process.kill()
            self.process.wait(5)
        self.conn.close()


def _ready(process: subprocess.Popen | Proc, conn: Connection, timeout: float) -> None:
    """Wait for the new zygote's "ready"; kill it and raise TimeoutError (EOFError if it died) if it does not come."""
    try:
        if conn.poll(timeout) and conn.recv() == "ready":
            return
        raise TimeoutError(f"the zygote was not ready within {timeout:.0f} s")
    except BaseException:
        process.kill()
        process.wait(5)
        conn.close()
        raise


def _fork_from_here() -> tuple[Child, Connection]:
    """Fork the zygote from this process (the server), sharing its imported torch and package."""
    for name in PRELOAD:
        importlib.import_module(name)
    here, there = multiprocessing.Pipe()
    gc.freeze()  # from now on this process's collector leaves the shared objects alone (no copy-on-write)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python >= 3.12: "multi-threaded, fork() may deadlock"
        pid = os.fork()
    if pid == 0:
        code = 1
        try:
            here.close()
            _alone(there.fileno())
            _serve(there)
            code = 0
        finally:
            os._exit(code)
    there.close()
    child = Child(pid)
    _ready(child, here, READY_TIMEOUT)
    return child, here


def _alone(keep: int) -> None:
    """In a zygote forked from the server: drop what was the server's (its sockets, its signal handlers)."""
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


def _spawn() -> tuple[subprocess.Popen, Connection]:
    """The zygote as a Python process of its own, which imports everything itself."""
    key = secrets.token_bytes(16)
    path = os.path.join(tempfile.mkdtemp(prefix="playground-zygote-"), "zygote.sock")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    with Listener(path, family="AF_UNIX", authkey=key) as listener:
        process = subprocess.Popen([sys.executable, "-c", "from playground.server.zygote import main; main()", path],
                                   stdin=subprocess.PIPE, env=env, cwd=root)
        process.stdin.write(key.hex().encode() + b"\n")
        process.stdin.close()
        conn = accept(listener, path)
    os.rmdir(os.path.dirname(path))
    _ready(process, conn, SPAWN_TIMEOUT)
    return process, conn


def main() -> None:
    """The zygote as a process of its own: preload, then serve."""
    key = bytes.fromhex(sys.stdin.readline().strip())
    for name in PRELOAD:
        importlib.import_module(name)
    with Client(sys.argv[1], family="AF_UNIX", authkey=key) as conn:
        _serve(conn)


def _serve(conn: Connection) -> None:
    """Warm up, say so, then fork a worker per request and reap the ones that end."""
    import torch

    torch.set_num_threads(1)
    _warm_up()
    gc.collect()
    gc.freeze()  # the workers' garbage collector then never walks (and so never copies) the preloaded objects
    conn.send("ready")
    while True:
        _reap()
        try:
            if not conn.poll(1.0):
                continue
            _, mode, address, key_hex = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        pid = os.fork()
        if pid == 0:  # the worker
            conn.close()
            try:
                worker.run_worker(address, bytes.fromhex(key_hex), mode)
            finally:
                os._exit(0)
        conn.send(pid)


def _warm_up() -> None:
    """Train one tick of each cell once here: what torch sets up on its first use (kernels, caches) is then made
    once, in pages every worker shares, instead of once in each."""
    for cell in live_config.CELLS:
        live.LiveSession(live.LiveConfig(cell=cell, hidden=4, length=4, steps_per_tick=2)).step_once()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return

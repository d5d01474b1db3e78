"""What the room bench (bench/room.py) measures beside its clients: the processes' CPU and memory over its window,
and load goal 3's new visitor of Read a review (a Chromium of its own, and a light client for the server's side)."""
from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import time
from pathlib import Path

import felt
from browser_follower import CHROMIUM, CHROMIUM_ARGS
from load import Server, cpu_seconds
from stclient import Client

APART = Path(__file__).resolve().parent / "chromium_apart.sh"  # Chromium in a scheduling group ahead of the others

def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        ps = subprocess.run(["ps", "-o", "pid=", "--ppid", str(p)], capture_output=True, text=True)
        kids = [int(k) for k in ps.stdout.split()]
        out += kids
        todo += kids
    return out


def browsers_cpu(server: Server) -> dict[int, float]:
    """CPU seconds of each of the bench's own child processes that are not the server's (the Chromiums and their
    playwright drivers). Their own only (load.cpu_seconds): a parent's count of its reaped children would count a
    Chromium that closes within the window twice (sampled while it ran, then in its driver's)."""
    app = set(server.pids())
    own = {pid: cpu_seconds([pid]) for pid in descendants(os.getpid()) if pid not in app}
    return {pid: c for pid, c in own.items() if c > 0}  # 0: gone before its read (its last sample stands)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (every core, every process), from /proc/stat."""
    f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(f[:8]) - f[3] - f[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


class Visitor(threading.Thread):
    """Load goal 3's new visitor of Read a review: a Chromium of its own, driven by sync playwright in this thread
    (bench/felt.py's visitor), `rounds` visits on the idle server, then as many once `go` is set."""

    def __init__(self, url: str, rounds: int = 3, apart: bool = False):
        super().__init__(daemon=True, name="visitor")
        self.url, self.rounds = url, rounds
        self.chromium = str(APART) if apart else CHROMIUM  # apart: ahead of the server and the bench for the CPU
        self.idle_done, self.go, self.done = threading.Event(), threading.Event(), threading.Event()
        self.idle: tuple[list[float], list[float]] = ([], [])
        self.loaded: tuple[list[float], list[float]] = ([], [])
        self.error: str | None = None

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=self.chromium, headless=True, args=CHROMIUM_ARGS)
                try:
                    felt.visitor(browser, self.url, 1)  # the server's first visit of the page (imports) is not timed
                    self.idle = felt.visitor(browser, self.url, self.rounds)
                    self.idle_done.set()
                    self.go.wait()
                    self.loaded = felt.visitor(browser, self.url, self.rounds)
                finally:
                    browser.close()
        except Exception as e:  # noqa: BLE001 - reported with the figures
            self.error = f"the visitor: {e!r}"
        finally:
            self.idle_done.set()
            self.done.set()


async def light_visit(url: str, timeout: float = 60.0) -> float:
    """The server's side of a new visitor: a light client opens Read a review; seconds until its first chart arrives
    (no browser's own work in it)."""
    c = Client(url, "read_a_review")
    t0 = time.perf_counter()
    task = asyncio.ensure_future(c.visit(timeout))
    try:
        while not any(r.charts for r in c.runs):
            if task.done() or time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"a light visitor saw no chart of Read a review in {timeout:g} s: {c.errors}")
            await asyncio.sleep(0.005)
        return time.perf_counter() - t0
    finally:
        c._stop_timers()
        if c._ws is not None:
            await asyncio.wait_for(c._ws.close(), 10)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def light_visits(url: str, n: int, into: list[float], every: float = 2.0) -> None:
    for _ in range(n):
        into.append(await light_visit(url))
        await asyncio.sleep(every)


async def sample_browsers(server: Server, into: dict[int, float], every: float = 0.25) -> None:
    """Keep `into` at each browser process's latest CPU seconds (browsers_cpu): a browser context's renderer comes
    and goes within the window, so only a sample taken while it lives counts it (up to `every` s of it is lost)."""
    while True:
        into.update(await asyncio.to_thread(browsers_cpu, server))
        await asyncio.sleep(every)


async def sample_pss(server: Server, into: list[float], every: float = 2.0) -> None:
    while True:
        into.append(await asyncio.to_thread(server.rss_mb))
        await asyncio.sleep(every)

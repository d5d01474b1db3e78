"""The lecture-hall benchmark: N sessions training live on one server, as a class would.

    python bench/load.py                       # N = 1, 5, 20 (distinct settings) and 50 (one shared link)
    python bench/load.py --sessions 5 --seconds 20 --check   # CI's short form: asserts, exits 1 on a failure
    python bench/load.py --crowd 1 20          # Why LSTM & GRU: 1, then 20 sessions press the same buttons

It starts the app (`streamlit run app.py`, its own port), opens N light clients (bench/stclient.py: the
app's websocket protocol, no rendering) on Train live, each with its own seed (or all on one link with
--same), presses Play and measures over a window after a warm-up:
- per session: redraws/s (finished training-panel runs with charts) and training steps/s (its "Step" metric),
  min / median / max, and whether any session stalled (no redraw in the last 5 s);
- a new visitor's Read a review: seconds from opening the page to its first chart;
- the server's CPU in cores (app process and its workers) and its memory (MB, proportional set size).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from stclient import Client  # noqa: E402

PANEL_CHARTS = 6  # a training-panel redraw sends this many charts (loss, network, probe, gradients, radius, weights)
BARE = """
import os, sys, time, torch
torch.set_num_threads(1)
from playground.training import live
from playground.server import worker
os.nice(worker.WORKER_NICE)  # the priority the server's workers train at: a fair baseline on a busy machine too
s = live.LiveSession(live.LiveConfig())  # the page's defaults
s.play()
s.tick()  # warm-up
t0, n0 = time.perf_counter(), s.step
while time.perf_counter() - t0 < float(sys.argv[1]):
    s.tick()
print((s.step - n0) / (time.perf_counter() - t0))
"""


def bare_steps_per_s(seconds: float = 10.0) -> float:
    """The bare training loop's steps/s: the page's defaults trained tick after tick in a process of its own (one
    thread, no server, no redraws): what a student alone could get at most, measured in the same run."""
    out = subprocess.run([sys.executable, "-c", BARE, str(seconds)], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return float(out.stdout.split()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes `pids` have used so far."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            pass
    return total


class Server:
    """`streamlit run serve.py` (the app and its routes) on a free port, stopped on exit; its log is kept for the error check."""

    def __init__(self, port: int | None = None, env: dict | None = None, log: Path | None = None,
                 args: tuple[str, ...] = (), script: str = "serve.py"):
        self.script = script  # what `streamlit run` runs, relative to the project (bench/felt.py: its floor page)
        self.port = port or free_port()
        self.args = args  # more `streamlit run` options, e.g. ("--server.disconnectedSessionTTL", "5")
        self.log_path = log or Path(f"/tmp/rnn-playground-load-{self.port}.log")
        self._env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
             "--server.port", str(self.port), "--browser.gatherUsageStats", "false", *self.args],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=self._env, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the app did not answer within 60 s; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()

    def pids(self) -> list[int]:
        """The app process and every process under it (the zygote, and the workers it forked)."""
        out, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            ps = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
            todo += [int(p) for p in ps.stdout.split()]
        return out

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pids())

    def rss_mb(self, field: str = "Pss:") -> float:
        """Memory of the app and its workers, MB. Pss by default: pages the processes share (the torch library)
        count once in total, as the container's memory limit sees them; Rss counts them in every process."""
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith(field):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total / 1024

    def log_errors(self) -> list[str]:
        """Tracebacks in the log that pass through the app's own code (Streamlit's server also logs one when a
        client drops its websocket mid-handshake: that is the client's doing, not an error of the app)."""
        blocks = self.log_path.read_text(errors="replace").split("Traceback (most recent call last):")[1:]
        ours = ("/playground/", "/pages/", "app.py")
        return [b.strip().splitlines()[-1] for b in blocks if any(o in b for o in ours)]


def _steps(c: Client, t0: float, t1: float) -> list[tuple[float, int]]:
    """(when, step shown) for the session's redraws that finished inside [t0, t1]."""
    out = []
    for r in c.finished_runs(t0):
        if r.finished <= t1 and "Step" in r.metrics:
            try:
                out.append((r.finished, int(r.metrics["Step"].replace(",", ""))))
            except ValueError:
                pass
    return out


@dataclass
class Result:
    n: int
    same: bool
    redraws: list[float]
    steps: list[float]
    stalled: int
    visitor_s: float | None
    cores: float
    rss_mb: float
    errors: list[str]
    first_shown: dict[int, str]  # seed -> the held-out loss the session showed at step 0

    def line(self) -> str:
        def mmm(v: list[float], fmt: str) -> str:
            return "/".join(format(x, fmt) for x in (min(v), statistics.median(v), max(v))) if v else "-"
        visitor = f"{self.visitor_s:.1f} s" if self.visitor_s is not None else "never"
        return (f"N={self.n:<3d}{' same link' if self.same else ' distinct '} redraws/s {mmm(self.redraws, '.2f'):>16}"
                f"  steps/s {mmm(self.steps, '.0f'):>13}  stalled {self.stalled}  visitor {visitor:>6}"
                f"  cpu {self.cores:.2f} cores  mem {self.rss_mb:.0f} MB")


async def measure(server: Server, n: int, seconds: float, warmup: float, same: bool = False,
                  page: str = "train_live", base_query: str = "task=parity") -> Result:
    clients = [Client(server.url, page, base_query if same else f"{base_query}&seed={i + 1}") for i in range(n)]
    visits = [asyncio.ensure_future(c.visit(warmup + seconds + 2, press="train:play", press_after=0.2))
              for c in clients]
    await asyncio.sleep(warmup)
    t0, cpu0 = time.perf_counter(), server.cpu_seconds()
    visitor = Client(server.url, "read_a_review")
    visit = asyncio.ensure_future(visitor.visit(min(seconds, 20)))
    await asyncio.sleep(seconds)
    t1, cpu1, rss = time.perf_counter(), server.cpu_seconds(), server.rss_mb()
    await visit
    await asyncio.gather(*visits)
    redraws, steps, stalled = [], [], 0
    for c in clients:
        done = [r for r in c.finished_runs(t0) if r.finished <= t1 and "Step" in r.metrics
                and r.charts + r.cached >= PANEL_CHARTS]
        redraws.append(len(done) / (t1 - t0))
        seen = _steps(c, t0, t1)  # steps/s between the first and the last redraw inside the window
        steps.append((seen[-1][1] - seen[0][1]) / (seen[-1][0] - seen[0][0]) if len(seen) > 1 else 0.0)
        if not done or done[-1].finished < t1 - 5:
            stalled += 1
    first_chart = next((r for r in visitor.runs if r.charts), None)
    visitor_s = (first_chart.finished - visitor.runs[0].started) if first_chart and first_chart.finished else None
    errors = [e for c in [*clients, visitor] for e in c.errors]
    errors += [x for c in clients for r in c.runs for x in r.exceptions]
    return Result(n, same, redraws, steps, stalled, visitor_s, (cpu1 - cpu0) / (t1 - t0), rss, errors,
                  {i + 1: _first_loss(c) for i, c in enumerate(clients)})


@dataclass
class Wait:
    """A crowd pressing one button of Why LSTM & GRU with the same settings: seconds from each press to the
    result on that session's screen, and whether it watched a progress bar meanwhile."""

    n: int
    button: str
    waits: list[float | None]
    progress: int  # sessions that saw a progress bar before their result
    cores: float
    errors: list[str]

    def line(self) -> str:
        got = sorted(w for w in self.waits if w is not None)
        mmm = "/".join(f"{x:.1f}" for x in (got[0], statistics.median(got), got[-1])) if got else "-"
        return (f"N={self.n:<3d}{self.button:>16} wait s {mmm:>16}  got it {len(got)}/{self.n}"
                f"  progress bar {self.progress}/{self.n}  cpu {self.cores:.2f} cores")


GATES_BUTTONS = {"gates:five": "held-out accuracy", "gates:race_run": "How to read it: one point per cell"}


async def measure_wait(server: Server, n: int, button: str, seed: int, seconds: float = 180.0) -> Wait:
    """n sessions open Why LSTM & GRU on one link (seed `seed`), each presses `button` once its page is drawn."""
    clients = [Client(server.url, "why_lstm_gru", f"seed={seed}") for _ in range(n)]
    done_text = GATES_BUTTONS[button]
    cpu0, t0 = server.cpu_seconds(), time.perf_counter()

    async def visit(c: Client) -> None:
        task = asyncio.ensure_future(c.visit(seconds, press=button))
        while not task.done():
            if c.pressed_at and _result_at(c, done_text) is not None:
                task.cancel()  # it has its result: leave, as a student moving on would
            await asyncio.sleep(0.1)
    await asyncio.gather(*(visit(c) for c in clients), return_exceptions=True)
    waits, bars = [], 0
    for c in clients:
        got = _result_at(c, done_text)
        waits.append(got - c.pressed_at if got is not None and c.pressed_at else None)
        bars += any(r.progress for r in c.runs if c.pressed_at and r.started >= c.pressed_at - 0.05)
    errors = [e for c in clients for e in c.errors] + [x for c in clients for r in c.runs for x in r.exceptions]
    return Wait(n, button, waits, bars, (server.cpu_seconds() - cpu0) / (time.perf_counter() - t0), errors)


def _result_at(c: Client, text: str) -> float | None:
    """When the session's first run after its press finished showing `text`."""
    return next((r.finished for r in c.finished_runs(c.pressed_at or 0.0) if any(text in t for t in r.texts)),
                None)


def _first_loss(c: Client) -> str:
    return next((r.metrics.get("Held-out loss", "") for r in c.runs if r.metrics.get("Step") == "0"), "")


def expected_first_loss(seed: int, base_query: str = "task=parity") -> str:
    """What a session with this seed must show at step 0, computed here from the same settings."""
    sys.path.insert(0, str(ROOT))
    from playground.training import live
    from playground.views import train_live as live_text
    from playground.state import from_params

    cfg, _ = from_params(live.LiveConfig, dict(kv.split("=") for kv in f"{base_query}&seed={seed}".split("&")))
    return live_text.fmt_loss(live.LiveSession(cfg).latest()["test_loss"])


def models_digest() -> str:
    h = hashlib.sha256()
    for p in sorted((ROOT / "assets").rglob("*")):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="*", help="N values (default 1 5 20, then 50 on one link)")
    ap.add_argument("--seconds", type=float, default=30.0, help="measuring window per N")
    ap.add_argument("--warmup", type=float, default=8.0)
    ap.add_argument("--same", action="store_true", help="every session on one link (the lecturer's)")
    ap.add_argument("--check", action="store_true",
                    help="CI's short form: assert every session advances, numbers are per session, no error")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--crowd", type=int, nargs="*",
                    help="Why LSTM & GRU instead: N values (e.g. 1 20), each N pressing Train all five and then the "
                         "race on one link (a new seed per N: nothing is cached from the N before)")
    a = ap.parse_args(argv)
    if a.crowd:
        with Server() as server:
            for i, n in enumerate(a.crowd):
                for button in GATES_BUTTONS:
                    print(asyncio.run(measure_wait(server, n, button, seed=100 + i)).line(), flush=True)
            errors = server.log_errors()
        print("server log errors:", errors[:3] if errors else "none")
        return 0
    plan = [(n, a.same) for n in a.sessions] if a.sessions else [(1, False), (5, False), (20, False), (50, True)]
    digest = models_digest()
    results, failures = [], []
    with Server() as server:
        for n, same in plan:
            r = asyncio.run(measure(server, n, a.seconds, a.warmup, same))
            results.append(r)
            print(r.line(), flush=True)
            if n == 1 and not a.check:  # goal: alone, >= 80% of the bare loop while watching >= 2 redraws/s
                bare = bare_steps_per_s(min(a.seconds, 10.0))
                print(f"      the bare loop (page defaults, no server): {bare:.0f} steps/s; this session got "
                      f"{r.steps[0] / bare:.0%} of it at {r.redraws[0]:.2f} redraws/s", flush=True)
            if a.check:
                failures += check(r)
        log_errors = server.log_errors()
    if a.check:
        if log_errors:
            failures.append(f"the server log has errors: {log_errors[:3]}")
        if models_digest() != digest:
            failures.append("the shipped models changed during the run")
        for f in failures:
            print(f"FAIL: {f}")
        print("load check: " + ("ok" if not failures else f"{len(failures)} failure(s)"))
    if a.json:
        a.json.write_text(json.dumps([r.__dict__ for r in results], indent=1))
    return 1 if failures else 0


def check(r: Result) -> list[str]:
    """What CI asserts: every session advances, no errors, and distinct settings show distinct numbers."""
    out = []
    if r.errors:
        out.append(f"N={r.n}: errors {r.errors[:3]}")
    slow = [i + 1 for i, s in enumerate(r.steps) if s <= 0]
    if slow:
        out.append(f"N={r.n}: sessions {slow} did not advance")
    if not r.same:  # each session shows its own seed's numbers, never another session's
        wrong = {seed: shown for seed, shown in r.first_shown.items() if shown != expected_first_loss(seed)}
        if wrong:
            out.append(f"N={r.n}: sessions showing another run's step-0 held-out loss: {wrong}")
    return out


if __name__ == "__main__":
    sys.exit(main())

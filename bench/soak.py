"""The soak bench: does the served app's memory grow over a long lecture?

    python bench/soak.py                               # 10 + 10 minutes (about 22 with the priming visits)
    python bench/soak.py --minutes 0.5 --ttl 5 --check # CI's short form (.ci/run): exits 1 on a failure
    python bench/soak.py --minutes 0.5 --ttl 5 --check --leak 240   # the same with a deliberate leak: must fail

It starts the app (bench/load.py's `Server`), primes it (one visit of every page and setting used below, so
the models and the bounded caches are loaded before anything is judged), then runs two phases while it
samples the memory of the app's whole process tree (server, zygote, workers, job worker) every few seconds:
- A: one session on Train live presses Play and stays `--minutes`; when the run reaches live.MAX_STEPS (the
  per-session cap) it presses Reset and Play again, as a lecturer would, so it trains the whole phase;
- B: for `--minutes` more, sessions open and close, `--concurrent` at a time, each staying 5 s to a minute:
  Train live playing with settings of its own (its run lives in a worker, until Streamlit drops the session),
  Read a review with one of a few texts, Why LSTM & GRU with one of a few seeds (the server keeps up to 64 such
  views, jobs.Memo: a few settings fill it partly during the priming and then hold still; new settings at
  every visit would grow it, rightly, up to its bound).

Memory is PSS (proportional set size: pages the processes share count once in total, as a container's limit
counts them), summed over the tree, and RSS for comparison. Each phase prints a table and the least-squares
slope in MB/min over its part after a warm-up. Phase B's warm-up is the server's disconnectedSessionTTL plus a
minute: a closed session is kept that long (its state, its run in a worker) before it is dropped, so until
then memory rises with every visit by design; after it, as many sessions are dropped as are opened. `--ttl`
sets that TTL (CI's short form: 5 s, so its 30-s phase sees drops); by default it is the app's own.

--check fails when a phase's PSS and RSS slopes both exceed a limit (MAX_SLOPE below says which and why),
when phase A's training stopped advancing, when a session saw an error or an exception (a visit that ended
before its page drew is not one), or when the server log has a line with "Traceback", "Error" or "Exception".
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from load import Server  # noqa: E402
from stclient import Client  # noqa: E402

from playground.training.live import MAX_STEPS  # noqa: E402
from playground.training.live_config import task_defaults  # noqa: E402

DEFAULT_TTL = 120.0  # Streamlit's server.disconnectedSessionTTL; .streamlit/config.toml does not change it
# --check's growth test: a phase fails when its PSS *and* its RSS both grow faster than
#   max(MAX_SLOPE, 1.5 * STEP_MB / minutes judged)  MB/min
# (1.5 * STEP_MB / minutes: the largest least-squares slope that one step of STEP_MB makes, a step in the middle).
# Why both: a leak is new private pages, which count fully in both. PSS alone also moves when a process outside
# the tree that maps the same libraries (another Python with torch) starts or exits (those pages' shares change)
# and when a worker writes to a page it shares with the zygote (copy-on-write: RSS unchanged); RSS alone moves
# when a process first touches pages it shares. Why MAX_SLOPE = 2: a 2-hour lecture at 2 MB/min grows by 240 MB,
# a quarter of a replica's planned 1 GB (README). Why STEP_MB = 5: one step of that size (an allocator arena, a
# batch of copy-on-write pages: steps of 2-12 MB PSS were seen here in clean runs) is not growth; over CI's 20-s
# windows it reads as up to 22.5 MB/min, so the short form catches leaks above that, the 10-minute form (7 and 9
# minutes judged) above 2 MB/min.
MAX_SLOPE = 2.0
STEP_MB = 5.0
LOG_WORDS = re.compile(r"Traceback|Error|Exception")
TEXTS = ["The first half is slow, but the ending is wonderful.", "Not bad at all, I would watch it again.",
         "A dull, predictable film with one good scene.", "I have never been so bored in a cinema."]
TASKS = ["parity", "counting", "recall", "sine"]


@dataclass
class Sample:
    t: float  # seconds since the first phase began
    phase: str
    pss: float  # MB, summed over the app's process tree
    rss: float
    procs: int
    sessions: int  # sessions the bench has open at that moment
    steps: int  # phase A's session: steps trained so far (over all its Resets)
    shown: bool = False  # printed as a row of the table


def tree_memory(server: Server) -> tuple[float, float, int]:
    """(PSS MB, RSS MB, processes) of the app and every process under it."""
    pss = rss = 0
    pids = server.pids()
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:  # it exited between the walk and the read
            pass
    return pss / 1024, rss / 1024, len(pids)


def slope(ts: list[float], ys: list[float]) -> float:
    """Least-squares slope of ys over ts (seconds), in units per minute."""
    mt, my = statistics.fmean(ts), statistics.fmean(ys)
    var = sum((t - mt) ** 2 for t in ts)
    return 60 * sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / var if var else 0.0


@dataclass
class Verdict:
    phase: str
    warmup: float  # seconds of the phase left out
    n: int  # samples judged
    pss_slope: float  # MB/min
    rss_slope: float
    pss_first: float  # MB, the first and last judged samples
    pss_last: float
    limit: float  # MB/min: both slopes above this fail
    failures: list[str]

    def line(self) -> str:
        return (f"phase {self.phase}: PSS slope {self.pss_slope:+.2f} MB/min, RSS slope {self.rss_slope:+.2f} MB/min"
                f" over {self.n} samples after a {self.warmup:.0f}-s warm-up (PSS {self.pss_first:.0f} -> "
                f"{self.pss_last:.0f} MB; limit {self.limit:.1f} MB/min)")


def judge(samples: list[Sample], phase: str, warmup: float, max_slope: float = MAX_SLOPE,
          step_mb: float = STEP_MB) -> Verdict:
    """The phase's memory after its first `warmup` seconds: it fails when PSS and RSS both grow faster than
    max(max_slope, 1.5 * step_mb / minutes judged), see MAX_SLOPE."""
    mine = [s for s in samples if s.phase == phase]
    kept = [s for s in mine if s.t >= mine[0].t + warmup] if mine else []
    if len(kept) < 4:
        return Verdict(phase, warmup, len(kept), 0.0, 0.0, 0.0, 0.0, max_slope,
                       [f"phase {phase}: {len(kept)} memory samples after the warm-up, too few for a slope"])
    ts = [s.t for s in kept]
    limit = max(max_slope, 1.5 * step_mb / ((ts[-1] - ts[0]) / 60))
    v = Verdict(phase, warmup, len(kept), slope(ts, [s.pss for s in kept]), slope(ts, [s.rss for s in kept]),
                kept[0].pss, kept[-1].pss, limit, [])
    if min(v.pss_slope, v.rss_slope) > limit:
        v.failures.append(f"phase {phase}: memory grows by {v.pss_slope:.1f} MB/min (PSS), {v.rss_slope:.1f} MB/min "
                          f"(RSS) after the warm-up, more than {limit:.1f}")
    return v


@dataclass
class Soak:
    """What the bench saw, filled in as it runs."""

    server: Server
    every: float
    samples: list[Sample] = field(default_factory=list)
    phase: str = "prime"
    open: int = 0
    steps: int = 0  # phase A's steps so far
    resets: int = 0
    t0: float = field(default_factory=time.perf_counter)
    visits: list[tuple[str, Client, bool]] = field(default_factory=list)  # (phase, client, it pressed Play)
    row_every: float = 0.0  # seconds between the table's rows, printed as it runs (0: none)

    async def sample_forever(self) -> None:
        while True:
            pss, rss, procs = await asyncio.to_thread(tree_memory, self.server)
            if self.phase != "prime":
                self.samples.append(Sample(time.perf_counter() - self.t0, self.phase, pss, rss, procs, self.open,
                                           self.steps))
                self._print_row()
            await asyncio.sleep(self.every)

    def _print_row(self) -> None:
        s, shown = self.samples[-1], [x for x in self.samples[:-1] if x.shown]
        if self.row_every and (not shown or shown[-1].phase != s.phase or s.t - shown[-1].t >= self.row_every):
            s.shown = True
            print(row(s), flush=True)

    async def visit(self, page: str, query: str, seconds: float, press: str | None = None, during=None) -> None:
        c = Client(self.server.url, page, query)
        self.visits.append((self.phase, c, press is not None))
        self.open += 1
        try:
            await c.visit(seconds, press=press, press_after=0.2, during=during)
        finally:
            self.open -= 1

    async def keep_training(self, c: Client) -> None:
        """Phase A's session: count its steps; at the cap press Reset, then Play once the reset run is drawn."""
        base = last = 0
        while True:
            await asyncio.sleep(0.5)
            shown = _last_step(c)
            if shown is None:
                continue
            if shown < last:  # a Reset: the count starts again
                base += last
            last = shown
            self.steps = base + last
            if shown >= MAX_STEPS:
                self.resets += 1
                await c.press("train:reset")
                pressed = c.pressed_at
                while not any(r.status for r in c.finished_runs(pressed)):
                    await asyncio.sleep(0.1)
                await c.press("train:play")
                while (_last_step(c) or 0) >= MAX_STEPS:
                    await asyncio.sleep(0.1)


def _last_step(c: Client) -> int | None:
    for r in reversed(c.finished_runs()):
        if "Step" in r.metrics:
            try:
                return int(r.metrics["Step"].replace(",", ""))
            except ValueError:
                return None
    return None


def _drew(c: Client) -> bool:
    return any(r.metrics or r.charts for r in c.finished_runs())


def visit_plan(i: int) -> tuple[str, str, str | None]:
    """Phase B's i-th visit: (page, query, button to press). Train live gets settings of its own every time."""
    kind = i % 4
    if kind in (0, 2):
        k = i // 2
        task = TASKS[k % len(TASKS)]
        natural = "&".join(f"{key}={v}" for key, v in task_defaults(task).items())  # as the page's task picker sets
        return "train_live", f"task={task}&{natural}&seed={k + 1}&hidden={(8, 16, 32)[k % 3]}", "train:play"
    if kind == 1:
        k = i // 4
        return "read_a_review", f"text={quote(TEXTS[k % len(TEXTS)])}&model={('rnn', 'lstm', 'gru')[k % 3]}", None
    return "why_lstm_gru", f"seed={(i // 4) % 3}", None


async def prime(soak: Soak) -> float:
    """One visit of every page and setting phase B uses (not measured): models, workers and caches load."""
    t = time.perf_counter()
    await soak.visit("train_live", "task=parity&seed=1", 8, press="train:play")
    plans = {visit_plan(i)[:2] for i in range(48) if visit_plan(i)[0] != "train_live"}  # 12 reviews, 3 seeds
    for page, query in sorted(plans):
        await soak.visit(page, query, 4)
    return time.perf_counter() - t


async def phase_b(soak: Soak, seconds: float, concurrent: int, max_stay: float, seed: int = 0) -> int:
    """Sessions open and close for `seconds`, `concurrent` at a time; returns how many visits were made."""
    rng, end, tasks, i = random.Random(seed), time.perf_counter() + seconds, set(), 0
    while True:
        left = end - time.perf_counter()
        if left < 3:
            break
        if soak.open < concurrent:
            page, query, press = visit_plan(i)
            stay = min(rng.uniform(5, max_stay), left)
            tasks.add(asyncio.ensure_future(soak.visit(page, query, stay, press=press)))
            i += 1
            await asyncio.sleep(rng.uniform(0, 2))  # arrivals are spread out
        else:
            await asyncio.sleep(0.2)
    await asyncio.gather(*tasks)
    return i


async def run(server: Server, seconds: float, every: float, concurrent: int) -> tuple[Soak, float, int]:
    soak = Soak(server, every)
    sampler = asyncio.ensure_future(soak.sample_forever())
    primed = await prime(soak)
    print(f"primed in {primed:.0f} s (one visit of each page and setting, not measured)\n{HEADER}", flush=True)
    soak.row_every = max(every, seconds / 20)
    soak.t0, soak.phase = time.perf_counter(), "A"
    await soak.visit("train_live", "task=parity&seed=1", seconds, press="train:play", during=soak.keep_training)
    soak.phase = "B"
    visits = await phase_b(soak, seconds, concurrent, max_stay=min(60.0, max(6.0, seconds / 3)))
    await asyncio.sleep(every)  # one more sample with every session closed
    sampler.cancel()
    return soak, primed, visits


HEADER = f"{'t s':>6} {'phase':>5} {'open':>4} {'procs':>5} {'PSS MB':>7} {'RSS MB':>7} {'A steps':>8}"


def row(s: Sample) -> str:
    return f"{s.t:6.0f} {s.phase:>5} {s.sessions:4d} {s.procs:5d} {s.pss:7.1f} {s.rss:7.1f} {s.steps:8d}"


def log_lines(server: Server) -> list[str]:
    return [ln for ln in server.log_path.read_text(errors="replace").splitlines() if LOG_WORDS.search(ln)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="length of each phase (default 10)")
    ap.add_argument("--every", type=float, help="seconds between memory samples (default: 5, 2 below 3 minutes)")
    ap.add_argument("--warmup", type=float, help="seconds of each phase left out of its slope (default: phase A "
                    "a minute, phase B the TTL plus a minute; at most a third of the phase)")
    ap.add_argument("--concurrent", type=int, default=3, help="phase B's sessions open at once")
    ap.add_argument("--ttl", type=float, help="server.disconnectedSessionTTL, seconds (default: the app's, 120)")
    ap.add_argument("--max-slope", type=float, default=MAX_SLOPE,
                    help=f"MB/min above which --check fails (default {MAX_SLOPE:g}; {STEP_MB:g} MB over a short window)")
    ap.add_argument("--check", action="store_true", help="exit 1 on a failure (see above)")
    ap.add_argument("--json", type=Path, help="also write the memory samples here")
    ap.add_argument("--leak", type=float, help="make the server leak this many MB/min (bench/leak/): the check "
                                               "must then fail")
    a = ap.parse_args(argv)
    seconds = a.minutes * 60
    every = a.every or (5.0 if seconds >= 180 else 2.0)
    ttl = DEFAULT_TTL if a.ttl is None else a.ttl
    warm_a = a.warmup if a.warmup is not None else min(60.0, seconds / 3)
    warm_b = a.warmup if a.warmup is not None else min(ttl + 60.0, seconds / 3)
    env = {}
    if a.leak:
        import os
        env = {"RNNP_SOAK_LEAK_MB_PER_MIN": str(a.leak),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "bench" / "leak"), os.environ.get("PYTHONPATH")]))}
    args = ("--server.disconnectedSessionTTL", f"{ttl:g}") if a.ttl is not None else ()
    print(f"soak: 2 phases of {seconds:.0f} s; memory every {every:g} s; session TTL {ttl:g} s"
          f"{'; LEAK ' + format(a.leak, 'g') + ' MB/min switched on' if a.leak else ''}", flush=True)
    start = time.perf_counter()
    with Server(env=env, args=args) as server:
        soak, primed, visits = asyncio.run(run(server, seconds, every, a.concurrent))
        logged = log_lines(server)
    if soak.samples and not soak.samples[-1].shown:
        print(row(soak.samples[-1]))
    if a.json:
        a.json.write_text(json.dumps([x.__dict__ for x in soak.samples]))
    verdicts = [judge(soak.samples, "A", warm_a, a.max_slope), judge(soak.samples, "B", warm_b, a.max_slope)]
    failures = [f for v in verdicts for f in v.failures]
    for v in verdicts:
        print(v.line())
    a_samples = [s for s in soak.samples if s.phase == "A"]
    late = [s.steps for s in a_samples if s.t >= a_samples[0].t + warm_a] if a_samples else []
    advanced = late[-1] - late[0] if len(late) > 1 else 0
    print(f"phase A: {soak.steps} steps trained ({soak.resets} Resets at the {MAX_STEPS:,}-step cap), {advanced} "
          f"of them after the warm-up")
    if advanced <= 0:
        failures.append("phase A: the training did not advance after the warm-up")
    b = [(c, pressed) for phase, c, pressed in soak.visits if phase == "B"]
    drew = sum(_drew(c) for c, _ in b)
    trained = sum(1 for c, pressed in b if pressed and (_last_step(c) or 0) > 0)
    print(f"phase B: {visits} visits ({sum(p for _, p in b)} on Train live, {trained} of them trained), "
          f"{drew} drew their page")
    seen = [e for _, c, _ in soak.visits for e in c.errors + [x for r in c.runs for x in r.exceptions]
            if not (e.startswith("never saw the button") and not _drew(c))]  # it left before its page drew
    if seen:
        failures.append(f"sessions saw errors: {seen[:3]}")
    print(f"server log: {len(logged)} line(s) with Traceback/Error/Exception" + (f": {logged[:3]}" if logged else ""))
    if logged:
        failures.append(f"the server log has errors: {logged[:3]}")
    print(f"wall time: {time.perf_counter() - start:.0f} s")
    if a.check:
        for f in failures:
            print(f"FAIL: {f}")
        print("soak check: " + ("ok" if not failures else f"{len(failures)} failure(s)"))
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

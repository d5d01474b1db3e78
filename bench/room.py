"""The room bench: one presenter and N followers in a room, the presenter playing on Train live, then moving on.

    python bench/room.py                                       # 100 followers, a 30-s window, then the move
    python bench/room.py --followers 100 --browser             # ... and one real Chromium follower
    python bench/room.py --followers 10 --seconds 10 --check   # CI's short form: exits 1 on a failure
    python bench/room.py --followers 50 --solos 20             # a room and 20 students training on their own
    python bench/room.py --followers 50 --solos 20 --visitor   # ... and a new visitor of Read a review in Chromium
    python bench/room.py --followers 100 --moves 9             # 100 followers, then scenes 8, 7, 8, ...: each move timed

It starts the app (bench/load.py's `Server`, its own port) and drives it with light clients (bench/stclient.py):
1. The presenter opens the Lecture page, presses "Open a room" (room:open) and reads the room's code off the page.
2. The presenter goes to Train live on the tour's training scene (scene 7 by default: its link's settings,
   `scene=7`), in the same session, as a click on the scene's link does (a rerun naming the page and its query).
3. N followers open the room's link, `/?room=CODE`: the app takes each to the presenter's page and settings.
   With --browser, one more follower is a real Chromium (Debian's /usr/bin/chromium through playwright).
4. The presenter presses Play (train:play): the room trains one run, every follower draws it. After a warm-up,
   over --seconds the bench measures:
   - per follower: redraws/s (finished training-panel runs with the Step number and the six charts);
   - Step lag: for each Step change the presenter's screen showed (the moment its Step number arrived), how long
     until the follower's screen showed that step or a later one (negative: the follower showed it first; the
     room's snapshot is shared, either may fetch it);
   - memory: PSS of the app's process tree (server, zygote, workers), sampled every 2 s; the server's CPU.
5. The move: the presenter presses Next scene (lecture:next); each follower's time from that click until its
   screen shows the next scene's title ("Scene 8 of 9: ...", the page's first element). With --moves N, then
   Previous / Next in turn until N moves in all, 3 s apart (the scenes' views computed by then): each move's time
   until every light follower showed it, and the server process's CPU seconds for it.

--visitor (load goal 3): a Chromium of its own opens Read a review in a fresh context and types a review (bench/
felt.py's visitor: seconds to the first chart, and from the typed review to its heatmap), 3 times on the idle server
before the room opens, then 3 times during the window (which lasts until they are done); goal: the visit's median
<= 1.5x the idle one's. That Chromium shares this machine's cores with the server it measures, which a student's
browser on its own machine does not: with --visitor-apart that Chromium runs in a scheduling group of its own
ahead of the others (bench/chromium_apart.sh; idle visits and window alike), so it gets a core when it asks, as on a
machine of its own, and the server and the bench's clients share what it leaves. (Linux gives each session's group
of processes a fair share whatever their nice: the app's processes niced, as this flag did before 2026-12-05, were
still one group against the browser's, which then waited behind the training workers.)

The light followers' times are taken when the bench's event loop reads the message, so a busy bench adds to them
(its own CPU is printed); the browser's are taken in the page (a MutationObserver, the wall clock) when the DOM
changes.

Goals (issue, load goals 1 and 2): every follower >= 1 redraw/s; the browser follower's Step lag <= 1 s median
and <= 2 s max; PSS <= 690 MB; the move shown on every follower within 2 s (max). Printed as met / NOT met.

--check fails when a follower did not keep up (its Step did not advance over the window, or its last one lags the
presenter's by more than KEPT_UP_S seconds), a follower never showed the next scene, a session saw an error or an
exception, or the server log has a line with "Traceback", "Error" or "Exception" (as bench/soak.py's check).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import PANEL_CHARTS, ROOT, Server, cpu_seconds  # noqa: E402
from room_probes import (Visitor, browsers_cpu, light_visits, machine_busy_seconds,  # noqa: E402
                         sample_browsers, sample_pss)
from feedclient import Feed, feed_of  # noqa: E402
from stclient import Client  # noqa: E402
from browser_follower import Browser  # noqa: E402
from room_report import Report, changes, keyed, lags, step_at  # noqa: E402

# The bench's process stays free of torch: a Python that maps the torch library beside the server's would lower
# the server tree's PSS (shared pages count once in total). So the scene's settings come from a subprocess.
SCENE_QUERY = """
import sys
from urllib.parse import urlencode
from playground.views import lecture
from playground.training.live import MAX_STEPS
n = int(sys.argv[1])
print(lecture.page_of(n).path, lecture.count(), MAX_STEPS)
print(urlencode(lecture.scene_params(n)))
"""
CODE_RE = re.compile(r"class=['\"]room-code['\"]>([A-Z0-9-]+)<")
LOG_WORDS = re.compile(r"Traceback|Error|Exception")  # bench/soak.py's check of the server log
TAIL_S = 2.0  # seconds the presenter plays on after the window, before Next scene
KEPT_UP_S = 5.0  # --check: a follower's last Step in the window is at least the presenter's of this long before
@dataclass
class Screen(Client):
    """A light client that also notes when each Step number and each title reached it (what its screen shows)."""

    browser_timers: bool = True  # fragment timers as the browser keeps them (stclient.Client)
    steps: list[tuple[float, int]] = field(default_factory=list)  # (arrival, Step shown)
    titles: list[tuple[float, str]] = field(default_factory=list)  # (arrival, st.title / heading text)
    feeds: list[Feed] = field(default_factory=list)  # a follower's Train live feeds (bench/feedclient.py), the last live

    def _delta(self, msg) -> None:
        super()._delta(msg)
        if msg.delta.WhichOneof("type") != "new_element":
            return
        el, now = msg.delta.new_element, time.perf_counter()
        what = el.WhichOneof("type")
        if what == "metric" and el.metric.label == "Step":
            try:
                self.steps.append((now, int(el.metric.body.replace(",", ""))))
            except ValueError:
                pass
        elif what == "heading":
            self.titles.append((now, el.heading.body))
            self.stop_feed()  # a page's title: a new page (a feed's page sends its element after the title)
        elif what == "html" and (feed := feed_of(el.html.body)):
            self.stop_feed()
            self.feeds.append(Feed(self.base, *feed, on_step=lambda t, n: self.steps.append((t, n)),
                                   on_move=lambda: self.press("room_moved")))

    def stop_feed(self) -> None:
        if self.feeds:
            self.feeds[-1].stop()

    def feed_draws(self, t0: float, t1: float) -> int:
        return sum(t0 <= t <= t1 for f in self.feeds for t in f.draws)

    async def goto(self, page: str, query: str) -> None:
        """Open another page of the app in this session, with `query`: what a click on a page link sends."""
        self.page, self._page_hash, self.query = page, "", query
        self.stop_feed()
        await self._send_rerun()

    def texts_seen(self) -> str:
        return "\n".join(t for r in self.runs for t in r.texts)

    def title_at(self, text: str, since: float) -> float | None:
        return next((t for t, body in self.titles if t >= since and text in body), None)


async def until(cond, timeout: float, what: str, every: float = 0.05):
    """Wait until cond() is truthy; returns its value. RuntimeError after `timeout` seconds."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        v = cond()
        if v:
            return v
        await asyncio.sleep(every)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def _drawn(c: Client, since: float = 0.0) -> bool:
    return any(r.metrics or r.charts or r.texts for r in c.finished_runs(since))


async def keep_training(presenter: Screen, cap: int, resets: list[float]) -> None:
    """The presenter at the run's step cap (training pauses there): Reset, then Play once the reset is drawn, as a
    lecturer would (bench/soak.py's phase A does the same)."""
    while True:
        await asyncio.sleep(0.1)
        if presenter.steps and presenter.steps[-1][1] >= cap:
            resets.append(time.perf_counter())
            await presenter.press("train:reset")
            pressed = presenter.pressed_at
            await until(lambda: any(r.status for r in presenter.finished_runs(pressed)), 60, "the Reset's run")
            await presenter.press("train:play")
            await until(lambda: presenter.steps[-1][1] < cap, 60, "the Step after Reset")


def scene_link(n: int) -> tuple[str, int, int, str]:
    """(the scene's page url path, the number of scenes, a run's step cap, the scene's query string), from the app's
    own lecture."""
    out = subprocess.run([sys.executable, "-c", SCENE_QUERY, str(n)], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    path, count, cap = out[0].split()
    return re.sub(r"^\d+_", "", Path(path).stem), int(count), int(cap), out[1]


async def open_room(url: str) -> tuple[Screen, asyncio.Future, str]:
    """A presenter opens the Lecture page of the app at `url` and a room there: (its screen, its visit, the code)."""
    presenter = Screen(url, "lecture")
    visit = asyncio.ensure_future(presenter.visit(10 ** 6))
    await until(lambda: presenter.widget("room:open") and _drawn(presenter), 90, "the Lecture page's room:open")
    await presenter.press("room:open")
    m = await until(lambda: CODE_RE.search(presenter.texts_seen()), 30, "the room's code on the Lecture page")
    return presenter, visit, m.group(1).replace("-", "")


async def measure(server: Server, n: int, seconds: float, warmup: float, scene: int, browser: bool,
                  stagger: float, n_solos: int = 0, visitor: bool = False, moves: int = 1,
                  apart: bool = False) -> Report:
    rep = Report(n, scene, browser=browser)
    page, count, cap, query = scene_link(scene)
    if page != "train_live" or scene >= count:
        raise SystemExit(f"scene {scene} is not a Train live scene with a next one (it opens {page!r})")
    next_title = f"Scene {scene + 1} of {count}"
    tasks: list[asyncio.Future] = []
    clients: list[Screen] = []
    chromium = Browser() if browser else None
    vis = Visitor(server.url, apart=apart) if visitor else None
    try:
        if vis is not None:  # load goal 3's visitor, on the idle server first
            vis.start()
            await asyncio.to_thread(vis.idle_done.wait)
            await light_visits(server.url, 5, rep.light_idle, every=0.5)
        # 1. the presenter opens a room on the Lecture page
        presenter, visit, rep.code = await open_room(server.url)
        clients.append(presenter)
        tasks.append(visit)
        # 2. ... goes to Train live, the tour's training scene, in the same session
        at = time.perf_counter()
        await presenter.goto(page, query)
        await until(lambda: presenter.widget("train:play") and any(t >= at for t, _ in presenter.steps), 120,
                    "the presenter's Train live with its Play button")
        # 3. the followers open the room's link
        followers = [Screen(server.url, "", f"room={rep.code}") for _ in range(n)]
        clients += followers
        first = time.perf_counter()
        for f in followers:
            tasks.append(asyncio.ensure_future(f.visit(10 ** 6)))
            await asyncio.sleep(stagger)
        if chromium is not None:
            await chromium.open(f"{server.url}/?room={rep.code}")
        await until(lambda: all(f.steps for f in followers) and (chromium is None or chromium.steps),
                    60 + 2 * n, f"every follower to show Train live's Step "
                    f"({sum(bool(f.steps) for f in followers)}/{n} did)", every=0.2)
        rep.joined_s = time.perf_counter() - first
        # 4. Play; a warm-up, then the window
        solos = [Screen(server.url, "train_live", f"task=parity&seed={i + 1}") for i in range(n_solos)]
        clients += solos
        for s in solos:  # load goal 3: students training on their own beside the room, each with its own settings
            tasks.append(asyncio.ensure_future(s.visit(10 ** 6, press="train:play", press_after=0.2)))
        if solos:
            await until(lambda: all(s.steps for s in solos), 60 + 2 * n_solos, "every solo session's Step", every=0.2)
        await presenter.press("train:play")
        resets: list[float] = []
        tasks.append(asyncio.ensure_future(keep_training(presenter, cap, resets)))
        await asyncio.sleep(warmup)
        sampler = asyncio.ensure_future(sample_pss(server, rep.pss))
        b0 = browsers_cpu(server)
        b1 = dict(b0)
        watch = asyncio.ensure_future(sample_browsers(server, b1))
        t0, cpu0, own0 = time.perf_counter(), server.cpu_seconds(), time.process_time()
        m0 = machine_busy_seconds()
        if vis is not None:
            vis.go.set()
            tasks.append(asyncio.ensure_future(light_visits(server.url, 5, rep.light_loaded, every=seconds / 6)))
        await asyncio.sleep(seconds)
        if vis is not None:  # the window lasts until the visitor's visits are done
            await asyncio.to_thread(vis.done.wait, 300)
        t1, cpu1, own1 = time.perf_counter(), server.cpu_seconds(), time.process_time()
        watch.cancel()
        b1.update(browsers_cpu(server))
        m1 = machine_busy_seconds()
        rep.browser_cores = sum(c - b0.get(p, 0.0) for p, c in b1.items()) / (t1 - t0)
        rep.other_cores = max(0.0, ((m1 - m0) - (cpu1 - cpu0) - (own1 - own0)) / (t1 - t0) - rep.browser_cores)
        sampler.cancel()
        await asyncio.sleep(TAIL_S)  # still playing: the last changes of the window reach every screen
        tail = time.perf_counter()
        tasks[-1].cancel()  # keep_training
        rep.window_s, rep.cores, rep.bench_cores = t1 - t0, (cpu1 - cpu0) / (t1 - t0), (own1 - own0) / (t1 - t0)
        # 5. the move: Next scene, until every follower shows the next scene's title
        await presenter.press("lecture:next")
        moved = presenter.pressed_at
        mcpu0, mown0 = cpu_seconds([server.proc.pid]), time.process_time()  # the server's process, not its workers
        try:
            await until(lambda: all(f.title_at(next_title, moved) for f in followers)
                        and (chromium is None or chromium.title_at(next_title, moved)), 30,
                        f"every follower to show {next_title!r}", every=0.1)
        except RuntimeError as e:
            rep.errors.append(str(e))
        rep.move_cpu = (cpu_seconds([server.proc.pid]) - mcpu0, time.process_time() - mown0, time.perf_counter() - moved)
        await asyncio.sleep(1.0)  # the tail of the presenter's own run, and late messages
        for i in range(moves - 1):  # --moves: back and forth between the two scenes, the views computed by now
            key, n = ("lecture:previous", scene) if i % 2 == 0 else ("lecture:next", scene + 1)
            title, cpu0 = f"Scene {n} of {count}", cpu_seconds([server.proc.pid])
            await presenter.press(key)
            at = presenter.pressed_at
            await until(lambda: all(f.title_at(title, at) for f in followers), 60, f"every follower to show {title!r}")
            shown = [f.title_at(title, at) - at for f in followers]
            rep.repeat_moves.append((n, max(shown), statistics.median(shown), cpu_seconds([server.proc.pid]) - cpu0))
            await asyncio.sleep(3.0)
        # the figures
        rep.presenter_redraws = len(_panel_runs(presenter, t0, t1)) / rep.window_s
        shown = [(t, k) for t, k in keyed(presenter.steps) if t <= t1]
        rep.presenter_steps = sum((b[1] - a[1]) if a[0] == b[0] else b[1]  # after a Reset: from 0
                                  for (_, a), (tb, b) in zip(shown, shown[1:]) if tb >= t0)
        rep.resets = sum(t0 <= r <= t1 for r in resets)
        kept = step_at(presenter.steps, t1 - KEPT_UP_S) or (0, 0)
        for i, f in enumerate(followers, 1):
            rep.redraws.append((len(_panel_runs(f, t0, t1)) + f.feed_draws(t0, t1)) / rep.window_s)
            got, missed = lags(presenter.steps, f.steps, t0, t1, tail)
            rep.missed += missed
            rep.lag_all += got
            if got:
                rep.lag_median.append(statistics.median(got))
                rep.lag_max.append(max(got))
            f0, f1 = step_at(f.steps, t0), step_at(f.steps, t1)
            if f0 is None or f1 is None or f1 <= f0 or f1 < kept:
                rep.behind.append(i)
            at = f.title_at(next_title, moved)
            rep.moves.append(at - moved if at is not None else None)
        at = presenter.title_at(next_title, moved)
        rep.move_presenter_s = at - moved if at is not None else None
        for s in solos:
            rep.solo_redraws.append(len(_panel_runs(s, t0, t1)) / rep.window_s)
            s0, s1 = step_at(s.steps, t0), step_at(s.steps, t1)
            rep.solo_steps.append((s1[1] - s0[1]) / rep.window_s if s0 and s1 and s1[0] == s0[0] else 0.0)
        if chromium is not None:
            rep.browser_lags, rep.browser_missed = lags(presenter.steps, chromium.steps, t0, t1, tail)
            rep.browser_redraws = len(changes(chromium.steps, t0, t1)) / rep.window_s
            at = chromium.title_at(next_title, moved)
            rep.move_browser_s = at - moved if at is not None else None
            rep.errors += chromium.errors
        if vis is not None:
            (rep.visits_idle, rep.typed_idle), (rep.visits_loaded, rep.typed_loaded) = vis.idle, vis.loaded
            rep.errors += [vis.error] if vis.error else []
        rel = lambda v: [(round(t - t0, 3), x) for t, x in v]  # noqa: E731 - seconds from the window's start
        rep.trace = {"window": [0, round(t1 - t0, 3)], "move": round(moved - t0, 3),
                     "presenter_steps": rel(presenter.steps), "presenter_titles": rel(presenter.titles)}
        if chromium is not None:
            rep.trace |= {"browser_steps": rel(chromium.steps), "browser_titles": rel(chromium.titles)}
        if followers:
            rep.trace |= {"follower1_steps": rel(followers[0].steps), "follower1_titles": rel(followers[0].titles)}
        rep.errors += [e for c in [presenter, *followers] for e in c.errors + [x for f in c.feeds for x in f.errors]]
        rep.errors += [x for c in [presenter, *followers] for r in c.runs for x in r.exceptions]
        return rep
    finally:  # leave as a closed tab does: a close handshake each (a cancelled read mid-message logs a traceback)
        for c in clients:
            c._stop_timers()
            c.stop_feed()
        await asyncio.gather(*(asyncio.wait_for(c._ws.close(), 10) for c in clients if c._ws is not None),
                             return_exceptions=True)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if chromium is not None:
            await chromium.close()
        if vis is not None:
            vis.go.set()
            await asyncio.to_thread(vis.join, 120)


def _panel_runs(c: Client, t0: float, t1: float) -> list:
    """The session's training-panel redraws that finished inside [t0, t1] (as bench/load.py counts them)."""
    return [r for r in c.finished_runs(t0) if r.finished <= t1 and "Step" in r.metrics
            and r.charts + r.cached >= PANEL_CHARTS]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--followers", type=int, default=100, help="light followers (default 100)")
    ap.add_argument("--seconds", type=float, default=30.0, help="measuring window while the presenter plays")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds after Play before the window")
    ap.add_argument("--scene", type=int, default=7, help="the tour's Train live scene the presenter plays (7)")
    ap.add_argument("--stagger", type=float, default=0.1, help="seconds between two followers opening the link")
    ap.add_argument("--browser", action="store_true", help="one more follower: a real headless Chromium")
    ap.add_argument("--solos", type=int, default=0, help="sessions training on their own beside the room, each "
                    "with its own seed (load goal 3: a room of 50 and 20 solo students)")
    ap.add_argument("--visitor", action="store_true", help="a new visitor of Read a review in Chromium, idle and "
                    "during the window (load goal 3)")
    ap.add_argument("--visitor-apart", action="store_true", help="the visitor's Chromium runs ahead of the "
                    "server and the bench's clients (a scheduling group of its own), as on a machine of its own "
                    "(see the docstring)")
    ap.add_argument("--moves", type=int, default=1, help="after the move, go back and forth between the two scenes "
                    "until this many moves in all, each timed (the light followers) with the server's CPU for it")
    ap.add_argument("--check", action="store_true", help="exit 1 on a failure (see the docstring)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args(argv)
    start = time.perf_counter()
    with Server() as server:
        try:
            rep = asyncio.run(measure(server, a.followers, a.seconds, a.warmup, a.scene, a.browser, a.stagger,
                                     a.solos, a.visitor, a.moves, a.visitor_apart))
        except RuntimeError as e:  # a step that never happened: say which, then the log's errors
            rep = Report(a.followers, a.scene, browser=a.browser, errors=[str(e)])
        rep.log = [ln for ln in server.log_path.read_text(errors="replace").splitlines() if LOG_WORDS.search(ln)]
        print(rep.table())
        print(f"server log: {server.log_path}; wall time {time.perf_counter() - start:.0f} s")
    if a.json:
        a.json.write_text(json.dumps(rep.__dict__, indent=1))
    failures = rep.failures()
    if a.check:
        for f in failures:
            print(f"FAIL: {f}")
        print("room check: " + ("ok" if not failures else f"{len(failures)} failure(s)"))
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

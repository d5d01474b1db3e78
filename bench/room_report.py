"""The room bench's figures (bench/room.py): Step lags between the presenter's screen and a follower's, and the report
it prints against the issue's load goals."""
from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field

GOAL_REDRAWS, GOAL_LAG_MEDIAN, GOAL_LAG_MAX, GOAL_PSS_MB, GOAL_MOVE_S = 1.0, 1.0, 2.0, 690.0, 2.0
GOAL_SOLO_REDRAWS, GOAL_SOLO_STEPS = 1.0, 20.0  # load goal 3: each solo student beside a room
GOAL_VISIT = 1.5  # load goal 3: a new visitor's Read a review beside the room, against the same visit idle

# A Step shown is keyed (run, step): the run counts the Resets this screen has seen (its Step fell to under half),
# so that "that step or a later one" holds across the presenter's Resets at the step cap.
Key = tuple[int, int]


def keyed(steps: list[tuple[float, int]]) -> list[tuple[float, Key]]:
    out, run, last = [], 0, None
    for t, v in steps:
        if last is not None and v < last / 2:
            run += 1
        out.append((t, (run, v)))
        last = v
    return out


def changes(steps: list[tuple[float, int]], t0: float, t1: float) -> list[tuple[float, Key]]:
    """The moments inside [t0, t1] when the Step shown changed, with the new (run, step)."""
    out, last = [], None
    for t, k in keyed(steps):
        if k != last and t0 <= t <= t1:
            out.append((t, k))
        last = k
    return out


def lags(presenter: list[tuple[float, int]], follower: list[tuple[float, int]], t0: float, t1: float,
         until_t: float) -> tuple[list[float], int]:
    """For each of the presenter's Step changes in [t0, t1]: seconds until the follower showed that step or a later
    one (by until_t). Returns (lags, changes the follower never showed)."""
    out, missed, seen = [], 0, keyed(follower)
    for tp, k in changes(presenter, t0, t1):
        tf = next((t for t, w in seen if w >= k and t <= until_t), None)
        if tf is None:
            missed += 1
        else:
            out.append(tf - tp)
    return out, missed


def step_at(steps: list[tuple[float, int]], t: float) -> Key | None:
    shown = [k for u, k in keyed(steps) if u <= t]
    return shown[-1] if shown else None


def mmm(v: list[float], fmt: str) -> str:
    return "/".join(format(x, fmt) for x in (min(v), statistics.median(v), max(v))) if v else "-"


@dataclass
class Report:
    n: int
    scene: int
    code: str = ""
    joined_s: float = 0.0  # from the first follower's visit to every follower showing the Step number
    window_s: float = 0.0
    presenter_redraws: float = 0.0
    presenter_steps: int = 0  # steps the presenter's Step advanced over the window (over its Resets)
    resets: int = 0  # the presenter's Resets at the step cap during the window
    redraws: list[float] = field(default_factory=list)  # per light follower, /s
    lag_median: list[float] = field(default_factory=list)  # per light follower, s
    lag_max: list[float] = field(default_factory=list)
    lag_all: list[float] = field(default_factory=list)
    missed: int = 0  # presenter Step changes some light follower never showed
    behind: list[int] = field(default_factory=list)  # followers (1-based) that did not keep up
    browser_redraws: float | None = None  # Step changes shown per second (a browser's redraws we can see)
    browser_lags: list[float] = field(default_factory=list)
    browser_missed: int = 0
    pss: list[float] = field(default_factory=list)  # MB, samples over the window
    cores: float = 0.0
    bench_cores: float = 0.0
    browser_cores: float = 0.0  # the Chromiums (follower, visitor) and their playwright drivers
    other_cores: float = 0.0  # every other process on the machine (another bench, a test run): not ours
    move_presenter_s: float | None = None
    moves: list[float | None] = field(default_factory=list)  # per light follower, s (None: never)
    move_browser_s: float | None = None
    repeat_moves: list[tuple[int, float, float, float]] = field(default_factory=list)  # --moves: (scene, max s,
    # median s, server process CPU s) of each move after the first
    move_cpu: tuple[float, float, float] | None = None  # CPU seconds of the server's process (not its workers) and the
    # bench's from the move's press until every follower showed it, and the wall seconds
    errors: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    browser: bool = False
    trace: dict = field(default_factory=dict)  # --json: what the presenter and the browser showed, and when
    solo_redraws: list[float] = field(default_factory=list)  # --solos: per solo session, /s
    solo_steps: list[float] = field(default_factory=list)  # ...its Step's advance over the window, /s
    visits_idle: list[float] = field(default_factory=list)  # --visitor: seconds to Read a review's first chart, idle
    visits_loaded: list[float] = field(default_factory=list)  # ...and during the window
    typed_idle: list[float] = field(default_factory=list)  # ...seconds from a typed review to its heatmap
    typed_loaded: list[float] = field(default_factory=list)
    light_idle: list[float] = field(default_factory=list)  # --visitor: a light client's first chart of Read a review,
    light_loaded: list[float] = field(default_factory=list)  # s: the server's side of a visit, idle and in the window

    def table(self) -> str:
        def goal(ok: bool) -> str:
            return "met" if ok else "NOT met"
        rows = [
            f"room {self.code}: 1 presenter + {self.n} light followers{' + 1 Chromium' if self.browser else ''} on "
            f"Train live (scene {self.scene}); followers all drawn {self.joined_s:.1f} s after the first opened the "
            f"link",
            f"window {self.window_s:.0f} s: presenter {self.presenter_redraws:.2f} redraws/s, "
            f"{self.presenter_steps / max(self.window_s, 1e-9):.0f} steps/s ({self.resets} Reset(s) at the step cap); server {self.cores:.2f} cores, bench {self.bench_cores:.2f} "
            f"cores" + (f", Chromium {self.browser_cores:.2f} cores" if self.browser or self.visits_idle else "")
            + f"; other processes {self.other_cores:.2f} of the machine's {os.cpu_count()} cores",
            f"{'':34}{'min/median/max':>22}",
            f"{'light followers redraws/s':34}{mmm(self.redraws, '.2f'):>22}   below {GOAL_REDRAWS:g}/s: "
            f"{sum(r < GOAL_REDRAWS for r in self.redraws)}   goal >= {GOAL_REDRAWS:g}: "
            f"{goal(bool(self.redraws) and min(self.redraws) >= GOAL_REDRAWS)}",
            f"{'light Step lag s, per follower median':34}{mmm(self.lag_median, '.2f'):>22}",
            f"{'light Step lag s, per follower max':34}{mmm(self.lag_max, '.2f'):>22}",
            f"{'light Step lag s, all changes':34}{mmm(self.lag_all, '.2f'):>22}   "
            f"({len(self.lag_all)} lags; {self.missed} change(s) never shown; followers behind: "
            f"{self.behind or 'none'})",
        ]
        if self.browser:
            b = self.browser_lags
            ok = bool(b) and statistics.median(b) <= GOAL_LAG_MEDIAN and max(b) <= GOAL_LAG_MAX
            rows.append(f"{'Chromium Step lag s':34}{mmm(b, '.2f'):>22}   ({len(b)} lags, {self.browser_missed} never "
                        f"shown; {self.browser_redraws or 0:.2f} Step changes/s)   goal median <= {GOAL_LAG_MEDIAN:g}, "
                        f"max <= {GOAL_LAG_MAX:g}: {goal(ok)}")
        if self.solo_redraws:  # load goal 3: solo students beside the room
            ok = min(self.solo_redraws) >= GOAL_SOLO_REDRAWS and min(self.solo_steps) >= GOAL_SOLO_STEPS
            rows += [f"{'solo sessions redraws/s':34}{mmm(self.solo_redraws, '.2f'):>22}",
                     f"{'solo sessions steps/s':34}{mmm(self.solo_steps, '.0f'):>22}   goal >= "
                     f"{GOAL_SOLO_REDRAWS:g} redraw/s and >= {GOAL_SOLO_STEPS:g} steps/s each: {goal(ok)}"]
        if self.visits_idle and self.visits_loaded:  # load goal 3: a new visitor beside the room
            ratio = statistics.median(self.visits_loaded) / statistics.median(self.visits_idle)
            rows += [f"{'visitor: Read a review chart s':34}{mmm(self.visits_loaded, '.2f'):>22}   idle "
                     f"{mmm(self.visits_idle, '.2f')}: {ratio:.2f}x (medians)   goal <= {GOAL_VISIT:g}x: "
                     f"{goal(ratio <= GOAL_VISIT)}",
                     f"{'visitor: typed review -> heatmap s':34}{mmm(self.typed_loaded, '.2f'):>22}   idle "
                     f"{mmm(self.typed_idle, '.2f')}"]
        if self.light_idle and self.light_loaded:  # the server's side of the same visit, without a browser's work
            rows.append(f"{'visitor, light client: chart s':34}{mmm(self.light_loaded, '.3f'):>22}   idle "
                        f"{mmm(self.light_idle, '.3f')}")
        rows.append(f"{'memory PSS MB over the window':34}{mmm(self.pss, '.0f'):>22}   goal <= {GOAL_PSS_MB:g}: "
                    f"{goal(bool(self.pss) and max(self.pss) <= GOAL_PSS_MB)}")
        got = [m for m in self.moves if m is not None]
        everyone = [*self.moves, *([self.move_browser_s] if self.browser else [])]
        rows.append(f"{'move to scene ' + str(self.scene + 1) + ': light followers s':34}{mmm(got, '.2f'):>22}   "
                    f"shown {len(got)}/{len(self.moves)}; presenter's own "
                    + (f"{self.move_presenter_s:.2f} s" if self.move_presenter_s is not None else "never"))
        if self.browser:
            rows.append(f"{'move: Chromium s':34}{(format(self.move_browser_s, '.2f') if self.move_browser_s is not None else 'never'):>22}")
        if self.move_cpu:
            server_s, bench_s, wall_s = self.move_cpu
            rows.append(f"{'move: CPU s until all shown':34}{'':>22}   server process {server_s:.2f}, bench {bench_s:.2f}, in "
                        f"{wall_s:.2f} s")
        for n, most, median, cpu in self.repeat_moves:
            rows.append(f"{'move again, to scene ' + str(n) + ': s':34}{'':>22}   every light follower within "
                        f"{most:.2f} (median {median:.2f}); server process {cpu:.2f} CPU s")
        ok = all(m is not None and m <= GOAL_MOVE_S for m in everyone)
        rows.append(f"{'move: every follower within':34}{GOAL_MOVE_S:>21g}s   goal: {goal(ok)}")
        if self.other_cores > 0.2:
            rows.append(f"NOTE: other processes used {self.other_cores:.2f} cores of the machine's {os.cpu_count()} during "
                        "the window: these figures are not the app's alone")
        rows.append(f"sessions' errors: {self.errors[:3] if self.errors else 'none'}; server log: {len(self.log)} "
                    f"line(s) with Traceback/Error/Exception" + (f": {self.log[:3]}" if self.log else ""))
        return "\n".join(rows)

    def failures(self) -> list[str]:
        out = []
        if self.behind:
            out.append(f"followers {self.behind} did not advance with the presenter")
        never = [i + 1 for i, m in enumerate(self.moves) if m is None]
        if never:
            out.append(f"followers {never} never showed scene {self.scene + 1}")
        if self.browser and self.move_browser_s is None:
            out.append(f"the Chromium follower never showed scene {self.scene + 1}")
        if self.visits_idle and not self.visits_loaded:
            out.append("the Chromium visitor did not visit during the window")
        if self.errors:
            out.append(f"sessions saw errors: {self.errors[:3]}")
        if self.log:
            out.append(f"the server log has errors: {self.log[:3]}")
        return out

"""What a class's screens cost when the lecturer presses a button whose result the room shares (issue 20): a room of
N light followers on scene 9 (Why LSTM & GRU's race, short); the presenter presses Start the race; seconds until the
presenter's screen and each follower's show the race's summary, and the server process's CPU seconds meanwhile.

    python bench/room_race.py --followers 100
    python bench/room_race.py --followers 0     # the presenter alone: the race's own time
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from room import Screen, Server, cpu_seconds, open_room, until  # noqa: E402

QUERY = "scene=9&race_steps=150&race_delays=5%2C10"  # a short race: 3 cells x 2 delays x 150 steps
SUMMARY = "Held-out accuracy of at least"  # the race summary's first words (views.gates.race_summary)


def shown_at(c: Screen, since: float) -> float | None:
    """When `c` first finished a run that drew the race's summary after `since`."""
    return min((r.finished for r in c.runs if r.finished and r.finished > since and
                any(SUMMARY in x for x in r.texts)), default=None)


async def measure(n: int) -> str:
    with Server() as server:
        presenter, visit, code = await open_room(server.url)
        tasks = [visit]
        await presenter.goto("why_lstm_gru", QUERY)
        await until(lambda: presenter.widget("race_run"), 120, "the race's button")
        followers = [Screen(server.url, "", f"room={code}") for _ in range(n)]
        for f in followers:
            tasks.append(asyncio.ensure_future(f.visit(10 ** 6)))
            await asyncio.sleep(0.05)
        await until(lambda: all(any("Scene 9" in t for _, t in f.titles) for f in followers), 120,
                    "every follower on scene 9")
        await asyncio.sleep(3)
        cpu0, t0 = cpu_seconds([server.proc.pid]), time.perf_counter()
        await presenter.press("race_run")
        await until(lambda: shown_at(presenter, t0), 300, "the presenter's race")
        await until(lambda: all(shown_at(f, t0) for f in followers), 120, "every follower's race")
        cpu = cpu_seconds([server.proc.pid]) - cpu0
        shown = [shown_at(f, t0) - t0 for f in followers]
        errors = server.log_errors()
        for t in tasks:
            t.cancel()
    followers_text = f"followers max {max(shown):.2f} s, median {statistics.median(shown):.2f} s; " if shown else ""
    return (f"{n} followers: the presenter's race shown {shown_at(presenter, t0) - t0:.2f} s; {followers_text}"
            f"server process {cpu:.2f} CPU s; server log errors: {len(errors)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--followers", type=int, default=100)
    print(asyncio.run(measure(ap.parse_args(argv).followers)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

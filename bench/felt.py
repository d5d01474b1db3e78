"""Felt latency in a real browser: each page's first chart, fresh and again, against a bare Streamlit page's.

    python bench/felt.py                 # every page, 3 rounds
    python bench/felt.py --rounds 5 --pages train_live,why_lstm_gru

It starts the app and the floor (bench/floor_app.py: a bare Streamlit page with one Plotly heatmap), each on its own
port, and drives Debian's Chromium (playwright, headless). Per page and round:
- fresh: a new browser context (no cache, a new session) opens the page; the time from `goto` to its first Plotly
  chart drawn (an SVG inside a `.js-plotly-plot`; Home: its first heading);
- again: the same context opens the page again (the browser's cache warm; a new session, the server warm).
Rounds interleave the app's pages and the floor, so the machine's noise hits all alike. Printed: the median of
each, and fresh as a ratio to the floor's fresh median (issue 22's goal: <= 1.3x). Also: server start -> the home
page's first heading painted (goal <= 3 s), measured once, before anything else has warmed the server.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Server  # noqa: E402
from room import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = {"": "Home", "read_a_review": "Read a review", "train_live": "Train live", "why_lstm_gru": "Why LSTM & GRU",
         "inside_one_step": "Inside one step"}
CHART = ".js-plotly-plot .main-svg"
TEXT = '[data-testid="stMainBlockContainer"] h1'
GOAL_RATIO, GOAL_START_S = 1.3, 3.0
VIEWPORT = {"width": 1280, "height": 720}


def first_shown(context, url: str, selector: str, timeout_s: float = 60) -> float:
    """Seconds from opening `url` in a new tab of `context` to `selector` being in the page."""
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(selector, state="attached", timeout=timeout_s * 1000)
        return time.perf_counter() - t0
    finally:
        page.close()


def start_to_paint(browser) -> float:
    """A new server process: seconds from its start to the home page's first heading in a browser."""
    t0 = time.perf_counter()
    with Server() as s:  # returns once /_stcore/health answers
        ctx = browser.new_context(viewport=VIEWPORT)
        try:
            first_shown(ctx, s.url, TEXT)
        finally:
            ctx.close()
        return time.perf_counter() - t0


def visit(browser, url: str, selector: str) -> tuple[float, float]:
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        return first_shown(ctx, url, selector), first_shown(ctx, url, selector)
    finally:
        ctx.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated url paths ('' is Home)")
    args = ap.parse_args(argv)
    pages = [p.strip() for p in args.pages.split(",")] if args.pages else list(PAGES)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        start = start_to_paint(browser)
        print(f"server start -> home painted: {start:.2f} s (goal <= {GOAL_START_S:g} s: "
              f"{'met' if start <= GOAL_START_S else 'NOT met'})", flush=True)
        with Server() as app, Server(script="bench/floor_app.py") as floor:
            for warm in (app.url, floor.url):  # the first visit of a server process (imports) is not a page's
                visit(browser, warm, TEXT)
            times: dict[str, list[tuple[float, float]]] = {p: [] for p in ["floor", *pages]}
            for r in range(args.rounds):
                times["floor"].append(visit(browser, floor.url, CHART))
                for p in pages:
                    times[p].append(visit(browser, f"{app.url}/{p}", CHART if p else TEXT))
                print(f"round {r + 1}: " + ", ".join(f"{k or 'home'} {v[-1][0]:.2f}/{v[-1][1]:.2f}"
                                                      for k, v in times.items()), flush=True)
            errors = app.log_errors()
        browser.close()
    floor_fresh = statistics.median(f for f, _ in times["floor"])
    print(f"\n{'page':<18}{'fresh s':>9}{'again s':>9}{'fresh / floor':>15}")
    for p, v in times.items():
        fresh, again = statistics.median(f for f, _ in v), statistics.median(a for _, a in v)
        name = "floor (bare page)" if p == "floor" else PAGES.get(p, p)
        goal = "" if p in ("floor", "") else f"  (goal <= {GOAL_RATIO:g}x: {'met' if fresh / floor_fresh <= GOAL_RATIO else 'NOT met'})"
        print(f"{name:<18}{fresh:>9.2f}{again:>9.2f}{fresh / floor_fresh:>14.2f}x{goal}")
    if errors:
        print("server log errors:", *errors, sep="\n  ")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())

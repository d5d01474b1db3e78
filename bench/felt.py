"""Felt latency in a real browser: each page's first chart, fresh and again, against a bare Streamlit page's.

    python bench/felt.py                 # every page, 3 rounds
    python bench/felt.py --rounds 5 --pages train_live,why_lstm_gru
    python bench/felt.py --crowd 20      # a visitor of Read a review, idle and with 20 sessions training live

It starts the app and the floor (bench/floor_app.py: a bare Streamlit page with one Plotly heatmap), each on its own
port, and drives Debian's Chromium (playwright, headless). Per page and round:
- fresh: a new browser context (no cache, a new session) opens the page; the time from its navigation start to its
  first Plotly chart drawn (an SVG inside a `.js-plotly-plot`; Home: its first heading), timed in the page;
- again: the same context opens the page again (the browser's cache warm; a new session, the server warm);
- from Home: a fresh context lands on Home, stays 2.5 s, clicks the page in the sidebar: the click to its first chart.
Rounds interleave the app's pages and the floor, so the machine's noise hits all alike. Printed: the median of
each, and fresh as a ratio to the floor's fresh median (issue 22's goal: <= 1.3x). The floor is timed at the site's
root and at a page's path (/chart); the app's pages are at a page's path and are compared with that one. Also: server
start -> the home page's first heading painted (goal <= 3 s), measured once, before anything else has warmed it.

--crowd N: the visitor under load. A Chromium visitor opens Read a review (a fresh context: seconds to its first
chart) and types a new review (seconds from the keystroke that commits it to the heatmap redrawn with its words),
--rounds times on an idle server, then as many times while N light clients (bench/stclient.py) train live with
distinct seeds, each redrawing its charts on its timer. Goals (issue 22): the visit <= 1.5x the idle one, the typed
review's heatmap <= 0.5 s.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Server  # noqa: E402
from browser_follower import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PAGES = {"": "Home", "read_a_review": "Read a review", "train_live": "Train live", "why_lstm_gru": "Why LSTM & GRU",
         "inside_one_step": "Inside one step"}
CHART = ".js-plotly-plot .main-svg"
TEXT = '[data-testid="stMainBlockContainer"] h1'
GOAL_RATIO, GOAL_START_S, GOAL_LOADED, GOAL_TYPED_S = 1.3, 3.0, 1.5, 0.5
TICKS = "() => [...document.querySelectorAll('.js-plotly-plot .xtick text')].map(t => t.textContent).join('|')"
REVIEWS = ["the acting was great but the plot made no sense", "a slow start , then a moving and funny film",
           "i did not like it at all", "never dull , never boring , simply good"]
VIEWPORT = {"width": 1280, "height": 720}
ROOT_FLOOR = "floor /"  # the floor at the site's root; "floor": at a page's path


# When each watched selector first matched, in ms from the page's navigation start (performance.now()): timed in the
# page itself, not by polling from outside (playwright's wait_for_selector looks every 500 ms after its first second)
WATCH = """(() => {
  window.__felt = {};
  const watched = %s;
  new MutationObserver(() => {
    const t = performance.now();
    for (const s of watched) if (!(s in window.__felt) && document.querySelector(s)) window.__felt[s] = t;
  }).observe(document, {subtree: true, childList: true, attributes: true});
})();"""


def new_context(browser):
    """A fresh browser context (no cache) whose pages time CHART and TEXT (first_shown reads the times)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCH % json.dumps([CHART, TEXT]))
    return context


def first_shown(context, url: str, selector: str, timeout_s: float = 60) -> float:
    """Seconds from opening `url` in a new tab of `context` (made by `new_context`) to `selector` being in the page."""
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        ms = page.wait_for_function(f"() => window.__felt && window.__felt[{json.dumps(selector)}]",
                                    timeout=timeout_s * 1000, polling=50).json_value()
        return ms / 1000
    finally:
        page.close()


def start_to_paint(browser) -> float:
    """A new server process: seconds from its start to the home page's first heading in a browser."""
    t0 = time.perf_counter()
    with Server() as s:  # returns once /_stcore/health answers
        ctx = new_context(browser)
        try:
            first_shown(ctx, s.url, TEXT)
        finally:
            ctx.close()
        return time.perf_counter() - t0


def visit(browser, url: str, selector: str) -> tuple[float, float]:
    ctx = new_context(browser)
    try:
        return first_shown(ctx, url, selector), first_shown(ctx, url, selector)
    finally:
        ctx.close()


def from_home(browser, url: str, page_path: str, settle_s: float = 2.5) -> float:
    """A student who lands on Home (a fresh context), reads it for `settle_s`, then clicks `page_path` in the sidebar:
    seconds from the click to that page's first chart."""
    ctx = new_context(browser)
    try:
        page = ctx.new_page()
        page.goto(url, wait_until="commit")
        page.wait_for_selector(TEXT, timeout=60_000)
        page.wait_for_timeout(settle_s * 1000)
        t0 = page.evaluate(f"() => {{ delete window.__felt[{json.dumps(CHART)}]; return performance.now(); }}")
        page.locator(f'[data-testid="stSidebar"] a[href^="{page_path}"]').first.click()
        ms = page.wait_for_function(f"() => window.__felt[{json.dumps(CHART)}]", timeout=60_000,
                                    polling=50).json_value()
        return (ms - t0) / 1000
    finally:
        ctx.close()


def typed(context, url: str, text: str, timeout_s: float = 60) -> float:
    """Open Read a review, type `text` as the review; seconds from committing it to the heatmap showing its words."""
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_selector(".js-plotly-plot .xtick text", state="attached", timeout=timeout_s * 1000)
        page.wait_for_timeout(500)
        before = page.evaluate(TICKS)
        box = page.get_by_label("Your review")
        box.fill(text)
        t0 = time.perf_counter()
        box.press("Control+Enter")  # st.text_area commits on Ctrl+Enter
        page.wait_for_function(f"() => ({TICKS})() !== {before!r}", timeout=timeout_s * 1000, polling="raf")
        return time.perf_counter() - t0
    finally:
        page.close()


def visitor(browser, url: str, rounds: int) -> tuple[list[float], list[float]]:
    """(seconds to Read a review's first chart, seconds from a typed review to its heatmap), `rounds` each."""
    visits, types = [], []
    for r in range(rounds):
        ctx = new_context(browser)
        try:
            visits.append(first_shown(ctx, f"{url}/read_a_review", CHART))
            types.append(typed(ctx, f"{url}/read_a_review", REVIEWS[r % len(REVIEWS)]))
        finally:
            ctx.close()
    return visits, types


def crowd(url: str, n: int, seconds: float) -> threading.Thread:
    """N light clients on Train live, distinct seeds, each pressing Play: in a thread of their own for `seconds`."""
    from stclient import Client

    async def run() -> None:
        clients = [Client(url, "train_live", f"task=parity&seed={i + 1}") for i in range(n)]
        await asyncio.gather(*(c.visit(seconds, press="train:play", press_after=0.2) for c in clients))

    t = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    t.start()
    return t


def main_crowd(browser, n: int, rounds: int, warmup: float = 15.0) -> int:
    with Server() as app:
        visitor(browser, app.url, 1)  # the server's first visit of the page (imports, models) is not the visitor's
        idle = visitor(browser, app.url, rounds)
        print(f"idle: visit {' '.join(f'{v:.2f}' for v in idle[0])} s, typed {' '.join(f'{v:.2f}' for v in idle[1])} s",
              flush=True)
        load = crowd(app.url, n, warmup + 40.0 * rounds)
        time.sleep(warmup)
        loaded = visitor(browser, app.url, rounds)
        print(f"{n} training: visit {' '.join(f'{v:.2f}' for v in loaded[0])} s, typed "
              f"{' '.join(f'{v:.2f}' for v in loaded[1])} s", flush=True)
        load.join()
        errors = app.log_errors()
    ratio = statistics.median(loaded[0]) / statistics.median(idle[0])
    typed_s = statistics.median(loaded[1])
    print(f"Read a review's first chart with {n} training: {statistics.median(loaded[0]):.2f} s = {ratio:.2f}x the idle "
          f"visit's {statistics.median(idle[0]):.2f} s (goal <= {GOAL_LOADED:g}x: {'met' if ratio <= GOAL_LOADED else 'NOT met'})")
    print(f"typed review -> heatmap with {n} training: {typed_s:.2f} s median (idle {statistics.median(idle[1]):.2f} s; "
          f"goal <= {GOAL_TYPED_S:g} s: {'met' if typed_s <= GOAL_TYPED_S else 'NOT met'})")
    if errors:
        print("server log errors:", *errors, sep="\n  ")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", default=",".join(PAGES), help="comma-separated url paths ('' is Home)")
    ap.add_argument("--crowd", type=int, default=0, help="a Read a review visitor, idle and with N training")
    args = ap.parse_args(argv)
    if args.crowd:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                return main_crowd(browser, args.crowd, args.rounds)
            finally:
                browser.close()
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
            times: dict[str, list[tuple[float, float]]] = {p: [] for p in [ROOT_FLOOR, "floor", *pages]}
            for r in range(args.rounds):
                times[ROOT_FLOOR].append(visit(browser, floor.url, CHART))
                times["floor"].append(visit(browser, f"{floor.url}/chart", CHART))
                for p in pages:
                    times[p].append(visit(browser, f"{app.url}/{p}", CHART if p else TEXT))
                print(f"round {r + 1}: " + ", ".join(f"{k or 'home'} {v[-1][0]:.2f}/{v[-1][1]:.2f}"
                                                      for k, v in times.items()), flush=True)
            clicked = {p: [from_home(browser, app.url, p) for _ in range(args.rounds)] for p in pages if p}
            errors = app.log_errors()
        browser.close()
    floor_fresh = statistics.median(f for f, _ in times["floor"])
    root_fresh = statistics.median(f for f, _ in times[ROOT_FLOOR])
    print(f"\n{'page':<24}{'fresh s':>9}{'again s':>9}{'fresh / floor':>15}{'/ floor at /':>14}")
    for p, v in times.items():
        fresh, again = statistics.median(f for f, _ in v), statistics.median(a for _, a in v)
        name = {ROOT_FLOOR: "floor at / (bare page)", "floor": "floor at /chart"}.get(p) or PAGES.get(p, p)
        goal = "" if p in (ROOT_FLOOR, "floor", "") else \
            f"  (goal <= {GOAL_RATIO:g}x: {'met' if fresh / floor_fresh <= GOAL_RATIO else 'NOT met'})"
        print(f"{name:<24}{fresh:>9.2f}{again:>9.2f}{fresh / floor_fresh:>14.2f}x{fresh / root_fresh:>13.2f}x{goal}")
    print("from Home (a click in the sidebar after 2.5 s there -> the page's first chart): " + ", ".join(
        f"{PAGES.get(p, p)} {statistics.median(v):.2f} s" for p, v in clicked.items()))
    print("(a page is compared with the floor at a page's path, /chart, as the app's pages are: there Streamlit's "
          "frontend asks the server at that path, then at /, before it connects)")
    if errors:
        print("server log errors:", *errors, sep="\n  ")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())

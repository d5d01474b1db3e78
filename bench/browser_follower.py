"""A real Chromium following a room (bench/room.py --browser): what its page shows and when, in the page's own clock.

A MutationObserver in the page reports each new Step number (the page's metric, or a follower's feed) and each new
page title, with the wall-clock time it appeared; `Browser` keeps them as perf_counter times.
Debian's chromium through playwright (CHROMIUM, CHROMIUM_ARGS: as tests/conftest.py; bench/felt.py uses them too).
"""
from __future__ import annotations

import re
import time

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync",
                 # a window behind another (a follower beside the presenter) keeps its timers: as a projector's does
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]  # as tests/conftest.py


OBSERVER_JS = """
(() => {
  let step = null, title = null;
  const look = () => {
    const m = [...document.querySelectorAll('[data-testid="stMetric"]')].find(e => e.innerText.startsWith('Step'));
    const v = (m && m.querySelector('[data-testid="stMetricValue"]')) || document.querySelector('[data-feed="step"]');
    const s = v ? v.innerText : null;
    if (s !== null && s !== step) { step = s; window.benchSeen('step', s, Date.now()); }
    const h = document.querySelector('[data-testid="stMain"] h1');
    const t = h ? h.innerText : null;
    if (t !== null && t !== title) { title = t; window.benchSeen('title', t, Date.now()); }
  };
  const start = () => new MutationObserver(look).observe(document.documentElement,
                                                          {subtree: true, childList: true, characterData: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


class Browser:
    """One Chromium tab following the room: what it shows and when (the page's wall clock, as perf_counter)."""

    def __init__(self):
        self.steps: list[tuple[float, int]] = []
        self.titles: list[tuple[float, str]] = []
        self.errors: list[str] = []
        self._offset = time.time() - time.perf_counter()
        self._pw = self._browser = None

    def _seen(self, kind: str, value: str, epoch_ms: float) -> None:
        t = epoch_ms / 1000 - self._offset
        if kind == "step":
            digits = re.sub(r"\D", "", value)
            if digits:
                self.steps.append((t, int(digits)))
        else:
            self.titles.append((t, value))

    async def open(self, url: str) -> None:
        from playwright.async_api import async_playwright  # only with --browser

        self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        ctx = await self._browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await ctx.new_page()
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        await page.expose_function("benchSeen", self._seen)
        await page.add_init_script(OBSERVER_JS)
        await page.goto(url)

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._pw is not None:
            await self._pw.stop()

    def title_at(self, text: str, since: float) -> float | None:
        return next((t for t, body in self.titles if t >= since and text in body), None)

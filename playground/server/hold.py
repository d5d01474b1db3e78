"""Training holds for a page: while a page is made and drawn, the live workers train no slice.

A page run (a page opened, a click, a typed review) is one person waiting for it; a slice of a live run is one of
many that a timer redraw shows a second later. On a small server both take the same cores, so while a page runs the
server asks its workers to hold (`Pool.hold`): they still answer every request (a redraw still gets its snapshot)
but train nothing until the hold ends. A visitor's first page holds a little longer, while its browser draws it.

Holds are bounded: they spend a budget that refills at SHARE of the wall clock, at most BURST seconds of it at once,
so a stream of visitors slows the class's training and never stops it.

    budget = Budget()
    until = budget.grant(1.0)   # the monotonic time the hold ends (<= now: no hold granted)
"""
from __future__ import annotations

import time
from typing import Callable

SHARE = 0.25  # over a long stretch, at most this share of the time is held (training keeps >= 75% of it)
BURST = 3.0  # seconds: the most held at once (a visitor's first page: its run, then its browser's drawing)


class Budget:
    """A token bucket of held seconds; `until` is when the current hold ends (monotonic clock)."""

    def __init__(self, share: float = SHARE, burst: float = BURST, clock: Callable[[], float] = time.monotonic):
        self.share, self.burst, self.clock = share, burst, clock
        self._left = burst
        self._at = clock()
        self.until = 0.0

    def grant(self, seconds: float) -> float:
        """Hold until `seconds` from now, as far as the budget allows; returns when the hold ends."""
        now = self.clock()
        self._left = min(self.burst, self._left + (now - self._at) * self.share)
        self._at = now
        start = max(now, self.until)  # a hold in progress is extended, not paid for twice
        extra = min(now + seconds - start, self._left)
        if extra > 0:
            self._left -= extra
            self.until = start + extra
        return self.until

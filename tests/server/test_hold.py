"""Training holds for a page (server/hold.py): bounded by a budget, and a held worker answers but does not train."""
import time

import pytest

from playground.server import hold, pool
from playground.training.live import LiveConfig


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_hold_is_granted_up_to_its_burst_and_refills_at_its_share_of_the_time():
    clock = Clock()
    b = hold.Budget(share=0.25, burst=3.0, clock=clock)
    assert b.grant(1.0) == pytest.approx(101.0)
    assert b.grant(0.5) == pytest.approx(101.0)  # within the hold in progress: nothing more, nothing spent
    assert b.grant(10.0) == pytest.approx(103.0)  # extended by the 2 s left of the 3 s burst
    clock.now = 103.0  # 3 s later: 0.75 s refilled
    assert b.grant(1.0) == pytest.approx(103.75)
    clock.now = 111.0  # 8 s later: 2 s refilled
    assert b.grant(5.0) == pytest.approx(113.0)
    clock.now = 1000.0  # long idle: never more than the burst
    assert b.grant(10.0) == pytest.approx(1003.0)


def test_over_a_long_stretch_of_visitors_at_most_the_share_is_held():
    clock = Clock()
    b = hold.Budget(share=0.25, burst=3.0, clock=clock)
    held = 0.0
    for _ in range(600):  # a page run every 0.1 s for a minute, each asking for 1 s
        before = max(b.until, clock.now)
        held += max(0.0, b.grant(1.0) - before)
        clock.now += 0.1
    assert 0.25 * 60 <= held <= 0.25 * 60 + 3.0 + 1e-9  # its share, plus at most the first burst


def _cfg() -> LiveConfig:
    return LiveConfig(hidden=8, seed=0)


def test_a_held_worker_answers_every_request_and_trains_only_after_the_hold():
    p = pool.Pool(1)
    try:
        h = pool.Handle(p, "held")
        h.call("open", _cfg())
        until = p.hold(2.5)
        assert until > time.monotonic() + 2.0
        h.call("play")
        t0 = time.monotonic()
        while time.monotonic() < until - 0.3:
            assert h.snapshot().step == 0  # answered at once, and nothing trained
            assert time.monotonic() - t0 < 2.5
            time.sleep(0.1)
        deadline = time.monotonic() + 30
        while h.snapshot().step < 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert h.snapshot().step >= 20  # after the hold it trains
    finally:
        p.stop()

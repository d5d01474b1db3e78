"""bench/soak.py's growth check on made-up memory samples: it must fail on a leak and pass on what a clean
server does (a one-off step, a warm-up rise, PSS moving alone). The served run itself is in .ci/run."""
import random
import sys

import numpy as np
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import soak  # noqa: E402


def samples(seconds: float, every: float = 2.0, pss=lambda t: 600.0, rss=lambda t: 1400.0, phase: str = "A",
            noise: float = 0.5, seed: int = 0) -> list[soak.Sample]:
    rng = random.Random(seed)
    ts = np.arange(0.0, seconds + 1e-9, every)
    return [soak.Sample(float(t), phase, pss(t) + rng.uniform(-noise, noise), rss(t) + rng.uniform(-noise, noise),
                        4, 1, 0) for t in ts]


def leak(mb_per_min: float, base: float):
    return lambda t: base + mb_per_min * t / 60


def test_slope_is_the_least_squares_fit_in_units_per_minute():
    rng = np.random.default_rng(1)
    ts, ys = np.sort(rng.uniform(0, 300, 40)), rng.normal(0, 3, 40) + np.linspace(0, 17, 40)
    assert soak.slope(list(ts), list(ys)) == pytest.approx(60 * np.polyfit(ts, ys, 1)[0])


@pytest.mark.parametrize("seconds,rate", [(30, 40.0), (600, 4.0)])
def test_a_leak_fails(seconds, rate):
    """CI's 30-s phase catches 40 MB/min; a 10-minute phase catches 4 MB/min (its limit is MAX_SLOPE = 2)."""
    v = soak.judge(samples(seconds, pss=leak(rate, 600), rss=leak(rate, 1400)), "A", warmup=seconds / 3)
    assert v.failures and v.pss_slope == pytest.approx(rate, rel=0.2)


def test_a_leak_during_the_warm_up_only_passes():
    """Phase B's memory rises until the first closed sessions are dropped (the TTL), then holds."""
    def rise(t):
        return 600 + 30 * min(t, 150) / 60
    v = soak.judge(samples(600, pss=rise, rss=lambda t: rise(t) + 800, phase="B"), "B", warmup=180)
    assert not v.failures and abs(v.pss_slope) < 0.5


@pytest.mark.parametrize("seconds", [30, 600])
def test_one_step_is_not_growth(seconds):
    """A one-off step of STEP_MB (an allocator arena) in the middle of the judged part, in both measures."""
    def step(t):
        return 600 + soak.STEP_MB * (t > seconds * 2 / 3)
    v = soak.judge(samples(seconds, pss=step, rss=lambda t: step(t) + 800), "A", warmup=seconds / 3)
    assert not v.failures, v.line()


def test_pss_growing_alone_is_not_a_leak():
    """Copy-on-write in a worker, or another process on the machine letting go of torch's pages, moves PSS alone."""
    v = soak.judge(samples(30, pss=leak(60, 600)), "A", warmup=10)
    assert not v.failures and v.pss_slope > 50


def test_too_few_samples_fail():
    assert soak.judge(samples(30, every=10), "A", warmup=10).failures
    assert soak.judge(samples(30, phase="B"), "A", warmup=10).failures

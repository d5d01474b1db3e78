"""Small live sessions for the tests of tests/training: fast settings, and settings that blow up."""
import dataclasses

from playground.training.live import LiveConfig, LiveSession

FAST = dict(hidden=6, steps_per_tick=5, batch_size=8)
BLOWS_UP = dict(task="counting", length=40, f="identity", g="identity", optimizer="sgd", lr=1.0, clip=False)


def session(**kw) -> LiveSession:
    return LiveSession(dataclasses.replace(LiveConfig(), **{**FAST, **kw}))

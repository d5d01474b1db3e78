"""The janitor of Train live's runs: a session whose browser went away (Streamlit released its session-scoped
entry) has its run paused once, and forgotten once the session is dropped (disconnectedSessionTTL later)."""
import pytest

from playground.web import live as live_ui


class FakePool:
    def __init__(self):
        self.calls = []

    def call(self, sid, op, timeout=None):
        self.calls.append((op, sid))

    def forget(self, sid):
        self.calls.append(("forget", sid))


@pytest.fixture(autouse=True)
def clean():
    live_ui._gone.clear()
    yield
    live_ui._gone.clear()


def test_a_gone_session_is_paused_once_then_forgotten_after_the_ttl():
    p, paused = FakePool(), set()
    live_ui._went_away("a")
    since = live_ui._gone["a"]
    live_ui.sweep(p, paused, ttl=5.0, now=since + 1)
    live_ui.sweep(p, paused, ttl=5.0, now=since + 2)
    assert p.calls == [("pause", "a")]
    live_ui.sweep(p, paused, ttl=5.0, now=since + 6)
    assert p.calls == [("pause", "a"), ("forget", "a")] and "a" not in live_ui._gone and not paused


def test_a_session_that_comes_back_is_not_forgotten_and_is_paused_again_when_it_goes():
    p, paused = FakePool(), set()
    live_ui._went_away("b")
    live_ui.sweep(p, paused, ttl=5.0, now=live_ui._gone["b"] + 1)
    live_ui._gone.pop("b")  # what _watch does on the session's next run after a reconnection
    live_ui.sweep(p, paused, ttl=5.0, now=live_ui.time.monotonic() + 60)
    assert p.calls == [("pause", "b")] and not paused
    live_ui._went_away("b")
    live_ui.sweep(p, paused, ttl=5.0, now=live_ui._gone["b"] + 1)
    assert p.calls == [("pause", "b"), ("pause", "b")]

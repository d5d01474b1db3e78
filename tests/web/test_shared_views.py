"""Views computed once per server for the same settings (web.jobs.shared_view, on st.cache_resource)."""
import threading

import pytest

from playground.errors import ConfigError
from playground.web import jobs


@pytest.fixture(autouse=True)
def fresh():
    jobs._shared.clear()
    yield
    jobs._shared.clear()


def test_a_view_is_computed_once_however_many_sessions_ask_at_once():
    calls, gate = [], threading.Event()

    def slow():
        calls.append(1)
        assert gate.wait(10)
        return object()

    got = []
    askers = [threading.Thread(target=lambda: got.append(jobs.shared_view("v", ("a", 1), slow))) for _ in range(8)]
    for t in askers:
        t.start()
    gate.set()
    for t in askers:
        t.join(10)
    assert len(calls) == 1 and len(got) == 8 and all(v is got[0] for v in got)
    assert jobs.shared_view("v", ("a", 2), lambda: "other settings") == "other settings"
    assert jobs.shared_view("w", ("a", 1), lambda: "another view") == "another view"


def test_the_views_kept_are_bounded_the_oldest_goes_first():
    jobs.shared_view("v", "first", lambda: "first")
    for k in range(jobs.VIEWS_KEPT):
        jobs.shared_view("v", k, object)
    assert jobs.shared_view("v", "first", lambda: "recomputed") == "recomputed"


def test_a_view_that_fails_is_computed_again_next_time():
    with pytest.raises(ConfigError):
        jobs.shared_view("v", "k", lambda: (_ for _ in ()).throw(ConfigError("bad settings")))
    assert jobs.shared_view("v", "k", lambda: 7) == 7

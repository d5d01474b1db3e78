"""Shared runs: one computation per settings however many ask, one at a time in order, bounded, errors retried."""
import threading

import pytest

from playground.errors import ConfigError
from playground.server.jobs import Jobs


def gated(log: list, name: str, gate: threading.Event):
    """A run that records that it ran, reports progress and waits for `gate` before it returns."""
    def run(progress):
        log.append(name)
        progress(0.5, f"{name} half way")
        assert gate.wait(10)
        return {"name": name}
    return run


def test_the_same_settings_asked_twice_share_one_run_and_its_result():
    jobs, log, gate = Jobs(), [], threading.Event()
    a = jobs.submit(("race", 1), gated(log, "first", gate))
    b = jobs.submit(("race", 1), gated(log, "second", gate))  # another session, same settings, while it runs
    assert b is a
    gate.set()
    assert a.finished.wait(10)
    assert log == ["first"] and a.result == {"name": "first"} and a.message == "Done" and a.fraction == 1.0
    assert jobs.submit(("race", 1), gated(log, "third", gate)) is a  # finished: served from the cache
    assert log == ["first"]


def test_runs_go_one_at_a_time_in_the_order_asked_and_say_how_many_are_ahead():
    jobs, log, gates = Jobs(), [], [threading.Event() for _ in range(3)]
    first, second, third = (jobs.submit(n, gated(log, n, g)) for n, g in zip(("a", "b", "c"), gates))
    assert first.finished.wait(0.2) is False and log == ["a"]  # b and c wait for a
    assert first.fraction == 0.5 and first.message == "a half way"
    assert (jobs.ahead_of(first), jobs.ahead_of(second), jobs.ahead_of(third)) == (0, 1, 2)
    for g, job in zip(gates, (first, second, third)):
        g.set()
        assert job.finished.wait(10)
    assert log == ["a", "b", "c"] and jobs.ahead_of(third) == 0


@pytest.mark.parametrize("error,says", [(ConfigError("Too many delays."), "Too many delays."),
                                        (RuntimeError("internal detail"), "Something went wrong (RuntimeError)")])
def test_a_failed_run_gives_its_message_and_is_not_kept_so_pressing_again_retries(error, says):
    jobs, calls = Jobs(), []

    def run(progress):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return 42

    job = jobs.submit("k", run)
    assert job.finished.wait(10) and job.error.startswith(says) and job.result is None
    assert "internal detail" not in job.error
    again = jobs.submit("k", run)
    assert again is not job and again.finished.wait(10) and again.result == 42 and len(calls) == 2


def test_the_cache_keeps_the_last_finished_results_and_never_drops_a_run_in_progress():
    jobs, gate = Jobs(keep=2, inline=True), threading.Event()
    gate.set()
    for k in range(4):
        jobs.submit(k, lambda progress, k=k: k)
    assert [jobs.get(k) is not None for k in range(4)] == [False, False, True, True]
    running = Jobs(keep=0)
    slow = running.submit("slow", gated([], "slow", threading.Event()))
    running.submit("other", lambda progress: 1)  # trims finished results only
    assert running.get("slow") is slow and not slow.done


def test_inline_jobs_run_at_once_in_the_caller():
    jobs = Jobs(inline=True)
    job = jobs.submit("k", lambda progress: threading.current_thread().name)
    assert job.done and job.result == threading.current_thread().name

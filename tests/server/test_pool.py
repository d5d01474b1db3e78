"""Training in worker processes: fair slices, gone sessions stop, a dead worker is replaced and says so."""
import dataclasses
import time

import pytest
import torch

from playground.training import live
from playground.server import pool, worker
from playground.training.live import LiveConfig

FAST = dict(task="parity", length=4, hidden=4, batch_size=8, steps_per_tick=5)


def _cfg(**kw) -> LiveConfig:
    return dataclasses.replace(LiveConfig(), **{**FAST, **kw})


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_engine_gives_every_playing_session_the_same_number_of_slices():
    e = worker.Engine()
    for i in range(3):
        e.call(f"s{i}", "open", _cfg(seed=i))
        e.call(f"s{i}", "play")
    e.call("idle", "open", _cfg())  # paused: gets nothing
    turns = [e.work(budget=0.0) for _ in range(30)]  # a zero budget trains one step per slice
    assert {sid: turns.count(sid) for sid in set(turns)} == {"s0": 10, "s1": 10, "s2": 10}
    assert [e.sessions[f"s{i}"].step for i in range(3)] == [10, 10, 10] and e.sessions["idle"].step == 0


def test_at_the_slow_pace_play_trains_one_tick_a_second_and_the_worker_turns_to_the_others_meanwhile():
    clock = Clock()
    e = worker.Engine(clock=clock)
    e.call("slow", "open", _cfg(slow=True))
    e.call("fast", "open", _cfg(seed=1))
    e.sessions["slow"].clock = clock
    for sid in ("slow", "fast"):
        e.call(sid, "play")
    turns = [e.work(budget=1.0) for _ in range(6)]  # a whole tick per slice
    assert turns.count("slow") == 1 and turns.count("fast") == 5  # one tick, then it waits its second
    assert e.sessions["slow"].step == 5 and e.sessions["slow"].wait() == pytest.approx(live.SLOW_SECONDS)
    assert e.call("slow", "snapshot", 1.0).step == 5  # a redraw that would train (in-process mode) waits too
    clock.now = live.SLOW_SECONDS * 0.99
    assert e.sessions["slow"].wait() > 0 and "slow" not in [e.work(budget=1.0) for _ in range(3)]
    clock.now = live.SLOW_SECONDS
    e.call("fast", "pause")
    assert e.wait() == 0 and e.work(budget=1.0) == "slow" and e.sessions["slow"].step == 10
    assert e.wait() == pytest.approx(live.SLOW_SECONDS)  # the worker may sleep until then
    e.call("slow", "step_once")  # Step does not wait for the pace
    assert e.sessions["slow"].step == 15
    assert e.call("slow", "snapshot").steps_per_sec <= 5 / live.SLOW_SECONDS  # the pace, not the CPU's speed


def test_slices_give_the_same_history_as_whole_ticks():
    """However a worker slices the work, the rows come every steps_per_tick steps with the same numbers."""
    whole, sliced = live.LiveSession(_cfg()), live.LiveSession(_cfg())
    whole.play()
    sliced.play()
    for _ in range(3):
        whole.tick()
    while sliced.step < 15:
        sliced.advance(0.0)  # one step at a time
    assert [r["step"] for r in sliced.rows] == [0, 5, 10, 15]
    for a, b in zip(whole.rows, sliced.rows):
        assert {k: v for k, v in a.items() if k != "seconds"} == pytest.approx(
            {k: v for k, v in b.items() if k != "seconds"}, nan_ok=True)
    assert all(torch.equal(p, q) for p, q in zip(whole.trainer.model.parameters(), sliced.trainer.model.parameters()))


def test_a_session_nobody_asks_about_stops_training_and_is_later_forgotten():
    clock = Clock()
    e = worker.Engine(clock=clock)
    e.call("gone", "open", _cfg())
    e.call("gone", "play")
    e.call("here", "open", _cfg(seed=1))
    e.call("here", "play")
    clock.now = worker.GONE_AFTER + 1
    e.call("here", "snapshot", 0.0)
    e.expire()
    assert not e.sessions["gone"].playing and "not open" in e.sessions["gone"].message
    assert e.sessions["here"].playing
    before = e.sessions["gone"].step
    for _ in range(4):
        e.work(0.0)
    assert e.sessions["gone"].step == before  # from that moment it trains no more steps
    clock.now = worker.DROP_AFTER + worker.GONE_AFTER + 2
    e.expire()
    assert "gone" not in e.sessions and "here" not in e.sessions  # both idle past DROP_AFTER now
    with pytest.raises(pool.WorkerGone):
        e.call("gone", "play")


def test_the_in_process_handle_trains_when_the_page_redraws():
    h = pool.Handle(None, "me")
    h.call("open", _cfg())
    assert h.snapshot(train=True).step == 0  # paused: a redraw trains nothing
    h.call("play")
    snap = h.snapshot(train=True)
    assert snap.step > 0 and snap.playing and h.session.step == snap.step


@pytest.fixture(scope="module")
def workers():
    p = pool.Pool(2)
    yield p
    p.stop()


def test_workers_train_each_session_with_its_own_settings(workers):
    a, b = pool.Handle(workers, "a"), pool.Handle(workers, "b")
    a.call("open", _cfg(seed=1))
    b.call("open", _cfg(seed=2))
    assert workers.home["a"] is not workers.home["b"]  # spread over the workers
    for seed, h in ((1, a), (2, b)):  # the numbers a session shows are its own seed's, as computed here
        here = live.snapshot(live.LiveSession(_cfg(seed=seed))).rows
        there = h.snapshot().rows
        assert len(there) == len(here) == 1 and there[0] == pytest.approx(here[0], nan_ok=True)
    assert a.snapshot().rows[0]["test_loss"] != b.snapshot().rows[0]["test_loss"]
    a.call("play")
    deadline = time.time() + 30
    while a.snapshot().step < 50 and time.time() < deadline:
        time.sleep(0.1)
    snap = a.snapshot()
    assert snap.step >= 50 and snap.rows[-1]["step"] % 5 == 0 and b.snapshot().step == 0
    a.call("pause")
    paused_at = a.snapshot().step
    time.sleep(0.3)
    assert a.snapshot().step == paused_at


def test_a_dead_worker_is_replaced_and_its_session_says_so(workers):
    h = pool.Handle(workers, "victim")
    h.call("open", _cfg())
    h.call("play")
    w = workers.home["victim"]
    w.process.kill()
    w.process.wait(10)
    t0 = time.time()
    with pytest.raises(pool.WorkerGone, match="Reset"):
        h.snapshot()
    assert time.time() - t0 < 5  # says so at once, never hangs
    rebuilt, fresh = h.call("open", _cfg())  # the page's next run starts it afresh on a live worker
    assert rebuilt is False and fresh.step == 0
    assert workers.home["victim"] is not w and workers.home["victim"].alive
    assert h.snapshot().step == 0


def test_calls_ask_the_os_about_the_workers_at_most_every_half_second_and_a_dead_one_is_seen_on_its_connection(
        workers, monkeypatch):
    h = pool.Handle(workers, "often")
    h.call("open", _cfg())
    asked = []
    for w in workers.workers:
        monkeypatch.setattr(w.process, "poll", lambda w=w: asked.append(w) or None)
    workers._looked = time.monotonic()
    for _ in range(50):  # a crowd's redraws: a snapshot each
        h.snapshot()
    assert asked == []  # no /proc read (a release of the server's GIL) per call
    workers._looked -= pool.LOOK_EVERY_S
    h.snapshot()
    assert len(asked) == len(workers.workers)  # then each worker once
    w = workers.home["often"]
    w.process.kill()  # the real process: seen ended on its connection, between two looks at the OS
    w._reader.join(10)
    assert w.gone
    with pytest.raises(pool.WorkerGone, match="Reset"):
        h.snapshot()
    assert workers.home["often"] is w and w not in workers.workers  # replaced; the next "open" starts it afresh


def test_closing_a_session_frees_it_on_its_worker(workers):
    h = pool.Handle(workers, "bye")
    h.call("open", _cfg())
    workers.forget("bye")
    assert "bye" not in workers.sessions()
    with pytest.raises(pool.WorkerGone):
        pool.Handle(workers, "bye").snapshot()


def test_a_shared_run_in_the_job_worker_gives_what_it_gives_here_with_its_progress():
    from playground.server import jobs
    from playground.views.gates import GatesConfig

    setup = dataclasses.replace(GatesConfig(), T=6, hidden=4, train_steps=30).setup()
    runner, seen = jobs.JobRunner(), []
    try:
        there = runner.call("five", (setup, 30), lambda f, m: seen.append((f, m)))
        pid = runner.worker.process.pid
        assert runner.call("five", (setup, 30)) and runner.worker.process.pid == pid  # one worker, reused
    finally:
        runner.stop()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the worker trains (and the app): the same float path on any CPU
    try:
        here = jobs.call("five", (setup, 30))
    finally:
        torch.set_num_threads(threads)
    assert pid != __import__("os").getpid() and list(there) == list(here)
    for key in here:  # weights trained in another process, bit for bit
        assert all(torch.equal(there[key]["state"][k], v) for k, v in here[key]["state"].items())
    assert seen and seen[-1][0] == 1.0 and all(0.0 <= f <= 1.0 for f, _ in seen)


def test_a_job_worker_that_dies_mid_run_says_so_and_the_next_run_gets_a_new_one():
    from playground.server import jobs
    from playground.views.gates import GatesConfig

    setup = dataclasses.replace(GatesConfig(), T=6, hidden=4).setup()
    runner = jobs.JobRunner()
    try:
        runner.call("five", (setup, 10))
        w = runner.worker
        killer = __import__("threading").Timer(0.5, w.process.kill)
        killer.start()
        t0 = time.time()
        with pytest.raises(pool.WorkerGone, match="Press the button again"):
            runner.call("five", (setup, 5000))
        assert time.time() - t0 < 30
        assert runner.call("five", (setup, 10)) and runner.worker is not w
    finally:
        runner.stop()

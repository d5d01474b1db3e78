import pytest
from playground.server import pool
from playground.server.protocol import RoomOnly
from playground.training.live import LiveConfig

def test_a_follower_s_handle_looks_at_the_room_s_run_and_never_moves_it():
    engine = pool.Engine()
    presenter = pool.Handle(None, "room-ABCDE", engine)
    presenter.call("open", LiveConfig(task="parity", length=4, hidden=4, steps_per_tick=10))
    presenter.call("step_once")
    watcher = pool.Watcher(None, "room-ABCDE", engine)
    assert watcher.snapshot(train=True).step == 10
    for op, args in (("play", ()), ("pause", ()), ("reset", ()), ("step_once", ()), ("open", (LiveConfig(),)),
                     ("rewind", ()), ("load", (b"",)), ("close", ())):
        with pytest.raises(RoomOnly):
            watcher.call(op, *args)
    assert presenter.snapshot().step == 10 and not presenter.snapshot().playing


def test_a_follower_who_explores_gets_the_room_s_run_as_a_paused_copy_of_its_own():
    engine = pool.Engine()
    presenter = pool.Handle(None, "room-ABCDE", engine)
    presenter.call("open", LiveConfig(task="parity", length=4, hidden=4, steps_per_tick=10))
    presenter.call("step_once")
    presenter.call("play")
    mine = pool.Handle(None, "student", engine)
    snap = mine.copy_from("room-ABCDE")
    assert snap.step == 10 and not snap.playing
    mine.call("step_once")
    assert mine.snapshot().step == 20 and presenter.snapshot().step == 10  # the copy trains alone
    a, b = engine.sessions["room-ABCDE"], engine.sessions["student"]
    assert a is not b

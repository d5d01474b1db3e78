"""The room's feed (playground/web/feed.py): what a follower's browser gets for the room's Train live panel, from the
route itself (a stub request: the handler reads path_params, query_params and headers), in-process (no workers)."""
import gzip
import json
import time
from types import SimpleNamespace

import pytest

from playground.server import pool
from playground.server.rooms import Rooms, run_id
from playground.training.live import LiveConfig
from playground.web import feed
from playground.web import live as live_ui
from playground.web import rooms as rooms_ui

CFG = LiveConfig(task="parity", length=4, hidden=4, steps_per_tick=10)


def ask(code: str, c: str = "0", f: str = "", gzipped: bool = False):
    req = SimpleNamespace(path_params={"code": code}, query_params={"c": c, "f": f},
                          headers={"accept-encoding": "gzip, deflate"} if gzipped else {})
    return feed._live(req)


@pytest.fixture
def room(monkeypatch):
    """An open room whose run has trained two ticks (20 steps), on this process's engine (PLAYGROUND_WORKERS=0)."""
    rooms = Rooms()
    monkeypatch.setattr(rooms_ui, "server_rooms", lambda: rooms)
    r, _ = rooms.open(time.monotonic(), "train_live", {})
    presenter = pool.Handle(None, run_id(r.code), live_ui._room_engine())
    presenter.call("open", CFG)
    presenter.call("step_once")
    presenter.call("step_once")
    yield rooms, r
    presenter.call("close")


def test_a_follower_gets_the_room_s_step_numbers_and_six_figures(room):
    rooms, r = room
    resp = ask(r.code)
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    d = json.loads(resp.body)
    assert d["v"] == r.version
    step, metric, loss = d["numbers"]
    assert step[:2] == ["Step", "20"] and step[2].endswith("steps / second")
    assert metric[0] == "Held-out accuracy" and metric[1].endswith("%")
    assert loss[0] == "Held-out loss" and float(loss[1]) > 0
    assert list(d["figs"]) == list(feed.CHARTS)
    for fig in d["figs"].values():
        assert fig["data"] and "layout" in fig
    curves = d["figs"]["curves"]["data"]
    assert max(max(t["x"]) for t in curves if t.get("x")) == 20  # the loss history runs to the room's step


def test_the_answer_is_encoded_once_per_snapshot_gzipped_on_request_and_scaled_for_classroom(room):
    rooms, r = room
    a, b = ask(r.code).body, ask(r.code).body
    assert a == b  # the same snapshot (a quarter second): the same bytes
    zipped = ask(r.code, gzipped=True)
    assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(zipped.body) == a
    plain, big = json.loads(a)["figs"]["curves"], json.loads(ask(r.code, c="1").body)["figs"]["curves"]
    assert big["layout"]["font"]["size"] > plain["layout"]["font"]["size"]  # classroom mode: larger type


def test_a_paused_run_s_new_snapshots_are_not_encoded_again_a_step_is(room, monkeypatch):
    rooms, r = room
    encoded = []
    real = feed.encode
    monkeypatch.setattr(feed, "encode", lambda *a: encoded.append(a[1].step) or real(*a))
    first = ask(r.code).body
    live_ui._shared[run_id(r.code)].at = -1e9  # the quarter second is over: the next ask takes a new snapshot
    assert ask(r.code).body == first and encoded == [20]  # paused: a new snapshot object, the same answer
    presenter = pool.Handle(None, run_id(r.code), live_ui._room_engine())
    presenter.call("step_once")
    live_ui._shared[run_id(r.code)].at = -1e9
    assert json.loads(ask(r.code).body)["numbers"][0][1] == "30" and encoded == [20, 30]


def test_the_answer_carries_the_room_s_version_so_a_follower_sees_a_move(room):
    rooms, r = room
    rooms.move(r.code, r._secret, "why_lstm_gru", {"scene": "8"}, time.monotonic())
    assert json.loads(ask(r.code).body)["v"] == r.version == 1


def test_a_closed_or_wrong_room_is_a_404_with_the_reason():
    resp = ask("ZZZZZ")
    assert resp.status_code == 404 and "no open room" in json.loads(resp.body)["gone"]


def test_a_room_whose_run_is_not_open_yet_says_it_waits(monkeypatch):
    rooms = Rooms()
    monkeypatch.setattr(rooms_ui, "server_rooms", lambda: rooms)
    r, _ = rooms.open(time.monotonic(), "train_live", {})
    d = json.loads(ask(r.code).body)
    assert "Waiting for the lecturer's run" in d["waiting"] and "figs" not in d


def test_a_request_is_a_heartbeat_of_a_follower_the_room_has_and_adds_no_one(room):
    rooms, r = room
    joined = time.monotonic()
    rooms.join(r.code, "student-1", joined)
    ask(r.code, f="student-1")
    ask(r.code, f="forged-id")
    assert set(r.followers) == {"student-1"} and r.followers["student-1"] > joined
    assert not rooms.heard(r.code, "forged-id", joined) and not rooms.heard("QQQQQ", "student-1", joined)


def test_plotly_js_is_served_gzipped_from_the_plotly_package():
    resp = feed._plotly_js(None)
    assert resp.headers["content-encoding"] == "gzip" and b"plotly" in gzip.decompress(resp.body)[:2000].lower()


def test_the_feed_draws_the_snapshot_its_answer_names_a_follower_s_redraw_the_newest(room):
    rooms, r = room
    h = live_ui.room_watcher(r.code)
    older = live_ui.room_snapshot(h)
    pool.Handle(None, run_id(r.code), live_ui._room_engine()).call("step_once")
    live_ui._shared[run_id(r.code)].at = -1e9
    assert live_ui.room_snapshot(h).step == 30 and older.step == 20
    assert live_ui.panel(h, older, lambda s: s.step) == 30  # a follower's redraw: the room's newest
    assert live_ui.panel(h, older, lambda s: s.step, newest=False) == 20  # the feed: the one its numbers state


def test_the_bench_s_light_follower_reads_an_answer_s_numbers_without_its_figures(room):
    """bench/feedclient.meta: the version, id and numbers of a real answer, gzipped or not, as the whole JSON has
    them (a bench that decoded every figure took a share of the cores the server is measured on)."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    from feedclient import meta

    rooms, r = room
    whole = json.loads(ask(r.code).body)
    for body, gzipped in ((ask(r.code).body, False), (ask(r.code, gzipped=True).body, True)):
        head = meta(body, gzipped)
        assert "figs" not in head and head == {k: v for k, v in whole.items() if k != "figs"} and head["numbers"]
    assert meta(ask("NOPE0").body, False) == json.loads(ask("NOPE0").body)  # a gone room's answer, as it is

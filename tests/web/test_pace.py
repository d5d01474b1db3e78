"""A crowd's timer redraws slow down before the server falls behind them, and they queue first come, first served."""
import threading
import time

from playground.web import live, priority


def crowd(n: int, cost: float, at: float = 100.0) -> live.Pace:
    pace = live.Pace()
    for i in range(101):
        pace.note(f"s{i % n}", cost, now=at)
    return pace


def test_a_few_sessions_redraw_at_the_page_s_own_pace():
    pace = crowd(5, 0.01)
    assert pace.redrawing(now=100.0) == 5
    assert pace.every(0.8, now=100.0) == 0.8
    assert pace.every(0.4, now=100.0) == 0.4  # a run alone on its worker


def test_a_crowd_is_slowed_so_that_its_redraws_fit_in_the_server_s_share():
    for n, cost in ((60, 0.01), (50, 0.02), (100, 0.01), (30, 0.03)):
        pace = crowd(n, cost)
        every = pace.every(0.8, now=100.0)
        assert every in live.PACES and every > 0.8
        assert n * cost / every <= live.SERVER_SHARE  # the server keeps up
        faster = [p for p in live.PACES if p < every]
        assert not faster or n * cost / faster[-1] > live.SERVER_SHARE  # and no slower than it must be


def test_a_pace_goes_up_at_once_and_down_only_when_the_need_has_fallen_well_below_it():
    share = live.SERVER_SHARE
    assert crowd(60, 0.01).every(0.8, current=0.8, now=100.0) == 1.2  # need 0.6 / share > 0.8 s: up at once, to the
    # next pace and not twice as slow (fifty on one link need ~0.85 s: at 1.6 s they got 0.37-0.43 redraws/s at the
    # slowest, at 1.2 s 0.50-0.73)
    assert 1.6 / 3 < 40 * 0.01 / share < 0.8
    assert crowd(40, 0.01).every(0.8, current=1.6, now=100.0) == 1.6  # 0.8 would fit, but not by much: kept
    assert crowd(20, 0.01).every(0.8, current=1.6, now=100.0) == 0.8  # need 0.4 s: back down


def test_sessions_that_stopped_redrawing_no_longer_count():
    pace = crowd(50, 0.01, at=100.0)
    assert pace.redrawing(now=100.0 + live.PACE_WINDOW + 1) == 0
    assert pace.every(0.8, current=1.6, now=100.0 + live.PACE_WINDOW + 1) == 0.8


def test_redraws_take_the_queue_in_the_order_they_asked_for_it():
    turn, order, asked = priority.InTurn(), [], []
    with turn:  # held: five threads line up behind it, one after another
        threads = []
        for i in range(5):
            t = threading.Thread(target=lambda i=i: (asked.append(i), turn.__enter__(), order.append(i),
                                                     turn.__exit__(None, None, None)))
            t.start()
            threads.append(t)
            while len(asked) <= i or len(turn._line) <= i:  # in line before the next one comes
                time.sleep(0.001)
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]
    with turn:  # free again
        assert not turn._line

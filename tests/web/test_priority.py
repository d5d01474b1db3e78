"""Page runs before the crowd's timer redraws (web/priority.py): a redraw waits while another thread's page runs."""
import threading
import time

from playground.web import priority


def test_a_redraw_does_not_wait_when_no_page_runs():
    assert priority.wait_for_page_runs(at_most=1.0) < 0.05


def test_a_redraw_waits_for_another_session_s_page_run_until_it_ends():
    inside, leave = threading.Event(), threading.Event()

    def page() -> None:
        with priority.page_run():
            inside.set()
            leave.wait(5)

    t = threading.Thread(target=page)
    t.start()
    inside.wait(5)
    threading.Timer(0.3, leave.set).start()  # the page run ends 0.3 s from now
    waited = priority.wait_for_page_runs(at_most=3.0)
    t.join()
    assert 0.25 <= waited < 2.0, waited
    assert not priority.others_running()


def test_a_redraw_waits_at_most_its_bound_and_never_for_its_own_page():
    inside, leave = threading.Event(), threading.Event()

    def page() -> None:
        with priority.page_run(), priority.page_run():  # a page run that starts another (st.rerun) counts once
            inside.set()
            leave.wait(5)

    t = threading.Thread(target=page)
    t.start()
    inside.wait(5)
    start = time.monotonic()
    assert 0.2 <= priority.wait_for_page_runs(at_most=0.2) < 1.0  # the crowd never stalls behind a long page
    with priority.page_run():  # a page run draws its first redraw inline: it never waits (nor for another page)
        assert priority.others_running() and priority.wait_for_page_runs(at_most=1.0) < 0.05
    leave.set()
    t.join()
    assert not priority.others_running() and time.monotonic() - start < 3
    with priority.page_run():
        assert priority.wait_for_page_runs(at_most=1.0) < 0.05


def test_a_page_run_holds_the_training_workers_longer_after_a_session_s_first_run(monkeypatch):
    asked = []
    monkeypatch.setattr(priority, "holds", [asked.append, lambda s: 1 / 0])  # a failing hold never fails a page
    with priority.page_run(first=True):
        assert asked == [priority.RUN_HOLD]
    with priority.page_run():
        pass
    assert asked == [priority.RUN_HOLD, priority.FIRST_AFTER_HOLD, priority.RUN_HOLD, priority.AFTER_HOLD]
    assert priority.FIRST_AFTER_HOLD > priority.AFTER_HOLD


def test_the_app_holds_training_longer_after_its_first_run_than_after_a_click(monkeypatch):
    from conftest import app_test

    asked = []
    monkeypatch.setattr(priority, "holds", [asked.append])
    at = app_test()
    assert not at.exception and asked[-1] == priority.FIRST_AFTER_HOLD
    at.run()
    assert asked[-1] == priority.AFTER_HOLD

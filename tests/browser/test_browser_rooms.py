"""Real browsers, a presenter's and a follower's, at 1280x720: the follower's page, scene, settings and Train live
steps follow the presenter's; the follower explores on its own and the presenter's screen does not change."""
import re
import time

import pytest

from conftest import exception_texts, open_page, screenshot, wait_for_app
from playground.views.lecture import SCENES

pytestmark = pytest.mark.browser
CATCH_UP = 8.0  # seconds a follower may take to show a move here (the goal, 1-2 s, is measured by bench/room.py)


def until(check, seconds: float = CATCH_UP, every: float = 0.2):
    """Poll check() until it is truthy; return its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def press(button, done, tries: int = 3) -> bool:
    """Click until done() holds: a click that lands while a timer's rerun redraws the page can be lost."""
    for _ in range(tries):
        if button.count():  # gone: the click has landed, its run is still drawing
            button.click()
        if until(done, CATCH_UP):
            return True
    return False


def room_code(page) -> str:
    """The room's code as the Lecture page shows it ("KQ7-M4"), without its dash."""
    return page.locator(".room-code").inner_text().replace("-", "").strip()


def open_room(app_url: str, page) -> str:
    """`page` opens the Lecture page and a room there; the room's code."""
    open_page(page, f"{app_url}/lecture")
    page.get_by_role("button", name="Open a room").click()
    page.locator(".room-code").wait_for(timeout=60_000)
    return room_code(page)


def bar_title(page) -> str:
    bar = page.locator(".st-key-lecture_bar h1")
    return bar.first.inner_text().strip() if bar.count() else ""


def page_title(page) -> str:
    title = page.locator('[data-testid="stMainBlockContainer"] h1')
    return title.first.inner_text().strip() if title.count() else ""


def step_shown(page) -> str:
    """The Step a screen shows: a Streamlit metric, or on a follower's Train live the room's feed (web/feed.py)."""
    metric = page.locator('[data-testid="stMetric"]', has_text="Step").locator('[data-testid="stMetricValue"]')
    if not metric.count():
        metric = page.locator('[data-feed="step"]')
    return metric.first.inner_text().strip() if metric.count() else ""


def feed_drawn(page) -> bool:
    """The feed's first chart is drawn and takes room on the page (not hidden, e.g. by classroom mode's CSS)."""
    svg = page.locator('[data-chart="curves"] .main-svg')
    box = svg.first.bounding_box() if svg.count() else None
    return bool(box and box["height"] > 100)


def test_a_projector_in_classroom_mode_draws_the_room_s_run(app_url, browser):
    """The projector's window: a follower in classroom mode, whose type and charts grow; the room's run is drawn."""
    presenter = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    projector = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    try:
        code = open_room(app_url, presenter)
        presenter.get_by_test_id("stSidebar").get_by_role("link", name="Train live").click()
        presenter.wait_for_url(re.compile("train_live"), timeout=60_000)
        wait_for_app(presenter)
        assert press(presenter.get_by_role("button", name="Step", exact=True),
                     lambda: step_shown(presenter) not in ("", "0"))
        open_page(projector, f"{app_url}/?room={code}&classroom=1")
        assert until(lambda: feed_drawn(projector) and step_shown(projector) == step_shown(presenter), 60), \
            (projector.url, step_shown(projector), step_shown(presenter))
        screenshot(projector, "room_projector_train_live")
        assert exception_texts(projector) == []
    finally:
        presenter.context.close()
        projector.context.close()


def test_a_follower_s_screen_moves_with_the_presenter_s_and_can_branch_off(app_url, browser):
    presenter = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    follower = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    try:
        walk(app_url, presenter, follower)
    finally:  # what each screen showed last: artifacts/screenshots/room_*_last.png
        screenshot(presenter, "room_presenter_last")
        screenshot(follower, "room_follower_last")
        presenter.context.close()
        follower.context.close()


def walk(app_url, presenter, follower) -> None:
    code = open_room(app_url, presenter)
    open_page(follower, f"{app_url}/?room={code}")
    assert until(lambda: "/lecture" in follower.url), follower.url  # taken to where the presenter is
    presenter.get_by_role("button", name="Start the tour").click()
    for n in (1, 2, 3):
        if n > 1:
            presenter.get_by_role("button", name="Next scene ▶").click()
        presenter.wait_for_url(re.compile(f"scene={n}"), timeout=60_000)
        wait_for_app(presenter)
        title = f"Scene {n} of {len(SCENES)}: {SCENES[n - 1].title}"
        assert until(lambda: bar_title(follower) == title, 30), (n, bar_title(follower), follower.url)
        assert f"room={code}" in follower.url and follower.get_by_role("button", name="Script").count() == 0
    screenshot(follower, "room_follower_scene3")
    assert follower.get_by_role("button", name="Next scene ▶").count() == 0  # only the presenter moves the tour

    presenter.get_by_test_id("stSidebar").get_by_role("link", name="Train live").click()
    presenter.wait_for_url(re.compile("train_live"), timeout=60_000)
    wait_for_app(presenter)
    # What the student sees: the page's title. (Seen on a loaded 2-core machine: the switch arrives at once, its page's
    # messages up to ~20 s later; and the address bar can keep the page left, with the new page's settings. Open in
    # issue 20.)
    assert until(lambda: page_title(follower) == "Train live", 60), (page_title(follower), follower.url)
    assert press(presenter.get_by_role("button", name="Step", exact=True),
                 lambda: step_shown(presenter) not in ("", "0"))
    shown = step_shown(presenter)
    assert until(lambda: step_shown(follower) == shown), (step_shown(follower), shown)
    assert until(lambda: feed_drawn(follower)), "the room's charts, drawn in the follower's page (web/feed.py)"
    assert follower.get_by_role("button", name="Step", exact=True).is_disabled()
    screenshot(follower, "room_follower_train_live")

    assert press(follower.get_by_test_id("stSidebar").get_by_role("button", name="Explore on my own"),
                 lambda: "room=" not in follower.url and
                 follower.get_by_role("button", name="Step", exact=True).is_enabled()), follower.url
    assert until(lambda: step_shown(follower) == shown), step_shown(follower)  # its own copy of the room's run, at its step
    assert press(follower.get_by_role("button", name="Step", exact=True),
                 lambda: step_shown(follower) not in ("", shown))
    time.sleep(2)
    assert step_shown(presenter) == shown  # the room's run did not move
    assert exception_texts(presenter) == [] and exception_texts(follower) == []
    assert press(follower.get_by_test_id("stSidebar").get_by_role("button", name="Back to the lecture"),
                 lambda: f"room={code}" in follower.url and step_shown(follower) == shown), follower.url


def test_the_presenter_s_reload_keeps_the_room_and_a_projector_window_of_the_same_browser_follows(app_url, browser):
    """The presenter's rights live in their session; a reload is a new session: the console cookie (code and secret,
    never in a URL) gives the room back. The projector's window in the same browser opened the room's link: it
    follows, with no console."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        console = ctx.new_page()
        code = open_room(app_url, console)
        console.reload()
        wait_for_app(console)
        console.locator(".room-code").wait_for(timeout=30_000)
        assert room_code(console) == code
        assert until(lambda: console.get_by_role("button", name="Close the room").count() == 1)
        projector = ctx.new_page()
        open_page(projector, f"{app_url}/?room={code}")
        assert until(lambda: "/lecture" in projector.url), projector.url
        sidebar = projector.get_by_test_id("stSidebar")
        assert until(lambda: sidebar.get_by_role("button", name="Explore on my own").count() == 1)
        assert sidebar.get_by_role("button", name="Close the room").count() == 0
        assert exception_texts(console) == [] and exception_texts(projector) == []
    finally:
        ctx.close()


def test_the_lecturer_s_race_reaches_the_follower_s_screen(app_url, browser):
    """What the lecturer's press makes shows on the class's screens: scene 9's race, run once (rooms.Rooms.share)."""
    presenter = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    follower = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    try:
        code = open_room(app_url, presenter)
        open_page(follower, f"{app_url}/?room={code}")
        open_page(presenter, f"{app_url}/why_lstm_gru?scene=9&race_steps=50&race_delays=3")  # (a reload: the
        # console cookie keeps the room)
        assert until(lambda: bar_title(follower).startswith(f"Scene 9 of {len(SCENES)}"), 30), bar_title(follower)
        summary = lambda page: page.get_by_text("Held-out accuracy of at least")  # noqa: E731
        assert summary(follower).count() == 0
        presenter.get_by_role("button", name=re.compile("^Start the race")).click()
        assert until(lambda: summary(presenter).count() == 1, 60)
        assert until(lambda: summary(follower).count() == 1, 30), "the race's results on the follower's screen"
        assert summary(follower).inner_text() == summary(presenter).inner_text()
        assert f"room={code}" in follower.url and exception_texts(follower) == [] == exception_texts(presenter)
        screenshot(follower, "room_follower_race")
    finally:
        presenter.context.close()
        follower.context.close()

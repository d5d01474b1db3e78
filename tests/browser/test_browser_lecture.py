"""Real browser at 1280x720: the guided lecture walked with "Next scene", then a scene opened from the Lecture page."""
import re

import pytest

from conftest import ARTIFACTS, exception_texts, open_page, screenshot, wait_for_app
from playground.views import lecture
from playground.views.lecture import SCENES

pytestmark = pytest.mark.browser


def bar_title(page) -> str:
    bar = page.locator(".st-key-lecture_bar")
    bar.wait_for(timeout=60_000)
    return bar.locator("h1").first.inner_text().strip()


@pytest.mark.parametrize("page", [(1280, 720)], indirect=True, ids=["1280x720"])
def test_next_scene_walks_the_tour_and_a_scene_link_opens_from_the_lecture_page(app_url, page):
    small = page
    open_page(small, f"{app_url}/{lecture.scene_url(1)}")
    for n in range(1, 5):
        s = SCENES[n - 1]
        assert bar_title(small) == f"Scene {n} of {len(SCENES)}: {s.title}"
        assert f"scene={n}" in small.url and lecture.page_of(n).url in small.url
        box = small.locator(".st-key-lecture_bar").bounding_box()
        assert box["y"] < 200 and box["y"] + box["height"] < 720  # the bar is whole on the first screen
        screenshot(small, f"lecture_scene_{n}")
        assert exception_texts(small) == []
        if n == 3:  # the scene's settings reached the widgets: the word slider sits on "not"
            thumb = small.locator('[data-testid="stSliderThumbValue"]').first
            assert thumb.inner_text().strip() == str(s.changes["step"])
        small.get_by_role("button", name="Next scene ▶").click()
        small.wait_for_url(re.compile(f"scene={n + 1}"), timeout=60_000)
        wait_for_app(small)
    assert bar_title(small).startswith("Scene 5 of")
    small.get_by_role("link", name="All scenes").click()
    small.locator("h1", has_text="Lecture").wait_for(timeout=60_000)
    wait_for_app(small)
    n = next(n for n, s in enumerate(SCENES, 1) if s.page == "train")
    small.get_by_role("link", name=f"Open scene {n}").click()
    small.locator(".st-key-lecture_bar h1", has_text=f"Scene {n} of").wait_for(timeout=60_000)
    wait_for_app(small)
    assert bar_title(small) == f"Scene {n} of {len(SCENES)}: {SCENES[n - 1].title}"
    assert f"lr={SCENES[n - 1].changes['lr']:g}" in small.url
    screenshot(small, f"lecture_scene_{n}_from_the_list")
    assert exception_texts(small) == []


# What each scene is about, by the Streamlit key of its element: the main chart and the controls its script asks for;
# and what the script has the lecturer press before the chart is there.
MAIN = {1: ["onestep-step"], 2: ["review-compare_a", "review-compare_b"], 3: ["review-reading", "review-step"],
        4: ["review-running"], 5: ["onestep-f_chart"], 6: ["train-curves", "train-play"],
        7: ["train-step", "train-temperature", "train-sample", "train-sampled"], 8: ["gates-grads"],
        9: ["gates-race", "gates-race_run"]}
PRESS = {7: ["train-step", "train-step", "train-sample"], 9: ["gates-race_run"]}


def _inside(page, key: str, w: int, h: int) -> dict:
    """The element's box once it has stopped moving (a chart that has just been drawn may still be sliding in)."""
    element, box = page.locator(f".st-key-{key}").first, None
    for _ in range(20):
        last, box = box, element.bounding_box()
        if box is not None and box == last:
            break
        page.wait_for_timeout(300)
    assert box is not None, f"{key} is not on the page"
    return dict(box, inside=box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= w
                and box["y"] + box["height"] <= h)


@pytest.mark.parametrize("n", range(1, len(SCENES) + 1))
def test_each_scene_shows_its_point_and_next_scene_on_the_first_screen_at_1280x720_classroom(app_url, browser, n):
    w, h = 1280, 720
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    try:
        open_page(page, f"{app_url}/{lecture.scene_url(n, classroom=True)}")
        for key in PRESS.get(n, []):
            page.locator(f".st-key-{key} button").first.click()
            wait_for_app(page)
        for key in MAIN[n]:
            page.locator(f".st-key-{key}").first.wait_for(timeout=120_000)
        page.wait_for_timeout(1000)  # the charts have their size
        assert page.evaluate("() => window.scrollY") == 0
        boxes = {key: _inside(page, key, w, h) for key in MAIN[n] + (["lecture-next"] if n < len(SCENES) else [])}
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"lecture_scene_{n}_first_screen.png"))
        assert [k for k, b in boxes.items() if not b["inside"]] == [], boxes
        script = page.get_by_text(SCENES[n - 1].script[:60])
        assert script.count() == 0 or not script.first.is_visible()  # the lecturer's script is not projected
        assert exception_texts(page) == []
    finally:
        ctx.close()

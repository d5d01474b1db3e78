"""Real browser at 1280x720: the guided lecture walked with "Next scene", then a scene opened from the Lecture page."""
import re

import pytest

from conftest import exception_texts, open_page, screenshot, wait_for_app
from playground.views import lecture
from playground.views.lecture import SCENES

pytestmark = pytest.mark.browser


def bar_title(page) -> str:
    bar = page.locator(".st-key-lecture_bar")
    bar.wait_for(timeout=60_000)
    return bar.locator("strong").first.inner_text()


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
    small.locator("h1", has_text="Train live").wait_for(timeout=60_000)
    wait_for_app(small)
    assert bar_title(small) == f"Scene {n} of {len(SCENES)}: {SCENES[n - 1].title}"
    assert f"lr={SCENES[n - 1].changes['lr']:g}" in small.url
    screenshot(small, f"lecture_scene_{n}_from_the_list")
    assert exception_texts(small) == []

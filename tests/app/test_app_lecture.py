"""AppTest: the Lecture page, every scene link opening its page with the scene's settings and bar, and the tour's
buttons (Next, Previous, Leave) moving through it within one session, in classroom mode too."""
import dataclasses
import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP
from playground.web.live import SESSION_KEY
from playground.views import lecture, review
from playground.views.lecture import SCENES, scene_config, scene_params
from playground.views.pages import PAGES

PATH = {p.key: p.path for p in PAGES}
TITLE = {p.key: p.title for p in PAGES}


def fresh(params: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return follow(at)


def follow(at: AppTest) -> AppTest:
    """Let the next runs stay where the last one finished. AppTest.switch_page makes every later run ask for that
    page again, so a st.switch_page in the app (the tour's buttons) would be undone at the next click."""
    at._page_hash = ""
    return at


def visit(at: AppTest, n: int, classroom: bool = False) -> AppTest:
    """What clicking scene n's link does in a session that is already open: its page with its query parameters."""
    at.query_params.clear()
    for k, v in scene_params(n, classroom).items():
        at.query_params[k] = v
    at.switch_page(PATH[SCENES[n - 1].page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return follow(at)


def bar(at: AppTest) -> str:
    """The scene bar's heading, in the page title's place ("" when there is none)."""
    return next((t.value for t in at.title if t.value.startswith("Scene ")), "")


def shows_scene(at: AppTest, n: int) -> None:
    s = SCENES[n - 1]
    assert [t.value for t in at.title] == [f"Scene {n} of {len(SCENES)}: {s.title}"]  # no page title above it
    assert bar(at) and any(m.value == s.script for m in at.get("popover")[0].markdown)  # the script: folded
    assert any(m.value == f"**{TITLE[s.page]}**, scene {n}: {s.title}" for m in at.markdown)
    cfg = scene_config(n)
    for field, value in s.changes.items():  # the widgets hold the scene's settings
        assert at.session_state[f"{s.page}.{field}"] == value, (n, field)
    shown = at.session_state[f"{s.page}:config"]
    if s.page == "review" and cfg.step == 0:  # step 0 (the last word) is shown as word T
        assert shown.step == review.n_tokens(cfg.text), (n, shown.step)
        shown = dataclasses.replace(shown, step=0)
    assert shown == cfg, n
    assert _param(at, lecture.SCENE) == str(n)  # still in the URL after publish_config


def _param(at: AppTest, name: str):
    v = at.query_params.get(name)
    return v[0] if isinstance(v, list) else v


def test_the_lecture_page_lists_every_scene_and_starts_the_tour():
    at = fresh(page=PATH["lecture"])
    assert at.title[0].value == "Lecture"
    for n, s in enumerate(SCENES, 1):
        assert any(m.value.startswith(f"**{n}. {s.title}**") for m in at.markdown), s.title
    at.button(key="lecture:start").click().run()
    assert not at.exception
    shows_scene(at, 1)
    assert _param(at, "classroom") is None  # not in classroom mode: the next links do not ask for it


def test_the_lecture_pages_classroom_toggle_starts_the_tour_in_classroom_mode():
    at = fresh({"classroom": "1"}, PATH["lecture"])
    assert at.toggle(key="lecture:classroom_links").value is True  # from the link
    at.toggle(key="lecture:classroom_links").set_value(False).run()
    at.toggle(key="lecture:classroom_links").set_value(True).run()
    at.button(key="lecture:start").click().run()
    shows_scene(at, 1)
    assert _param(at, "classroom") == "1"


@pytest.mark.parametrize("n", range(1, len(SCENES) + 1))
def test_a_scene_link_opens_its_page_with_its_settings_and_bar(n):
    at = fresh(scene_params(n), PATH[SCENES[n - 1].page])
    shows_scene(at, n)


def test_next_walks_the_whole_tour_in_one_session_in_classroom_mode():
    at = fresh(scene_params(1, classroom=True), PATH[SCENES[0].page])
    for n in range(1, len(SCENES) + 1):
        shows_scene(at, n)
        if n == len(SCENES):
            assert not at.button(key="lecture:previous").disabled
            assert "lecture:next" not in [b.key for b in at.button]
            break
        at.button(key="lecture:next").click().run()
        assert not at.exception, (n, [e.value for e in at.exception])
        assert _param(at, "classroom") == "1"  # the app's mode, kept


def test_a_scene_link_replaces_settings_the_session_already_had_on_that_page():
    n = next(n for n, s in enumerate(SCENES, 1) if s.page == "train")
    at = fresh(page=PATH["train"])
    at.slider(key="train.hidden").set_value(8).run()
    assert at.session_state["train.hidden"] == 8
    visit(at, n)
    shows_scene(at, n)
    at.select_slider(key="train.steps_per_tick").set_value(25).run()  # the visitor's own change, in the scene
    assert at.session_state["train.steps_per_tick"] == 25 and bar(at)  # kept, and still in the scene
    at.button(key="lecture:next").click().run()
    at.button(key="lecture:previous").click().run()  # back: the scene's settings again
    shows_scene(at, n)


def test_a_scene_link_drops_the_edits_made_in_the_calculators_tables():
    n = [n for n, s in enumerate(SCENES, 1) if s.page == "onestep"][-1]
    at = fresh(page=PATH["onestep"])
    at.session_state["onestep:more_open"] = True  # open "Set the numbers yourself": the tables are in it
    at.run()
    edit = {"edited_rows": {1: {"b_h": 1.5}}, "added_rows": [], "deleted_rows": []}
    at.session_state["onestep:edit:b_h:0"] = edit  # what typing 1.5 into b_h's second cell sends
    at.run()
    assert at.session_state["onestep.b_h"] == "0.3,1.5,0.2"
    visit(at, n)
    shows_scene(at, n)  # the scene's numbers (its b_h is the default), not the table's edit laid over them again
    assert at.session_state["onestep.b_h"] == scene_config(n).b_h != "0.3,1.5,0.2"


def test_moving_on_pauses_a_training_run_that_is_playing():
    n = max(n for n, s in enumerate(SCENES, 1) if s.page == "train")
    assert SCENES[n].page != "train"  # the next scene is on another page
    at = fresh(scene_params(n), PATH["train"])
    at.button(key="train:play").click().run()
    run = at.session_state[SESSION_KEY].session
    assert run.playing
    at.button(key="lecture:next").click().run()
    shows_scene(at, n + 1)
    assert not run.playing and run.status == "paused"


def test_previous_goes_back_and_leave_keeps_the_settings_without_the_bar():
    at = fresh(scene_params(3), PATH["review"])
    at.button(key="lecture:previous").click().run()
    shows_scene(at, 2)
    at.button(key="lecture:leave").click().run()
    assert not at.exception and bar(at) == "" and _param(at, lecture.SCENE) is None
    assert at.session_state["review.text_b"] == SCENES[1].changes["text_b"]  # the scene's settings stay
    at.run()
    assert bar(at) == ""


def test_a_scene_number_of_another_page_is_ignored():
    n = next(n for n, s in enumerate(SCENES, 1) if s.page == "gates")
    at = fresh({lecture.SCENE: str(n)}, PATH["review"])
    assert bar(at) == "" and not at.exception
    assert not [t for t in at.get("toast") if "scene=" in t.proto.body]  # a real scene: no bad link to tell of


@pytest.mark.parametrize("raw,page", [("99", "pages/2_train_live.py"), ("x", "pages/5_lecture.py")])
def test_a_link_whose_scene_names_no_scene_says_so_once(raw, page):
    at = fresh({lecture.SCENE: raw}, page)
    toasts = [t.proto.body for t in at.get("toast")]
    assert any(f"scene={raw!r} was ignored" in t and f"1 to {lecture.count()}" in t for t in toasts), toasts
    at.run()
    assert not [t for t in at.get("toast") if "scene=" in t.proto.body]  # once, not on every rerun


"""AppTest of classroom mode on every page: from ?classroom=1 the settings sit in a folded "Settings" expander, no
share box, the seed fixed, the charts' type larger than the same page's without the mode; the link keeps
classroom=1 after a widget changes and after moving to another page; the sidebar toggle leaves it; bad values say so."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP
from playground.views import classroom
from playground.views.pages import PAGES

# Per page: a settings widget that must be folded away, and the seed (None: the page has none).
FOLDED = {"review": ("radio", "review.model", None), "train": ("slider", "train.hidden", "train.seed"),
          "gates": ("slider", "gates.race_hidden", "gates.seed"), "onestep": ("selectbox", "onestep.f", "onestep.seed")}


@pytest.fixture(autouse=True)
def served_url(monkeypatch):
    """st.context.url as a browser reports it (AppTest has none, and the share box needs one)."""
    import streamlit as st

    monkeypatch.setattr(type(st.context), "url", property(lambda self: "http://localhost:8501/"))


def opened(page: str | None, **params: str) -> AppTest:
    """The app opened from a link to `page` (None: the home page) carrying `params`, as a visitor would paste it."""
    at = AppTest.from_file(APP, default_timeout=180)
    if page:
        at.run().switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def share_box(at: AppTest) -> list[str]:
    """The sidebar's share box: the page's link as text (ui.publish_config), [] when it is not there."""
    return [h.proto.body for h in at.sidebar.get("html") if "://" in h.proto.body]


def param(at: AppTest, name: str) -> str | None:
    v = at.query_params.get(name)
    return v[-1] if isinstance(v, list) else v


def settings(at: AppTest):
    return [e for e in at.expander if e.label.startswith("Settings")]


def fonts(at: AppTest) -> dict[str, float]:
    return {c.proto.id.split("-")[-1]: json.loads(c.proto.spec)["layout"]["font"]["size"]
            for c in at.get("plotly_chart")}


SETTING_PAGES = [p for p in PAGES if p.key in FOLDED]  # the Lecture page has no settings and no charts


def test_every_page_but_the_lecture_has_settings_to_fold():
    assert {p.key for p in PAGES} - set(FOLDED) == {"lecture"}


@pytest.mark.parametrize("page", SETTING_PAGES, ids=[p.url for p in SETTING_PAGES])
def test_classroom_link_folds_settings_hides_share_box_fixes_seed_and_scales_charts(page):
    kind, widget, seed = FOLDED[page.key]
    plain, at = opened(page.path), opened(page.path, classroom="1")

    assert param(at, "classroom") == "1" and param(plain, "classroom") is None
    assert share_box(plain) and not share_box(at)  # the share box: there without the mode, gone with it
    always = {e.label for e in settings(plain)}  # folded with or without the mode: Why LSTM & GRU's flow settings
    assert len(always) <= 1 and always <= {e.label for e in settings(at)}
    folded = [e for e in settings(at) if e.label not in always]
    assert folded and not any(e.proto.expanded for e in folded)  # folded
    assert any(getattr(e, kind)(key=widget) is not None for e in folded if _has(e, kind, widget))
    assert getattr(plain, kind)(key=widget).value == getattr(at, kind)(key=widget).value  # same keys, same state
    if seed:
        assert at.number_input(key=seed).disabled and not plain.number_input(key=seed).disabled
    big, small = fonts(at), fonts(plain)
    assert big and big.keys() == small.keys()
    for k in big:
        assert big[k] == pytest.approx(small[k] * classroom.FONT_SCALE, abs=0.06), k
    assert at.toggle(key=classroom.KEY).value is True


def _has(block, kind: str, key: str) -> bool:
    return any(getattr(w, "key", None) == key for w in getattr(block, kind))


def test_a_changed_widget_and_another_page_keep_classroom_in_the_link():
    at = opened("pages/1_read_a_review.py", classroom="1")
    at.radio(key="review.model").set_value("gru").run()
    assert param(at, "model") == "gru" and param(at, "classroom") == "1"
    at.switch_page("pages/2_train_live.py").run()  # a page link without classroom: the session carries it
    assert not at.exception
    assert param(at, "classroom") == "1" and param(at, "task") and settings(at) and not share_box(at)
    at.slider(key="train.hidden").set_value(8).run()
    assert param(at, "hidden") == "8" and param(at, "classroom") == "1"


def test_page_links_carry_classroom_when_it_is_on_and_not_otherwise():
    def links(at):
        return {p.proto.label: p.proto.query_string for p in at.get("page_link")}

    on, off = opened(None, classroom="1"), opened(None)
    assert on.title[0].value == "RNN Playground"
    assert links(on) and all("classroom=1" in q for q in links(on).values())
    assert links(off) and not any("classroom" in q for q in links(off).values())


def test_the_calculator_link_from_a_review_keeps_classroom():
    at = opened("pages/1_read_a_review.py", classroom="1")
    link = next(p for p in at.get("page_link") if "calculator" in p.proto.label)
    assert "classroom=1" in link.proto.query_string and "word=" in link.proto.query_string


def test_the_sidebar_toggle_leaves_classroom_mode_and_turns_it_on():
    # (AppTest shows the sidebar on a page's first run only: the toggle is flipped there)
    at = opened(None, classroom="1")
    at.toggle(key=classroom.KEY).set_value(False).run()
    assert not at.exception and param(at, "classroom") is None
    at.switch_page("pages/2_train_live.py").run()
    assert param(at, "classroom") is None and share_box(at) and not settings(at)
    assert not at.number_input(key="train.seed").disabled

    at = opened(None)
    at.toggle(key=classroom.KEY).set_value(True).run()
    assert not at.exception and param(at, "classroom") == "1"
    at.switch_page("pages/2_train_live.py").run()
    assert param(at, "classroom") == "1" and settings(at) and not share_box(at)
    assert at.number_input(key="train.seed").disabled


@pytest.mark.parametrize("raw", ["2", "", "maybe"])
def test_a_bad_classroom_value_says_so_and_leaves_the_mode_off(raw):
    at = opened("pages/1_read_a_review.py", classroom=raw)
    toasts = [t.proto.body for t in at.get("toast")]
    assert any(f"classroom={raw!r}" in t for t in toasts), toasts
    assert param(at, "classroom") is None and not settings(at) and share_box(at)


def test_a_yes_word_switches_it_on_and_the_link_then_says_1():
    at = opened("pages/3_why_lstm_gru.py", classroom="yes")
    assert param(at, "classroom") == "1" and settings(at) and not at.get("toast")

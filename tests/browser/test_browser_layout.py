"""Real browser at a projector's sizes (1280x720, 1024x768): Train live's first screen shows a chart, Read a
review's h_t + y_t block fits one screen with Play and the word labels, word labels never collide, selectbox texts
are whole."""
import math
from urllib.parse import urlencode

import pytest

from conftest import ARTIFACTS, exception_texts, open_page
from playground.training import live_config
from playground.views import train_live as demos
from playground.training import live
from playground.views import onestep
from playground.views import review
from playground.training.gradflow import CONTENDERS, INITS

pytestmark = pytest.mark.browser
SIZES = [(1280, 720), (1024, 768)]
HEADER_PX = 60  # Streamlit's header over the top of the page


@pytest.fixture
def sized(browser, request):
    w, h = request.param
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    yield page, w, h
    ctx.close()


def test_train_live_first_screen_shows_the_curves_at_1280x720(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    try:
        open_page(page, f"{app_url}/train_live")
        chart = page.locator(".js-plotly-plot").first
        chart.wait_for(timeout=60_000)
        box = chart.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 720, box  # the whole loss/accuracy chart
        page.screenshot(path=str(ARTIFACTS / "screenshots" / "train_live_1280x720_first_screen.png"))
        assert exception_texts(page) == []
    finally:
        ctx.close()


# Each page's main view (its elements' Streamlit keys: the chart, then controls): whole on the first screen, before any
# scrolling.
FIRST_SCREEN = {"read_a_review": ["review-reading"], "train_live": ["train-curves", "train-play"],
                "why_lstm_gru": ["gates-grads"], "inside_one_step": ["onestep-step"]}


@pytest.mark.parametrize("w,h,mode", [(1024, 768, ""), (1280, 720, "?classroom=1")], ids=["1024x768", "classroom"])
@pytest.mark.parametrize("path", list(FIRST_SCREEN))
def test_each_page_shows_its_main_view_whole_on_the_first_screen(app_url, browser, path, w, h, mode):
    """A student at 1024x768 (the sidebar open) and a projector at 1280x720 in classroom mode."""
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    try:
        open_page(page, f"{app_url}/{path}{mode}")
        chart, *controls = FIRST_SCREEN[path]
        page.locator(f".st-key-{chart} .main-svg").first.wait_for(timeout=60_000)  # drawn
        page.wait_for_timeout(500)
        assert page.evaluate("window.scrollY") == 0
        for key in FIRST_SCREEN[path]:
            box = page.locator(f".st-key-{key}").bounding_box()
            assert box["height"] > 40 and box["y"] >= 0 and box["y"] + box["height"] <= h, (path, key, box)
        for key in controls:  # a big button: easy to hit from a lectern
            assert page.locator(f".st-key-{key} button").bounding_box()["height"] >= 44
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"{path}_{w}x{h}{'_classroom' if mode else ''}_first.png"))
        assert exception_texts(page) == []
    finally:
        ctx.close()


# Every selectbox of these pages with all its options (the longest one is what must fit), by its label.
OPTIONS = {
    "Lecture demos": [d.label for d in demos.DEMOS.values()] + ["Pick a ready-made demo…"],
    "Task": [t.label for t in live.tasklib.TASKS.values()],
    "Hidden activation f": [f.label for f in live_config.HIDDEN.values()],
    "Output activation g (picks the loss)": [g.label for g in live_config.OUTPUT.values()],
    "Optimizer": [o.label for o in live.tr.OPTIMIZERS.values()],
    "Batch size": [str(b) for b in live_config.BATCH_SIZES],
    "Example reviews": list(review.EXAMPLES) + ["Pick an example…"],
    "W_hh initialisation": [i.label for i in INITS.values()],
    "Model for the eigenvalue plot": [c.label for c in CONTENDERS.values()],
    "Model": [c.label for c in CONTENDERS.values()],
    "Calculator for": list(onestep.SOURCES.values()),
    "f (hidden)": [f.label for f in onestep.HIDDEN.values()],
    "g (output)": [g.label for g in onestep.OUTPUT.values()],
}
WIDTHS_JS = """options => { const c = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('[data-testid="stSelectbox"] input[role="combobox"]')].map(i => {
    const s = getComputedStyle(i); c.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const label = i.getAttribute('aria-label');
    const texts = options[label] || [i.value || i.placeholder];
    const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    return [label, Math.max(...texts.map(t => c.measureText(t).width)), room]; }); }"""


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1280x720", "1024x768"])
@pytest.mark.parametrize("path", ["train_live", "read_a_review", "why_lstm_gru", "inside_one_step"])
def test_selectbox_texts_are_whole(app_url, sized, path):
    page, w, h = sized
    open_page(page, f"{app_url}/{path}")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)  # the page has run to its charts
    page.wait_for_timeout(500)
    rows = page.evaluate(WIDTHS_JS, OPTIONS)
    assert rows and [r for r in rows if r[1] > r[2]] == [], f"cut at {w}x{h}: {rows}"


def _labels(page, index: int, axis: str) -> dict:
    """The word labels of chart `index` (scrolled to the top of the screen): boxes, font size, angle, spacing."""
    return page.evaluate("""([i, axis]) => { const plot = document.querySelectorAll('.js-plotly-plot')[i];
        plot.scrollIntoView({block: 'start'});
        const texts = [...plot.querySelectorAll(`g.${axis}tick text`)];
        const angle = texts.length ? ((texts[0].getAttribute('transform') || '').match(/rotate\\((-?[\\d.]+)/) || [0, 0])[1] : 0;
        const xs = texts.map(t => parseFloat((t.getAttribute('transform') || '').match(/translate\\((-?[\\d.]+)/)?.[1] || t.getAttribute('x')));
        return {plot: plot.getBoundingClientRect().toJSON(), angle: parseFloat(angle), xs: xs,
                font: texts.length ? parseFloat(getComputedStyle(texts[0]).fontSize) : 0,
                boxes: texts.map(t => t.getBoundingClientRect().toJSON()),
                play: [...plot.querySelectorAll('.updatemenu-button')].map(b => b.getBoundingClientRect().toJSON())}; }""",
                         [index, axis])


def _apart(lab: dict) -> bool:
    """Parallel labels do not overlap: upright/slanted ones when the gap between their baselines is at least the
    font size, flat ones when their boxes do not overlap."""
    if abs(lab["angle"]) < 1:
        b = sorted(lab["boxes"], key=lambda r: r["left"])
        return all(x["right"] <= y["left"] + 0.5 for x, y in zip(b, b[1:]))
    gaps = [b - a for a, b in zip(lab["xs"], lab["xs"][1:])]
    return min(gaps) * abs(math.sin(math.radians(lab["angle"]))) >= lab["font"]


@pytest.mark.parametrize("sized", SIZES, indirect=True, ids=["1280x720", "1024x768"])
def test_read_a_review_block_fits_with_play_and_word_labels(app_url, sized):
    page, w, h = sized
    text = review.EXAMPLES["A longer review"].text  # 54 words: every other one labelled
    open_page(page, f"{app_url}/read_a_review?" + urlencode({"model": "lstm", "text": text}))
    page.locator(".js-plotly-plot").nth(3).wait_for(timeout=60_000)
    for index in (0, 3):  # the h_t + y_t block; the LSTM's gates
        axis = "x2" if index == 0 else _gate_axis(page, index)
        _labels(page, index, axis)
        page.wait_for_timeout(800)  # scrolled: let the plot settle
        lab = _labels(page, index, axis)
        assert lab["boxes"], (index, axis)
        assert _apart(lab), (w, h, index, lab["angle"], lab["font"], lab["xs"][:4])
        assert max(b["bottom"] for b in lab["boxes"]) <= lab["plot"]["bottom"] + 0.5  # whole, never cut off
        if index == 0:
            assert lab["play"] and min(b["top"] for b in lab["play"]) >= 0  # Play and...
            assert max(b["bottom"] for b in lab["boxes"]) <= h  # ...the word labels on one screen
            assert lab["plot"]["height"] <= h - HEADER_PX
            page.screenshot(path=str(ARTIFACTS / "screenshots" / f"review_block_{w}x{h}.png"))
    assert exception_texts(page) == []


def _gate_axis(page, index: int) -> str:
    """The gates panel labels its last (bottom) word axis only: the x axis whose ticks have text."""
    return page.evaluate("""i => { const plot = document.querySelectorAll('.js-plotly-plot')[i];
        const g = [...plot.querySelectorAll('g[class$="tick"]')].find(e => e.querySelector('text') &&
                   /^x\\d*tick$/.test(e.getAttribute('class')) && e.textContent.trim());
        return g ? g.getAttribute('class').replace('tick', '') : 'x'; }""", index)

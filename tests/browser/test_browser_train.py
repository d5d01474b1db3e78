"""Real browser: press Play on Train live, let it train past a step threshold, pause, screenshot; and a run
that blows up pauses itself with the explanation on screen."""
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import open_page, exception_texts, screenshot, wait_for_app

pytestmark = pytest.mark.browser
THRESHOLD = 150




def _step(page) -> int:
    value = page.locator('[data-testid="stMetric"]').filter(has_text="Step").first \
        .locator('[data-testid="stMetricValue"]').inner_text()
    return int(re.sub(r"\D", "", value) or 0)


def _settled_step(page, timeout_s: float = 30) -> int:
    """The step counter once it has not moved for a second (the rerun after a click redraws it last)."""
    wait_for_app(page)
    last = _step(page)
    for _ in range(int(timeout_s)):
        page.wait_for_timeout(1000)
        now = _step(page)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the step counter kept moving after Pause (last {last})")


def test_play_trains_until_the_step_counter_passes_a_threshold(app_url, page):
    open_page(page, f"{app_url}/train_live")
    assert _step(page) == 0
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        """t => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                   .find(e => e.innerText.startsWith('Step'));
                  return m && parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText
                                        .replace(/\\D/g, '')) >= t; }""", arg=THRESHOLD, timeout=90_000)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    wait_for_app(page)
    assert exception_texts(page) == []  # the rerun after Pause overlaps the last tick: it must wait, not fail
    reached = _settled_step(page)  # the tick in flight when Pause was clicked may still land
    assert reached >= THRESHOLD
    page.wait_for_timeout(2500)
    assert _step(page) == reached  # paused: the counter stays put
    assert page.locator(".js-plotly-plot").count() >= 5
    page.set_viewport_size({"width": 1400, "height": 2600})  # Streamlit scrolls inside its main block
    page.wait_for_timeout(800)
    shot = screenshot(page, "train_live_playing")
    assert shot.stat().st_size > 30_000
    assert exception_texts(page) == []
    # what the loss chart draws (plotly's own data in the page): one row per tick up to the step shown, finite
    steps, losses = page.evaluate("""() => { const p = [...document.querySelectorAll('.js-plotly-plot')]
        .find(e => (e.layout.annotations || []).some(a => (a.text || '').startsWith('loss')));
        const t = p.data.find(d => d.name === 'held-out set' && (d.yaxis || 'y') === 'y');
        return [Array.from(t.x), Array.from(t.y)]; }""")
    assert steps[0] == 0 and steps == sorted(steps) and len(steps) >= 3, steps
    assert 0 <= reached - steps[-1] < 50, (reached, steps)  # a row per tick of 50 steps, the untrained row first
    assert all(isinstance(v, (int, float)) and v > 0 for v in losses), losses


def test_a_diverging_run_pauses_itself_and_explains(app_url, page):
    open_page(page, f"{app_url}/train_live?task=counting&length=40&f=relu&g=identity&optimizer=sgd&lr=1.0&clip=0&cell=rnn")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="exploded at step")
    for _ in range(3):  # a click that landed while a rerun re-made the button (a full CI run saw one lost): again
        page.get_by_role("button", name="Play", exact=True).click()
        try:
            alert.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            if page.get_by_role("button", name="Pause", exact=True).count():
                break  # it plays: the click was taken, the run is slow to blow up; wait for it below
    alert.wait_for(timeout=60_000)
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)  # paused by itself
    wait_for_app(page)
    assert "clipping" in alert.inner_text()
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.wait_for_timeout(800)
    screenshot(page, "train_live_diverged")
    assert exception_texts(page) == []
    page.get_by_role("button", name=re.compile(r"Rewind to step \d+, before the blow-up")).click()
    page.locator('[data-testid="stAlert"]').filter(has_text="Rewound to step").wait_for(timeout=30_000)
    assert _settled_step(page) == int(re.search(r"Rewound to step (\d+)", page.locator(
        '[data-testid="stAlert"]').filter(has_text="Rewound to step").inner_text()).group(1))
    assert exception_texts(page) == []


@pytest.mark.parametrize("page", [(1280, 720)], indirect=True)
def test_a_new_model_s_note_leaves_play_where_it_was(app_url, page):
    """A setting that makes a new model says so under the equations: Play, Step and Reset stay beside the Task picker
    (the note beside them pushed them onto a row of their own, away from the hand reaching for Play)."""
    open_page(page, f"{app_url}/train_live")
    play, task = page.get_by_role("button", name="Play"), page.locator(".st-key-train-task")
    row = lambda: play.bounding_box()["y"] - task.bounding_box()["y"]  # noqa: E731 - (the page may scroll)
    before = row()
    slider = page.locator(".st-key-train-hidden input[type='range']")
    slider.focus()
    slider.press("ArrowRight")
    note = page.get_by_text("New settings, new model")
    note.wait_for(timeout=30_000)
    wait_for_app(page)
    assert abs(row() - before) < 2, (before, row())  # beside the Task picker, as before
    assert note.bounding_box()["y"] > play.bounding_box()["y"] + play.bounding_box()["height"]  # under the buttons
    assert exception_texts(page) == []


# Per animation frame, for each of Train live's six charts: is any of it on screen (drawn by plotly.js, or the copy
# web/steady.py shows in its place)? And how many times Streamlit took a chart's element out of the page.
WATCH_CHARTS = """(keys) => {
  window.blank = Object.fromEntries(keys.map((k) => [k, 0]));
  window.replaced = 0;
  new MutationObserver((muts) => { for (const m of muts) for (const n of m.removedNodes)
    if (n.nodeType === 1 && n.querySelector?.('[data-testid="stPlotlyChart"]')) window.replaced++; })
    .observe(document.body, {childList: true, subtree: true});
  const shown = (k) => [...document.querySelectorAll('.st-key-train-' + k)].some((box) =>
    [...box.querySelectorAll('.main-svg')].some((s) => s.closest('.steady-cover')
      || getComputedStyle(s.closest('.js-plotly-plot')).visibility !== 'hidden'))
    || [...document.querySelectorAll('.steady-cover')].some((c) => !c.closest('[class*="st-key-"]'));
  const frame = () => { for (const k of keys) if (!shown(k)) window.blank[k]++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}"""


def test_the_charts_redraw_while_playing_without_a_blank(app_url, page):
    """Streamlit remounts a chart whose figure changed: blank until plotly.js draws it (0.22-0.31 s, about every
    redraw, seen before web/steady.py). While Play trains, every chart is on screen in every frame but the odd one."""
    open_page(page, f"{app_url}/train_live")
    page.locator(".st-key-train-weights .main-svg").first.wait_for(timeout=60_000)
    page.evaluate(WATCH_CHARTS, ["curves", "network", "probe", "grads", "spectral", "weights"])
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(12_000)
    blank, replaced = page.evaluate("[window.blank, window.replaced]")
    ages = page.evaluate("() => Object.values(window.__steadyCopied || {}).map((t) => performance.now() - t)")
    page.get_by_role("button", name="Pause").click()
    assert len(ages) >= 6 and max(ages) < 2500, ages  # each chart's copy is of a recent drawing, not the first one
    assert replaced >= 5 * 6, replaced  # the charts were redrawn (remounted) several times each
    assert max(blank.values()) <= 3, blank  # without the copies: ~35 blank frames each in 20 s
    assert exception_texts(page) == []

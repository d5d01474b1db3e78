"""Real browser: a first visit paints a page's first chart before the rest of the page's charts (web/paint.py), and
the rest follows without a click."""
import pytest

from conftest import open_page

pytestmark = pytest.mark.browser

# the time each chart's first SVG entered the page, by the chart's element key (st-key-...)
SEEN = """
window.__charts = {};
new MutationObserver(() => {
  document.querySelectorAll('.js-plotly-plot .main-svg').forEach(svg => {
    const box = svg.closest('[class*="st-key-"]');
    const key = box ? [...box.classList].find(c => c.startsWith('st-key-')) : '?';
    if (!(key in window.__charts)) window.__charts[key] = performance.now();
  });
}).observe(document, {subtree: true, childList: true});
"""


@pytest.mark.parametrize("path,first,rest", [
    ("train_live", "st-key-train-curves", ["st-key-train-network", "st-key-train-probe", "st-key-train-weights"]),
    ("inside_one_step", "st-key-onestep-step", ["st-key-onestep-f_chart"]),
])
def test_a_first_visit_paints_the_first_chart_before_the_others(app_url, browser, path, first, rest):
    ctx = browser.new_context(viewport={"width": 1280, "height": 3000})  # every chart in view
    ctx.add_init_script(SEEN)
    try:
        page = ctx.new_page()
        page.goto(f"{app_url}/{path}")
        page.wait_for_function(f"() => {rest!r}.every(k => k in window.__charts)", timeout=90_000)
        seen = page.evaluate("window.__charts")
        # the others were asked for only after the first was painted: a later task, at least a frame later
        assert all(seen[k] > seen[first] + 10 for k in rest), seen
    finally:
        ctx.close()


def test_the_home_page_loads_the_charts_code_before_any_chart_needs_it(app_url, browser):
    """Home draws no chart, yet its tab fetches and runs Streamlit's Plotly chart code (web/internals.preload_plotly):
    a page's first chart then finds it ready, instead of waiting for it after the title and settings arrive."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = ctx.new_page()
        open_page(page, app_url)
        page.wait_for_function("() => performance.getEntriesByType('resource')"
                               ".some(r => r.name.includes('/static/js/PlotlyChart.'))", timeout=20_000)
        assert page.locator(".js-plotly-plot").count() == 0  # loaded, nothing drawn
        assert page.locator(".st-key-plotly_preload").evaluate("e => getComputedStyle(e).display") == "none"
    finally:
        ctx.close()


# when the first chart's SVG and the first element of `later` entered the page, from its navigation start
FIRST_SEEN = """
window.__seen = {};
new MutationObserver(() => {
  for (const [k, s] of [['chart', '.js-plotly-plot .main-svg'], ['later', %r]])
    if (!(k in window.__seen) && document.querySelector(s)) window.__seen[k] = performance.now();
}).observe(document, {subtree: true, childList: true});
"""


@pytest.mark.parametrize("path,later", [
    ("why_lstm_gru", '[data-testid="stMainBlockContainer"] [data-testid="stSlider"]'),  # folded or below the screen
    ("train_live", '[data-testid="stFileUploader"]'),
])
def test_a_first_visit_leaves_settings_off_its_first_screen_for_after_the_first_chart(app_url, browser, path, later):
    """A first visit's first run leaves out the widgets a student cannot see yet (a folded box's, those below the
    first screen): they were a third of the browser's work before Why LSTM & GRU's first chart (bench/felt.py)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    ctx.add_init_script(FIRST_SEEN % later)
    try:
        page = ctx.new_page()
        page.goto(f"{app_url}/{path}")
        page.wait_for_function("() => 'chart' in window.__seen && 'later' in window.__seen", timeout=90_000)
        seen = page.evaluate("window.__seen")
        assert seen["later"] > seen["chart"] + 10, seen
    finally:
        ctx.close()

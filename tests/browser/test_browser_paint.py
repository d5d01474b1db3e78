"""Real browser: a first visit paints a page's first chart before the rest of the page's charts (web/paint.py), and
the rest follows without a click."""
import pytest

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

"""Real browser at a projector's 1280x720 with ?classroom=1: the sidebar collapsed, the settings in a folded
"Settings" expander, no share box, the type and the charts' text larger than the same page's without the mode
(computed styles), Play, the numbers and the loss chart on Train live's first screen, every picker's text whole, and the link keeping
classroom=1 after a widget changes and after moving to another page; the sidebar's toggle leaves the mode."""
import pytest

from conftest import ARTIFACTS, RUN_ENDED, exception_texts, open_page
from playground.views import classroom
from test_browser_layout import OPTIONS, WIDTHS_JS

pytestmark = pytest.mark.browser
W, H = 1280, 720

MEASURE_JS = """() => { const s = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
  const p = document.querySelector('[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p');
  const tick = document.querySelector('.js-plotly-plot g.x2tick text');
  return {sidebar_right: s.x + s.width, text: parseFloat(getComputedStyle(p).fontSize),
          tick: tick ? parseFloat(getComputedStyle(tick).fontSize) : 0,
          share: document.querySelectorAll('[data-testid="stSidebar"] .share-link').length}; }"""


def projector(page) -> None:
    page.set_viewport_size({"width": W, "height": H})


def _shot(page, name: str) -> None:
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def _settled(page, url_part: str) -> None:
    page.wait_for_function("s => location.href.includes(s)", arg=url_part, timeout=60_000)
    page.wait_for_function(f"() => {RUN_ENDED}", timeout=60_000)  # (conftest.wait_for_app says why not the icon)
    page.wait_for_timeout(800)


def _choose(page, box, option: str, url_part: str) -> None:
    """Click a radio option inside `box` and wait for the link to say so. A fresh-clone CI run once saw the link
    unchanged for 60 s after the click (not seen here in 12 runs, also under load): so the click is repeated
    while the option is still unchecked after a few seconds, and a failure says whether the browser took the
    click (the option checked) or the server did not follow it (checked, link unchanged)."""
    radio = box.get_by_role("radio", name=option)
    for _ in range(3):
        try:
            if not box.get_by_text(option, exact=True).first.is_visible():  # a rerun re-made the expander folded
                box.locator("summary").click()  # (a fresh-clone CI run under load saw it so for 30 s): open it again
            box.get_by_text(option, exact=True).first.click(timeout=10_000)
            page.wait_for_function("r => r.checked", arg=radio.element_handle(), timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: open and click again
            continue
    try:
        _settled(page, url_part)
    except Exception as e:  # noqa: BLE001
        raise AssertionError(f"{option} checked: {radio.is_checked()}; the link still reads {page.url}") from e


def test_read_a_review_in_classroom_mode_against_the_same_page_without(app_url, browser, page):
    ctx = browser.new_context(viewport={"width": W, "height": H})
    plain = ctx.new_page()
    try:
        open_page(plain, f"{app_url}/read_a_review")
        plain.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        before = plain.evaluate(MEASURE_JS)
    finally:
        ctx.close()
    projector(page)
    open_page(page, f"{app_url}/read_a_review?classroom=1")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)
    now = page.evaluate(MEASURE_JS)
    _shot(page, "classroom_read_a_review_1280x720")

    assert before["sidebar_right"] > 100 and now["sidebar_right"] <= 0  # open without the mode, collapsed with it
    assert page.locator('[data-testid="stExpandSidebarButton"]').is_visible()  # ...and it can be opened
    assert before["share"] == 1 and now["share"] == 0
    assert now["text"] == pytest.approx(before["text"] * classroom.TYPE_SCALE, abs=0.3)
    assert now["tick"] == pytest.approx(before["tick"] * classroom.FONT_SCALE, abs=0.3)
    folded = page.locator('[data-testid="stExpander"]').filter(has_text="Settings")
    assert folded.count() == 1 and folded.locator("details").get_attribute("open") is None
    assert not folded.get_by_text("Model").first.is_visible()  # the Model radio is in it, out of sight
    folded.locator("summary").click()
    folded.get_by_text("GRU").first.wait_for(state="visible", timeout=10_000)
    _choose(page, folded, "GRU", "model=gru")  # a widget inside the expander changes the link...
    assert "classroom=1" in page.url  # ...which keeps the mode
    page.get_by_text("Sort units").first.click()  # a widget outside it too
    _settled(page, "order=0")
    assert "classroom=1" in page.url and "model=gru" in page.url
    assert exception_texts(page) == []


def test_the_calculator_link_and_the_sidebar_keep_classroom_and_the_toggle_leaves_it(app_url, page):
    projector(page)
    open_page(page, f"{app_url}/read_a_review?classroom=1")
    page.get_by_text("in the calculator").first.click()  # Read a review -> Inside one step, a link between pages
    _settled(page, "/inside_one_step")
    page.locator("h1", has_text="Inside one step").wait_for(timeout=60_000)
    assert "classroom=1" in page.url and "source=review" in page.url
    assert page.locator('[data-testid="stExpander"]').filter(has_text="Settings").count() == 1
    page.locator('[data-testid="stExpandSidebarButton"]').click()  # the sidebar opens on demand
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Train live").click()
    _settled(page, "/train_live")
    page.locator("h1", has_text="Train live").wait_for(timeout=60_000)
    _settled(page, "task=")
    assert "classroom=1" in page.url
    assert page.locator('[data-testid="stExpander"]').filter(has_text="Settings").count() == 1
    toggle = sidebar.locator('[data-testid="stCheckbox"]').filter(has_text="Classroom mode")
    assert toggle.locator("input").is_checked()
    toggle.locator("label").click()
    page.wait_for_function("() => !location.href.includes('classroom')", timeout=60_000)
    _settled(page, "task=")
    sidebar.locator('.share-link').wait_for(timeout=60_000)  # the share box is back...
    assert page.locator('[data-testid="stExpander"]').filter(has_text="Settings").count() == 0  # ...settings unfolded
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "16px"
    assert exception_texts(page) == []


def test_train_live_first_screen_in_classroom_mode_has_play_the_numbers_and_the_loss_chart(app_url, page):
    projector(page)
    open_page(page, f"{app_url}/train_live?classroom=1")
    play = page.get_by_role("button", name="Play")
    play.wait_for(timeout=60_000)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    page.wait_for_timeout(800)
    _shot(page, "classroom_train_live_1280x720")
    boxes = [play.bounding_box()] + [m.bounding_box() for m in page.locator('[data-testid="stMetric"]').all()]
    curves = page.locator(".js-plotly-plot").first.bounding_box()  # the loss and accuracy chart, whole
    assert len(boxes) == 4 and all(0 <= b["y"] and b["y"] + b["height"] <= H for b in boxes + [curves]), boxes
    assert len({round(b["y"]) for b in boxes[1:]}) == 1  # the three numbers in one row (steps/s under Step)
    assert "steps / second" in page.locator('[data-testid="stMetric"]').first.inner_text()
    assert boxes[0]["height"] >= 44  # a big Play
    equation = (page.get_by_test_id("stMain").locator('[data-testid="stMarkdownContainer"]:has(.katex)')
                .filter(has_text="tanh").first.bounding_box())  # the model's equations: beside the folded settings
    summary = page.get_by_test_id("stMain").locator('[data-testid="stExpander"] summary').first.bounding_box()
    assert abs(equation["y"] - summary["y"]) < summary["height"] and equation["x"] > summary["x"] + summary["width"]
    seed = page.get_by_label("Random seed", exact=True)
    assert seed.is_disabled()  # the seed is fixed (in the folded settings)
    assert "seed=0" in page.url and "classroom=1" in page.url
    assert exception_texts(page) == []


@pytest.mark.parametrize("path", ["train_live", "read_a_review", "why_lstm_gru", "inside_one_step"])
def test_every_page_in_classroom_mode_has_whole_texts_and_no_error(app_url, page, path):
    projector(page)
    open_page(page, f"{app_url}/{path}?classroom=1")
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    for summary in page.locator('[data-testid="stExpander"]').filter(has_text="Settings").locator("summary").all():
        summary.click()  # unfold every Settings expander: its pickers must be whole too
    page.wait_for_timeout(1000)
    rows = [r for r in page.evaluate(WIDTHS_JS, OPTIONS) if r[2] > 0]
    assert rows and [r for r in rows if r[1] > r[2]] == [], rows
    _shot(page, f"classroom_{path}_1280x720_settings_open")
    assert "classroom=1" in page.url and exception_texts(page) == []


def test_a_sidebar_once_opened_by_hand_is_collapsed_again_by_a_classroom_link(app_url, page):
    """Streamlit remembers a sidebar opened by hand (localStorage) and would open it on the next visit."""
    projector(page)
    open_page(page, f"{app_url}/?classroom=1")
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.locator('[data-testid="stSidebarCollapseButton"]').wait_for(timeout=10_000)  # open, and remembered
    open_page(page, f"{app_url}/why_lstm_gru?classroom=1")
    page.locator('[data-testid="stExpandSidebarButton"]').wait_for(timeout=10_000)
    assert page.evaluate("""() => { const s = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
                                    return s.x + s.width; }""") <= 0
    assert page.locator("h1").first.bounding_box()["y"] < 80  # the one-off script above the title takes no room
    open_page(page, f"{app_url}/why_lstm_gru")  # a later visit without the mode: the sidebar as usual, open
    page.locator('[data-testid="stSidebarCollapseButton"]').wait_for(state="attached", timeout=10_000)
    assert page.evaluate("""() => { const s = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
                                    return s.x + s.width; }""") > 100

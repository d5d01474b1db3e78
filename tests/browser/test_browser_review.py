"""Real browser: type a review into the Read-a-review page, wait for the Plotly chart, play it, screenshot it."""
import pytest

from conftest import open_page, exception_texts, screenshot, wait_for_app

pytestmark = pytest.mark.browser

START = "read_a_review?model=rnn"
REVIEW = "The plot is thin and the start drags, but the cast is wonderful and the ending is not bad at all."


def _shot(page, name: str, height: int = 3400) -> None:
    page.set_viewport_size({"width": 1400, "height": height})  # Streamlit scrolls inside the page: show it all
    page.wait_for_timeout(600)
    screenshot(page, name)


def _type_review(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Your review")
    box.fill(text)
    box.press("Control+Enter")  # Streamlit's text area commits on Ctrl+Enter (or on blur)
    page.wait_for_timeout(300)
    wait_for_app(page)


def test_type_a_review_and_see_the_heatmap(app_url, page):
    open_page(page, f"{app_url}/{START}")
    _type_review(page, REVIEW)
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
    chart = page.locator(".js-plotly-plot").first
    ticks = chart.locator(".x2tick text").all_text_contents()
    assert "wonderful" in ticks and ticks.index("but") < ticks.index("wonderful")  # words in reading order
    assert chart.locator(".scatterlayer .trace").count() >= 1  # the running-sentiment line
    assert exception_texts(page) == []
    _shot(page, "review_typed")


def test_play_reveals_words_and_html_stays_text(app_url, page):
    open_page(page, f"{app_url}/{START}")
    _type_review(page, "<b>bold</b> <script>alert(1)</script> not good 😀 映画")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
    assert page.locator("main b", has_text="bold").count() == 0  # the tag was shown as text, not rendered
    assert page.get_by_text("<", exact=True).count() > 0
    page.locator(".js-plotly-plot .updatemenu-button", has_text="Play").first.click()
    page.wait_for_timeout(900)  # a few frames in
    screenshot(page, "review_playing")
    assert exception_texts(page) == []


def test_lstm_gates_and_a_comparison(app_url, page):
    open_page(page, f"{app_url}/read_a_review?model=lstm&compare=1&text=This+movie+is+good.&text_b=This+movie+is+not+good.")
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)
    assert page.get_by_text("Inside the LSTM").count() == 1
    assert page.locator(".js-plotly-plot").count() == 6  # reading, two aids, gates, review A, review B
    assert exception_texts(page) == []
    _shot(page, "review_lstm_compare", height=4400)


def test_settings_survive_an_empty_review(app_url, page):
    """An empty box ends the page before its other widgets; when they come back they show what they held (Streamlit
    alone would show their defaults, and send them at the next click: "Sort units" went off)."""
    open_page(page, f"{app_url}/{START}&order=1&colour_by=unit&unit=3")
    toggle = page.locator(".st-key-review-order input")
    assert toggle.is_checked()
    _type_review(page, "")
    page.get_by_text("Type a review above").wait_for(timeout=30_000)
    assert toggle.count() == 0
    _type_review(page, "I loved it")
    assert toggle.is_checked() and page.get_by_label("Unit j of h_t").input_value() == "3"
    page.get_by_role("textbox", name="Your review").fill("I loved it, truly")  # another rerun, from a widget
    page.get_by_text("Compare with a second review").click()
    wait_for_app(page)
    page.wait_for_function("() => location.href.includes('compare=1')", timeout=30_000)
    assert "order=1" in page.url and "colour_by=unit" in page.url and "unit=3" in page.url, page.url
    assert toggle.is_checked() and exception_texts(page) == []


def test_quick_presses_on_the_word_slider_all_count_and_the_chart_and_link_agree(app_url, page):
    """Five quick arrow presses move the word slider five words; the chart's frame and the link's step say the same.
    (The browser's address, read at each rerun, lagged the page's runs: a rerun took it for a link into the page and
    put the slider back, in 3 of 4 tries on this 2-core machine.)"""
    import re
    import urllib.parse

    text = urllib.parse.quote_plus(REVIEW)
    open_page(page, f"{app_url}/read_a_review?model=gru&step=1&text={text}")
    page.locator(".st-key-review-reading .main-svg").first.wait_for(timeout=60_000)
    slider = page.locator(".st-key-review-step input[type='range']")
    for n in (6, 11, 16):
        slider.focus()
        for _ in range(5):
            slider.press("ArrowRight")
        page.wait_for_timeout(3000)
        wait_for_app(page)
        page.wait_for_timeout(1000)
        framed = page.evaluate("() => { const s = document.querySelector('.st-key-review-reading .js-plotly-plot')"
                               ".layout.shapes[1]; return (s.x0 + s.x1) / 2; }")
        shown = (int(slider.get_attribute("aria-valuetext")), framed, int(re.search(r"step=(\d+)", page.url)[1]))
        assert shown == (n, n, n), shown  # the slider, the chart's frame around the word, the link
    assert exception_texts(page) == []

"""Real browser: Inside one step draws its equations and charts at a projector's 1280x720, and Read a review's
link opens the shipped RNN's step at that word."""
import pytest

from conftest import ARTIFACTS, exception_texts, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def test_the_page_draws_its_equations_and_pictures(app_url, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    open_page(page, f"{app_url}/inside_one_step?look=a")
    step = page.locator(".js-plotly-plot", has_text="→ tanh →")  # the step picture
    step.locator(".heatmaplayer text", has_text="2.750").wait_for(timeout=30_000)
    cells = step.locator(".heatmaplayer text").all_text_contents()
    assert "2.750" in cells and "0.992" in cells  # a_t[0] and h_t[0] of the example, written in their cells
    assert page.locator(".katex").count() >= 3  # the two equations and the numbers of a_t
    assert page.locator(".katex .colorbox").count() == 1  # the term looked at is highlighted
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "onestep_1280x720.png"))  # what the projector shows
    assert page.locator(".js-plotly-plot").count() == 2  # the step and f: the editors and the unroll are folded
    page.get_by_text("Set the numbers yourself, and unroll them").click()
    page.set_viewport_size({"width": 1280, "height": 3200})  # Streamlit mounts charts as they scroll into view
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length === 3", timeout=30_000)
    unroll = page.locator(".js-plotly-plot", has_text="units × steps")
    unroll.locator(".heatmaplayer text").first.wait_for(timeout=30_000)
    assert unroll.locator(".heatmaplayer text").all_text_contents()[:3] == ["0.96", "0.24", "-0.76"]  # h_1
    assert exception_texts(page) == []
    screenshot(page, "onestep_whole")


def test_read_a_reviews_link_opens_the_calculator_at_that_word(app_url, page):
    open_page(page, f"{app_url}/read_a_review?model=rnn&step=4&text=This+movie+is+not+good.")
    page.get_by_role("link", name="Open word 4 in the calculator").click()
    page.wait_for_url("**/inside_one_step?**", timeout=30_000)
    wait_for_app(page)
    assert "source=review" in page.url and "word=4" in page.url
    page.get_by_text("“not”, read by the shipped RNN").wait_for(timeout=30_000)
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length === 3", timeout=30_000)  # step, f, terms
    page.locator(".js-plotly-plot", has_text="→ tanh →").locator(".heatmaplayer text").first.wait_for(timeout=30_000)
    assert exception_texts(page) == []
    screenshot(page, "onestep_from_review")

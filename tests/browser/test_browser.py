"""Real browser: every page in headless Debian Chromium, no exception box, a screenshot of each."""
import pytest

from conftest import exception_texts, open_page, screenshot, served_app, wait_for_app
from playground.views.pages import PAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("url,title", [("", "RNN Playground")] + [(p.url, p.title) for p in PAGES],
                         ids=["home"] + [p.url for p in PAGES])
def test_page_in_chromium(app_url, page, url, title):
    open_page(page, f"{app_url}/{url}")
    assert page.locator("h1").first.inner_text().strip() == title
    shot = screenshot(page, f"page_{url or 'home'}")
    assert shot.stat().st_size > 10_000
    assert exception_texts(page) == []


def test_a_mistyped_page_path_says_so_and_links_every_page(app_url, page):
    page.goto(f"{app_url}/read")
    wait_for_app(page)
    box = page.locator('[data-testid="stAlert"]').filter(has_text="There is no page at")
    box.wait_for(timeout=30_000)
    assert "/read" in box.inner_text()
    links = page.locator('[data-testid="stMain"] [data-testid="stPageLink"]')
    links.nth(len(PAGES) - 1).wait_for(timeout=30_000)  # the links come in after the message on a loaded machine
    main_links = links.all_inner_texts()
    assert [t.split("\n")[-1] for t in main_links[:len(PAGES)]] == [p.title for p in PAGES]
    page.keyboard.press("Escape")  # Streamlit's own "Page not found" dialog, when it shows one
    screenshot(page, "page_not_found")
    assert exception_texts(page) == []
    open_page(page, f"{app_url}/")  # the home page itself says nothing of the kind
    assert page.locator('[data-testid="stAlert"]').filter(has_text="There is no page at").count() == 0


def test_first_visit_to_a_fresh_server_by_deep_link_gets_the_whole_app(browser):
    """Streamlit runs a fresh server's first visit the old `pages/` way; ui.require_navigation must turn that
    into a normal run of app.py (its page links, wide layout and the page's own title)."""
    with served_app("streamlit_fresh.log") as url:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        try:
            open_page(page, f"{url}/train_live?hidden=8")
            page.locator('[data-testid="stPageLink"]', has_text="Why LSTM & GRU").wait_for(timeout=30_000)
            links = page.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').all_inner_texts()
            assert [t.split("\n")[-1] for t in links] == ["Home"] + [p.title for p in PAGES]
            assert page.locator("h1").first.inner_text().strip() == "Train live"
            assert "hidden=8" in page.url
            assert exception_texts(page) == []
        finally:
            ctx.close()

"""Real browser: every page in headless Debian Chromium, no exception box, a screenshot of each."""
import pytest

from conftest import exception_texts, open_page, screenshot
from playground.pages import PAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("url,title", [("", "RNN Playground")] + [(p.url, p.title) for p in PAGES],
                         ids=["home"] + [p.url for p in PAGES])
def test_page_in_chromium(app_url, page, url, title):
    open_page(page, f"{app_url}/{url}")
    assert page.locator("h1").first.inner_text().strip() == title
    shot = screenshot(page, f"page_{url or 'home'}")
    assert shot.stat().st_size > 10_000
    assert exception_texts(page) == []

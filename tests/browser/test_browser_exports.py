"""Real browser: every chart has Plotly's PNG button and it downloads a PNG; Read a review's CSV download opens in
pandas with one row per word."""
import io

import pandas as pd
import pytest

from conftest import exception_texts, open_page
from playground.views.pages import PAGES

pytestmark = pytest.mark.browser
PNG_TITLE = "Download plot as a PNG"


@pytest.mark.parametrize("path", [p.url for p in PAGES if p.key != "lecture"])  # the Lecture page has no chart
def test_every_chart_has_a_png_button_that_downloads_a_png(app_url, page, path):
    open_page(page, f"{app_url}/{path}")
    charts = page.locator(".js-plotly-plot")
    charts.first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    titles = page.evaluate("""t => [...document.querySelectorAll('.js-plotly-plot')].map(p =>
        [...p.querySelectorAll('.modebar-btn')].some(b => b.getAttribute('data-title') === t))""", PNG_TITLE)
    assert titles and all(titles), titles
    charts.first.hover()
    with page.expect_download(timeout=60_000) as dl:
        charts.first.locator(f'.modebar-btn[data-title="{PNG_TITLE}"]').click()
    with open(dl.value.path(), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert exception_texts(page) == []


def test_the_review_csv_download_opens_in_pandas(app_url, page):
    open_page(page, f"{app_url}/read_a_review?text=not+bad+at+all&model=gru")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="h_t and y_t at every word (CSV)").click()
    name = dl.value.suggested_filename
    assert name.startswith("read_a_review_h_t_y_t_gru_") and name.endswith("utc.csv")
    with open(dl.value.path(), "rb") as f:
        table = pd.read_csv(io.BytesIO(f.read()))
    assert list(table.token) == ["not", "bad", "at", "all"] and "h[31]" in table.columns
    assert table.y_t.between(0, 1).all()

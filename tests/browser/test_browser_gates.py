"""Real browser: the "Why LSTM & GRU" page in headless Chromium, its three runs started by clicking."""
import pytest

from conftest import open_page, exception_texts, screenshot, wait_for_app

pytestmark = pytest.mark.browser

# A short race and short runs keep the test quick on 2 cores; the settings come in through the link.
LINK = ("/why_lstm_gru?T=25&train_steps=60&race_delays=5%2C25&race_steps=100&race_hidden=12"
        "&boom_scale=2.5&boom_lr=0.1")  # short T for speed; this scale and rate still blow up at T = 25


def _wait_for(page, text: str, timeout: float = 180_000) -> None:
    """Until `text` is on the page (plotly titles are SVG text, so search the markup too), then until idle."""
    page.wait_for_function("t => document.body.innerHTML.includes(t)", arg=text, timeout=timeout)
    wait_for_app(page, timeout)




def _shot(page, name: str):
    """Streamlit scrolls inside its main block: grow the viewport to the page's full height, then shoot."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 100, 12_000)})
    page.wait_for_timeout(800)
    path = screenshot(page, name)
    page.set_viewport_size({"width": 1400, "height": 1000})
    return path


def _click(page, label: str, then: str) -> None:
    page.get_by_role("button", name=label).click()
    _wait_for(page, then)


def test_gates_page_runs_everything_from_clicks(app_url, page):
    open_page(page, app_url + LINK)
    assert "GRU at initialisation:" not in page.content()  # the gates' heatmaps wait, folded, until opened
    page.get_by_text("gates at work, unit by unit").click()
    _wait_for(page, "GRU at initialisation:")  # the last figure of the page
    assert page.locator("h1").first.inner_text().strip() == "Why LSTM & GRU"
    body = page.locator('[data-testid="stMain"]')
    assert "Gradient of the last-step loss" in page.content()
    for gate in ("forget gate", "update gate"):  # the LSTM and GRU equations, rendered by KaTeX
        assert page.locator(".katex-display", has_text=gate).count() == 1
    assert "Press Start the race" in body.inner_text()
    _shot(page, "gates_initial")

    _click(page, "Train all five for 60 steps", then="LSTM (trained)")
    assert "LSTM after training:" in page.content()
    _shot(page, "gates_trained")

    _click(page, "Run 150 SGD steps with and without clipping", then="with and without gradient clipping")
    assert "no clipping: blew up at step" in body.inner_text()  # T=25, ReLU, 2.5 x orthogonal: it must
    _shot(page, "gates_clipping")

    page.get_by_role("button", name="Start the race (100 steps each, 3 cells × 2 delays)").click()
    while_racing = page.wait_for_function("""() => document.querySelector('[data-testid="stProgress"]')
        ? {prompt: document.querySelector('[data-testid="stMain"]').innerText.includes('Press Start the race')}
        : null""", timeout=60_000).json_value()
    assert while_racing == {"prompt": False}  # its progress bar, and no "Press Start the race" under it
    _wait_for(page, "Held-out accuracy after 100 steps")
    # the summary names, for each cell, the delays at which the race's own chart shows >= 90%
    lines = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
        .filter(p => (p.layout.title.text || '').startsWith('Held-out accuracy after'))
        .flatMap(p => p.data.filter(t => t.name && t.mode === 'lines+markers').map(t => [t.name, t.x, t.y]))""")
    assert [name for name, _, _ in lines] == ["RNN (Elman)", "LSTM", "GRU"]
    text = body.inner_text()
    for name, delays, acc in lines:
        ok = [str(d) for d, a in zip(delays, acc) if a >= 0.9]
        assert f"{name} at {'delay ' + ', '.join(ok) if ok else 'none of these delays'}" in text, (name, acc)
    shot = _shot(page, "gates_race")
    assert shot.stat().st_size > 50_000
    assert exception_texts(page) == []


def test_a_settings_fold_stays_open_while_its_values_change(app_url, page):
    """The gradient flow's fold is labelled with its values: a change inside it relabels it, and it stays open (keyed,
    ui.settings_box; it used to close under the student's hand at every change)."""
    open_page(page, app_url + "/why_lstm_gru?T=25")
    fold = page.locator('[data-testid="stExpander"]').filter(has_text="Settings: T =").first
    fold.locator("summary").click()
    slider = fold.locator('input[type="range"]').first
    slider.wait_for(timeout=30_000)
    slider.focus()
    slider.press("ArrowRight")
    page.wait_for_function("() => [...document.querySelectorAll('summary')].some(s => s.innerText.includes('T = 26'))",
                           timeout=30_000)
    wait_for_app(page)
    assert fold.locator("details").get_attribute("open") is not None and fold.locator('input[type="range"]').count()
    assert exception_texts(page) == []

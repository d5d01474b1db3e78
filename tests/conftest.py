"""Shared fixtures: the app served on a loopback port, and a headless Debian Chromium page for it."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property-based tests (tests/test_fuzz*.py): `ci` by default (a modest, fixed set of cases: CI wall time matters),
# `full` (at least 1,000 cases per entry point) with HYPOTHESIS_PROFILE=full. No example database in either: a
# failure prints the case to reproduce it with @example.
_FUZZ = dict(deadline=None, database=None, print_blob=True,
             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
settings.register_profile("ci", max_examples=12, derandomize=True, **_FUZZ)
settings.register_profile("full", max_examples=1000, **_FUZZ)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# AppTest runs the pages in this process: their training runs here too (pool.Handle with no pool), so a test can
# look inside the LiveSession. The served app of the browser tests gets the real worker processes (see below).
os.environ["PLAYGROUND_WORKERS"] = "0"
ROOT = Path(__file__).resolve().parents[1]
# tests/ mirrors the package (one folder per layer, plus app and browser); a test that reuses another's helper imports
# it by module name (from test_onestep import cell_trace), so every folder is on the path.
sys.path[:0] = [str(d) for d in sorted(Path(__file__).resolve().parent.iterdir()) if d.is_dir() and d.name != "data"]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
DATA = ROOT.parent / "shared" / "data" / "sentiment" / "sst2_train.tsv"
UNEXPECTED = "Something went wrong"  # how ui.friendly_errors starts its message for an unexpected error
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync",
                 # a window behind another (a follower beside the presenter) keeps its timers: as a projector's does
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served_app(log_name: str = "streamlit.log"):
    """`streamlit run serve.py` (the app and its routes) on a free loopback port; yields its URL once it is healthy."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PLAYGROUND_WORKERS": ""})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"streamlit did not become healthy within 60 s; see artifacts/{log_name}")
        yield url
    finally:
        proc.terminate()
        try:  # ~2 s on a quiet machine; a heavily loaded one was seen to take over 10
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"streamlit did not stop within 60 s of SIGTERM; see artifacts/{log_name}")
        log.close()
    logged = (ARTIFACTS / log_name).read_text()
    assert "unexpected error" not in logged, f"the app logged an unexpected error; see artifacts/{log_name}"


@pytest.fixture(scope="session")
def app_url():
    """The app served for the whole test session."""
    with served_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make test installs it: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab, 1400x1000 unless parametrized indirectly with (width, height)."""
    w, h = getattr(request, "param", (1400, 1000))
    ctx = browser.new_context(viewport={"width": w, "height": h})
    p = ctx.new_page()
    yield p
    ctx.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


RUN_ENDED = "document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the Streamlit script run has finished and the app has content.

    The run's state is the app root's `data-test-script-state` (Streamlit's own end-to-end tests read it): its
    running icon shows only after 500 ms of a run, so a test that waited for the icon to be gone once clicked
    in the middle of a first visit's runs (a CSV download whose button the next run replaced: "file not found")."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        f"""() => {RUN_ENDED}
                 && document.querySelector('[data-testid="stMainBlockContainer"] h1')
                 && !document.querySelector('[class*="st-key-paint_rest_"]')""", timeout=timeout)
    # (the last: a first visit's rest of the page has come, web/paint.py; a click during that rerun can be lost)
    page.wait_for_timeout(500)


def open_page(page, url: str) -> None:
    """Open a (deep) link, wait for the run to finish, and fail if Streamlit says the page was not found."""
    page.goto(url)
    wait_for_app(page)
    dialogs = [d.inner_text() for d in page.query_selector_all('[role="dialog"]')]
    assert not any("Page not found" in d for d in dialogs), f"{url} opened under a 'Page not found' dialog"


def exception_texts(page) -> list[str]:
    """Streamlit exception boxes, and the short message ui.friendly_errors shows for an unexpected error."""
    boxes = [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]
    alerts = [e.inner_text() for e in page.query_selector_all('[data-testid="stAlert"]')]
    return boxes + [t for t in alerts if UNEXPECTED in t]


APP = str(ROOT / "app.py")


def app_test(page_path: str | None = None, timeout: float = 120):
    """An AppTest of the whole app (navigation included), switched to one page and run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=timeout).run()
    if page_path:
        at.switch_page(page_path).run()
    return at


@pytest.fixture(autouse=True, scope="module")
def _fuzz_counts_per_module():
    """fuzzing.REACHED counts the cases one module's fuzz tests gave each function (its last test reads them)."""
    import fuzzing

    fuzzing.REACHED.clear()
    yield

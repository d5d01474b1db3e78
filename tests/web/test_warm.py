"""A new server's first page comes first (web/warm.py): Home imports neither torch nor pandas, and once it has run,
the server loads the other pages' code and starts the training workers in the background."""
import asyncio
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import ROOT, served_app

HOME_ONLY = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=60).run()
assert not at.exception, at.exception
print(at.title[0].value, "torch" in sys.modules, "pandas" in sys.modules)
"""


def test_home_imports_neither_torch_nor_pandas():
    out = subprocess.run([sys.executable, "-c", HOME_ONLY], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "PLAYGROUND_WORKERS": "0"})
    assert out.stdout.split() == ["RNN", "Playground", "False", "False"], out.stdout + out.stderr[-2000:]


PAGES_THEN_EDITORS = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120).run()
for page in sys.argv[1:]:
    at.switch_page(page).run()
    assert not at.exception, at.exception
    print("pandas" in sys.modules)
at.session_state["onestep:more_open"] = True  # Inside one step's editors opened: tables of numbers (pandas)
at.run()
assert not at.exception, at.exception
print(len(at.dataframe) > 0, "pandas" in sys.modules)
"""


def test_no_page_loads_pandas_until_a_table_is_asked_for():
    """pandas (with pyarrow, ~65 MB of a process) is loaded by the first table a student opens or downloads, not by
    a page's run: a server whose class only trains live never holds it."""
    pages = ["pages/1_read_a_review.py", "pages/3_why_lstm_gru.py", "pages/5_lecture.py", "pages/2_train_live.py",
             "pages/4_inside_one_step.py"]
    out = subprocess.run([sys.executable, "-c", PAGES_THEN_EDITORS, *pages], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, env={"PATH": "/usr/bin:/bin", "PLAYGROUND_WORKERS": "0"})
    assert out.stdout.split() == ["False"] * len(pages) + ["True", "True"], out.stdout + out.stderr[-2000:]


def children(pid: int) -> list[str]:
    """The command lines of the processes `pid` started."""
    out = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append((proc / "cmdline").read_text().replace("\0", " "))
        except OSError:  # gone meanwhile
            pass
    return out


def server_pid(url: str) -> int:
    """The `streamlit run` process serving `url` (conftest.served_app's)."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_text().split("\0")
        except OSError:
            continue
        if "streamlit" in args and port in args:
            return int(proc.name)
    raise AssertionError(f"no streamlit process on port {port}")


def test_after_the_first_page_the_server_starts_its_training_workers_unasked():
    """Only Home is opened (by a light websocket client, bench/stclient.py, as a browser does); the workers' zygote
    appears all the same, so Train live's first visit does not wait for it. Nothing starts before a page has run."""
    sys.path.insert(0, str(ROOT / "bench"))
    from stclient import Client

    with served_app("warm.log") as url:
        server = server_pid(url)
        started = lambda: bool(children(server))  # noqa: E731 - the zygote (forked from the server: same command line)
        time.sleep(2)
        assert not started(), children(server)
        visit = threading.Thread(target=asyncio.run, args=(Client(url, "").visit(1),))  # (pytest-playwright's
        visit.start()  # loop may be running in this thread)
        visit.join(60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not started():
            time.sleep(0.5)
        assert started(), children(server)

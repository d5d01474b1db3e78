"""Streamlit's private API is used in playground/web/internals.py alone, written for one version: a Streamlit
upgrade fails here first, loudly, so that each use is read again against the new version."""
import ast
from pathlib import Path

import streamlit as st

from conftest import ROOT
from playground.web import internals


def test_streamlit_is_the_version_the_private_uses_were_written_for():
    assert st.__version__ == internals.STREAMLIT_VERSION, (
        f"Streamlit {st.__version__} is not {internals.STREAMLIT_VERSION}: check every function of "
        "playground/web/internals.py against it, then change STREAMLIT_VERSION")
    assert f"streamlit=={internals.STREAMLIT_VERSION}" in (ROOT / "requirements.txt").read_text()


def private_uses(path: Path) -> list[str]:
    """streamlit.runtime / .elements / .proto imports and st._name attributes in one file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit.") \
                and node.module.split(".")[1] in ("runtime", "elements", "proto"):
            out.append(node.module)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "st" \
                and node.attr.startswith("_"):
            out.append(f"st.{node.attr}")
    return out


def test_no_private_streamlit_outside_internals():
    files = [p for p in (ROOT / "playground").rglob("*.py")] + [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]
    found = {str(p.relative_to(ROOT)): u for p in files if (u := private_uses(p))}
    assert set(found) == {"playground/web/internals.py"}, found



class FakeSession:
    """What the batched events touch of an AppSession: its handler, its way onto the loop, the loop's error report.
    The loop is a list of callbacks, run by run_loop (a real loop cannot run here beside the browser tests' own)."""

    def __init__(self, handle):
        self.handled, self.wakes, self.reported, self._loop = [], 0, [], []
        self._handle_scriptrunner_event_on_event_loop = handle
        self._event_loop = self

    def _call_soon_on_event_loop(self, callback):
        self.wakes += 1
        self._loop.append(callback)

    def call_exception_handler(self, context):
        self.reported.append(str(context["exception"]))

    def run_loop(self):
        while self._loop:
            self._loop.pop(0)()

    def draw(self, events):
        """A script thread's elements, as its ScriptRunner sends them (AppSession's patched handler)."""
        from streamlit.runtime.app_session import AppSession

        for i in events:
            AppSession._on_scriptrunner_event(self, None, i, forward_msg=f"element {i}")


def test_a_script_run_s_events_reach_the_event_loop_in_order_with_one_wake_per_batch():
    """internals.batch_script_events: a hundred elements drawn while the loop is busy wake it once, and are handled
    in the order drawn; the next batch wakes it again."""
    import threading

    internals.batch_script_events()
    internals.batch_script_events()  # idempotent (app.py calls it on every run)
    session = FakeSession(lambda sender, event, **kw: session.handled.append((event, kw)))
    for first in (0, 100):
        thread = threading.Thread(target=session.draw, args=(range(first, first + 100),))
        thread.start()
        thread.join()
        session.run_loop()
    assert session.handled == [(i, {"forward_msg": f"element {i}"}) for i in range(200)]
    assert session.wakes == 2


def test_an_event_that_fails_is_reported_and_the_rest_of_its_batch_still_handled():
    def handle(sender, event, **kw):
        if event == 3:
            raise RuntimeError("a bad event")
        session.handled.append(event)

    internals.batch_script_events()
    session = FakeSession(handle)
    session.draw(range(6))
    session.run_loop()
    assert session.handled == [0, 1, 2, 4, 5] and session.reported == ["a bad event"] and session.wakes == 1


def test_the_plotly_chart_code_to_preload_is_one_file_of_the_built_frontend():
    chunk = internals.plotly_chunk()
    assert chunk is not None and chunk.startswith("PlotlyChart.") and chunk.endswith(".js"), chunk
    assert (Path(st.__file__).parent / "static" / "static" / "js" / chunk).stat().st_size > 1_000_000  # plotly.js

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


def test_a_script_run_s_events_reach_the_event_loop_in_order_with_one_wake_per_batch():
    """internals.batch_script_events: a hundred elements drawn while the loop is busy wake it once, and are handled
    in the order drawn; the next batch wakes it again."""
    import asyncio
    import threading

    from streamlit.runtime.app_session import AppSession

    internals.batch_script_events()
    internals.batch_script_events()  # idempotent (app.py calls it on every run)
    loop = asyncio.new_event_loop()
    session = AppSession.__new__(AppSession)  # the parts the events touch: its loop and its handler
    session._event_loop, handled, wakes = loop, [], []
    session._handle_scriptrunner_event_on_event_loop = lambda sender, event, **kw: handled.append((event, kw))
    session._call_soon_on_event_loop = lambda callback: (wakes.append(1), loop.call_soon_threadsafe(callback))

    def draw(first: int) -> None:  # a script thread's elements
        for i in range(first, first + 100):
            session._on_scriptrunner_event(None, i, forward_msg=f"element {i}")

    try:
        for first in (0, 100):
            thread = threading.Thread(target=draw, args=(first,))
            thread.start()
            thread.join()
            loop.run_until_complete(asyncio.sleep(0.01))
        assert handled == [(i, {"forward_msg": f"element {i}"}) for i in range(200)]
        assert len(wakes) == 2
    finally:
        loop.close()


def test_an_event_that_fails_is_reported_and_the_rest_of_its_batch_still_handled():
    import asyncio

    from streamlit.runtime.app_session import AppSession

    internals.batch_script_events()
    loop = asyncio.new_event_loop()
    session = AppSession.__new__(AppSession)
    session._event_loop, handled, reported = loop, [], []

    def handle(sender, event, **kw):
        if event == 3:
            raise RuntimeError("a bad event")
        handled.append(event)

    session._handle_scriptrunner_event_on_event_loop = handle
    session._call_soon_on_event_loop = loop.call_soon_threadsafe
    loop.set_exception_handler(lambda _loop, context: reported.append(str(context["exception"])))
    try:
        for i in range(6):
            session._on_scriptrunner_event(None, i)
        loop.run_until_complete(asyncio.sleep(0.01))
    finally:
        loop.close()
    assert handled == [0, 1, 2, 4, 5] and reported == ["a bad event"]

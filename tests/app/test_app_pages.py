"""AppTest: the landing page and every page run without an exception; every chart has an accessible name."""
from pathlib import Path

import pytest

from conftest import ROOT, app_test
from playground.views.pages import GLOSSARY, PAGES


def test_landing_renders_both_equations():
    at = app_test()
    assert not at.exception
    latex = " ".join(e.value for e in at.latex)
    assert r"W_{xh}" in latex and r"W_{hy}" in latex
    assert at.title[0].value == "RNN Playground"


def test_the_landing_page_explains_the_words_the_pages_use():
    at = app_test()
    words = next(m.value for m in at.markdown if "**held-out**" in m.value)
    for word, meaning in GLOSSARY.items():
        assert f"- **{word}**: {meaning}" in words
    files = [f for f in [*Path(ROOT).glob("playground/**/*.py"), *Path(ROOT).glob("pages/*.py")]
             if f.name != "pages.py"]  # not the glossary's own file: each word is one the pages use
    sources = " ".join(f.read_text() for f in files).lower()
    assert [w for w in GLOSSARY if w.lower() not in sources] == []


CHARTED = [p for p in PAGES if p.key != "lecture"]  # the Lecture page lists scenes (tests/app/test_app_lecture.py)


def shown_errors(at) -> list[str]:
    """What ui.friendly_errors would have turned an exception into: an error or a warning on the page."""
    return [e.value for e in at.error] + [w.value for w in at.warning]


@pytest.mark.parametrize("page", CHARTED, ids=[p.url for p in CHARTED])
def test_every_page_runs(page):
    at = app_test(page.path)
    assert not at.exception, [e.value for e in at.exception]
    assert not shown_errors(at)
    assert at.title and at.title[0].value == page.title
    charts = at.get("plotly_chart")
    assert charts and all(c.proto.alt.strip() for c in charts)  # screen readers get a name for each chart


@pytest.mark.parametrize("path, params", [("pages/5_lecture.py", {}),
                                          ("pages/4_inside_one_step.py", {"source": "review", "word": "3"})],
                         ids=["lecture", "inside_one_step_review_word"])
def test_pages_without_charts_or_off_their_defaults_show_no_error(path, params):
    from streamlit.testing.v1 import AppTest

    from conftest import APP
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run().switch_page(path).run()
    assert not at.exception and not shown_errors(at)
    if params:
        assert at.session_state["onestep:config"].source == "review"  # the link's mode was taken


def test_why_lstm_gru_writes_the_picked_model_into_its_equation():
    at = app_test("pages/3_why_lstm_gru.py")
    assert any(r"h_t = \mathrm{ReLU}\left(" in e.value for e in at.latex)  # the default model of the clipping run
    at.selectbox(key="gates.boom").set_value("gru").run()
    assert any(r"h_t = \mathrm{GRU}" in e.value for e in at.latex) and not at.exception


def test_the_eigenvalue_plot_follows_the_model_picked():
    """Each pick draws that model's eigenvalues of W_hh, block by block (the view is shared per settings: its key
    must hold the pick). RNN (tanh) and RNN (ReLU) have one block each, with other weights: both are checked."""
    import base64
    import json

    import numpy as np

    from playground.training.gradflow import spectrum
    from playground.views.gates import GatesConfig

    def array(v) -> np.ndarray:  # plotly's JSON writes a numpy array as {"dtype", "bdata": base64}
        return np.frombuffer(base64.b64decode(v["bdata"]), v["dtype"]) if isinstance(v, dict) else np.asarray(v)

    at = app_test("pages/3_why_lstm_gru.py")
    setup = GatesConfig().setup()
    for pick in ("gru", "rnn_relu", "lstm", "rnn_tanh"):
        at.selectbox(key="gates.inspect").set_value(pick).run()
        spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Eigenvalues of W_hh" in c.proto.spec)
        drawn = {t["name"]: sorted(np.round(array(t["x"]), 5)) for t in spec["data"] if t["name"].startswith("W_h")}
        want = {k: sorted(np.round(v.real, 5)) for k, v in spectrum(setup.model(pick)).blocks.items()}
        assert drawn == want, pick
        assert not at.exception and not shown_errors(at)


def test_the_gate_heatmaps_are_drawn_only_once_their_fold_is_opened():
    """The gates' nine heatmaps (two figures) were most of the browser's work before Why LSTM & GRU's first chart
    showed: they wait, folded, until a student opens them; then both come, the LSTM's and the GRU's."""
    at = app_test("pages/3_why_lstm_gru.py")
    gate_charts = lambda: [c for c in at.get("plotly_chart") if "at initialisation" in c.proto.spec  # noqa: E731
                           or "after training" in c.proto.spec]
    assert gate_charts() == [] and "gates at work" in at.expander(key="gates.gates_open").label
    at.session_state["gates.gates_open"] = True  # what opening the fold sends
    at.run()
    assert len(gate_charts()) == 2 and not at.exception and not shown_errors(at)

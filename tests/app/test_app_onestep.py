"""AppTest of the Inside-one-step page: its pictures hold the numbers playground.lesson.cells computes for the same weights,
the equations name the chosen f and g, the widgets and the URL set it up, bad input gets a message, and Read a
review's link opens the shipped RNN's step at that word."""
import json
from urllib.parse import parse_qsl

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP
from playground.web import links
from playground.views import onestep
from playground.views import review
from playground.sentiment import models as sentiment
from playground.views.onestep import OneStepConfig
from test_app_review import array
from test_onestep import cell_trace

PAGE = "pages/4_inside_one_step.py"


FOLD = "onestep:more_open"  # "Set the numbers yourself, and unroll them": folded on a first visit


def open_page(params: dict | None = None, page: str = PAGE, fold_open: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    if fold_open and any(e.label.startswith("Set the numbers") for e in at.expander):  # the tiny RNN's page
        at.session_state[FOLD] = True  # what opening the fold sends
        at.run()
    return at


def test_a_first_visit_draws_the_step_and_folds_the_editors_and_the_unroll():
    at = open_page(fold_open=False)
    ids = [c.proto.id for c in at.get("plotly_chart")]
    assert any("onestep:step" in i for i in ids) and any("onestep:f_chart" in i for i in ids)
    assert not any("onestep:unroll" in i for i in ids) and len(at.dataframe) == 0
    assert "Set the numbers yourself" in at.expander(key=FOLD).label
    at.session_state[FOLD] = True
    at.run()
    assert any("onestep:unroll" in c.proto.id for c in at.get("plotly_chart")) and not at.exception
    assert len(at.dataframe) == 8  # x, h_prev, W_xh, W_hh, b_h, W_hy, b_y and the sequence


def chart(at, key: str) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith(key) or key in c.proto.id)


def blocks(at) -> dict[str, np.ndarray]:
    """The step picture's matrices by name (the first block of each name): name -> z."""
    out = {}
    for d in chart(at, "onestep:step")["data"]:
        out.setdefault(d["hovertemplate"].split("[")[0], array(d["z"]).astype(float))
    return out


def latex(at) -> str:
    return " ".join(e.value for e in at.latex)


def test_default_page_equals_the_cells_and_names_f_and_g():
    at = open_page({"h_prev": "0,0,0"})  # from h_0 = 0 the step is the cell's first step
    assert at.title[0].value == "Inside one step"
    cfg = OneStepConfig(h_prev="0,0,0")
    tw = onestep.tiny_weights(cfg)
    tr = cell_trace(tw.weights, tw.x.reshape(1, -1), "tanh", "sigmoid")
    b = blocks(at)
    np.testing.assert_allclose(b["a_t"].ravel(), tr.pre[0, 0].numpy(), atol=1e-12)
    np.testing.assert_allclose(b["h_t"].ravel(), tr.h[0, 1].numpy(), atol=1e-12)
    np.testing.assert_allclose(b["y_t"].ravel(), tr.y[0, 0].numpy(), atol=1e-12)
    # the unroll at its last step holds the trace over the sequence
    at.slider(key="onestep.t").set_value(4).run()
    tr = cell_trace(tw.weights, tw.seq, "tanh", "sigmoid")
    np.testing.assert_allclose(array(chart(at, "onestep:unroll")["data"][0]["z"]).astype(float),
                               tr.h[0, 1:].numpy().T, atol=1e-12)
    assert r"h_t = \tanh" in latex(at) and r"y_t = \sigma" in latex(at)
    assert "$f$ = **tanh**" in " ".join(c.value for c in at.caption)
    assert at.query_params["h_prev"] in ("0,0,0", ["0,0,0"])


def test_widgets_change_f_sizes_and_numbers():
    at = open_page()
    at.selectbox(key="onestep.f").select("relu").run()
    b = blocks(at)
    np.testing.assert_allclose(b["h_t"].ravel(), np.maximum(b["a_t"].ravel(), 0), atol=1e-12)
    assert r"h_t = \mathrm{ReLU}" in latex(at) and "$f$ = **ReLU**" in " ".join(c.value for c in at.caption)
    at.number_input(key="onestep.hidden").set_value(4).run()
    assert not at.exception and blocks(at)["W_hh"].shape == (4, 4) and blocks(at)["W_xh"].shape == (4, 2)
    at.button[0].click().run()  # Random
    drawn = onestep.random_numbers("relu", 0, 4, 2, 1, 4)
    assert at.session_state["onestep.W_hh"] == drawn["W_hh"]
    np.testing.assert_allclose(blocks(at)["W_hh"], onestep.parse(drawn["W_hh"]))
    at.button[0].click().run()  # Random again: new numbers, from the seed it moved on to (classroom mode too)
    again = onestep.random_numbers("relu", 1, 4, 2, 1, 4)
    assert again["W_hh"] != drawn["W_hh"] and at.session_state["onestep.W_hh"] == again["W_hh"]
    assert at.number_input(key="onestep.seed").value == 2 and at.query_params["seed"] in ("2", ["2"])
    at.button[1].click().run()  # Reset
    np.testing.assert_allclose(blocks(at)["W_hh"], onestep.parse(onestep.DEFAULTS["W_hh"]))
    at.segmented_control(key="onestep.look").set_value("xterm").run()
    assert r"\colorbox" in latex(at) and r"\begin{bmatrix}1.20&-0.80" in latex(at)


def test_an_edited_cell_moves_a_t_and_an_emptied_cell_gets_a_message():
    at = open_page()
    editor = "onestep:edit:b_h:0"
    at.session_state[editor] = {"edited_rows": {1: {"b_h": 1.5}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert at.session_state["onestep.b_h"] == "0.3,1.5,0.2"
    np.testing.assert_allclose(blocks(at)["a_t"].ravel(), [2.75, -0.34 + 1.6, -1.15], atol=1e-12)
    at.session_state[editor] = {"edited_rows": {1: {"b_h": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("row 2, column 1 is empty" in w.value for w in at.warning)
    assert at.session_state["onestep.b_h"] == "0.3,1.5,0.2"  # the last good numbers are kept


def test_bad_links_are_explained_not_a_traceback():
    at = open_page({"f": "sigmoid", "W_xh": "1,oops", "hidden": "9"}, fold_open=False)  # a link's toasts: first run
    messages = " ".join(t.value for t in at.toast)
    assert "W_xh" in messages and "hidden" in messages
    assert at.selectbox(key="onestep.f").value == "sigmoid"  # the good settings stay
    assert blocks(at)["W_xh"].shape == (3, 2) and not at.exception
    at = open_page({"hidden": "4"}, fold_open=False)  # the example's matrices are for 3 units
    assert any("do not go together" in t.value for t in at.toast) and not at.exception


@pytest.fixture(scope="module")
def rnn():
    return sentiment.load("rnn")


def test_read_a_reviews_link_opens_the_shipped_step_at_that_word(rnn):
    text = "This movie is not good."
    at = open_page({"text": text, "model": "rnn", "step": "4"}, page="pages/1_read_a_review.py")
    link = next(p for p in at.get("page_link") if "calculator" in p.proto.label)
    params = dict(parse_qsl(link.proto.query_string, keep_blank_values=True))
    assert params == links.calculator_params(text, 4) and link.proto.page.endswith("inside_one_step")
    at = open_page(params)
    r = review.read(rnn, text)
    units = onestep.picked_units(onestep.review_step(rnn, text, 4), "")[0]  # the units that moved most
    np.testing.assert_allclose(blocks(at)["h_t"].ravel(), r.h[4][units], atol=1e-5)  # the heatmap's cells
    assert "“not”" in " ".join(m.value for m in at.markdown)
    at.multiselect[0].set_value([7, 3]).run()
    assert at.query_params["units"] in ("7,3", ["7,3"])
    np.testing.assert_allclose(blocks(at)["h_t"].ravel(), r.h[4][[7, 3]], atol=1e-5)
    assert len(chart(at, "onestep:contrib")["data"]) == 2  # one waterfall per picked unit


def test_the_review_link_is_offered_for_the_rnn_only():
    at = open_page({"text": "Good.", "model": "lstm"}, page="pages/1_read_a_review.py")
    assert not [p for p in at.get("page_link") if "calculator" in p.proto.label]


def test_looking_at_one_step_of_the_unroll():
    at = open_page()
    at.slider(key="onestep.t").set_value(3).run()
    next(b for b in at.button if "step 3" in b.label).click().run()
    tw = onestep.tiny_weights(OneStepConfig())
    steps = onestep.unroll(tw.weights, tw.seq, "tanh", "sigmoid")
    np.testing.assert_allclose(blocks(at)["a_t"].ravel(), steps[2].a, atol=1e-5)  # URL form: 6 digits


def test_the_links_between_the_two_pages_carry_the_word_both_ways():
    text = "This movie is not good."
    at = open_page({"text": text, "model": "rnn", "step": "5"}, page="pages/1_read_a_review.py")
    assert at.slider(key="review.step").value == 5
    at.query_params.clear()
    for k, v in links.calculator_params(text, 2).items():  # the calculator's link, followed in the same session
        at.query_params[k] = v
    at.switch_page(PAGE).run()
    assert at.number_input(key="onestep.word").value == 2 and not at.exception
    back = next(p for p in at.get("page_link") if "Back to this word" in p.proto.label)
    at.query_params.clear()
    for k, v in parse_qsl(back.proto.query_string, keep_blank_values=True):
        at.query_params[k] = v
    at.switch_page("pages/1_read_a_review.py").run()
    assert at.slider(key="review.step").value == 2 and at.text_area(key="review.text").value == text


def test_a_step_outside_the_editors_range_is_not_offered_on_its_own():
    """relu takes h_2 to 18 here: "Look at step 3" would set numbers the page refuses; it is disabled, says why."""
    at = open_page(dict(hidden="2", inputs="1", f="relu", x="1", h_prev="0,0", W_xh="6;6", W_hh="2,0;0,2",
                        b_h="0,0", W_hy="1,1", seq="1;1;1", t="3"))
    button = next(b for b in at.button if "step 3" in b.label)
    assert button.disabled and "cannot be set up on its own" in button.help
    assert not at.warning, [w.value for w in at.warning]
    at.slider(key="onestep.t").set_value(2).run()
    assert not next(b for b in at.button if "step 2" in b.label).disabled

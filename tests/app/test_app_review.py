"""AppTest of the Read-a-review page: type a review, find the h_t heatmap and the sentiment line, bad input,
the LSTM's gates, the comparison; and every rerun after typing (its median time printed, not asserted)."""
import base64
import json
import statistics
import time

import numpy as np
import pytest

from conftest import app_test
from playground.views import review
from playground.web import steady, ui

PAGE = "pages/1_read_a_review.py"


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def array(v) -> np.ndarray:
    """A Plotly JSON array: a plain list, or numpy's typed-array form {dtype, bdata (base64), shape}."""
    if isinstance(v, dict):
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        return a.reshape([int(n) for n in str(v.get("shape", a.size)).split(",")])
    return np.asarray(v)


def type_review(at, text: str, key: str = "review.text"):
    at.text_area(key=key).set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def at():
    at = app_test(PAGE)
    assert not at.exception and at.title[0].value == "Read a review"
    return at


def test_typing_a_review_shows_heatmap_and_sentiment_line(at):
    type_review(at, "The acting is not bad at all, but the plot is thin.")
    main = charts(at)[0]
    heat, line = main["data"][0], next(d for d in main["data"] if d.get("name") == "y_t")
    words = ["the", "acting", "is", "not", "bad", "at", "all", ",", "but", "the", "plot", "is", "thin", "."]
    assert heat["type"] == "heatmap" and array(heat["z"]).shape == (32, len(words))
    assert np.abs(array(heat["z"])).max() <= 1
    assert main["layout"]["xaxis2"]["ticktext"] == words
    y = array(line["y"])
    assert line["type"] == "scatter" and y.shape == (len(words),) and ((0 <= y) & (y <= 1)).all()
    assert at.slider(key="review.step").value == len(words)  # a new review starts at its last word


def test_every_review_typed_redraws_the_heatmap_for_its_own_words(at, capsys):
    """Each rerun after typing draws the new review (word labels, one column per word, the line's last point
    equal to the model's own prediction); the median rerun time is printed, not asserted."""
    from playground.sentiment import models as sentiment
    from playground.sentiment.text import tokenize

    texts = ["This movie is good.", "This movie is not good.", "Not bad at all, honestly.",
             "A gorgeous cast, but the story is dull and far too long."] * 2
    model = sentiment.load(at.session_state["review.model"])
    times = []
    for text in texts:
        t0 = time.perf_counter()
        type_review(at, text)
        times.append(time.perf_counter() - t0)
        main = charts(at)[0]
        heat, line = main["data"][0], next(d for d in main["data"] if d.get("name") == "y_t")
        words = tokenize(text)
        assert main["layout"]["xaxis2"]["ticktext"] == words and array(heat["z"]).shape[1] == len(words), text
        assert array(line["y"])[-1] == pytest.approx(sentiment.predict(model, text)["p_positive"][-1], abs=1e-4)
    with capsys.disabled():
        print(f"\nreview page rerun after typing (AppTest, median of {len(times)}): "
              f"{statistics.median(times) * 1e3:.0f} ms")


def test_the_step_slider_moves_the_reading_aids(at):
    type_review(at, "This movie is not good.")
    at.slider(key="review.step").set_value(4).run()
    logit = charts(at)[2]
    assert "word 4" in logit["layout"]["title"]["text"] and "not" in logit["layout"]["title"]["text"]


@pytest.mark.parametrize("text,expect", [("   ", "Type a review"), ("zorblax quenticulated", "None of these words"),
                                         ("good " * 250, "reads the first 200")])
def test_bad_input_gets_a_message_not_a_traceback(at, text, expect):
    type_review(at, text)
    messages = [m.value for m in list(at.warning) + list(at.info)]
    assert any(expect in m for m in messages), messages
    assert not at.error


def test_an_empty_review_shows_only_its_hint_and_keeps_the_other_settings(at):
    at.radio(key="review.model").set_value("gru").run()
    at.toggle(key="review.compare").set_value(True).run()
    type_review(at, "  \n ")
    assert [m.value for m in at.info] == [review.EMPTY_HINT]
    assert not at.get("plotly_chart") and not at.subheader  # no empty panels under the hint
    type_review(at, "A fine film.")
    assert at.radio(key="review.model").value == "gru" and at.get("plotly_chart")
    assert at.toggle(key="review.compare").value  # not drawn while the box was empty, yet kept
    at.toggle(key="review.compare").set_value(False).run()


def test_html_is_shown_as_text(at):
    type_review(at, "<b>bold</b> <script>alert(1)</script>")
    bodies = [h.proto.body for h in at.get("html") if h.proto.body != steady.SCRIPT]  # (the page's own script)
    assert bodies and all("<script>" not in b and "<b>" not in b for b in bodies)
    assert any("&lt;" in b and "script" in b for b in bodies)


def test_lstm_shows_gates_and_compare_shows_two_reviews_on_one_scale(at):
    at.radio(key="review.model").set_value("lstm").run()
    type_review(at, "This movie is good.")
    gates = charts(at)[3]
    assert [d["type"] for d in gates["data"]] == ["heatmap"] * 5  # i, f, g, o and the cell state
    at.toggle(key="review.compare").set_value(True).run()
    type_review(at, "This movie is not good.", key="review.text_b")
    a, b = charts(at)[-2:]
    assert a["data"][0]["y"] == b["data"][0]["y"]  # same unit order
    assert (a["data"][0]["zmin"], a["data"][0]["zmax"]) == (b["data"][0]["zmin"], b["data"][0]["zmax"]) == (-1, 1)
    assert a["layout"]["xaxis2"]["range"] == b["layout"]["xaxis2"]["range"]
    assert at.query_params["text_b"] == ["This movie is not good."] or at.query_params["text_b"] == \
        "This movie is not good."


def test_very_long_text_is_cut_to_the_page_limit_with_a_notice_and_empty_review_b_is_explained(at):
    type_review(at, "good fun. " * 1000)  # 10,000 characters, pasted in one go
    assert len(at.text_area(key="review.text").value) == review.MAX_CHARS
    assert any("10,000 characters" in t.proto.body for t in at.get("toast"))
    at.toggle(key="review.compare").set_value(True).run()
    type_review(at, "   ", key="review.text_b")
    assert any("Review B" in m.value for m in at.info) and not at.warning and not at.error


def test_examples_fill_the_text_and_words_can_be_coloured_by_one_unit(at):
    at.selectbox(key="review:example").select("Not good (negation)").run()
    assert at.text_area(key="review.text").value == "This movie is not good."
    at.radio(key="review.colour_by").set_value("unit").run()
    at.number_input(key="review.unit").set_value(5).run()
    assert not at.exception
    assert any("h[5] = " in h.proto.body for h in at.get("html"))  # the hover title of each coloured word
    assert at.query_params["unit"] in (["5"], "5")


def test_the_how_good_card_follows_the_chosen_model(at):
    from playground.views import review as model_card

    for name in ("rnn", "gru"):
        at.radio(key="review.model").set_value(name).run()
        shown = [m.value for m in at.markdown]
        assert model_card.card_markdown(model_card.card(name)) in shown, name


def test_all_three_models_stacked(at):
    type_review(at, "The acting is not bad at all.")
    at.radio(key="review.model").set_value(review.ALL).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = charts(at)
    titles = [c["layout"]["title"]["text"] for c in shown if c["layout"].get("title")]
    assert [t.split(":")[0] for t in titles[1:4]] == [m.label for m in review.MODELS.values()]
    lines = {t["name"]: t["y"] for t in shown[0]["data"] if t.get("name") in {m.label for m in review.MODELS.values()}}
    for name, m in review.MODELS.items():  # first, every model's y_t on one chart: the values each reading gives
        y = review.read(ui.shipped_model(name), "The acting is not bad at all.").y
        assert np.allclose(array(lines[m.label]), y, atol=1e-6), name
    assert any("explain one model" in i.value for i in at.info)
    at.radio(key="review.model").set_value("rnn").run()
    assert not at.exception and not any("explain one model" in i.value for i in at.info)

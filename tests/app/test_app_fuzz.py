"""AppTest of every page with the nastiest input the fuzzers found (tests/test_fuzz*.py), through the link (query
parameters) and through the widgets, and of Train live's weights upload with hostile files: never an exception or
the catch-all "Something went wrong", always a message that says what happened."""
from __future__ import annotations

import pickle

import pytest
from streamlit.testing.v1 import AppTest

from conftest import APP, UNEXPECTED
from fuzzing import LONG
from playground.web.live import SESSION_KEY
from playground.training import weights_file as wf
from playground.training.trainer import TrainConfig, Trainer
from test_weights_file import Payload, _tampered

REVIEW, TRAIN, GATES = "pages/1_read_a_review.py", "pages/2_train_live.py", "pages/3_why_lstm_gru.py"
# A browser cannot send a lone surrogate (the websocket and the URL carry UTF-8): it arrives as U+FFFD. The package
# itself is fuzzed with surrogates too (tests/fuzzing.py).
BIDI = "good \u202eboog\u202c \u200b\u200d film\x00 n\u0308ot\u0301 bad 👨‍👩‍👧 \u05d0\u05d1 \ufffd \u0627\u0644"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff \u202e"  # nothing to read, though it is not empty


def opened(page: str, **params: str) -> AppTest:
    """The page opened from a link carrying `params`, as a visitor would paste it."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def calm(at: AppTest) -> list[str]:
    """Everything the page said, after checking it raised nothing and hid no unexpected error."""
    assert not at.exception, [e.value for e in at.exception]
    said = [m.value for m in (*at.warning, *at.error, *at.info)] + [t.proto.body for t in at.get("toast")]
    assert not any(UNEXPECTED in s for s in said), said
    assert all(len(s) <= 600 for s in said), [s[:100] for s in said if len(s) > 600]
    return said


def test_read_a_review_from_a_hostile_link():
    said = calm(opened(REVIEW, text="x" * LONG, step="nan", unit="-5", model="../../etc/passwd", order="maybe",
                       colour_by="\x00", compare="1", text_b=BIDI))
    assert any("text has 200,000 characters; the first 3,000 are kept" in s for s in said)  # cut, not lost (issue 24)
    assert any("model=" in s for s in said) and any("step='nan'" in s for s in said)


def test_read_a_review_typed_nonsense():
    at = opened(REVIEW)
    at.text_area(key="review.text").set_value(BIDI).run()
    calm(at)
    assert at.get("plotly_chart") and not any("\u202e" in h.proto.body for h in at.get("html"))  # read, not flipped
    at.text_area(key="review.text").set_value(ZERO_WIDTH).run()
    assert any("Type a review" in s for s in calm(at)) and not at.get("plotly_chart")


def test_train_live_from_a_hostile_link():
    said = calm(opened(TRAIN, task="text", text="\u202e" + "a" * 5000, lr="nan", hidden="1e309", seed="-1",
                       length="99999999999999999999", batch_size="0x10", clip="perhaps"))
    assert any("text has 5,001 characters; the first 3,000 are kept" in s for s in said)  # cut, not lost (issue 24)
    assert any("lr='nan'" in s for s in said)


def test_train_live_text_box_with_nothing_to_learn():
    at = opened(TRAIN, task="text")
    at.text_area(key="train.text").set_value("\x00" * 40 + "a" * 40).run()  # one character, once cleaned
    assert any("at least two different characters" in s for s in calm(at))
    at.text_area(key="train.text").set_value(BIDI * 30).run()
    calm(at)
    assert at.session_state[SESSION_KEY].session.trainer is not None  # a usable text trains


def test_why_lstm_gru_from_a_hostile_link_and_box():
    at = opened(GATES, race_delays="1e9,,;;-5," + "9" * 5000, T="nan", hidden="0x10", init="\u202e", scale="inf")
    said = calm(at)
    assert any("race_delays=" in s for s in said) and any("T='nan'" in s for s in said)
    at.text_input(key="gates.race_delays").set_value("五, 10, 2**9").run()
    assert any("Delays must be whole numbers" in s for s in calm(at))


@pytest.fixture
def train_page():
    at = opened(TRAIN)
    calm(at)
    return at


def _upload(at: AppTest, name: str, data: bytes) -> list[str]:
    at.file_uploader(key="train:upload").upload(name, data).run()
    return calm(at)


def test_a_malicious_upload_is_refused_on_screen_and_never_runs(train_page, tmp_path):
    marker = tmp_path / "ran"
    session = train_page.session_state[SESSION_KEY].session
    before = session.trainer
    said = _upload(train_page, "train_live_model.pt", pickle.dumps(Payload(marker)))
    assert any("not a weights file saved by the Train live page" in s for s in said)
    assert not marker.exists() and session.trainer is before


@pytest.mark.parametrize("case", ["huge", "truncated", "nan", "outside the page", "good"])
def test_uploads_are_refused_with_their_reason_or_loaded(train_page, case):
    t = Trainer(TrainConfig(task="recall", length=2, g="softmax", hidden=5, batch_size=8))
    t.train(4)
    good = wf.export_weights(t)
    data, reason = {
        "huge": (b"PK\x03\x04" + bytes(wf.MAX_FILE_BYTES), "a Train live weights file is at most"),
        "truncated": (good[: len(good) // 2], "incomplete or damaged"),
        "nan": (_tampered(t, hidden=float("nan")), "refused: hidden = nan is not a whole number"),
        "outside the page": (_tampered(t, seed=123_456), "outside what this page offers"),
        "good": (good, None),
    }[case]
    said = _upload(train_page, "train_live_model.pt", data)
    session = train_page.session_state[SESSION_KEY].session
    if reason is None:
        assert session.step == 4 and session.cfg.task == "recall" and not train_page.warning
    else:
        assert any(reason in s for s in said), said
        assert session.step == 0 and session.cfg.task == "parity"

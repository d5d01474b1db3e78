"""Every public entry of `playground` that takes what a user types, links or uploads, fuzzed: it returns a valid
result or refuses with a PlaygroundError a student can read (tests/fuzzing.py). Figures: test_fuzz_figures.py.

    HYPOTHESIS_PROFILE=full python -m pytest tests/test_fuzz*.py --hypothesis-show-statistics   # >= 1,000 each
"""
from __future__ import annotations

import functools
import gzip
import io
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

from fuzzing import MAX_MESSAGE, NASTY, reached, names, number_texts, numbers, outcome, plain_data, short_texts, student_message, texts
from playground import state
from playground.views import gates
from playground.training import live
from playground.views import train_live as live_text
from playground.training import race
from playground.views import review
from playground.sentiment import models as sentiment
from playground import tasks as tasks
from playground.tasks import text as tasks_text
from playground.training import weights_file as wf
from playground.lesson.activations import HIDDEN, OUTPUT
from playground.lesson.cells import CELLS
from playground.sentiment.data import read_tsv
from playground.sentiment.text import tokenize
from playground.training.trainer import LEARNING_RATES, OPTIMIZERS, TrainConfig, Trainer, model_config


@functools.lru_cache(maxsize=None)
def shipped(name: str) -> sentiment.Sentiment:
    return sentiment.load(name)


# ---- what a student types ------------------------------------------------------------------------------------

@given(texts())
def test_tokenize(text):
    tokens = tokenize(text)
    assert tokens == tokenize(text)  # deterministic
    assert all(t and not any(ch.isspace() for ch in t) for t in tokens)


@given(texts(), st.lists(numbers().filter(lambda v: isinstance(v, int)), max_size=8))
def test_encode_and_decode(text, ids):
    vocab = shipped("rnn").vocab
    enc = vocab.encode(tokenize(text))
    assert len(enc.ids) == len(enc.tokens) == len(enc.oov)
    assert all(0 <= i < len(vocab) and (i == vocab.unk_id) == o for i, o in zip(enc.ids, enc.oov))
    assert len(vocab.decode(ids)) == len(ids)


@given(st.sampled_from(list(sentiment.MODELS)), texts().filter(lambda s: len(s) <= 20_000))
def test_predict(name, text):
    out = outcome(sentiment.predict, shipped(name), text)
    if out is None:
        assert not tokenize(text)  # refused only when there is nothing to read
        return
    assert len(out["p_positive"]) == len(out["tokens"]) == len(out["oov"]) > 0
    assert all(0.0 <= p <= 1.0 for p in out["p_positive"]) and out["label"] in (0, 1)


@given(st.sampled_from(list(sentiment.MODELS)), st.lists(st.tuples(short_texts(60), st.sampled_from([0, 1])),
                                                         max_size=5))
def test_evaluate(name, rows):
    out = sentiment.evaluate(shipped(name), rows)
    assert out["n"] + out["skipped"] == len(rows)
    assert math.isnan(out["accuracy"]) if out["n"] == 0 else 0.0 <= out["accuracy"] <= 1.0


@given(st.one_of(st.binary(max_size=300), texts(120).map(lambda s: s.encode("utf-8", "surrogatepass")),
                 st.lists(st.tuples(short_texts(30), st.sampled_from(["0", "1", "2", "", " 1"]))).map(
                     lambda rows: ("text\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in rows)).encode("utf-8",
                                                                                                     "surrogatepass"))),
       st.booleans())
def test_evaluate_file(data, gz):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("f.tsv.gz" if gz else "f.tsv")
        path.write_bytes(gzip.compress(data) if gz else data)
        rows = outcome(read_tsv, path)
    if rows is not None:
        assert all(label in (0, 1) for _, label in rows)
        sentiment.evaluate(shipped("rnn"), rows[:5])


@given(names(sentiment.MODELS))
def test_model_names(name):
    model = outcome(sentiment.info, name)
    assert (model is not None) == (name in sentiment.MODELS)


@given(texts(), numbers(), numbers(), st.sampled_from(list(review.COLOUR_BY) + ["", "x"]), st.booleans(),
       st.sampled_from(list(sentiment.MODELS)))
def test_read_a_review(text, step, unit, by, order, name):
    kept, notice = review.trim(text)
    assert len(kept) <= review.MAX_CHARS and (notice is None) == (kept == text)
    r = outcome(review.read, shipped(name), text)
    assert review.n_tokens(text) == (r.T if r else 0)
    if r is None:
        return
    step, unit = (v if isinstance(v, int) else 0 for v in (step, unit))  # widgets and links give whole numbers
    views = review.page_views(r, step, review.unit_order(r) if order else None, by, unit)
    assert views["reading"] is not None and "<script" not in views["tokens"].lower()


# ---- tasks and their knobs -----------------------------------------------------------------------------------

KNOB = st.integers(11, 20)  # inside every task's knob (sine needs 11 or more)
SEED = st.integers(0, 2**32)


@given(names(tasks.TASKS), numbers(st.integers(1, 64)), numbers(KNOB), numbers(SEED))
def test_task_generators(name, n, length, seed):
    task = outcome(tasks.get, name)
    if task is None:
        return
    n = n if isinstance(n, int) and 1 <= n <= 64 else 8  # the batch size is a widget choice, bounded
    batch = outcome(task.batch, n, length, seed)
    held = outcome(task.held_out, n, length, seed)
    for b in (batch, held):
        if b is not None:
            assert b.x.shape[0] == n and bool(torch.isfinite(b.x.float()).all())
            assert b.lengths is None or b.lengths.shape == (n,)  # None: every sequence has the full length


@given(names(tasks.TASKS), names(OUTPUT), names(CELLS), names(HIDDEN), numbers(st.integers(1, 64)), numbers(KNOB))
def test_task_heads_and_model_configs(name, g, cell, f, hidden, length):
    task = outcome(tasks.get, name)
    if task is not None and outcome(task.head, g, length) is not None:
        mc = outcome(model_config, task, cell, hidden, f, g, length)
        assert mc is None or mc.output_size >= 1


@given(st.one_of(texts(), st.sampled_from(list(tasks_text.TEXTS.values()))), short_texts(),
       numbers(st.integers(0, 300)), numbers(st.floats(0, 2)), numbers(st.integers(1, 64)), numbers(SEED))
def test_text_task_and_sampling(text, prime, n_chars, temperature, window, seed):
    task = outcome(tasks.get, "text", text=text)
    if task is None:
        assert len(tasks_text.clean_text(text)) < 12 or len(set(tasks_text.clean_text(text))) < 2
        return
    assert 2 < len(task.vocab) <= tasks_text.MAX_VOCAB + 1
    n_chars = n_chars if isinstance(n_chars, int) and -5 <= n_chars <= 300 else 20  # the page asks for 200
    model = _tiny(task)
    out = outcome(tasks_text.generate, model, task, prime, n_chars, temperature, window, seed)
    assert out is None or (len(out) == max(n_chars, 0) and set(out) <= set(task.vocab))


def _tiny(task):
    from playground.lesson.cells import RecurrentModel

    torch.manual_seed(0)
    return RecurrentModel(model_config(task, "rnn", 4, "tanh", "softmax"))


# ---- links (st.query_params) ---------------------------------------------------------------------------------

CONFIGS = [live.LiveConfig, review.ReviewConfig, gates.GatesConfig]


def _links(cls):
    import dataclasses

    fields = [f.name for f in dataclasses.fields(cls)]
    value = st.one_of(number_texts(), texts(), st.sampled_from(["0", "1", "true", "off"]))
    return st.dictionaries(st.one_of(st.sampled_from(fields), short_texts(8)), value, max_size=len(fields) + 2)


@pytest.mark.parametrize("cls", CONFIGS, ids=lambda c: c.__name__)
@given(data=st.data())
def test_page_links(cls, data):
    params = data.draw(_links(cls))
    cfg, messages = state.from_params(cls, params)
    assert state.check(cfg) == []
    for m in messages:
        student_message(m)
    again, more = state.from_params(cls, state.to_params(cfg))
    omitted = set(cfg.link_omits()) if hasattr(cfg, "link_omits") else set()
    assert more == [] and all(getattr(again, k) == getattr(cfg, k) for k in state.to_params(cfg))
    assert all(getattr(again, k) == getattr(cls(), k) for k in omitted)  # what the page writes back reads the same
    if isinstance(cfg, live.LiveConfig):
        s = live.LiveSession(cfg)
        assert (s.status == "refused") == (s.trainer is None)
        if s.status == "refused":
            student_message(s.message)
        student_message(live_text.task_card(cfg)[:MAX_MESSAGE])
    elif isinstance(cfg, gates.GatesConfig):
        outcome(cfg.setup)
        settings = outcome(cfg.race_settings)
        if settings is not None:
            assert len(race.lineup(settings)) == len(race.RACERS)


# ---- the race's delays ---------------------------------------------------------------------------------------

@given(st.one_of(texts(), st.lists(st.one_of(st.integers(-5, 300), st.integers()), max_size=8).map(
    lambda v: ", ".join(map(str, v)))))
def test_race_delays(text):
    delays = outcome(race.parse_delays, text)
    if delays is not None:
        assert list(delays) == sorted(set(delays)) and 1 <= len(delays) <= race.MAX_DELAYS
        assert all(1 <= d <= race.MAX_DELAY for d in delays)
        race.RaceSettings(delays)


@given(numbers(st.integers(1, 64)), numbers(st.integers(1, 2000)), numbers(st.floats(-5, 5)), names(race.MODES))
def test_race_settings(hidden, steps, bias, mode):
    s = outcome(race.RaceSettings, (5,), mode, hidden, steps, memory_bias=bias)
    if s is not None:
        assert s.train_config("rnn", s.hidden, 5).hidden == s.hidden


# ---- the uploaded weights file ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _genuine() -> bytes:
    t = Trainer(TrainConfig(task="parity", length=4, hidden=3, batch_size=8))
    t.train(2)
    return wf.export_weights(t)


def _load(data: bytes):
    """The upload as Train live takes it: into a session, which keeps its run when the file is refused."""
    s = live.LiveSession(live.LiveConfig(hidden=2, batch_size=8))
    before = s.trainer
    cfg = outcome(s.load, data)
    assert (s.trainer is before) == (cfg is None)
    return cfg


@given(st.one_of(st.binary(max_size=2000), st.just(b"PK\x03\x04"),
                 st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)))
def test_upload_any_bytes(data):
    assert _load(data) is None


@given(st.data())
def test_upload_damaged_file(data):
    raw = bytearray(_genuine())
    how = data.draw(st.sampled_from(["cut", "flip", "insert", "zero"]))
    i = data.draw(st.integers(0, len(raw) - 1))
    if how == "cut":
        raw = raw[:i]
    elif how == "flip":
        raw[i] ^= data.draw(st.integers(1, 255))
    elif how == "insert":
        raw[i:i] = data.draw(st.binary(min_size=1, max_size=16))
    else:
        raw[i:i + 64] = bytes(len(raw[i:i + 64]))
    cfg = _load(bytes(raw))
    if cfg is not None:  # a byte the checks do not read (e.g. zip padding) may change: then the run is intact
        assert cfg.task == "parity"


@given(st.data())
def test_upload_hand_edited_file(data):
    blob = torch.load(io.BytesIO(_genuine()), weights_only=True)
    part = data.draw(st.sampled_from(["train_config", "config", "extra", "state_dict"]))
    target = blob["extra"] if part in ("train_config", "extra") else blob
    target = target[part] if part != "extra" else target
    key = data.draw(st.one_of(st.sampled_from(sorted(target)), short_texts(8)))
    value = data.draw(st.one_of(plain_data(), st.sampled_from([
        torch.full((3, 3), math.nan), torch.zeros(3, 3, dtype=torch.float64), torch.zeros(0), torch.ones(4096, 3)])))
    if data.draw(st.booleans()) and key in target:
        del target[key]
    else:
        target[key] = value
    buf = io.BytesIO()
    torch.save(blob, buf)
    cfg = _load(buf.getvalue())
    if cfg is not None:
        assert state.check(cfg) == []


@given(st.sampled_from(list(CELLS)), names(HIDDEN), st.sampled_from(list(OPTIMIZERS)),
       numbers(st.sampled_from(LEARNING_RATES)))
def test_train_config_from_any_numbers(cell, f, optimizer, lr):
    cfg = outcome(TrainConfig, task="parity", length=3, cell=cell, f=f, optimizer=optimizer,
                  lr=lr if isinstance(lr, float) else float(min(max(lr, -1e300), 1e300)), hidden=2, batch_size=4,
                  held_out=8)
    if cfg is not None:
        t = outcome(Trainer, cfg)
        assert t is None or np.isfinite(t.evaluate()["loss"])


def test_the_nasty_alphabet_has_what_it_claims():
    import unicodedata

    cats = {unicodedata.category(c) for c in NASTY}
    assert {"Mn", "Cf", "Cc", "So", "Cs", "Zs"} <= cats and "\x00" in NASTY and "\u202e" in NASTY


def test_the_generated_cases_reach_the_code_under_test(capsys):
    """Runs after the fuzz tests above (file order): every function they call accepted some of the generated cases
    (one that refused everything would pass them). The share is printed; most inputs here are meant to be refused."""
    from fuzzing import REACHED

    if not REACHED:
        pytest.skip("run with the fuzz tests of this module")
    with capsys.disabled():
        print("\n" + reached(sorted(REACHED), at_least=0.01))

"""The live session: controls, ticks, history, caps, switching f and g, export, view arrays, links, locking."""
import dataclasses
import math
import io
import threading

import numpy as np
import pandas as pd
import pytest
import torch

from playground.figures import train as tf
from playground.training import live_config
from playground.training import live
from playground.views import train_live as live_panel
from playground.errors import ConfigError
from playground.training.live import LiveConfig, LiveSession
from playground.state import from_params, to_params

FAST = dict(hidden=6, steps_per_tick=5, batch_size=8)  # small live sessions (test_live_blowups.py reuses them)


def _session(**kw) -> LiveSession:
    return LiveSession(dataclasses.replace(LiveConfig(), **{**FAST, **kw}))


def test_a_new_session_is_paused_at_step_zero_with_the_untrained_row():
    s = _session()
    assert s.status == "paused" and s.step == 0 and list(s.history.step) == [0]


def test_play_tick_pause_step_reset():
    s = _session()
    s.play()
    assert s.playing
    s.tick()
    s.tick()
    assert s.step == 10 and len(s.history) == 3 and s.steps_per_sec > 0
    s.pause()
    assert s.status == "paused"
    s.step_once()
    assert s.step == 15 and s.status == "paused"
    before = [p.detach().clone() for p in s.trainer.model.parameters()]
    s.reset()
    assert s.step == 0 and len(s.history) == 1
    fresh = _session()  # same seed: Reset gives the same starting weights as a new session
    assert all(torch.equal(p, q) for p, q in zip(s.trainer.model.parameters(), fresh.trainer.model.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(before, s.trainer.model.parameters()))


def test_structural_settings_start_over_others_keep_training():
    s = _session()
    s.step_once()
    assert s.apply(dataclasses.replace(s.cfg, lr=0.1, batch_size=16)) is False
    assert s.step == 5 and s.trainer.opt.param_groups[0]["lr"] == 0.1 and s.trainer.cfg.batch_size == 16
    assert s.apply(dataclasses.replace(s.cfg, hidden=7)) is True
    assert s.step == 0 and s.trainer.model.config.hidden_size == 7


def test_switching_f_and_g_changes_the_model_that_trains():
    s = _session()
    s.apply(dataclasses.replace(s.cfg, f="relu"))
    s.step_once()
    assert s.trainer.model.config.f == "relu"
    relu_weights = s.trainer.model.W_hh.detach().clone()
    s.apply(dataclasses.replace(s.cfg, f="tanh"))
    s.step_once()
    assert s.trainer.model.config.f == "tanh" and not torch.equal(relu_weights, s.trainer.model.W_hh)
    s.apply(dataclasses.replace(s.cfg, g="softmax"))
    s.step_once()
    assert s.trainer.model.config.g == "softmax" and s.trainer.model.config.output_size == 2
    assert "redundant" in s.note  # the one-line explanation of the odd choice
    s.apply(dataclasses.replace(s.cfg, g="identity"))
    assert s.trainer.model.g.loss_name == "mean squared error"


def test_a_refused_combination_says_why_and_has_nothing_to_train():
    s = _session(task="sine", g="sigmoid")
    assert s.status == "refused" and "use identity" in s.message
    s.play()
    assert s.tick() is None and s.status == "refused"
    with pytest.raises(ConfigError):
        s.view()
    s.apply(dataclasses.replace(s.cfg, g="identity"))
    assert s.status == "paused" and s.trainer is not None


def test_the_step_cap_pauses_the_session(monkeypatch):
    monkeypatch.setattr(live, "MAX_STEPS", 12)
    s = _session()
    s.play()
    for _ in range(5):
        s.tick()
    assert s.step == 12 and s.status == "capped" and "cap" in s.message
    s.play()
    assert s.status == "capped"


def test_a_long_run_s_snapshot_carries_evenly_spaced_rows_from_the_first_to_the_last_and_its_csv_all(monkeypatch):
    monkeypatch.setattr(live, "SHOWN_ROWS", 7)
    s = _session(steps_per_tick=1)
    s.play()
    for _ in range(30):
        s.tick()
    snap = live.snapshot(s)
    steps = [r["step"] for r in snap.rows]
    assert len(s.rows) == 31 and steps == [0, 5, 10, 15, 20, 25, 30]  # the untrained row, then every 5th, the last
    assert snap.rows[-1] == s.rows[-1] and snap.step == 30
    p = live_panel.panel(snap)  # the page's curves end at the current step and its numbers are the last row's
    assert p.curves.data[0]["x"] == steps and p.stats["test_loss"] == s.rows[-1]["test_loss"]
    assert len(pd.read_csv(io.StringIO(s.csv())).step) == 31  # the download has every row
    assert [r["step"] for r in live.thinned(s.rows[:5])] == [0, 1, 2, 3, 4]  # short histories whole


def test_history_csv_and_weights_file_round_trip():
    s = _session(task="recall", g="softmax", length=2)
    s.step_once()
    frame = pd.read_csv(io.StringIO(s.csv()))
    assert list(frame.step) == [0, 5]
    named = [c.replace("metric", "accuracy").replace("loss", "loss_cross_entropy") for c in s.history.columns]
    assert list(frame.columns) == named  # the columns say which metric and loss they hold
    assert list(frame.test_accuracy) == pytest.approx(list(s.history.test_metric), rel=1e-5)
    other = _session()
    other.step_once()  # a run of its own, whose counters must not leak into the loaded one
    cfg = other.load(s.weights_file())
    assert cfg.task == "recall" and cfg.length == 2 and other.step == 5
    assert other.seconds == other.steps_per_sec == 0 and len(other.rows) == 1 and other.rows[0]["seconds"] == 0
    assert all(torch.equal(p, q) for p, q in zip(s.trainer.model.parameters(), other.trainer.model.parameters()))


@pytest.mark.parametrize("task", list(live.tasklib.TASKS))
def test_view_arrays_fit_the_probe_for_every_task(task):
    cfg = dataclasses.replace(LiveConfig(), **FAST, task=task, **live_config.task_defaults(task))
    s = LiveSession(cfg)
    s.step_once()
    v = s.view()
    H, T = v.h.shape
    assert H == 6 and len(v.inputs) == len(v.targets) == len(v.predictions) == len(v.correct) == T
    assert v.grad_norms.shape == (T,) and np.isfinite(v.grad_norms).all() and (v.grad_norms > 0).any()
    scored = [t is not None for t in v.targets]
    assert any(scored) and all((c is None) == (not m) for c, m in zip(v.correct, scored))
    p = live_panel.panel(s)
    assert p.stats["step"] == 5


def test_the_probe_shows_a_whole_sequence_target_only_at_its_end():
    s = _session(task="parity", length=6)
    v = s.view()
    assert v.targets[:-1] == [None] * 5 and v.targets[-1] in ("odd", "even")


def test_page_config_round_trips_through_the_url():
    cfg = dataclasses.replace(LiveConfig(), task="text", text="<b>hi</b> 😀", lr=0.3, clip=False, g="softmax")
    back, messages = from_params(LiveConfig, to_params(cfg))
    assert back == cfg and messages == []
    bad, messages = from_params(LiveConfig, {"lr": "0.123", "hidden": "1000"})
    assert bad.lr == LiveConfig().lr and bad.hidden == LiveConfig().hidden and len(messages) == 2


def test_a_link_carries_the_text_only_for_the_text_task():
    parity = to_params(dataclasses.replace(LiveConfig(), text="my own words", temperature=1.5))
    assert "text" not in parity and "temperature" not in parity and parity["task"] == "parity"
    assert from_params(LiveConfig, parity) == (LiveConfig(), [])
    own = to_params(dataclasses.replace(LiveConfig(), task="text", text="my own words", temperature=1.5))
    assert own["text"] == "my own words" and own["temperature"] == "1.5"


def test_text_task_samples_plain_text_of_the_requested_length():
    s = _session(task="text", g="softmax", length=8, text="abcabcabcabcabcabc")
    s.step_once()
    out = s.sample_text(n_chars=30, temperature=0.5)
    assert len(out) == 30 and set(out) <= set("abc")
    again = [s.sample_text(n_chars=30, temperature=1.5) for _ in range(3)]  # paused: each press writes another text
    assert len(set(again)) == 3
    with pytest.raises(ConfigError):
        _session().sample_text()


def test_a_short_text_bounds_the_window_and_a_blank_box_means_the_default_text():
    short = "abcd abcd abcd."  # 15 characters: windows up to 13
    store = {"task": "text", "length": 24, "text": short}
    live_config.clamp_length(store, "task", "length", "text")
    assert store["length"] == live_config.current_task("text", short).knob.hi == 13
    s = _session(task="text", length=store["length"], text=short)
    assert s.trainer is not None and s.status == "paused", s.message
    blank = _session(task="text", length=24, text="   ")
    assert blank.trainer is not None and blank.trainer.task.options == live.tasklib.get("text").options


def test_loading_a_file_with_settings_the_page_does_not_offer_is_refused_and_changes_nothing():
    from playground.training import trainer as tr
    from playground.training import weights_file

    odd = tr.Trainer(tr.TrainConfig(task="parity", length=4, hidden=6, batch_size=256))  # no such widget choice
    s = _session()
    before = s.trainer
    with pytest.raises(live.InputError, match="outside what this page offers"):
        s.load(weights_file.export_weights(odd))
    assert s.trainer is before and s.cfg.batch_size == FAST["batch_size"]


@pytest.mark.parametrize("other", ["panel", "reset"])
def test_a_second_script_run_waits_for_the_tick_in_flight(other):
    """On a click Streamlit starts the new script run while the old one (a tick) is still training: the new run's
    panel or Reset must wait for the tick, never read or swap weights an optimizer step is rewriting."""
    s = _session()
    s.play()
    inside, release, entered, tick_done = (threading.Event() for _ in range(4))
    seen = {}
    train = s.trainer.train

    def slow_train(*args, **kwargs):
        inside.set()
        assert release.wait(30)
        out = train(*args, **kwargs)
        tick_done.set()
        return out

    # an event set inside the region the lock guards: where the panel reads the model, or Reset replaces it
    name = "view" if other == "panel" else "_start"
    inner = getattr(s, name)

    def marked(*args, **kwargs):
        seen.setdefault("tick done on entry", tick_done.is_set())
        entered.set()
        return inner(*args, **kwargs)

    s.trainer.train = slow_train
    ticking = threading.Thread(target=s.tick)
    ticking.start()
    assert inside.wait(30)
    setattr(s, name, marked)

    def second_run():
        seen["result"] = live_panel.panel(s) if other == "panel" else s.reset()

    runner = threading.Thread(target=second_run)
    runner.start()
    entered.wait(2)  # without the lock the second run gets in here while the tick is held (it fails below)
    release.set()
    ticking.join(30)
    runner.join(30)
    assert seen["tick done on entry"] is True, f"{other} ran while the tick was training"
    if other == "panel":
        assert seen["result"].stats["step"] == 5  # drawn from the weights after the tick
    else:
        assert s.step == 0 and len(s.history) == 1  # the reset came after the tick and wiped it


def _by_hand(model, x: torch.Tensor) -> list[torch.Tensor]:
    """h_1 .. h_T of the Elman RNN written out from the lesson's equation, one step at a time: (B, H) each."""
    e = model.embedding(x)  # (B, T, E)
    h = torch.zeros(x.shape[0], model.config.hidden_size)
    hs = []
    for t in range(x.shape[1]):
        h = torch.tanh(e[:, t] @ model.W_xh.T + h @ model.W_hh.T + model.b_h)
        hs.append(h)
    return hs


def test_the_probe_shows_h_t_the_answers_and_the_gradients_by_value():
    """The probe heatmap is h_1..h_T in time order (not h_0..h_T-1), the answer strip is y_t's argmax read as a
    symbol, right where it equals x_{t-k}, and the gradient curve is ||dL/dh_t|| for t = 1..T in that order."""
    k = 2
    s = _session(task="recall", length=k, g="softmax", hidden=8, seed=3)
    for _ in range(6):
        s.step_once()  # partly trained: some answers right, some wrong
    v, trn = s.view(), s.trainer
    model, probe = trn.model, trn.held_out[0:1]
    with torch.no_grad():
        hs = torch.stack(_by_hand(model, probe.x), dim=1)[0]  # (T, H)
    np.testing.assert_allclose(v.h, hs.numpy().T, atol=1e-5)
    symbols = trn.task.vocab
    answers = [symbols[int(c) + 1] for c in (hs @ model.W_hy.T + model.b_y).argmax(-1)]
    assert v.predictions == answers
    inputs = [symbols[int(i)] for i in probe.x[0]]
    assert v.inputs == inputs
    want = [None] * k + [answers[t] == inputs[t - k] for t in range(k, len(inputs))]
    assert v.correct == want and True in want and False in want
    batch = trn.held_out[0:32]
    hs = _by_hand(model, batch.x)
    logits = torch.stack(hs, dim=1) @ model.W_hy.T + model.b_y
    out, target = batch.scored(logits)
    grads = torch.autograd.grad(torch.nn.functional.cross_entropy(out, target), hs)
    np.testing.assert_allclose(v.grad_norms, [float(g.norm(dim=-1).mean()) for g in grads], rtol=1e-4, atol=1e-8)
    fig = live_panel.panel(s).probe.figure
    strip = fig.data[2]  # right = 1 on the [WRONG, RIGHT] scale, wrong = 0
    assert [None if c is None or math.isnan(c) else c == 1.0 for c in strip.z[0]] == want
    assert strip.colorscale[0][1] == tf.WRONG and strip.colorscale[-1][1] == tf.RIGHT

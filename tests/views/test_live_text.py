"""The words and numbers around Train live's charts: losses fit their box, the task card states the task, and a
too-big learning rate gets a caption that says what will happen."""
import dataclasses
from types import SimpleNamespace

import pytest

from playground.views import train_live as live_text
from playground.training.live import LiveConfig


@pytest.mark.parametrize("value,shown", [(0.04313, "0.04313"), (1234.5, "1234"), (1.557e6, "1.6e+06"),
                                         (0.002143, "0.00214"), (1.234e-5, "1.2e-05"), (12345.0, "1.2e+04"),
                                         (float("nan"), "–"), (None, "–")])
def test_losses_fit_their_metric_box(value, shown):
    assert live_text.fmt_loss(value) == shown and len(shown) <= 7


def test_the_three_numbers_read_as_the_page_and_a_follower_s_feed_show_them():
    stats = {"step": 12345, "steps_per_sec": 56.4, "metric_name": "accuracy", "test_metric": 0.9134,
             "metric_fmt": ".1%", "test_loss": 0.123456}
    assert live_text.numbers(stats) == [("Step", "12,345", "56 steps / second"), ("Held-out accuracy", "91.3%", ""),
                                        ("Held-out loss", "0.1235", "")]
    fresh = stats | {"step": 0, "steps_per_sec": 0.0, "test_metric": None, "test_loss": float("nan")}
    assert [value for _, value, _ in live_text.numbers(fresh)] == ["0", "–", "–"]
    assert live_text.numbers(fresh)[0][2] == "– steps / second"


def test_a_run_sharing_its_worker_shows_the_steps_per_second_it_gets():
    run = SimpleNamespace(steps_per_sec=104.0, busy=26, playing=True)
    assert live_text.rate_shown(run) == 4.0  # one slice in 26 of its worker's time
    assert live_text.rate_shown(SimpleNamespace(steps_per_sec=104.0, busy=1, playing=True)) == 104.0  # alone
    assert live_text.rate_shown(SimpleNamespace(steps_per_sec=104.0, busy=26, playing=False)) == 104.0  # paused: its
    # last Step's rate (Step trains one tick at once)
    assert "about 4 steps/s for this one" in live_text.busy_note(26, live_text.rate_shown(run))


@pytest.mark.parametrize("lr,opt,f,cell,clip,expect", [
    (0.01, "adam", "tanh", "rnn", True, ""), (1.0, "sgd", "relu", "rnn", False, ""),  # below TOO_BIG: no hint
    (0.1, "adam", "tanh", "rnn", True, "will usually not overflow"),
    (3.0, "sgd", "tanh", "rnn", False, "will usually not overflow"),
    (1.0, "adam", "relu", "lstm", True, "will usually not overflow"),
    (3.0, "sgd", "relu", "rnn", False, "clipping tames it"), (0.3, "adam", "identity", "rnn", True, "stops by itself")])
def test_a_too_big_learning_rate_says_what_will_happen(lr, opt, f, cell, clip, expect):
    hint = live_text.rate_hint(lr, opt, f, cell, clip)
    assert (expect in hint) if expect else hint == ""
    if clip:
        assert "clipping tames" not in hint


def test_the_task_card_states_input_target_loss_metric_and_guessing():
    card = live_text.task_card(dataclasses.replace(LiveConfig(), task="parity", length=8))
    assert "**Input:**" in card and "**Target:**" in card and "binary cross-entropy" in card
    assert "accuracy" in card and "guessing scores 50" in card and "A perfect model" in card


def test_a_generated_text_says_what_wrote_it_and_whether_the_slider_has_moved_since():
    assert live_text.sample_caption(1250, 0.2) == "Written by the model at step 1,250, temperature 0.2."
    assert live_text.sample_caption(1250, 0.2, 0.2) == live_text.sample_caption(1250, 0.2)
    assert live_text.sample_caption(1250, 0.2, 1.5).endswith("(the slider is at 1.5 now: press Generate again).")


def test_a_run_blown_up_without_a_nan_is_told_so():
    rows = [{"step": 0, "test_loss": 0.69}, {"step": 50, "test_loss": 0.4}, {"step": 100, "test_loss": 1.2e5},
            {"step": 150, "test_loss": 0.6931}]  # a spike, then guessing (dead units): the untrained model's loss
    assert live_text.blown_note(rows).startswith(
        "Blown up without overflowing: at step 100 the held-out loss reached 1.2e+05, 173,913 times the untrained "
        "model's, and it is no better than that model's now.")
    assert live_text.blown_note(rows[:3]).startswith("Blown up")  # still up there
    assert live_text.blown_note([*rows, {"step": 200, "test_loss": 0.3}]) is None  # learns again: nothing to say
    assert live_text.blown_note(rows[:2]) is None  # learning
    spike = {"step": 100, "test_loss": 0.69 * 99}
    assert live_text.blown_note([*rows[:2], spike, rows[3]]) is None  # within BLOWN times
    assert live_text.blown_note([*rows[:3], {"step": 150, "test_loss": float("nan")}]) is None  # "diverged"'s
    assert live_text.blown_note(rows[:1]) is None and live_text.blown_note([]) is None

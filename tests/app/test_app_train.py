"""AppTest of Train live: Play / Step / Pause / Reset move the step counter and the curves; switching f and g
changes the model that trains; a refused g and a blow-up are explained, never a traceback."""
import json

import pytest

from conftest import app_test
from playground.training import live
from playground.web import live as live_ui
from playground.web.live import SESSION_KEY

PAGE = "pages/2_train_live.py"


def _step(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "Step").replace(",", ""))


def _curve_points(at) -> int:
    """Points on the held-out loss curve in the chart the page sent."""
    charts = [c for c in at.get("plotly_chart") if '"held-out set"' in c.proto.spec]
    spec = json.loads(charts[0].proto.spec)
    return len(next(t["x"] for t in spec["data"] if t.get("name") == "held-out set"))


@pytest.fixture
def at(monkeypatch):
    # In-process (AppTest) the page's redraw trains at most live.TICK_SECONDS of the current tick; on a loaded CI
    # machine that would leave ticks unfinished and make the step counts below depend on the machine's speed.
    monkeypatch.setattr(live, "TICK_SECONDS", 1e9)
    at = app_test(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_step_play_pause_reset(at):
    assert at.title[0].value == "Train live" and _step(at) == 0
    points = _curve_points(at)
    per_tick = at.session_state["train.steps_per_tick"]
    at.button(key="train:step").click().run()
    assert _step(at) == per_tick and _curve_points(at) == points + 1
    at.button(key="train:play").click().run()  # the full rerun runs the fragment once: one tick
    assert at.session_state[SESSION_KEY].session.playing
    assert [b.label for b in at.button][:1] == ["Pause"] and _step(at) == 2 * per_tick
    at.run()  # a rerun while playing ticks again
    assert _step(at) == 3 * per_tick
    at.button(key="train:pause").click().run()
    assert not at.session_state[SESSION_KEY].session.playing
    at.run()
    assert _step(at) == 3 * per_tick  # paused: no more training
    at.button(key="train:reset").click().run()
    assert _step(at) == 0 and _curve_points(at) == 1
    assert not at.exception


def test_a_crowd_on_the_server_slows_the_redraws_and_the_page_says_so(at, monkeypatch):
    monkeypatch.setattr(live_ui, "pace", live_ui.Pace())  # this process's other tests' sessions do not count
    at.button(key="train:play").click().run()
    assert not [c for c in at.caption if "Busy server" in c.value]  # alone: its own pace, no word about it
    crowd = live_ui.Pace()
    for i in range(101):
        crowd.note(f"s{i % 60}", 0.01)  # 60 sessions redrawing, 10 ms each: 1.2 s of redraws a second at 1 Hz
    monkeypatch.setattr(live_ui, "pace", crowd)
    at.run()
    every = crowd.every(live.redraw_every(1))
    assert every == 1.2 and at.session_state["train:every"] == every
    assert [c.value for c in at.caption if "Busy server" in c.value] == [
        "⏳ Busy server: 60 sessions are watching live runs, so the charts here redraw every 1.2 s. Training goes on "
        "at its own speed between redraws."]


def test_switching_f_and_g_changes_the_model_that_trains(at):
    at.selectbox(key="train.f").set_value("relu").run()
    at.button(key="train:step").click().run()
    model = at.session_state[SESSION_KEY].session.trainer.model
    assert model.config.f == "relu" and model.config.g == "sigmoid"
    at.selectbox(key="train.g").set_value("identity").run()
    at.button(key="train:step").click().run()
    model = at.session_state[SESSION_KEY].session.trainer.model
    assert model.config.g == "identity" and model.g.loss_name == "mean squared error"
    assert any("squared error" in c.value for c in at.caption)  # the one-line note on the odd choice
    assert any("mean squared error" in c.proto.spec for c in at.get("plotly_chart"))
    assert not at.exception


def test_picking_a_task_picks_its_g_and_a_refused_g_is_explained(at):
    at.selectbox(key="train.task").set_value("sine").run()
    assert at.session_state["train.g"] == "identity" and at.session_state["train.length"] == 30
    at.selectbox(key="train.g").set_value("sigmoid").run()
    assert any("use identity" in w.value for w in at.warning)
    assert not at.exception


def test_a_blow_up_pauses_and_is_explained(at):
    for key, value in dict(task="counting").items():
        at.selectbox(key=f"train.{key}").set_value(value).run()
    at.slider(key="train.length").set_value(40).run()
    at.selectbox(key="train.f").set_value("identity").run()
    at.selectbox(key="train.optimizer").set_value("sgd").run()
    at.select_slider(key="train.lr").set_value(1.0).run()
    at.toggle(key="train.clip").set_value(False).run()
    at.button(key="train:play").click().run()
    assert any("exploded at step" in e.value for e in at.error)
    assert at.session_state[SESSION_KEY].session.status == "diverged" and not at.exception


def _explode(at) -> None:
    """The explode demo, stepped until it blows up (within 300 steps: bench/robustness.py)."""
    at.selectbox(key="train:demo").select("explode").run()
    for _ in range(6):
        at.button(key="train:step").click().run()
        if any("exploded at step" in e.value for e in at.error):
            break


def test_the_explode_demo_rewinds_and_recovers_on_the_page(at):
    _explode(at)
    assert any("exploded at step" in e.value for e in at.error)
    at.button(key="train:rewind").click().run()
    s = at.session_state[SESSION_KEY].session
    assert s.step == 0 and s.status == "paused" and any("Rewound to step 0" in i.value for i in at.info)
    at.toggle(key="train.clip").set_value(True).run()
    for _ in range(4):
        at.button(key="train:step").click().run()
    assert s.step == 200 and s.status == "paused" and not at.error and not at.exception


def test_after_a_blow_up_one_button_turns_clipping_on_and_goes_back_to_before_it(at):
    _explode(at)
    s = at.session_state[SESSION_KEY].session
    assert s.status == "diverged" and not at.session_state["train.clip"]
    at.button(key="train:clip_on").click().run()
    assert at.session_state["train.clip"] and at.toggle(key="train.clip").value  # the switch shows it too
    assert s.status == "paused" and s.step == s.rewind_step == 0 and s.cfg.clip
    assert any("Settings changed after the blow-up" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "train:clip_on"] and at.query_params["clip"] in ("1", ["1"])
    at.button(key="train:step").click().run()
    assert s.status == "paused" and s.step == s.cfg.steps_per_tick and not at.error and not at.exception


def test_text_task_samples_text(at):
    at.selectbox(key="train.task").set_value("text").run()
    at.button(key="train:step").click().run()
    at.button(key="train:sample").click().run()
    assert at.code and len(at.code[0].value) == 200 and not at.exception
    step = at.session_state[SESSION_KEY].session.step
    said = lambda: [c.value for c in at.caption if c.value.startswith("Written by")]  # noqa: E731
    assert step > 0 and said() == [f"Written by the model at step {step:,}, temperature 0.8."]  # the text's own
    at.slider(key="train.temperature").set_value(0.5).run()  # the slider moves on: the text shown is still the old one
    assert said() == [f"Written by the model at step {step:,}, temperature 0.8 (the slider is at 0.5 now: press "
                      "Generate again)."]


def test_a_lecture_demo_sets_every_widget(at):
    at.selectbox(key="train:demo").select("explode").run()
    assert not at.exception
    state = at.session_state
    assert (state["train.task"], state["train.f"], state["train.optimizer"], state["train.clip"]) == \
        ("counting", "identity", "sgd", False)
    assert any("*Clipping* on" in c.value for c in at.caption)


def test_a_demo_keeps_its_script_while_followed_and_drops_it_for_another_model(at):
    at.selectbox(key="train:demo").select("explode").run()
    at.toggle(key="train.clip").set_value(True).run()  # the script's own second step
    assert at.selectbox(key="train:demo").value == "explode" and any("*Clipping* on" in c.value for c in at.caption)
    at.selectbox(key="train.task").select("parity").run()  # another task: the script no longer fits
    assert at.selectbox(key="train:demo").value is None and not any("*Clipping* on" in c.value for c in at.caption)
    assert not at.exception


def test_the_equations_show_the_chosen_f_and_g(at):
    def shown() -> list[str]:  # two pieces of inline math in one markdown: they wrap where the row is narrow
        return [x.value for x in at.markdown if "h_t = " in x.value and "$" in x.value]
    assert any(r"h_t = \tanh\left(" in x and r"y_t = \sigma\left(" in x for x in shown())
    at.selectbox(key="train.f").set_value("relu").run()
    at.selectbox(key="train.g").set_value("softmax").run()
    assert any(r"h_t = \mathrm{ReLU}\left(" in x and r"y_t = \mathrm{softmax}\left(" in x for x in shown())
    assert not any(r"\tanh" in x for x in shown()) and not at.exception

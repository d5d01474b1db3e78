"""The "Why LSTM & GRU" page: its config round-trips through the URL, its views show what they claim (the RNN's
gradient vanishes where the gated cells' does not), and the page's buttons run in an AppTest."""
import math

import pytest

from conftest import app_test
from playground.views import gates
from playground.views.gates import GatesConfig
from playground.training.gradflow import FlowSetup, clipping_runs
from playground.state import from_params, to_params

PAGE = "pages/3_why_lstm_gru.py"


def test_config_round_trips_and_bad_values_fall_back():
    cfg = GatesConfig(T=60, scale=0.5, inspect="gru", race_delays="5, 30", race_mode="params")
    assert from_params(GatesConfig, to_params(cfg)) == (cfg, [])
    back, messages = from_params(GatesConfig, {"T": "100000", "inspect": "nope"})
    assert back.inspect == GatesConfig().inspect and messages


def test_flow_view_shows_the_rnn_gradient_vanishing_and_the_gated_cells_keeping_it():
    view = gates.flow_view(FlowSetup(T=40, hidden=16))
    reach = {label: init for label, (init, trained) in view.reach.items()}
    assert all(trained is None for _, trained in view.reach.values())  # nothing trained yet
    assert reach["RNN (tanh)"] < 1e-4 and reach["RNN (sigmoid)"] < reach["RNN (tanh)"]
    assert reach["LSTM"] > 1e3 * reach["RNN (tanh)"] and reach["GRU"] > 1e3 * reach["RNN (tanh)"]
    assert [tr.name for tr in view.grads.data][:5] == ["RNN (tanh)", "RNN (sigmoid)", "RNN (ReLU)", "LSTM", "GRU"]
    text = gates.reach_summary(view.reach, 40)
    assert "RNN (tanh)" in text and "at initialisation" in text and "after training" not in text
    curves = {tr.name: list(tr.y) for tr in view.grads.data}
    for label, value in reach.items():  # the reach is the drawn gradient at t = 1 over the one at t = T
        rows = view.table[(view.table.model == label) & (view.table.weights == "initial")].set_index("t").grad_norm
        assert value == pytest.approx(rows[1] / rows[40], rel=1e-6, abs=0)
        first, last = curves[label][0], curves[label][-1]  # the chart (a value too small for a log axis: None)
        assert first is None or value == pytest.approx(first / last, rel=1e-6, abs=0)


def test_clipping_runs_are_summarised_from_their_own_numbers():
    runs = clipping_runs(FlowSetup(T=25, hidden=16), "rnn_relu", scale=2.5, clip=1.0, lr=0.1, steps=30)
    summary = gates.boom_summary(runs)
    assert runs["no clipping"]["diverged_at"] is not None and "no clipping**: blew up at step" in summary
    assert runs["clipped at 1"]["diverged_at"] is None and len(runs["clipped at 1"]["loss"]) == 30
    assert all(math.isfinite(v) for v in runs["clipped at 1"]["loss"])
    assert len(gates.clipping_view(runs).data) >= 2


@pytest.mark.parametrize("cell,gate", [("lstm", "forget gate"), ("gru", "update gate")])
def test_gates_view_names_each_gate(cell, gate):
    fig, trained = gates.gates_view(FlowSetup(T=12, hidden=8), cell)
    titles = " ".join(a.text for a in fig.layout.annotations)
    assert not trained and gate in titles


def test_page_buttons_train_run_and_race_in_an_apptest():
    at = app_test(PAGE, timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    at.slider(key="gates.T").set_value(12)
    at.slider(key="gates.train_steps").set_value(20)
    at.slider(key="gates.race_steps").set_value(25)
    at.text_input(key="gates.race_delays").set_value("3")
    at.run()
    for label in ("Train all five", "Run 150 SGD steps", "Start the race"):
        button = next(b for b in at.button if b.label.startswith(label))
        button.click().run()
        assert not at.exception, (label, [e.value for e in at.exception])
    shown = " ".join(m.value for m in at.markdown)
    assert "after training" in shown  # the trained models' reach, next to the initial one
    assert "no clipping" in shown
    (result,) = at.session_state["gates:race"].values()  # the race the button ran: its summary is on the page
    for cell, (acc,) in result.accuracy().items():
        label = {"rnn": "RNN (Elman)", "lstm": "LSTM", "gru": "GRU"}[cell]
        assert f"{label} at {'delay 3' if acc >= 0.9 else 'none of these delays'}" in shown, (cell, acc)
    assert [w.value for w in at.warning] == []
    downloads = {d.proto.label for d in at.get("download_button")}
    assert {"Both charts' curves (CSV)", "Race results (CSV)"} <= downloads


def test_eigen_view_reports_each_blocks_radius_as_measured():
    import numpy as np

    setup = FlowSetup(T=12, hidden=8)
    fig, radius = gates.eigen_view(setup, "lstm")
    W = setup.model("lstm").W_hh.detach().numpy().astype(np.float64)  # torch's gate order: i, f, g, o
    expected = {f"W_h{g}": float(np.abs(np.linalg.eigvals(W[i * 8:(i + 1) * 8])).max()) for i, g in enumerate("ifgo")}
    assert radius.keys() == {(k, "at init") for k in expected}
    assert all(radius[(k, "at init")] == pytest.approx(v, rel=1e-9) for k, v in expected.items())
    text = gates.radius_summary(radius)
    assert all(f"ρ({k}) = {v:.2f} at init" in text for k, v in expected.items())
    assert np.isfinite(list(radius.values())).all() and len(fig.data) >= 4


def test_the_reach_summary_names_an_overflow_instead_of_a_number():
    text = gates.reach_summary({"RNN (ReLU)": (math.inf, None), "GRU": (0.29, math.nan), "RNN (sigmoid)": (0.0, None)},
                               201)
    lines = text.splitlines()[1:]
    assert "overflow" in lines[0] and "0.29" in lines[1] and "after training overflow" in lines[1]
    assert "below float32's smallest number" in lines[2]


def test_the_default_clipping_run_blows_up_without_clipping_and_survives_with_it():
    """The page's defaults must tell the story on any CPU: at T = 40 and W_hh = 2.5 x orthogonal the first gradient
    is so large that one plain SGD step throws the weights to infinity, for every seed tried (bench/robustness.py
    clip.defaults); clipped, the same first gradient moves the weights by lr x clip and the run trains on."""
    cfg = GatesConfig()
    runs = clipping_runs(cfg.setup(), cfg.boom, cfg.boom_scale, cfg.clip, cfg.boom_lr, gates.BOOM_STEPS)
    wild, tamed = runs["no clipping"], runs[f"clipped at {cfg.clip:g}"]
    assert wild["diverged_at"] is not None and "no clipping**: blew up at step" in gates.boom_summary(runs)
    assert tamed["diverged_at"] is None and len(tamed["loss"]) == gates.BOOM_STEPS
    assert all(math.isfinite(v) for v in tamed["loss"] + tamed["grad_norm"])
    # the same model and batch: both runs see the same first gradient, and it is far above the clipping threshold
    assert tamed["grad_norm"][0] == pytest.approx(wild["grad_norm"][0], rel=1e-4)
    assert wild["grad_norm"][0] > 1e4 * cfg.clip  # seeds 0-4: 3e5 to 5e11 (robustness.py clip.defaults)
    # ...and the clipped run is seen to work: its loss falls from the blown-up forward pass to near guessing's (seeds
    # 0-7 here: from 465-9e11 down to 2.07-2.47; guessing 2.08), while its accuracy stays near chance, as it says
    assert tamed["loss"][0] > 50 * tamed["loss"][-1] and tamed["loss"][-1] < 2 * gates.GUESS_LOSS
    summary = gates.boom_summary(runs)
    assert f"and {tamed['loss'][-1]:.3g} at the last (guessing: 2.08)" in summary
    assert ("does not give the RNN a memory" in summary) == (tamed["accuracy"] < 2 * gates.TASK.chance(1))


def test_a_clipping_run_where_nothing_blows_up_says_how_to_make_it():
    calm = GatesConfig(boom_scale=1.1)  # 1.1^40 = 45: nothing blew up for any seed or rate tried (robustness.py)
    runs = clipping_runs(calm.setup(), calm.boom, calm.boom_scale, calm.clip, calm.boom_lr, 40)
    assert all(r["diverged_at"] is None for r in runs.values())
    assert "Nothing blew up" in gates.boom_summary(runs)
    cfg = GatesConfig()
    blown = clipping_runs(cfg.setup(), cfg.boom, cfg.boom_scale, cfg.clip, cfg.boom_lr, 40)
    assert "Nothing blew up" not in gates.boom_summary(blown)


def test_when_both_runs_blow_up_at_once_the_summary_says_clipping_cannot_help():
    """T=201, H=64, W_hh x 4: the ReLU states overflow in the forward pass, so the clipped run dies too."""
    runs = clipping_runs(FlowSetup(T=201, hidden=64, scale=4.0), "rnn_relu", 4.0, 1.0, 0.01, 5)
    assert [r["diverged_at"] for r in runs.values()] == [1, 1]
    assert "clipping has nothing to act on" in gates.boom_summary(runs)
    fig = gates.clipping_view(runs)
    notes = [a for a in fig.layout.annotations if "NaN/inf" in (a.text or "")]
    assert len(notes) == 2 and notes[0].y != notes[1].y  # two notes at one step, one above the other


@pytest.mark.parametrize("first_loss,says", [(math.nan, "overflow in the forward pass"),
                                             (1.9e26, "first gradient already overflows")])
def test_a_blow_up_at_the_first_update_is_put_down_to_the_forward_pass_or_the_gradient(first_loss, says):
    """A finite first loss means the forward pass was fine and the gradient overflowed (T=100, H=64, scale 2.5)."""
    run = {"loss": [first_loss], "grad_norm": [math.nan], "diverged_at": 1, "accuracy": 0.1, "note": ""}
    text = gates.boom_summary({"no clipping": run, "clipped at 1": dict(run)})
    assert says in text and ("forward" in text) == math.isnan(first_loss)


def test_the_pages_numbers_come_from_the_task_and_the_sigmoid():
    """Issue 23: no typed-in figure; these are checked against the numbers worked out by hand."""
    assert gates.SYMBOL_NAMES == "A..H" and gates.chance_text() == "1/8 = 12.5%"
    text = gates.memory_bias_help()
    assert "0 → 50%" in text and "1 → 73% (Keras' LSTM default)" in text and "3 → 95%" in text


def test_the_lineup_table_shows_each_racers_counts_from_its_model():
    from playground.training.race import RaceSettings, lineup

    s = RaceSettings(hidden=24, mode="params")
    rows = gates.lineup_markdown(s).splitlines()
    assert rows[0] == "| cell | hidden size | parameters | of which W_hh |" and len(rows) == 2 + 3
    for line, counts in zip(rows[2:], lineup(s)):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells == [counts["cell"], str(counts["hidden size"]), f"{counts['parameters']:,}",
                         f"{counts['of which W_hh']:,}"]
    lstm = [c.strip() for c in rows[3].strip("|").split("|")]
    assert lstm[0] == "LSTM" and int(lstm[1]) < 24  # same parameter count: the LSTM is narrower than the RNN


def test_the_race_table_shows_each_cell_s_accuracy_per_delay_in_percent():
    """The race's results as the student reads them (Markdown, no data grid: no pandas when a class draws it)."""
    from playground.training.race import Lane, RaceResult, RaceSettings

    lanes = [Lane(c, d, h, p, acc, [0.1] * 100, 0.5) for c, d, h, p, acc in
             [("rnn", 5, 16, 672, 0.95), ("rnn", 20, 16, 672, 0.125), ("lstm", 5, 8, 1872, 1.0),
              ("lstm", 20, 8, 1872, 0.5), ("gru", 5, 9, 1520, 1.0), ("gru", 20, 9, 1520, 0.99)]]
    lines = gates.race_markdown(RaceResult(RaceSettings(delays=(5, 20)), lanes)).splitlines()
    assert lines[0] == "| cell | hidden size | parameters | delay 5 | delay 20 | steps/s |"
    assert lines[2] == "| RNN (Elman) | 16 | 672 | 95.0% | 12.5% | 200 |"  # 200 steps in 1 s
    assert lines[3] == "| LSTM | 8 | 1,872 | 100.0% | 50.0% | 200 |" and len(lines) == 5


def test_the_hidden_trained_curves_say_which_settings_they_were_trained_at():
    """Scene 8 trains at T = 60; scene 9 is at T = 40: its note names T, not "the settings you changed"."""
    note = gates.stale_training_note(FlowSetup(T=60), 300, FlowSetup(T=40))
    assert note == ("The dashed “trained” curves are hidden: the last training run (300 steps) was at T = 60. Press "
                    "**Train all five** to train at these.")
    assert "at H = 32, seed 3." in gates.stale_training_note(FlowSetup(hidden=32, seed=3), 300, FlowSetup())

"""CSV downloads: file names say what and when; the bytes open in pandas with the same numbers; and each page's
table matches the numbers its figure draws (read back from the figure, not from the table's own code)."""
import io
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from playground.views import exports
from playground.views import gates
from playground.views import review
from playground.sentiment import models as sentiment
from playground.training.gradflow import CONTENDERS, FlowSetup, train_contenders
from playground.training.race import RACERS, RaceSettings, race
from playground.views.gates import race_view


def _back(table: pd.DataFrame) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(exports.csv_bytes(table)))


def test_file_names_say_what_and_when_in_utc():
    when = datetime(2026, 12, 1, 17, 4, 59, tzinfo=timezone(timedelta(hours=2)))
    assert exports.file_name("race_seed0", when) == "race_seed0_2026-12-01_1504utc.csv"
    assert exports.file_name("train_live_model_parity", when, ext="pt").endswith("_1504utc.pt")
    assert exports.file_name("x").startswith("x_20") and exports.file_name("x").endswith("utc.csv")


@pytest.fixture(scope="module")
def models():
    return {name: sentiment.load(name) for name in sentiment.MODELS}


def test_review_csv_one_row_per_word_a_column_per_unit_and_the_figures_numbers(models):
    text = "not bad at all , but thin"
    r = review.read(models["rnn"], text)
    back = _back(review.hidden_table([r]))
    units = [f"h[{j}]" for j in range(r.H)]
    assert list(back.columns) == ["model", "t", "token", "oov", "y_t"] + units and len(back) == 7
    assert list(back.token) == text.split() and list(back.t) == list(range(1, 8)) and set(back.model) == {"rnn"}
    fig = review.reading_view(r, r.T)  # unsorted: row j of the heatmap is unit j
    heat = np.asarray(fig.data[0].z, dtype=float)  # (H, T)
    line = np.asarray(next(d for d in fig.data if d.name == "y_t").y, dtype=float)
    assert np.allclose(back[units].to_numpy().T, heat, atol=1e-6) and np.allclose(back.y_t, line, atol=1e-6)
    assert np.allclose(back.y_t, sentiment.predict(models["rnn"], text)["p_positive"], atol=1e-4)


def test_review_csv_of_all_three_and_of_two_reviews(models):
    readings = [review.read(models[n], "good film") for n in review.models_shown(review.ALL)]
    back = _back(review.hidden_table(readings))
    assert list(back.model) == ["rnn", "rnn", "lstm", "lstm", "gru", "gru"]
    a, b = review.read(models["gru"], "good"), review.read(models["gru"], "not good at all")
    both = _back(review.hidden_table([a, b], ["A", "B"]))
    assert list(both.review) == ["A"] + ["B"] * 4 and list(both.token) == ["good", "not", "good", "at", "all"]


def test_gradient_flow_csv_holds_both_figures_curves_at_init_and_trained():
    setup = FlowSetup(T=8, hidden=4)
    trained = train_contenders(setup, 3, keys=["rnn_tanh", "gru"])
    view = gates.flow_view(setup, trained)
    back = _back(view.table)
    assert list(back.columns) == ["model", "weights", "t", "grad_norm", "jacobian_norm"]
    assert len(back) == 8 * (len(CONTENDERS) + 2)  # five at init, the two trained ones
    for fig, column in ((view.grads, "grad_norm"), (view.jacobians, "jacobian_norm")):
        for trace in fig.data:
            weights = "trained" if trace.name.endswith(" (trained)") else "initial"
            rows = back[(back.model == trace.name.removesuffix(" (trained)")) & (back.weights == weights)]
            drawn = np.array([np.nan if y is None else y for y in trace.y], dtype=float)
            shown = np.isfinite(drawn)
            assert list(rows.t) == list(trace.x) and shown.any()
            assert np.allclose(rows[column].to_numpy()[shown], drawn[shown], rtol=1e-6), (trace.name, column)


def test_race_csv_has_every_lane_and_the_figures_accuracies():
    result = race(RaceSettings(delays=(2, 3), hidden=4, steps=5, seed=1))
    back = _back(result.table())
    assert len(back) == 2 * len(RACERS) and set(back.delay) == {2, 3}
    fig = race_view(result)
    lines = [t for t in fig.data if t.name in set(back.cell)]
    assert len(lines) == len(RACERS)
    for trace in lines:
        rows = back[back.cell == trace.name].sort_values("delay")
        assert list(rows.delay) == list(trace.x) and np.allclose(rows.accuracy, trace.y, atol=1e-8)
    assert (back.parameters > 0).all() and (back.seconds > 0).all()
    # the race's settings travel with it: the step budget, how the sizes were matched, the RNN's width, the seed
    assert set(back.steps) == {5} and set(back.rnn_hidden_size) == {4} and set(back.seed) == {1}
    assert set(back.compared_at) == {"same width (hidden size)"}

"""The "How good is this model?" card: its figures are metrics.json's, its weakness is a sentence the model
really gets wrong, and it copes with metrics from an SST-2-only run or with none at all."""
import json

import pytest

from playground.views import review as model_card
from playground.sentiment import models as sentiment


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_the_card_shows_the_models_figures_and_naive_bayes_from_metrics_json(name):
    metrics = json.loads((sentiment.ASSETS / "metrics.json").read_text())
    m, nb = metrics["models"][name], metrics["naive_bayes"]
    c = model_card.card(name)
    text = model_card.card_markdown(c)
    for key in ("imdb_test_accuracy", "test_accuracy", "contrast_accuracy"):
        assert f"**{100 * m[key]:.1f}%** (naive Bayes {100 * nb[key]:.1f}%)" in text, key
    assert f"{metrics['imdb']['test']:,} reviews" in text and f"{m['params']:,} parameters" in text
    assert f"{m['file_bytes'] / 1e6:.1f} MB" in text and f"{metrics['imdb']['train_reviews']:,} IMDB reviews" in text
    assert f"{metrics['split']['train_rows'] - metrics['imdb']['train_reviews']:,} SST-2" in text
    assert ("unlabelled reviews" in text) == (m["settings"].get("lm_reviews", 0) > 0)


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_the_cards_weakness_is_a_sentence_this_model_really_misreads(name):
    c = model_card.card(name)
    sm = sentiment.load(name)
    if "misreads" not in c.still_wrong:
        pytest.skip(f"{name} reads the whole contrast suite right")
    quoted = c.still_wrong.split("“")[1].split("”")[0]
    said_negative = "comes out negative" in c.still_wrong
    assert sentiment.predict(sm, quoted)["label"] == (0 if said_negative else 1)


def test_an_sst_only_run_has_no_imdb_row_and_no_metrics_means_no_card(tmp_path):
    metrics = {"split": {"test": 1000, "train_rows": 51789}, "naive_bayes_uni_bigram_test_accuracy": 0.804,
               "models": {"rnn": {"test_accuracy": 0.79, "params": 322113, "file_bytes": 1291237}}}
    (tmp_path / "metrics.json").write_text(json.dumps(metrics))
    c = model_card.card("rnn", tmp_path)
    assert c.rows == [("1,000 held-out review sentences", "79.0%", "80.4%")] and "IMDB" not in c.trained_on
    assert model_card.card("gru", tmp_path) is None and model_card.card("rnn", tmp_path / "nowhere") is None


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_the_cards_size_is_the_shipped_files_not_only_metrics_json(name):
    """A retrain that writes new weights but not metrics.json would show the old size: the card's parameter count
    and file size are those of the .pt file the app loads."""
    from playground.lesson.cells import n_params

    path = sentiment.ASSETS / f"{name}.pt"
    params = n_params(sentiment.load(name).model)
    text = model_card.card_markdown(model_card.card(name))
    assert f"{params:,} parameters" in text and f"{path.stat().st_size / 1e6:.1f} MB" in text
    m = json.loads((sentiment.ASSETS / "metrics.json").read_text())["models"][name]
    assert (m["params"], m["file_bytes"]) == (params, path.stat().st_size)

"""The "How good is this model?" card: its figures are metrics.json's, its weakness is a sentence the model
really gets wrong, and it copes with metrics from an SST-2-only run or with none at all."""
import json

import pytest

from playground.views import review as model_card
from playground.sentiment import models as sentiment
from playground.sentiment.text import tokenize


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_the_card_shows_the_models_figures_and_naive_bayes_from_metrics_json(name):
    metrics = json.loads((sentiment.ASSETS / "metrics.json").read_text())
    m, nb = metrics["models"][name], metrics["naive_bayes"]
    c = model_card.card(name)
    text = model_card.card_markdown(c)
    for key in ("imdb_test_accuracy", "test_accuracy", "contrast_accuracy"):
        assert f"**{100 * m[key]:.1f}%** (naive Bayes {100 * nb[key]:.1f}%)" in text, key
    cad = f"edited to flip their verdict (CAD dev): **{100 * m['cad_dev']['revised']:.1f}%** (naive Bayes " \
          f"{100 * nb['cad_dev']['revised']:.1f}%)"
    assert cad in text and text.index("IMDB test") < text.index(cad)  # CAD's revisions next to IMDB's figure
    assert f"{metrics['imdb']['test']:,} reviews" in text and f"{m['params']:,} parameters" in text
    reviews = m.get("imdb_train_reviews", metrics["imdb"]["train_reviews"])  # the RNN kept from before CAD has its own
    assert f"{m['file_bytes'] / 1e6:.1f} MB" in text and f"{reviews:,} IMDB reviews" in text
    assert f"{m.get('train_rows', metrics['split']['train_rows']) - reviews:,} SST-2" in text
    repeat = m["settings"].get("cad_repeat", 0)
    assert (f"{metrics['cad']['train_rows']:,} CAD reviews" in text) == (repeat > 0)
    assert (f"seen {repeat}x" in text) == (repeat > 0)
    n_lm = min(m["settings"].get("lm_reviews", 0), metrics["imdb"]["unlabelled_reviews"])
    assert (f"predict the next word of {n_lm:,} reviews" in text) == (n_lm > 0)
    donor = m["settings"].get("embed_from")
    said = f"its word vectors are the {sentiment.MODELS[donor].label}'s (trained first)" if donor else "word vectors"
    assert (said in text) == bool(donor) and ("kept fixed" in text) == bool(m["settings"].get("embed_freeze"))


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_the_cards_weakness_is_a_sentence_this_model_really_misreads(name):
    c = model_card.card(name)
    sm = sentiment.load(name)
    if "misreads" not in c.still_wrong:
        pytest.skip(f"{name} reads the whole contrast suite right")
    quoted = c.still_wrong.split("“")[1].split("”")[0]
    said_negative = "comes out negative" in c.still_wrong
    assert sentiment.predict(sm, quoted)["label"] == (0 if said_negative else 1)
    # the kind it names is the kind of sentence this model misreads most often in the suite, counted here afresh,
    # and the example is one of those
    from collections import Counter
    from test_contrast import suite

    misread = {" ".join(tokenize(r["text"])): r["kind"] for r in suite()
               if sentiment.predict(sm, r["text"])["label"] != int(r["label"])}
    kinds = Counter(misread.values())
    top = max(kinds.values())
    assert f"misreads {len(misread)} of the" in c.still_wrong
    assert kinds[misread[quoted]] == top, (kinds, c.still_wrong)
    assert f", {top} of them {model_card.KINDS[misread[quoted]]}:" in c.still_wrong, c.still_wrong


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

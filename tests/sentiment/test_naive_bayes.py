"""The naive-Bayes column of the model card and the README, recomputed from the data: trained on the rows the models
train on (SST-2's training split, IMDB's training reviews cut as the training script cuts them, CAD's training
pairs), it scores on the held-out sentences, the contrast suite and CAD dev what metrics.json says. The same rows
keep every CAD dev review out of training."""
import pytest

from conftest import DATA
from playground.sentiment import models as sentiment
from playground.sentiment.cad import CAD, pair_scores, read_pairs, review_key
from playground.sentiment.corpus import SPLIT, gather
from playground.sentiment.data import IMDB, naive_bayes_accuracy, naive_bayes_labels, read_tsv, to_examples
from playground.sentiment.fit import CONTRAST

pytestmark = [pytest.mark.data,
              pytest.mark.skipif(not (DATA.exists() and (IMDB / "imdb_train.tsv.gz").is_file()
                                      and (CAD / "cad_dev.tsv").is_file()),
                                 reason=f"SST-2 ({DATA}), IMDB ({IMDB}) or CAD ({CAD}) not found")]


@pytest.fixture(scope="module")
def corpus():
    return gather(DATA, IMDB, CAD, seed=0)


def test_naive_bayes_scores_what_metrics_json_reports(corpus):
    metrics = sentiment.load_metrics()
    if "cad_train_pairs_with_a_cad_dev_review" not in metrics["cad"]:  # a run from before that rule: its rows
        corpus = gather(DATA, IMDB, CAD, seed=0, drop_cad_dev_overlap=False)
        assert len(corpus.cad_train) == metrics["cad"]["train_rows"]
    assert metrics["split"]["seed"] == 0 and {k: metrics["split"][k] for k in SPLIT} == SPLIT
    train = corpus.train_rows
    assert len(train) == metrics["split"]["train_rows"]
    nb = metrics["naive_bayes"]
    rows = train + corpus.cad_train
    assert naive_bayes_accuracy(rows, corpus.sst.test) == pytest.approx(nb["test_accuracy"], abs=1e-4)
    assert naive_bayes_accuracy(rows, to_examples(read_tsv(CONTRAST))) == pytest.approx(nb["contrast_accuracy"],
                                                                                         abs=1e-4)
    labels = naive_bayes_labels(rows, corpus.cad_dev_examples)
    assert pair_scores(corpus.cad_dev, [y == r.label for y, r in zip(labels, corpus.cad_dev)]) == nb["cad_dev"]


def test_no_cad_dev_review_is_in_the_rows_the_models_train_on(corpus):
    dev = read_pairs(CAD / "cad_dev.tsv")
    assert len(dev) == 490
    keys = {review_key(" ".join(e.tokens)) for e in corpus.reviews + corpus.cad_train}
    assert not {review_key(r.text) for r in dev} & keys
    all_imdb = {review_key(t) for t, _ in read_tsv(IMDB / "imdb_train.tsv.gz")}
    originals = {review_key(r.text) for r in dev if r.kind == "original"}
    assert originals <= all_imdb  # what the README says: they are IMDB training reviews, so the keys do match
    assert len(corpus.reviews) + len(corpus.imdb_dev) < 25_000  # ... and those in IMDB's training part were removed

"""The naive-Bayes column of the model card and the README, recomputed from the data: trained on the rows the models
train on (SST-2's training split and IMDB's training reviews, cut as the training script cuts them), it scores on
the held-out sentences and the contrast suite what metrics.json says."""
import pytest

from conftest import DATA
from playground.sentiment import models as sentiment
from playground.sentiment.data import IMDB, naive_bayes_accuracy, read_tsv, split, to_examples
from playground.sentiment.fit import CONTRAST, IMDB_DEV, IMDB_TOKENS, SPLIT, imdb_split, last_tokens

pytestmark = [pytest.mark.data,
              pytest.mark.skipif(not (DATA.exists() and (IMDB / "imdb_train.tsv.gz").is_file()),
                                 reason=f"SST-2 ({DATA}) or IMDB ({IMDB}) not found")]


def test_naive_bayes_scores_what_metrics_json_reports():
    metrics = sentiment.load_metrics()
    assert metrics["split"]["seed"] == 0 and {k: metrics["split"][k] for k in SPLIT} == SPLIT
    parts = split(to_examples(read_tsv(DATA)), seed=0, **SPLIT)
    reviews, _ = imdb_split(to_examples(read_tsv(IMDB / "imdb_train.tsv.gz")), IMDB_DEV, 0)
    train = list(parts.train) + last_tokens(reviews, IMDB_TOKENS)
    assert len(train) == metrics["split"]["train_rows"]
    nb = metrics["naive_bayes"]
    assert naive_bayes_accuracy(train, parts.test) == pytest.approx(nb["test_accuracy"], abs=1e-4)
    assert naive_bayes_accuracy(train, to_examples(read_tsv(CONTRAST))) == pytest.approx(nb["contrast_accuracy"],
                                                                                          abs=1e-4)

"""The negation / contrast suite (tests/data/contrast.tsv, written for this project, never trained on nor used to
pick settings): it is made of minimal pairs, and each shipped model's score on it is reported and is the one
metrics.json (and so the README and the page's card) records."""
import csv
from collections import Counter

import pytest

from conftest import DATA
from playground.sentiment import models as sentiment
from playground.sentiment.data import read_tsv
from playground.sentiment.fit import CONTRAST
from playground.sentiment.text import tokenize

METRICS = sentiment.load_metrics()


def suite() -> list[dict]:
    with CONTRAST.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_the_suite_is_at_least_40_minimal_pairs_of_one_positive_and_one_negative_sentence():
    rows = suite()
    pairs: dict[str, list[dict]] = {}
    for r in rows:
        pairs.setdefault(r["pair"], []).append(r)
    assert len(pairs) >= 40 and len(rows) == 2 * len(pairs)
    for rs in pairs.values():
        assert sorted(r["label"] for r in rs) == ["0", "1"] and rs[0]["kind"] == rs[1]["kind"]
        a, b = (set(tokenize(r["text"])) for r in rs)
        assert a & b and len(a ^ b) <= 8  # they share most words: one word or one clause flips the label
    assert len({r["text"] for r in rows}) == len(rows)
    assert set(Counter(r["kind"] for r in rows)) >= {"negation", "but", "never dull", "comparative", "intensifier"}
    assert [(r["text"], int(r["label"])) for r in rows] == read_tsv(CONTRAST)  # the CLI reads the same rows


@pytest.mark.data
@pytest.mark.skipif(not DATA.exists(), reason=f"SST-2 training file not found at {DATA}")
def test_no_sentence_of_the_suite_is_a_row_of_the_training_file():
    train = {tuple(tokenize(t)) for t, _ in read_tsv(DATA)}
    assert not [r["text"] for r in suite() if tuple(tokenize(r["text"])) in train]


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_each_shipped_models_score_on_the_suite_is_the_one_metrics_json_reports(name, capsys):
    sm = sentiment.load(name)
    rows = suite()
    wrong = [r["text"] for r in rows
             if (sentiment.running_sentiment(sm, tokenize(r["text"]))[-1] > 0.5) != (r["label"] == "1")]
    score = 1 - len(wrong) / len(rows)
    with capsys.disabled():
        print(f"\ncontrast suite, {name}: {len(rows) - len(wrong)}/{len(rows)} = {score:.1%}; wrong: "
              + "; ".join(wrong[:12]) + (" ..." if len(wrong) > 12 else ""))
    assert score == pytest.approx(METRICS["models"][name]["contrast_accuracy"], abs=1e-4)
    assert score > 0.5 + 0.1  # a model that reads every pair the same way scores exactly 50%


# The classic cases a lecturer types first (issue 21): each shipped model reads them right at the last word, and
# clearly (P(positive) at least 0.1 past the 0.5 line), except the misreadings listed here, which the README and the
# lecture's "good" / "not good" scene name; a retrain that fixes one must update them (the test then fails).
CLASSICS = [("not bad at all", 1), ("never dull", 1), ("I didn't like it", 0),
            ("great acting, but the plot is a mess", 0)]
STILL_WRONG = {"rnn": {"never dull"}, "lstm": {"not bad at all"}, "gru": set()}
# the LSTM's is on the right side, just short of the margin (0.596; before 2026-12-04's retrain it was "I didn't like
# it", 0.40); the RNN's "never dull" is on the wrong side, just (0.47; since it reads with the LSTM's word vectors,
# 2026-12-05: before, it also misread "not bad at all" and read "I didn't like it" only just)


@pytest.mark.parametrize("name", list(sentiment.MODELS))
def test_every_model_reads_the_classic_negations_and_but_turn_right_at_the_last_word(name):
    sm = sentiment.load(name)
    for text, label in CLASSICS:
        p = sentiment.running_sentiment(sm, tokenize(text))[-1]
        clearly_right = (p > 0.6) if label else (p < 0.4)
        assert clearly_right == (text not in STILL_WRONG[name]), (name, text, round(p, 3))

"""The leak-free SST split, TSV reading, batching, and the naive-Bayes reference, on hand-made corpora."""
import pytest
import torch

from conftest import DATA
from playground.errors import InputError
from playground.sentiment.data import (Example, batches, encode, naive_bayes_accuracy, pad, read_tsv, sentences,
                                       split, to_examples)
from playground.sentiment.text import Vocabulary, tokenize


def ex(text: str, label: int = 1) -> Example:
    return Example(tuple(text.split()), label)


def test_sentences_are_the_rows_no_other_row_contains():
    rows = [ex("a fine film"), ex("fine film"), ex("film"), ex("a dull film", 0), ex("dull", 0)]
    assert sorted(sentences(rows)) == [0, 3]


def test_split_holds_out_whole_sentences_and_drops_phrases_only_they_contain():
    # two sentences; the held-out one's private phrase must go, the shared word "film" must stay
    rows = [ex("a truly fine film ."), ex("truly fine"), ex("film"), ex("a dull and tired film .", 0),
            ex("dull and tired", 0)]
    parts = split(rows, n_dev=0, n_test=1, min_len=5, seed=0)
    held = parts.test[0]
    train = {e.tokens for e in parts.train}
    assert held.tokens not in train
    private = {e.tokens for e in rows if " ".join(e.tokens) in " ".join(held.tokens)} - {("film",)}
    assert not (private & train)  # no phrase that only the held-out sentence contains
    assert ("film",) in train  # a phrase of a training sentence too: kept, as in SST's own splits
    kept_sentence = [e for e in rows if e.tokens != held.tokens and len(e.tokens) >= 5][0]
    assert kept_sentence.tokens in train


def test_split_refuses_when_too_few_long_sentences():
    with pytest.raises(InputError):
        split([ex("a b c d e f g h i j")], n_dev=1, n_test=1, min_len=10)


def test_read_tsv_checks_the_header_and_labels(tmp_path):
    good = tmp_path / "good.tsv"
    good.write_text("text\tlabel\nnot bad at all\t1\n\nawful\t0\n", encoding="utf-8")
    assert read_tsv(good) == [("not bad at all", 1), ("awful", 0)]
    (tmp_path / "nohead.tsv").write_text("awful\t0\n", encoding="utf-8")
    (tmp_path / "badlabel.tsv").write_text("text\tlabel\nawful\tbad\n", encoding="utf-8")
    for name in ("nohead.tsv", "badlabel.tsv", "missing.tsv"):
        with pytest.raises(InputError):
            read_tsv(tmp_path / name)


def test_to_examples_uses_the_apps_tokenizer_and_drops_empty_rows():
    out = to_examples([("It's (very) good!", 1), ("   ", 0)])
    assert [e.tokens for e in out] == [tuple(tokenize("It's (very) good!"))]


def test_batches_cover_every_example_once_with_zero_padding():
    vocab = Vocabulary(["a", "b", "c"])
    data = encode([ex("a b c"), ex("a", 0), ex("b c", 0), ex("c c c c")], vocab)
    seen = []
    for x, lengths, y in batches(data, 3, __import__("random").Random(0)):
        for row, n, label in zip(x.tolist(), lengths.tolist(), y.tolist()):
            assert all(v == 0 for v in row[n:]) and all(v > 0 for v in row[:n])
            seen.append((tuple(row[:n]), int(label)))
    assert sorted(seen) == sorted((tuple(ids), y) for ids, y in data)


def test_pad_shapes():
    x, lengths = pad([[5, 6, 7], [8]])
    assert x.tolist() == [[5, 6, 7], [8, 0, 0]] and torch.equal(lengths, torch.tensor([3, 1]))


def test_naive_bayes_separates_a_separable_corpus():
    train = [ex("good great fine", 1), ex("great film", 1), ex("bad awful", 0), ex("awful film bad", 0)]
    test = [ex("good film", 1), ex("bad film", 0)]
    assert naive_bayes_accuracy(train, test) == 1.0


@pytest.mark.data
@pytest.mark.skipif(not DATA.exists(), reason=f"SST-2 training file not found at {DATA}")
def test_tokenizer_is_nearly_idempotent_on_the_training_data():
    rows = read_tsv(DATA)
    same = sum(tokenize(t) == t.split() for t, _ in rows) / len(rows)
    assert same > 0.95  # the rest: literal ( ) in the file become -lrb- -rrb-, "mr." becomes "mr ."

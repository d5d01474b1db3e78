"""CAD (reviews edited to flip their verdict): pair scores by hand, the evaluate CLI's extra columns, no CAD dev
review in the rows the models train on, and metrics.json's CAD figures recomputed from the data."""
import json
from dataclasses import replace

import pytest

from playground.sentiment import models as sentiment
from playground.sentiment.cad import CAD, PairRow, has_pairs, pair_scores, read_pairs, review_key
from playground.sentiment.data import naive_bayes_labels
from playground.sentiment.text import tokenize
from test_sentiment import FAST, run_cli, toy_rows, write_imdb

HEADER = "text\tlabel\tpair\tkind\n"


def test_pair_scores_by_hand():
    rows = [PairRow("a", 1, "p", "original"), PairRow("b", 0, "p", "revised"),
            PairRow("c", 0, "q", "original"), PairRow("d", 1, "q", "revised"),
            PairRow("e", 1, "r", "original"), PairRow("f", 0, "r", "revised")]
    right = [True, True, True, False, False, True]  # pair p both right, q only its original, r only its revision
    assert pair_scores(rows, right) == {"originals": 0.6667, "revised": 0.6667, "pair_consistency": 0.3333,
                                        "pairs": 3}
    contrast = [PairRow("a", 1, "1", "negation"), PairRow("b", 0, "1", "negation")]
    assert pair_scores(contrast, [True, False]) == {"pair_consistency": 0.0, "pairs": 1}  # no original/revised


def test_review_key_matches_cads_copy_of_an_imdb_review():
    imdb = 'I didn\'t like "Bromwell High"  -- at all.'
    cad = "I didn't like Bromwell High at all."
    assert review_key(imdb) == review_key(cad) != review_key("I did like Bromwell High at all.")


def test_evaluate_cli_adds_originals_revisions_and_pairs_on_a_file_with_cads_columns(tmp_path):
    rows = toy_rows(40, 3)
    path = tmp_path / "pairs.tsv"
    path.write_text(HEADER + "".join(f"{t}\t{y}\t{i // 2}\t{'original' if i % 2 == 0 else 'revised'}\n"
                                     for i, (t, y) in enumerate(rows)), encoding="utf-8")
    assert has_pairs(path) and len(read_pairs(path)) == 40
    out = run_cli("evaluate", str(path), "--model", "lstm")
    sm = sentiment.load("lstm")
    right = [(sentiment.running_sentiment(sm, tokenize(t))[-1] > 0.5) == bool(y) for t, y in rows]
    originals, revised = right[0::2], right[1::2]
    assert out["originals"] == pytest.approx(sum(originals) / 20, abs=1e-4)
    assert out["revised"] == pytest.approx(sum(revised) / 20, abs=1e-4)
    assert out["pair_consistency"] == pytest.approx(sum(a and b for a, b in zip(originals, revised)) / 20, abs=1e-4)
    plain = tmp_path / "plain.tsv"
    plain.write_text("text\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in rows), encoding="utf-8")
    assert not has_pairs(plain) and "pair_consistency" not in run_cli("evaluate", str(plain), "--model", "lstm")


def write_cad(folder, imdb):
    """A toy CAD folder whose originals are toy IMDB training reviews (as CAD's are real ones) and whose revisions
    flip the last sentence's verdict."""
    import csv
    import gzip

    with gzip.open(imdb / "imdb_train.tsv.gz", "rt", encoding="utf-8") as f:
        reviews = [(r[0], int(r[1])) for r in list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]]
    folder.mkdir(parents=True, exist_ok=True)
    for name, part in (("cad_train.tsv", reviews[:30]), ("cad_dev.tsv", reviews[30:40])):
        lines = [HEADER]
        for i, (text, y) in enumerate(part):
            lines.append(f'"{text}"\t{y}\t{i}\toriginal\n')  # CAD's copy: other quotes, same words
            lines.append(f"{text.rsplit('.', 1)[0]}. {'it is bad' if y else 'it is good'}!\t{1 - y}\t{i}\trevised\n")
        (folder / name).write_text("".join(lines), encoding="utf-8")
    return folder


def test_no_cad_dev_review_is_trained_on_and_the_cad_figures_are_the_evaluate_clis(tmp_path):
    from playground.sentiment.corpus import gather
    from playground.sentiment.fit import train_all

    data = tmp_path / "toy.tsv"
    data.write_text("text\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in toy_rows(200, 5)), encoding="utf-8")
    imdb = write_imdb(tmp_path / "imdb", 80, 30, seed=11)
    cad = write_cad(tmp_path / "cad", imdb)
    split_args = dict(n_dev=10, n_test=20, min_len=4)
    corpus = gather(data, imdb, cad, 0, split_args, imdb_dev=10, imdb_tokens=12)
    dev_originals = {review_key(r.text) for r in corpus.cad_dev if r.kind == "original"}
    trained = {review_key(" ".join(e.tokens)) for e in corpus.reviews + corpus.cad_train}
    assert len(dev_originals) == 10 and not dev_originals & trained
    dev_imdb = {review_key(" ".join(e.tokens)) for e in corpus.imdb_dev}
    assert dev_imdb and not dev_imdb & {review_key(" ".join(e.tokens)) for e in corpus.cad_train}
    dropped = corpus.dropped
    assert len(corpus.reviews) == 70 - dropped["imdb_train_reviews_that_are_cad_dev_originals"]
    assert len(corpus.cad_train) == 2 * (30 - dropped["cad_train_pairs_whose_original_is_an_imdb_dev_review"]
                                         - dropped["cad_train_pairs_with_a_cad_dev_review"])
    assert dropped["imdb_train_reviews_that_are_cad_dev_originals"] > 0  # some toy dev originals were IMDB train rows

    settings = {"gru": replace(FAST, epochs=2, cad_repeat=2)}
    m = train_all(data, tmp_path / "out", ["gru"], settings=settings, split_args=split_args, imdb=str(imdb),
                  imdb_tokens=12, imdb_dev=10, vocab_size=60, cad=str(cad))  # (folders as text, as typed)
    out = run_cli("evaluate", str(cad / "cad_dev.tsv"), "--model", "gru", "--assets", str(tmp_path / "out"))
    assert {k: out[k] for k in ("originals", "revised", "pair_consistency", "pairs")} == m["models"]["gru"]["cad_dev"]
    assert "dev_cad" in m["models"]["gru"]["history"][0]  # CAD dev helps pick the epoch
    nb = naive_bayes_labels(corpus.train_rows + corpus.cad_train, corpus.cad_dev_examples)
    assert m["naive_bayes"]["cad_dev"] == pair_scores(corpus.cad_dev, [y == r.label for y, r in
                                                                       zip(nb, corpus.cad_dev)])


@pytest.mark.parametrize("name", list(sentiment.MODELS))
@pytest.mark.data
@pytest.mark.skipif(not (CAD / "cad_dev.tsv").is_file(), reason=f"CAD dev ({CAD}/cad_dev.tsv) not found")
def test_metrics_jsons_cad_figures_are_what_the_shipped_models_score_on_cad_dev(name):
    metrics = json.loads((sentiment.ASSETS / "metrics.json").read_text())
    pairs = read_pairs(CAD / "cad_dev.tsv")
    sm = sentiment.load(name)
    right = [(sentiment.running_sentiment(sm, tokenize(r.text))[-1] > 0.5) == bool(r.label) for r in pairs]
    assert pair_scores(pairs, right) == pytest.approx(metrics["models"][name]["cad_dev"], abs=1e-4)


def test_pair_batches_put_a_review_and_its_revision_p_rows_apart():
    import random

    pairs = []
    for i in range(7):  # pair i: original [i, i] labelled 1, revision [100 + i] labelled 0
        pairs += [([i + 1, i + 1], 1), ([100 + i], 0)]
    from playground.sentiment.data import pair_batches

    out = pair_batches(pairs, 3, random.Random(0))
    assert [len(y) for _, _, y in out] == [6, 6, 2]
    seen = []
    for x, lengths, y in out:
        P = len(y) // 2
        assert y[:P].tolist() == [1.0] * P and y[P:].tolist() == [0.0] * P
        assert (x[P:, 0] == x[:P, 0] + 99).all() and lengths[:P].tolist() == [2] * P
        seen += x[:P, 0].tolist()
    assert sorted(seen) == list(range(1, 8))  # every pair once


def test_the_pair_term_is_the_worse_halfs_loss():
    import torch
    import torch.nn.functional as F

    from playground.lesson.cells import ModelConfig, RecurrentModel
    from playground.sentiment.train import TrainSettings, final_logits, sequence_loss

    torch.manual_seed(0)
    model = RecurrentModel(ModelConfig(cell="gru", vocab_size=20, embed_dim=4, hidden_size=4, g="sigmoid",
                                       output_size=1))
    x = torch.tensor([[1, 2, 3], [4, 5, 0], [1, 2, 6], [4, 7, 0]])
    lengths, y = torch.tensor([3, 2, 3, 2]), torch.tensor([1.0, 0.0, 0.0, 1.0])
    s = TrainSettings(pair_loss=0.5)
    bce = F.binary_cross_entropy_with_logits(final_logits(model, x, lengths), y, reduction="none")
    by_hand = bce.mean() + 0.5 * (max(bce[0], bce[2]) + max(bce[1], bce[3])) / 2
    assert sequence_loss(model, x, lengths, y, s, paired=True).item() == pytest.approx(by_hand.item(), rel=1e-6)
    assert sequence_loss(model, x, lengths, y, s).item() == pytest.approx(bce.mean().item(), rel=1e-6)

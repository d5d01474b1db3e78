"""The rows the sentiment models train on, pick epochs on and are scored on, split without leaks.

SST-2: held-out whole sentences (data.split). IMDB: a seeded IMDB_DEV of its 25,000 training reviews held out to
pick the epoch; the rest trained on, each cut to its last `imdb_tokens` tokens, where a review's verdict usually
is. CAD (cad.py): its training pairs are extra rows (read whole: an edit may sit anywhere in a review) except
pairs whose original is an IMDB dev review; its dev pairs pick epochs too, so their originals are taken out of
the IMDB rows trained on (every CAD original is an IMDB training review); the vocabulary still counts their words
(vocab_reviews), so it is the one the models had before CAD.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from playground.errors import InputError
from playground.sentiment.cad import CAD, PairRow, read_pairs, review_key
from playground.sentiment.data import IMDB, Example, negated, read_tsv, split, to_examples

SPLIT = dict(n_dev=500, n_test=1000, min_len=10)
IMDB_DEV = 2500  # IMDB training reviews held out to pick the epoch
IMDB_TOKENS = 200  # a training review is cut to its last this many tokens (evaluation reads it whole)
CAD_TOKENS = 500  # CAD reviews are read whole when training (the longest has 412 tokens)


def last_tokens(examples: Sequence[Example], n: int) -> list[Example]:
    """Each example cut to its last n tokens (a vanilla RNN remembers the end of what it read best)."""
    return [Example(e.tokens[-n:], e.label) for e in examples]


def imdb_split(train: Sequence, n_dev: int = IMDB_DEV, seed: int = 0) -> tuple[list, list]:
    """(reviews to train on, n_dev held-out dev reviews), drawn with a seed from IMDB's training split."""
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    return [train[i] for i in order[n_dev:]], [train[i] for i in order[:n_dev]]


@dataclass
class Corpus:
    sst_rows: list[tuple[str, int]]
    sst: object  # data.Split
    reviews: list[Example] = field(default_factory=list)  # IMDB training reviews trained on (whole)
    imdb_dev: list[Example] = field(default_factory=list)
    imdb_test: list[Example] = field(default_factory=list)
    cad_train: list[Example] = field(default_factory=list)  # training pairs, whole: original, revision, original, ...
    cad_dev: list[PairRow] = field(default_factory=list)
    vocab_reviews: list[Example] = field(default_factory=list)  # IMDB training part, CAD dev originals too: words only
    dropped: dict = field(default_factory=dict)  # how many rows were kept out, and why
    imdb_tokens: int = IMDB_TOKENS

    @property
    def train_rows(self) -> list[Example]:
        """The rows every model trains on (and naive Bayes learns from), before a model's own boosts."""
        return list(self.sst.train) + last_tokens(self.reviews, self.imdb_tokens)

    @property
    def boost(self) -> dict[str, list[Example]]:
        """Rows a model's settings may add again: CAD training pairs and SST rows with a negation word."""
        return {"cad": last_tokens(self.cad_train, CAD_TOKENS), "negated": negated(self.sst.train)}

    @property
    def cad_dev_examples(self) -> list[Example]:
        return to_examples([(r.text, r.label) for r in self.cad_dev])


def gather(data: str | Path, imdb: str | Path | None = IMDB, cad: str | Path | None = CAD, seed: int = 0,
           split_args: dict | None = None, imdb_dev: int = IMDB_DEV, imdb_tokens: int = IMDB_TOKENS,
           drop_cad_dev_overlap: bool = True) -> Corpus:
    """Read SST-2 (and IMDB and CAD when given) and split them as the module docstring says.

    drop_cad_dev_overlap=False rebuilds the rows of runs made before CAD's one review in both splits was found."""
    rows = read_tsv(data)
    corpus = Corpus(rows, split(to_examples(rows), seed=seed, **(split_args or SPLIT)), imdb_tokens=imdb_tokens)
    if imdb is None:
        return corpus
    imdb = Path(imdb)
    if not (imdb / "imdb_train.tsv.gz").is_file():
        raise InputError(f"No IMDB reviews in {imdb} (imdb_train.tsv.gz); train on SST-2 alone with --imdb ''.")
    raw = read_tsv(imdb / "imdb_train.tsv.gz")
    examples = to_examples(raw)
    if len(examples) != len(raw):
        raise InputError(f"{imdb / 'imdb_train.tsv.gz'} has empty reviews.")
    keyed = [(e, review_key(t)) for e, (t, _) in zip(examples, raw)]
    train, dev = imdb_split(keyed, imdb_dev, seed)
    corpus.imdb_dev = [e for e, _ in dev]
    corpus.imdb_test = to_examples(read_tsv(imdb / "imdb_test.tsv.gz"))
    corpus.reviews = corpus.vocab_reviews = [e for e, _ in train]
    if cad is None or not (Path(cad) / "cad_dev.tsv").is_file():
        return corpus
    cad = Path(cad)
    corpus.cad_dev = read_pairs(cad / "cad_dev.tsv")
    held = {review_key(r.text) for r in corpus.cad_dev if r.kind == "original"}
    corpus.reviews = [e for e, k in train if k not in held]
    dev_keys = {k for _, k in dev}
    cad_dev_keys = {review_key(r.text) for r in corpus.cad_dev}
    pairs = read_pairs(cad / "cad_train.tsv")
    in_dev = {r.pair for r in pairs if r.kind == "original" and review_key(r.text) in dev_keys}
    in_cad_dev = {r.pair for r in pairs if review_key(r.text) in cad_dev_keys  # CAD has one review in both splits
                  and drop_cad_dev_overlap}
    kept = [r for r in pairs if r.pair not in in_dev | in_cad_dev]
    corpus.cad_train = to_examples([(r.text, r.label) for r in kept])
    corpus.dropped = {"imdb_train_reviews_that_are_cad_dev_originals": len(train) - len(corpus.reviews),
                      "cad_train_pairs_whose_original_is_an_imdb_dev_review": len(in_dev),
                      "cad_train_pairs_with_a_cad_dev_review": len(in_cad_dev - in_dev)}
    return corpus

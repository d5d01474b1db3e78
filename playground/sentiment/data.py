"""Sentiment data: read `text<TAB>label` files, split SST-2 without leaks, and batch token ids.

SST-2's training file holds whole sentences *and* their sub-phrases. A random row split leaks (a held-out
sentence's phrases sit in training). We split the way SST itself does: hold out whole sentences, and keep a
phrase for training only if it is part of some sentence we train on. A phrase such as "good" that occurs in
training sentences too stays; a phrase found only inside held-out sentences is dropped.
"""
from __future__ import annotations

import csv
import gzip
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import torch

from playground.errors import InputError
from playground.sentiment.text import Vocabulary, tokenize

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "sentiment" / "sst2_train.tsv"
IMDB = ROOT.parent / "shared" / "data" / "imdb"  # imdb_{train,test,unsup}.tsv.gz (Maas et al. 2011)


@dataclass(frozen=True)
class Example:
    tokens: tuple[str, ...]
    label: int  # 1 positive, 0 negative


@dataclass(frozen=True)
class Split:
    train: list[Example]  # phrases and sentences we train on
    dev: list[Example]  # held-out whole sentences used to pick the epoch
    test: list[Example]  # held-out whole sentences used only for the reported accuracy


def open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8", newline="") if path.suffix == ".gz" else \
        path.open(encoding="utf-8", newline="")


def read_tsv(path: str | Path) -> list[tuple[str, int]]:
    """Rows of a UTF-8 TSV (or .tsv.gz) whose header starts `text<TAB>label` (label 1 positive, 0 negative).

    Further columns, such as the IMDB files' rating and id, are ignored.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No such file: {path}")
    csv.field_size_limit(1 << 24)  # an IMDB review can be 14,000 characters; the default limit is 131,072
    rows: list[tuple[str, int]] = []
    try:
        with open_text(path) as f:
            reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(reader, None)
            if header is None or [h.strip().lower() for h in header[:2]] != ["text", "label"]:
                raise InputError(f"{path} must start with the header line 'text<TAB>label' (more columns may "
                                 "follow).")
            for n, row in enumerate(reader, start=2):
                if not row or not "".join(row).strip():
                    continue
                if len(row) < 2 or row[1].strip() not in ("0", "1"):
                    raise InputError(f"{path} line {n}: expected 'text<TAB>0' or 'text<TAB>1'.")
                rows.append((row[0], int(row[1])))
    except (OSError, UnicodeDecodeError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise InputError(f"{path} is not a readable UTF-8 text or gzip file ({err}).") from None
    return rows


def read_texts(path: str | Path, limit: int | None = None) -> list[str]:
    """The first column of the first `limit` rows of a TSV (or .tsv.gz) with a header: e.g. imdb_unsup.tsv.gz's
    unlabelled reviews (header text<TAB>id)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No such file: {path}")
    csv.field_size_limit(1 << 24)
    out: list[str] = []
    with open_text(path) as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for row in reader:
            if limit is not None and len(out) >= limit:
                break
            if row and row[0].strip():
                out.append(row[0])
    return out


def to_examples(rows: Sequence[tuple[str, int]]) -> list[Example]:
    """Tokenize with the same tokenizer the app uses for typed text; drop rows that tokenize to nothing."""
    out = [Example(tuple(tokenize(text)), label) for text, label in rows]
    return [e for e in out if e.tokens]


def _subspans(tokens: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    n = len(tokens)
    for a in range(n):
        for b in range(a + 1, n + 1):
            yield tokens[a:b]


def sentences(examples: Sequence[Example]) -> list[int]:
    """Indices of maximal rows: rows that are not a contiguous part of any other row (SST's whole sentences)."""
    index: dict[tuple[str, ...], int] = {}
    for i, e in enumerate(examples):
        index.setdefault(e.tokens, i)
    inside = [False] * len(examples)
    for e in examples:
        for span in _subspans(e.tokens):
            j = index.get(span)
            if j is not None and len(span) < len(e.tokens):
                inside[j] = True
    return [i for i, e in enumerate(examples) if not inside[i] and index[e.tokens] == i]


def split(examples: Sequence[Example], n_dev: int = 500, n_test: int = 1000, min_len: int = 10,
          seed: int = 0) -> Split:
    """Hold out n_dev + n_test whole sentences of at least min_len tokens; train on the phrases of the rest."""
    sent = sentences(examples)
    long = [i for i in sent if len(examples[i].tokens) >= min_len]
    if len(long) < n_dev + n_test + 1:
        raise InputError(f"Only {len(long)} sentences of {min_len}+ tokens; need more than {n_dev + n_test}.")
    held = random.Random(seed).sample(long, n_dev + n_test)
    held_set = set(held)
    kept: set[tuple[str, ...]] = set()
    for i in sent:
        if i not in held_set:
            kept.update(_subspans(examples[i].tokens))
    train, seen = [], set()
    for e in examples:
        if e.tokens in kept and e.tokens not in seen:
            seen.add(e.tokens)
            train.append(e)
    return Split(train, [examples[i] for i in held[:n_dev]], [examples[i] for i in held[n_dev:]])


NEGATIONS = frozenset({"not", "n't", "no", "never", "nothing", "none", "nor", "neither", "without", "hardly"})


def negated(examples: Sequence[Example]) -> list[Example]:
    """The rows with a negation word: "it 's not bad prose" (positive) teaches what "not" does to "bad"."""
    return [e for e in examples if NEGATIONS & set(e.tokens)]


def encode(examples: Sequence[Example], vocab: Vocabulary) -> list[tuple[list[int], int]]:
    return [(vocab.encode(list(e.tokens)).ids, e.label) for e in examples]


def pad(seqs: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token-id lists -> (x (B, T) right-padded with 0 = <pad>, lengths (B,))."""
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    x = torch.zeros(len(seqs), int(lengths.max()) if len(seqs) else 0, dtype=torch.long)
    for b, s in enumerate(seqs):
        x[b, : len(s)] = torch.tensor(s, dtype=torch.long)
    return x, lengths


def batches(data: Sequence[tuple[list[int], int]], batch_size: int, rng: random.Random | None = None
            ) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """(x (B, T), lengths (B,), labels (B,)) in batches of similar length; shuffled when rng is given."""
    order = list(range(len(data)))
    if rng is not None:
        rng.shuffle(order)
        # sort within chunks of 50 batches: little padding, still a different mix every epoch
        chunk = batch_size * 50
        order = [i for c in range(0, len(order), chunk)
                 for i in sorted(order[c:c + chunk], key=lambda i: len(data[i][0]))]
    else:
        order.sort(key=lambda i: len(data[i][0]))
    groups = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(groups)
    for g in groups:
        x, lengths = pad([data[i][0] for i in g])
        yield x, lengths, torch.tensor([data[i][1] for i in g], dtype=torch.float32)


def pair_batches(pairs: Sequence[tuple[list[int], int]], n_pairs: int, rng: random.Random
                 ) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """`pairs` holds both halves of each pair, one after the other (original, revision, original, ...). Batches of
    n_pairs pairs, shuffled, each laid out as the pairs' first halves then their second halves: (x (2P, T),
    lengths (2P,), labels (2P,)), so row p and row P + p are one pair."""
    order = list(range(len(pairs) // 2))
    rng.shuffle(order)
    out = []
    for g in range(0, len(order), n_pairs):
        rows = [pairs[2 * i] for i in order[g:g + n_pairs]] + [pairs[2 * i + 1] for i in order[g:g + n_pairs]]
        x, lengths = pad([ids for ids, _ in rows])
        out.append((x, lengths, torch.tensor([y for _, y in rows], dtype=torch.float32)))
    return out


def naive_bayes_labels(train: Sequence[Example], test: Sequence[Example], alpha: float = 1.0) -> list[int]:
    """Multinomial naive Bayes on unigrams + bigrams trained on `train`: its label for each test row."""
    import math
    from collections import Counter

    def feats(tokens):
        return list(tokens) + [a + " " + b for a, b in zip(tokens, tokens[1:])]

    counts = {0: Counter(), 1: Counter()}
    docs = Counter()
    for e in train:
        counts[e.label].update(feats(e.tokens))
        docs[e.label] += 1
    vocab = set(counts[0]) | set(counts[1])
    totals = {c: sum(counts[c].values()) + alpha * len(vocab) for c in (0, 1)}
    prior = {c: math.log(docs[c] / len(train)) for c in (0, 1)}
    labels = []
    for e in test:
        score = {c: prior[c] + sum(math.log((counts[c][w] + alpha) / totals[c]) for w in feats(e.tokens)
                                   if w in vocab) for c in (0, 1)}
        labels.append(int(score[1] > score[0]))
    return labels


def naive_bayes_accuracy(train: Sequence[Example], test: Sequence[Example], alpha: float = 1.0) -> float:
    """Multinomial naive Bayes on unigrams + bigrams: the reference point the data README quotes (~75%)."""
    labels = naive_bayes_labels(train, test, alpha)
    return sum(y == e.label for y, e in zip(labels, test)) / max(1, len(test))

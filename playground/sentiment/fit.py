"""`python -m playground.sentiment train`: split the data, build the vocabulary, train every model, write assets.

Data: SST-2's phrases and sentences (held-out whole sentences, see sentiment_data.split) and, when the IMDB
folder is there, its 25,000 labelled training reviews (a seeded IMDB_DEV of them held out to pick the epoch;
the rest trained on, each cut to its last `imdb_tokens` tokens, where a review's verdict usually is). The
vocabulary is built from both. Reported: the held-out SST sentences, all 25,000 IMDB test reviews read whole,
and the contrast suite (tests/data/contrast.tsv, never used to pick anything), each next to a naive-Bayes
classifier trained on exactly the rows the models train on.

Writes to OUT: vocab.json (shared by all models), <name>.pt (torch.load(weights_only=True) format, see
cells.save_model) and metrics.json (every figure above, sizes, seconds, settings, per-epoch history).
"""
from __future__ import annotations

import json
import multiprocessing
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path
from typing import Sequence

import torch

from playground.lesson.cells import n_params, save_model
from playground.errors import InputError
from playground.sentiment.models import MODELS, VOCAB_SIZE, vocab_digest
from playground.sentiment.data import (IMDB, Example, Split, encode, naive_bayes_accuracy, read_texts, read_tsv,
                                       split, to_examples)
from playground.sentiment.train import TrainSettings, accuracy, train
from playground.sentiment.text import Vocabulary, tokenize

ROOT = Path(__file__).resolve().parents[2]
CONTRAST = ROOT / "tests" / "data" / "contrast.tsv"  # minimal pairs written for this project: reported only

# Picked by the mean accuracy on the 2,500 dev reviews and 500 dev sentences, among a dozen runs of 4-10 epochs
# (never on a test set or the contrast suite). The RNN learns best from small first word vectors (Keras'
# Embedding init), little dropout, and next-word pretraining on unlabelled reviews (+1.5 points on dev reviews);
# doubling the SST rows or training on 400 tokens did not help it.
SETTINGS: dict[str, TrainSettings] = {
    "rnn": TrainSettings(epochs=10, lr=5e-3, clip=1.0, step_loss=0.3, embed_dropout=0.1, embed_init=0.05,
                         lm_reviews=50_000, lm_epochs=2),
    "lstm": TrainSettings(epochs=5, lr=5e-3, clip=1.0, step_loss=0.3, embed_dropout=0.3, weight_decay=0.1),
    "gru": TrainSettings(epochs=5, lr=5e-3, clip=1.0, step_loss=0.3, embed_dropout=0.3, weight_decay=0.1),
}
SPLIT = dict(n_dev=500, n_test=1000, min_len=10)
IMDB_DEV = 2500  # IMDB training reviews held out to pick the epoch
WORKERS = min(2, os.cpu_count() or 1)  # models trained at once, one process (and one thread) each
IMDB_TOKENS = 200  # a training review is cut to its last this many tokens (evaluation reads it whole)


def tokenizer_agreement(rows: Sequence[tuple[str, int]]) -> float:
    """Share of data rows that `tokenize` leaves exactly as they are (the data is already tokenized)."""
    return sum(tokenize(t) == t.split() for t, _ in rows) / max(1, len(rows))


def last_tokens(examples: Sequence[Example], n: int) -> list[Example]:
    """Each example cut to its last n tokens (a vanilla RNN remembers the end of what it read best)."""
    return [Example(e.tokens[-n:], e.label) for e in examples]


def imdb_split(train: Sequence[Example], n_dev: int = IMDB_DEV, seed: int = 0) -> tuple[list[Example], list[Example]]:
    """(reviews to train on, n_dev held-out dev reviews), drawn with a seed from IMDB's training split."""
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    return [train[i] for i in order[n_dev:]], [train[i] for i in order[:n_dev]]


def train_all(data: str | Path, out: str | Path, names: Sequence[str], seed: int = 0,
              epochs: int | None = None, split_args: dict | None = None,
              settings: dict[str, TrainSettings] | None = None, vocab_size: int = VOCAB_SIZE,
              imdb: str | Path | None = IMDB, imdb_tokens: int = IMDB_TOKENS, imdb_dev: int = IMDB_DEV,
              contrast: str | Path | None = CONTRAST, workers: int = WORKERS) -> dict:
    """Train `names` (keys of MODELS) on one leak-free split; write assets into `out`; return the metrics.

    imdb: the folder with imdb_train.tsv.gz and imdb_test.tsv.gz, or None for SST-2 alone.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # also for evaluation: a second thread on a busy machine stalls (see TrainSettings)
    try:
        return _train_all(data, out, names, seed, epochs, split_args, settings, vocab_size, imdb, imdb_tokens,
                          imdb_dev, contrast, workers)
    finally:
        torch.set_num_threads(threads)


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _train_all(data, out, names, seed, epochs, split_args, settings, vocab_size, imdb, imdb_tokens, imdb_dev,
               contrast, workers) -> dict:
    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = read_tsv(data)
    examples = to_examples(rows)
    parts: Split = split(examples, seed=seed, **(split_args or SPLIT))
    reviews, imdb_dev_rows, imdb_test = [], [], []
    if imdb is not None:
        imdb = Path(imdb)
        if not (imdb / "imdb_train.tsv.gz").is_file():
            raise InputError(f"No IMDB reviews in {imdb} (imdb_train.tsv.gz); train on SST-2 alone with --imdb ''.")
        _log(f"reading and tokenizing the IMDB reviews in {imdb} ...")
        reviews, imdb_dev_rows = imdb_split(to_examples(read_tsv(imdb / "imdb_train.tsv.gz")), imdb_dev, seed)
        imdb_test = to_examples(read_tsv(imdb / "imdb_test.tsv.gz"))
    vocab = Vocabulary.build([e.tokens for e in parts.train] + [e.tokens for e in reviews], max_size=vocab_size)
    vocab.save(out / "vocab.json")
    train_rows = list(parts.train) + last_tokens(reviews, imdb_tokens)
    n_lm = max([(settings or SETTINGS).get(n, TrainSettings()).lm_reviews for n in names] + [0])
    unlabelled: list[list[int]] = []
    if imdb is not None and n_lm and (imdb / "imdb_unsup.tsv.gz").is_file():
        _log(f"reading and tokenizing {n_lm:,} unlabelled reviews for next-word pretraining ...")
        unlabelled = [vocab.encode(tokenize(t)[-imdb_tokens:]).ids
                      for t in read_texts(imdb / "imdb_unsup.tsv.gz", n_lm)]
    contrast_rows = to_examples(read_tsv(contrast)) if contrast is not None and Path(contrast).is_file() else []
    train_data = encode(train_rows, vocab)
    dev = {"sst": encode(parts.dev, vocab), **({"imdb": encode(imdb_dev_rows, vocab)} if imdb_dev_rows else {})}
    tests = {"test": (parts.test, encode(parts.test, vocab)), "imdb_test": (imdb_test, encode(imdb_test, vocab)),
             "contrast": (contrast_rows, encode(contrast_rows, vocab))}
    _log(f"data: SST-2 {len(rows)} rows -> train {len(parts.train)} phrases/sentences, dev {len(parts.dev)} and "
         f"test {len(parts.test)} held-out whole sentences; IMDB train {len(reviews)} reviews (last {imdb_tokens} "
         f"tokens), dev {len(imdb_dev_rows)}, test {len(imdb_test)}; contrast suite {len(contrast_rows)}; "
         f"vocabulary {len(vocab)}")
    metrics_path = out / "metrics.json"
    old = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else {}
    naive_bayes = {f"{k}_accuracy": round(naive_bayes_accuracy(train_rows, rows_), 4)
                   for k, (rows_, _) in tests.items() if rows_}
    metrics = {
        "data": str(Path(data).name) + (f" + {imdb.name}/imdb_train.tsv.gz" if imdb is not None else ""),
        "split": {**(split_args or SPLIT), "seed": seed, "train_rows": len(train_data), "dev": len(parts.dev),
                  "test": len(parts.test),
                  "rule": "held-out whole sentences; a phrase is trained on only if it is part of a "
                          "training sentence"},
        "imdb": {"train_reviews": len(reviews), "dev": len(imdb_dev_rows), "test": len(imdb_test),
                 "train_tokens": imdb_tokens, "seed": seed, "unlabelled_reviews": len(unlabelled),
                 "rule": "train on the last train_tokens tokens of each review; dev and test reviews read whole"}
        if imdb is not None else None,
        "contrast": {"file": CONTRAST.relative_to(ROOT).as_posix(), "n": len(contrast_rows),
                     "rule": "reported only: never used to pick settings or epochs"},
        "vocab_size": len(vocab),
        "vocab_digest": vocab_digest(vocab),
        "tokenizer_agreement": round(tokenizer_agreement(rows), 4),
        "naive_bayes": {**naive_bayes, "about": "multinomial naive Bayes on unigrams + bigrams, trained on "
                                                "the same rows as the models"},
        "naive_bayes_uni_bigram_test_accuracy": naive_bayes.get("test_accuracy"),
        "test_positive_share": round(sum(e.label for e in parts.test) / max(1, len(parts.test)), 4),
        "models": {k: v for k, v in old.get("models", {}).items()
                   if old.get("vocab_digest") == vocab_digest(vocab) and k not in names},
    }
    chosen = {name: (settings or SETTINGS).get(name, TrainSettings()) for name in names}
    jobs = [(name, replace(s, seed=seed, epochs=epochs or s.epochs)) for name, s in chosen.items()]
    shared = dict(train_data=train_data, dev=dev, tests=tests, unlabelled=unlabelled, out=out,
                  digest=vocab_digest(vocab), seed=seed)
    for name, entry in zip(names, _fit_all(jobs, shared, workers)):
        metrics["models"][name] = entry
    metrics["train_seconds"] = round(time.perf_counter() - start, 1)
    metrics_path.write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    return metrics


def _fit_one(name: str, s: TrainSettings, train_data, dev, tests, unlabelled, out: Path, digest: str,
             seed: int) -> dict:
    """Train one model, write <name>.pt, return its metrics.json entry."""
    torch.set_num_threads(1)
    t0, cpu0 = time.perf_counter(), time.process_time()
    model, history = train(MODELS[name].config, train_data, dev, s, label=name, unlabelled=unlabelled)
    model.requires_grad_(False)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    path = out / f"{name}.pt"
    save_model(model, path, extra={"vocab_digest": digest, "seed": seed})
    best = max(history, key=lambda h: h["dev_accuracy"])
    wrong = [{"text": " ".join(e.tokens), "label": e.label} for e, (ids, y) in zip(*tests["contrast"])
             if (model(torch.tensor([ids]))[0][0, -1, 0] > 0).item() != bool(y)]
    entry = {
        "label": MODELS[name].label,
        **{f"{k}_accuracy": round(accuracy(model, d), 4) for k, (_, d) in tests.items() if d},
        "dev_accuracy": round(best["dev_accuracy"], 4),
        **{k: round(v, 4) for k, v in best.items() if k.startswith("dev_")},
        "contrast_wrong": wrong,
        "params": n_params(model),
        "file_bytes": path.stat().st_size,
        "train_seconds": round(seconds, 1),
        "train_cpu_seconds": round(cpu, 1),
        "settings": asdict(s),
        "history": [{k: round(v, 4) for k, v in h.items()} for h in history],
    }
    _log(f"{name}: " + json.dumps({k: v for k, v in entry.items() if k.endswith("accuracy") or k.endswith("seconds")}))
    return entry


_SHARED: dict = {}  # the data every model trains on, set before the training processes fork (never pickled)


def _fit_shared(name: str, s: TrainSettings) -> dict:
    return _fit_one(name, s, **_SHARED)


def _fit_all(jobs: list[tuple[str, TrainSettings]], shared: dict, workers: int) -> list[dict]:
    """Each model's metrics entry, in the order of `jobs`. With workers > 1 the models train at once in forked
    processes (one thread each, so a model's numbers do not depend on how many train beside it), handed out in
    the order given: the longest (the RNN with its pretraining) first."""
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        return [_fit_one(name, s, **shared) for name, s in jobs]
    _SHARED.update(shared)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as ex:
            return list(ex.map(_fit_shared, *zip(*jobs)))
    finally:
        _SHARED.clear()

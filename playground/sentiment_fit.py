"""`python -m playground.sentiment train`: split SST-2, build the vocabulary, train every model, write assets.

Writes to OUT: vocab.json (shared by all models), <name>.pt (torch.load(weights_only=True) format, see
cells.save_model) and metrics.json (held-out accuracies, the naive-Bayes reference, sizes, wall time, settings).
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Sequence

import torch

from playground.cells import n_params, save_model
from playground.sentiment import MODELS, VOCAB_SIZE, vocab_digest
from playground.sentiment_data import (Split, encode, naive_bayes_accuracy, read_tsv, split, to_examples)
from playground.sentiment_train import TrainSettings, accuracy, train
from playground.text import Vocabulary, tokenize

# Picked among a handful of runs by accuracy on the 500 dev sentences (never on the 1,000 test sentences).
SETTINGS: dict[str, TrainSettings] = {
    "rnn": TrainSettings(epochs=6, lr=5e-3, clip=1.0, step_loss=0.3),
    "lstm": TrainSettings(epochs=8, lr=3e-3, clip=1.0, step_loss=0.3, embed_dropout=0.4, word_dropout=0.05),
    "gru": TrainSettings(epochs=6, lr=5e-3, clip=1.0, step_loss=0.3, weight_decay=0.1),
}
SPLIT = dict(n_dev=500, n_test=1000, min_len=10)


def tokenizer_agreement(rows: Sequence[tuple[str, int]]) -> float:
    """Share of data rows that `tokenize` leaves exactly as they are (the data is already tokenized)."""
    return sum(tokenize(t) == t.split() for t, _ in rows) / max(1, len(rows))


def train_all(data: str | Path, out: str | Path, names: Sequence[str], seed: int = 0,
              epochs: int | None = None, split_args: dict | None = None,
              settings: dict[str, TrainSettings] | None = None, vocab_size: int = VOCAB_SIZE) -> dict:
    """Train `names` (keys of MODELS) on one leak-free split; write assets into `out`; return the metrics."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # also for evaluation: a second thread on a busy machine stalls (see TrainSettings)
    try:
        return _train_all(data, out, names, seed, epochs, split_args, settings, vocab_size)
    finally:
        torch.set_num_threads(threads)


def _train_all(data, out, names, seed, epochs, split_args, settings, vocab_size) -> dict:
    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = read_tsv(data)
    examples = to_examples(rows)
    parts: Split = split(examples, seed=seed, **(split_args or SPLIT))
    vocab = Vocabulary.build([e.tokens for e in parts.train], max_size=vocab_size)
    vocab.save(out / "vocab.json")
    train_data, dev, test = (encode(p, vocab) for p in (parts.train, parts.dev, parts.test))
    print(f"data: {len(rows)} rows -> train {len(train_data)} phrases/sentences, dev {len(dev)} and test "
          f"{len(test)} held-out whole sentences; vocabulary {len(vocab)}", file=sys.stderr)
    metrics_path = out / "metrics.json"
    old = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else {}
    metrics = {
        "data": str(Path(data).name),
        "split": {**(split_args or SPLIT), "seed": seed, "train_rows": len(train_data), "dev": len(dev),
                  "test": len(test),
                  "rule": "held-out whole sentences; a phrase is trained on only if it is part of a "
                          "training sentence"},
        "vocab_size": len(vocab),
        "vocab_digest": vocab_digest(vocab),
        "tokenizer_agreement": round(tokenizer_agreement(rows), 4),
        "naive_bayes_uni_bigram_test_accuracy": round(naive_bayes_accuracy(parts.train, parts.test), 4),
        "test_positive_share": round(sum(y for _, y in test) / max(1, len(test)), 4),
        "models": {k: v for k, v in old.get("models", {}).items()
                   if old.get("vocab_digest") == vocab_digest(vocab) and k not in names},
    }
    for name in names:
        s = (settings or SETTINGS).get(name, TrainSettings())
        s = replace(s, seed=seed, epochs=epochs or s.epochs)
        t0 = time.perf_counter()
        model, history = train(MODELS[name].config, train_data, dev, s, label=name)
        seconds = time.perf_counter() - t0
        path = out / f"{name}.pt"
        save_model(model, path, extra={"vocab_digest": vocab_digest(vocab), "seed": seed})
        metrics["models"][name] = {
            "label": MODELS[name].label,
            "test_accuracy": round(accuracy(model, test), 4),
            "dev_accuracy": round(max(h["dev_accuracy"] for h in history), 4),
            "train_accuracy": round(accuracy(model, train_data), 4),
            "params": n_params(model),
            "file_bytes": path.stat().st_size,
            "train_seconds": round(seconds, 1),
            "settings": asdict(s),
            "history": [{k: round(v, 4) for k, v in h.items()} for h in history],
        }
    metrics["train_seconds"] = round(time.perf_counter() - start, 1)
    metrics_path.write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    return metrics

"""The shipped sentiment models: load them read-only, predict word by word, evaluate (the CLI that retrains them
is playground/sentiment/cli.py).

The lesson's model is `Embedding(10000, 32) -> SimpleRNN(32, tanh) -> Dense(1, sigmoid)`; the LSTM and GRU
use the same vocabulary, embedding size and hidden size. All three read the text `playground.sentiment.text.tokenize`
makes of it, the same tokenizer the app uses for what a user types.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch

from playground.lesson.cells import ModelConfig, RecurrentModel, load_model
from playground.errors import ConfigError, InputError, PlaygroundError
from playground.sentiment.text import Vocabulary, tokenize

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets" / "sentiment"
VOCAB_SIZE = 10_000


@dataclass(frozen=True)
class ModelInfo:
    name: str
    label: str
    config: ModelConfig


MODELS: dict[str, ModelInfo] = {
    m.name: m
    for m in [
        ModelInfo("rnn", "RNN (the lesson's model)", ModelConfig(
            cell="rnn", vocab_size=VOCAB_SIZE, embed_dim=32, hidden_size=32, f="tanh", g="sigmoid",
            output_size=1)),
        ModelInfo("lstm", "LSTM", ModelConfig(
            cell="lstm", vocab_size=VOCAB_SIZE, embed_dim=32, hidden_size=32, g="sigmoid", output_size=1)),
        ModelInfo("gru", "GRU", ModelConfig(
            cell="gru", vocab_size=VOCAB_SIZE, embed_dim=32, hidden_size=32, g="sigmoid", output_size=1)),
    ]
}


@dataclass(frozen=True)
class Sentiment:
    """A shipped model, read-only: eval mode, no gradients. Share it between sessions, never train it."""

    name: str
    model: RecurrentModel
    vocab: Vocabulary
    metrics: dict = field(default_factory=dict)


def vocab_digest(vocab: Vocabulary) -> str:
    """A short fingerprint stored with each model, so a model never runs with another run's vocabulary."""
    return hashlib.sha256(vocab.to_json().encode("utf-8")).hexdigest()[:16]


def info(name: str) -> ModelInfo:
    try:
        return MODELS[name]
    except KeyError:
        raise ConfigError(f"Unknown model {name!r}; choose one of {', '.join(MODELS)}.") from None


def load_metrics(assets: str | Path = ASSETS) -> dict:
    """assets/metrics.json as written by the training script ({} when it is missing)."""
    path = Path(assets) / "metrics.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def load(name: str, assets: str | Path = ASSETS) -> Sentiment:
    """One shipped model with its vocabulary, frozen (requires_grad False, eval mode)."""
    info(name)
    assets = Path(assets)
    path, vocab_path = assets / f"{name}.pt", assets / "vocab.json"
    if not path.is_file() or not vocab_path.is_file():
        raise PlaygroundError(f"The trained {name} model is missing from {assets}. "
                              "Retrain with: python -m playground.sentiment train")
    model, extra = load_model(path)
    vocab = Vocabulary.load(vocab_path)
    if extra.get("vocab_digest") not in (None, vocab_digest(vocab)):
        raise PlaygroundError(f"{path.name} was trained with another vocabulary than {vocab_path}; "
                              "retrain with: python -m playground.sentiment train")
    model.requires_grad_(False)
    model.eval()
    metrics = load_metrics(assets).get("models", {}).get(name, {})
    return Sentiment(name, model, vocab, {**extra, **metrics})


@torch.no_grad()
def running_sentiment(sm: Sentiment, tokens: Sequence[str]) -> list[float]:
    """P(positive) = y_t after each token (fast path: one forward over the whole sequence)."""
    if not tokens:
        return []
    ids = torch.tensor([sm.vocab.encode(list(tokens)).ids])  # (1, T)
    logits, _ = sm.model(ids)  # (1, T, 1)
    return sm.model.g.fn(logits)[0, :, 0].tolist()


def predict(sm: Sentiment, text: str) -> dict:
    """Tokens, OOV flags and P(positive) after every token, as one JSON-ready dict."""
    tokens = tokenize(text)
    if not tokens:
        raise InputError("The review is empty: type a few words.")
    enc = sm.vocab.encode(tokens)
    p = running_sentiment(sm, tokens)
    return {"model": sm.name, "tokens": tokens, "oov": enc.oov, "p_positive": [round(v, 4) for v in p],
            "label": int(p[-1] > 0.5)}


@torch.no_grad()
def evaluate(sm: Sentiment, rows: Sequence[tuple[str, int]], batch_size: int = 256, pairs: Sequence = ()) -> dict:
    """Accuracy of the label after the last word. Rows that tokenize to nothing are counted in `skipped`.

    pairs: the rows as cad.PairRow (CAD's pair and kind columns): then also the accuracy on originals and on
    revisions, and the share of pairs with both halves right.
    """
    from playground.sentiment.cad import pair_scores
    from playground.sentiment.data import encode, to_examples
    from playground.sentiment.train import predicted

    keep = [i for i, (text, _) in enumerate(rows) if tokenize(text)]
    data = encode(to_examples([rows[i] for i in keep]), sm.vocab)
    right = [y == label for y, (_, label) in zip(predicted(sm.model, data, batch_size), data)]
    acc = sum(right) / len(right) if right else float("nan")
    out = {"model": sm.name, "accuracy": round(acc, 4), "n": len(data), "skipped": len(rows) - len(data)}
    if pairs:
        out.update(pair_scores([pairs[i] for i in keep], right))
    return out

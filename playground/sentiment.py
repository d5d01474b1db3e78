"""The shipped sentiment models: load them read-only, predict word by word, evaluate, and retrain.

    python -m playground.sentiment train [--data sst2_train.tsv] [--imdb DIR] [--out assets/sentiment]
    python -m playground.sentiment evaluate FILE.tsv[.gz] --model rnn|lstm|gru
    python -m playground.sentiment predict "some review" [--model lstm]

The lesson's model is `Embedding(10000, 32) -> SimpleRNN(32, tanh) -> Dense(1, sigmoid)`; the LSTM and GRU
use the same vocabulary, embedding size and hidden size. All three read the text `playground.text.tokenize`
makes of it, the same tokenizer the app uses for what a user types.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch

from playground.cells import ModelConfig, RecurrentModel, load_model
from playground.errors import ConfigError, InputError, PlaygroundError
from playground.text import Vocabulary, tokenize

ROOT = Path(__file__).resolve().parents[1]
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
def evaluate(sm: Sentiment, rows: Sequence[tuple[str, int]], batch_size: int = 256) -> dict:
    """Accuracy of the label after the last word. Rows that tokenize to nothing are counted in `skipped`."""
    from playground.sentiment_data import encode, to_examples
    from playground.sentiment_train import accuracy

    examples = to_examples(rows)
    data = encode(examples, sm.vocab)
    acc = accuracy(sm.model, data, batch_size) if data else float("nan")
    return {"model": sm.name, "accuracy": round(acc, 4), "n": len(data), "skipped": len(rows) - len(data)}


def _cmd_train(args: argparse.Namespace) -> int:
    from playground.sentiment_fit import train_all

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    for n in names:
        info(n)
    split_args = None
    if args.split:
        try:
            n_dev, n_test, min_len = (int(v) for v in args.split.split(","))
        except ValueError:
            raise ConfigError("--split takes three integers: N_DEV,N_TEST,MIN_LEN") from None
        split_args = dict(n_dev=n_dev, n_test=n_test, min_len=min_len)
    metrics = train_all(args.data, args.out, names, seed=args.seed, epochs=args.epochs, split_args=split_args,
                        imdb=Path(args.imdb) if args.imdb else None, imdb_tokens=args.imdb_tokens,
                        imdb_dev=args.imdb_dev, workers=args.workers)
    summary = {n: {k: v for k, v in m.items() if k.endswith("_accuracy") or k == "file_bytes"}
               for n, m in metrics["models"].items()}
    print(json.dumps({"out": str(args.out), "train_seconds": metrics["train_seconds"], "models": summary}))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from playground.sentiment_data import read_tsv

    out = evaluate(load(args.model, args.assets), read_tsv(args.file))
    print(json.dumps({**out, "file": str(args.file)}))
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    print(json.dumps(predict(load(args.model, args.assets), args.text), ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    from playground.sentiment_data import DATA, IMDB
    from playground.sentiment_fit import IMDB_DEV, IMDB_TOKENS, WORKERS

    ap = argparse.ArgumentParser(prog="python -m playground.sentiment", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train the models from SST-2 (and IMDB) and write assets")
    t.add_argument("--data", type=Path, default=DATA)
    t.add_argument("--imdb", default=str(IMDB), help="folder with imdb_train/test.tsv.gz; '' for SST-2 alone")
    t.add_argument("--imdb-tokens", type=int, default=IMDB_TOKENS, help="train on each review's last N tokens")
    t.add_argument("--imdb-dev", type=int, default=IMDB_DEV, help="IMDB training reviews held out to pick epochs")
    t.add_argument("--out", type=Path, default=ASSETS)
    t.add_argument("--models", default=",".join(MODELS), help="comma-separated, e.g. rnn,lstm")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--epochs", type=int, default=None, help="override every model's number of epochs")
    t.add_argument("--split", default="", help="held-out sentences N_DEV,N_TEST,MIN_LEN (default 500,1000,10)")
    t.add_argument("--workers", type=int, default=WORKERS, help="models trained at once, one process each")
    t.set_defaults(fn=_cmd_train)
    e = sub.add_parser("evaluate", help="accuracy on a TSV or .tsv.gz whose header starts text<TAB>label")
    e.add_argument("file", type=Path)
    e.add_argument("--model", default="rnn", choices=list(MODELS))
    e.add_argument("--assets", type=Path, default=ASSETS)
    e.set_defaults(fn=_cmd_evaluate)
    p = sub.add_parser("predict", help="P(positive) after every token of one review")
    p.add_argument("text")
    p.add_argument("--model", default="rnn", choices=list(MODELS))
    p.add_argument("--assets", type=Path, default=ASSETS)
    p.set_defaults(fn=_cmd_predict)
    args = ap.parse_args(argv)
    try:
        return args.fn(args)
    except PlaygroundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

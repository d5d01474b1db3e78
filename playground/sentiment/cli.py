"""The sentiment models' command line: retrain the shipped models, evaluate one on a file, predict one review.

    python -m playground.sentiment train [--data sst2_train.tsv] [--imdb DIR] [--cad DIR] [--out assets/sentiment]
    python -m playground.sentiment evaluate [FILE.tsv[.gz]] --model rnn|lstm|gru
    python -m playground.sentiment predict "some review" [--model lstm]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from playground.errors import ConfigError, PlaygroundError
from playground.sentiment.models import ASSETS, MODELS, evaluate, info, load, predict


def _cmd_train(args: argparse.Namespace) -> int:
    from playground.sentiment.fit import train_all

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
                        imdb_dev=args.imdb_dev, workers=args.workers, cad=Path(args.cad) if args.cad else None)
    summary = {n: {k: v for k, v in m.items() if k.endswith("_accuracy") or k == "file_bytes"}
               for n, m in metrics["models"].items()}
    print(json.dumps({"out": str(args.out), "train_seconds": metrics["train_seconds"], "models": summary}))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from playground.sentiment.cad import has_pairs, read_pairs
    from playground.sentiment.data import read_tsv

    if args.file is None:  # the held-out SST-2 sentences of the split metrics.json records
        from playground.sentiment.corpus import SPLIT
        from playground.sentiment.data import DATA, split, to_examples
        from playground.sentiment.models import load_metrics

        recorded = load_metrics(args.assets).get("split", {})
        parts = split(to_examples(read_tsv(DATA)), seed=recorded.get("seed", 0),
                      **{k: recorded.get(k, v) for k, v in SPLIT.items()})
        rows, pairs, name = [(" ".join(e.tokens), e.label) for e in parts.test], [], f"held-out sentences of {DATA}"
    else:
        rows, name = read_tsv(args.file), str(args.file)
        pairs = read_pairs(args.file) if has_pairs(args.file) else []
    out = evaluate(load(args.model, args.assets), rows, pairs=pairs)
    print(json.dumps({**out, "file": name}))
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    print(json.dumps(predict(load(args.model, args.assets), args.text), ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    from playground.sentiment.cad import CAD
    from playground.sentiment.data import DATA, IMDB
    from playground.sentiment.fit import IMDB_DEV, IMDB_TOKENS, WORKERS

    ap = argparse.ArgumentParser(prog="python -m playground.sentiment", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train the models from SST-2 (and IMDB) and write assets")
    t.add_argument("--data", type=Path, default=DATA)
    t.add_argument("--imdb", default=str(IMDB), help="folder with imdb_train/test.tsv.gz; '' for SST-2 alone")
    t.add_argument("--imdb-tokens", type=int, default=IMDB_TOKENS, help="train on each review's last N tokens")
    t.add_argument("--imdb-dev", type=int, default=IMDB_DEV, help="IMDB training reviews held out to pick epochs")
    t.add_argument("--cad", default=str(CAD), help="folder with cad_train.tsv and cad_dev.tsv; '' for none")
    t.add_argument("--out", type=Path, default=ASSETS)
    t.add_argument("--models", default=",".join(MODELS), help="comma-separated, e.g. rnn,lstm")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--epochs", type=int, default=None, help="override every model's number of epochs")
    t.add_argument("--split", default="", help="held-out sentences N_DEV,N_TEST,MIN_LEN (default 500,1000,10)")
    t.add_argument("--workers", type=int, default=WORKERS, help="models trained at once, one process each")
    t.set_defaults(fn=_cmd_train)
    e = sub.add_parser("evaluate", help="accuracy on a TSV or .tsv.gz whose header starts text<TAB>label (with "
                                        "CAD's pair and kind columns: also originals, revised, both of a pair right)")
    e.add_argument("file", type=Path, nargs="?", help="omitted: the held-out SST-2 sentences (split as in training)")
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

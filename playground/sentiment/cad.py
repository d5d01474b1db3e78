"""Counterfactually augmented IMDB reviews (CAD, Kaushik et al. 2020): each review with a revision people wrote
to flip its sentiment with few edits. A model that reads the sentence gets both halves of a pair right.

Files: `text<TAB>label<TAB>pair<TAB>kind` (kind `original` or `revised`), see ../shared/data/cad/README.md.
Every original is also an IMDB training review, so fit.py keeps the dev originals out of the IMDB rows it trains on.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from playground.errors import InputError
from playground.sentiment.data import open_text

ROOT = Path(__file__).resolve().parents[2]
CAD = ROOT.parent / "shared" / "data" / "cad"  # cad_train.tsv, cad_dev.tsv


@dataclass(frozen=True)
class PairRow:
    text: str
    label: int
    pair: str  # both halves of a pair share it
    kind: str  # "original" or "revised"


def has_pairs(path: str | Path) -> bool:
    """True if the TSV's header names the `pair` and `kind` columns."""
    with open_text(Path(path)) as f:
        return {"pair", "kind"} <= set(f.readline().rstrip("\r\n").lower().split("\t"))


def read_pairs(path: str | Path) -> list[PairRow]:
    """The rows of a TSV with columns text, label, pair and kind (any order after text, label)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"No such file: {path}")
    csv.field_size_limit(1 << 24)
    with open_text(path) as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        if not {"text", "label", "pair", "kind"} <= set(reader.fieldnames or []):
            raise InputError(f"{path} needs the columns text, label, pair and kind.")
        return [PairRow(r["text"], int(r["label"]), r["pair"], r["kind"]) for r in reader if r["text"].strip()]


def review_key(text: str) -> str:
    """A review's letters and digits, lower-cased: CAD's copy of an IMDB review differs in quotes and spaces (and a
    tokenized copy in brackets spelled -lrb- and in split contractions)."""
    return "".join(re.findall(r"[a-z0-9]+", re.sub(r"-[lr][rsc]b-", " ", text.lower())))


def pair_scores(rows: Sequence[PairRow], right: Sequence[bool]) -> dict:
    """Accuracy on the originals and on the revisions (CAD's kinds, when there are), and the share of pairs with
    both halves right."""
    by_pair: dict[str, list[bool]] = {}
    for r, ok in zip(rows, right):
        by_pair.setdefault(r.pair, []).append(bool(ok))

    out = {}
    for name, kind in (("originals", "original"), ("revised", "revised")):
        oks = [ok for r, ok in zip(rows, right) if r.kind == kind]
        if oks:
            out[name] = round(sum(oks) / len(oks), 4)
    return {**out, "pair_consistency": round(sum(all(v) for v in by_pair.values()) / max(1, len(by_pair)), 4),
            "pairs": len(by_pair)}

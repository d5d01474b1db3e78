"""Tokenizer and vocabulary for English movie reviews, matching the training data's tokenization.

The data (SST-2) is lower-cased and PTB-tokenized: "it 's", "does n't", "ca n't", `` quotes '',
-lrb- for "(", hyphenated words kept whole. `tokenize` turns raw user text into the same shape.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

PAD, UNK = "<pad>", "<unk>"

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
                         "\u2013": "--", "\u2014": "--", "\u2026": "..."})
_BRACKETS = {"(": " -lrb- ", ")": " -rrb- ", "[": " -lsb- ", "]": " -rsb- ", "{": " -lcb- ", "}": " -rcb- "}
_SHOWN = {v.strip(): k for k, v in _BRACKETS.items()} | {"``": "\u201c", "''": "\u201d"}


def shown(token: str) -> str:
    """A token as a person reads it: "-lrb-" -> "(", PTB quotes -> curly quotes; every other token unchanged."""
    return _SHOWN.get(token, token)


_TOKEN = re.compile(r"""
      \.\.\.+ | --+ | `` | ''                 # ellipsis, dash, PTB quotes
    | -[lr][rsc]b-                            # brackets, already mapped
    | n't\b | '(?:s|re|ve|ll|d|m|em)\b        # contraction tails
    | [^\W_]+(?:[-'.][^\W_]+)*                # words: letters/digits joined by - ' or .
    | \S                                      # any other single character (punctuation, emoji)
""", re.VERBOSE)


def tokenize(text: str) -> list[str]:
    """Raw text -> list of lower-case tokens the way the training data was tokenized. Deterministic."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES).lower()
    text = "".join(_BRACKETS.get(ch, ch) for ch in text)
    text = re.sub(r'(^|[\s(\[{])"', r"\1 `` ", text)
    text = text.replace('"', " '' ")
    text = re.sub(r"(\w)n't\b", r"\1 n't", text)
    text = re.sub(r"(\w)'(s|re|ve|ll|d|m)\b", r"\1 '\2", text)
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class Encoded:
    """One text as the model sees it: tokens, their ids, and which were out of vocabulary."""

    tokens: list[str]
    ids: list[int]
    oov: list[bool]

    @property
    def n_oov(self) -> int:
        return sum(self.oov)


class Vocabulary:
    """token <-> id, with <pad> = 0 and <unk> = 1."""

    def __init__(self, tokens: Iterable[str]):
        self.itos: list[str] = [PAD, UNK] + [t for t in tokens if t not in (PAD, UNK)]
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    @property
    def pad_id(self) -> int:
        return 0

    @property
    def unk_id(self) -> int:
        return 1

    @classmethod
    def build(cls, corpus: Iterable[list[str]], max_size: int = 10_000, min_freq: int = 1) -> "Vocabulary":
        """The max_size - 2 most frequent tokens (ties broken alphabetically, so the result is deterministic)."""
        counts = Counter(t for tokens in corpus for t in tokens)
        ranked = sorted((t for t, n in counts.items() if n >= min_freq), key=lambda t: (-counts[t], t))
        return cls(ranked[: max(0, max_size - 2)])

    def encode(self, tokens: list[str]) -> Encoded:
        ids = [self.stoi.get(t, self.unk_id) for t in tokens]
        return Encoded(list(tokens), ids, [i == self.unk_id for i in ids])

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.itos[i] if 0 <= i < len(self.itos) else UNK for i in ids]

    def to_json(self) -> str:
        return json.dumps({"itos": self.itos}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Vocabulary":
        itos = json.loads(text)["itos"]
        if itos[:2] != [PAD, UNK]:
            raise ValueError("vocabulary JSON must start with <pad>, <unk>")
        return cls(itos[2:])

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "Vocabulary":
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

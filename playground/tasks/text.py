"""The generation task: a next-character model on a short text, and sampling from it at a temperature.

The vocabulary is the text's own characters (at most MAX_VOCAB; rarer ones are read as '¿'). Training
batches are windows of T characters; the target at each step is the next character. Sampling feeds the
last T characters (with a blank memory, exactly as in training) and draws the next one from
softmax(logits / temperature).
"""
from __future__ import annotations

import functools
import math
import unicodedata
from collections import Counter

import torch

from playground.errors import InputError
from playground.state import whole
from playground.tasks.base import Batch, Knob, Task

Tensor = torch.Tensor
MAX_CHARS = 3000
MAX_VOCAB = 48
MAX_SAMPLE = 10_000  # characters per call to generate (the page asks for 200)
OTHER = "¿"
PAD = "·"
TEXTS = {
    "rhyme": "the cat sat on the mat. the dog sat on the log. the rat sat on the hat. "
             "the cat saw the dog. the dog saw the rat. the rat ran.",
    "abc": "abcdefghijklmnopqrstuvwxyz " * 3,
    "counting": "one two three four five six seven eight nine ten. ten nine eight seven six five four three "
                "two one. ",
}
DEFAULT_TEXT = TEXTS["rhyme"]


def clean_text(text: str) -> str:
    """NFC, control characters and runs of whitespace turned into single spaces, cut to MAX_CHARS."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text)
    return " ".join(text.split())[:MAX_CHARS]


def vocabulary(text: str) -> tuple[str, ...]:
    """(PAD, then the text's characters, most frequent first, up to MAX_VOCAB; OTHER if any were dropped)."""
    counts = Counter(text)
    chars = sorted(counts, key=lambda c: (-counts[c], c))
    if len(chars) > MAX_VOCAB:
        chars = chars[: MAX_VOCAB - 1] + [OTHER]
    return (PAD, *chars)


def encode(text: str, vocab: tuple[str, ...]) -> Tensor:
    stoi = {c: i for i, c in enumerate(vocab)}
    other = stoi.get(OTHER, 1)
    return torch.tensor([stoi.get(c, other) for c in text], dtype=torch.long)


@functools.lru_cache(maxsize=32)
def text_task(text: str = DEFAULT_TEXT):
    """The next-character Task on this text (cleaned); InputError if it is too short to learn from."""


    text = clean_text(text)
    if len(text) < 12:
        raise InputError("The text to learn is too short: type at least 12 characters.")
    vocab = vocabulary(text)
    if len(vocab) < 3:
        raise InputError("The text needs at least two different characters for there to be anything to predict.")
    ids = encode(text, vocab)
    hi = max(4, min(64, len(text) - 2))

    def sample(n: int, T: int, gen: torch.Generator) -> Batch:
        T = min(T, len(ids) - 1)
        start = torch.randint(0, len(ids) - T, (n,), generator=gen)
        idx = start.unsqueeze(1) + torch.arange(T + 1)  # (n, T+1)
        win = ids[idx]
        return Batch(win[:, :-1], win[:, 1:] - 1)  # classes are ids - 1 (id 0 is padding)

    return Task(
        "text", "Next character of a text", "generation",
        input="x_t is one character of the text.",
        target="At every step: the next character.",
        perfect="y_t puts nearly all its probability on the character that really comes next wherever the text "
                "is predictable (after 'th' comes 'e'); sampling then reproduces the text.",
        kind="classes", default_g="softmax",
        knob=Knob("window length T", min(24, hi), 4, hi, "Characters per training window (and sampling context)."),
        sample=sample, classes=lambda T, k=len(vocab) - 1: k, vocab=vocab, embed_dim=16,
        chance=lambda T, k=len(vocab) - 1: 1 / k,
        known_good=dict(cell="gru", hidden=32, f="tanh", lr=0.01, length=8, steps=300),
        options={"text": text}, per_step=True, rebuild=text_task,
    )


@torch.no_grad()
def generate(model, task, prime: str = "", n_chars: int = 200, temperature: float = 0.8,
             window: int | None = None, seed: int = 0) -> str:
    """Sample n_chars characters after `prime`. temperature 0 always takes the most likely character."""
    try:
        temperature = float(temperature)
    except (TypeError, ValueError, OverflowError):
        temperature = math.nan
    if not temperature >= 0:  # NaN too
        raise InputError("The temperature must be 0 or more.")
    vocab = task.vocab
    window = whole(window or task.knob.default, 1, MAX_CHARS, "sampling window")
    n_chars = whole(n_chars, 0, MAX_SAMPLE, "number of characters to generate")
    ids = encode(clean_text(prime), vocab).tolist() or [1]  # no prime: start from the most frequent character
    gen = torch.Generator().manual_seed(whole(seed, -(2**63), 2**64 - 1, "seed"))
    out = []
    was = model.training
    model.eval()
    for _ in range(n_chars):
        logits, _ = model(torch.tensor([ids[-window:]]))
        z = logits[0, -1].double()
        if temperature == 0:
            c = int(z.argmax())
        else:
            # shifted so the largest is 0: a tiny temperature sends the others to -inf, never inf - inf = NaN
            c = int(torch.multinomial(torch.softmax((z - z.max()) / temperature, -1), 1, generator=gen))
        ids.append(c + 1)
        out.append(vocab[c + 1])
    model.train(was)
    return "".join(out)

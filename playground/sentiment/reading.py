"""Reading a review with a shipped model: clean and cap the text, trace the model over it word by word, and the
reading aids (units ordered by their pull on the output, units that changed most, the logit split); and the shipped
RNN's step at one word, term by term (for Inside one step).

Word t (1-based) is the t-th token; h[t] is h_t, the state after reading it, and y[t-1] = y_t.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.errors import ConfigError, InputError
from playground.lesson.onestep import Step, Weights, step
from playground.sentiment.models import ASSETS, Sentiment
from playground.sentiment.text import shown, tokenize

CAP = 200  # tokens read; longer text is cut here, with a notice
MAX_CHARS = 3000  # the text area's limit (also bounds the URL)
EMPTY_HINT = "Type a review above (or pick an example) and the model will read it word by word."


@dataclass(frozen=True)
class Example:
    title: str
    text: str
    label: int | None = None  # what a reader would say: 1 positive, 0 negative, None no verdict
    why_hard: str = ""  # what a model must get right to read it


def load_examples() -> dict[str, Example]:
    """title -> example review shipped in assets/sentiment/examples.json (written for this app)."""
    path = ASSETS / "examples.json"
    if not path.is_file():
        return {"Good": Example("Good", "This movie is good.", 1),
                "Not good": Example("Not good", "This movie is not good.", 0)}
    return {e["title"]: Example(e["title"], e["text"], e.get("label"), e.get("why_hard", ""))
            for e in json.loads(path.read_text(encoding="utf-8"))["examples"]}


EXAMPLES = load_examples()


@dataclass(frozen=True)
class Prepared:
    tokens: list[str]
    ids: list[int]
    oov: list[bool]
    n_typed: int  # tokens before the cap
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """One review read by one model. T words, H units; arrays are numpy, detached copies."""

    model: str
    cell: str
    tokens: list[str]  # as a person reads them (text.shown: "(" rather than the model's "-lrb-")
    oov: list[bool]
    h: np.ndarray  # (T+1, H): h_0 .. h_T
    logits: np.ndarray  # (T,): z_t = W_hy h_t + b_y
    y: np.ndarray  # (T,): y_t = sigmoid(z_t) = P(positive) after word t
    W_hy: np.ndarray  # (H,)
    b_y: float
    h_range: tuple[float, float]  # the range of h_t's values (tanh: -1..1; LSTM/GRU h is in -1..1 too)
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T, H)
    c: np.ndarray | None = None  # LSTM cell state (T+1, H)
    notices: list[str] = field(default_factory=list)

    @property
    def T(self) -> int:
        return len(self.tokens)

    @property
    def H(self) -> int:
        return self.h.shape[1]


def clean(text: str) -> str:
    """Drop control and invisible format characters (zero-width spaces, direction marks), keep line breaks."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co") else " "
                   for ch in text)


def trim(text: str, limit: int = MAX_CHARS) -> tuple[str, str | None]:
    """Text as the page keeps it (at most `limit` characters, so links stay short), and a notice if it was cut."""
    if len(text) <= limit:
        return text, None
    return text[:limit], (f"The text had {len(text):,} characters; the page keeps the first {limit:,} (the model "
                          f"reads at most {CAP} words and punctuation marks anyway).")


def n_tokens(text: str, cap: int = CAP) -> int:
    """How many words the model will read (after the cap): sizes the step slider before the model runs."""
    return min(len(tokenize(clean(text))), cap)


def prepare(text: str, sm: Sentiment, cap: int = CAP) -> Prepared:
    """Text -> tokens as the model sees them (capped), with notices for the user. Empty text: InputError."""
    tokens = tokenize(clean(text))
    if not tokens:
        raise InputError(EMPTY_HINT)
    notices = []
    n_typed = len(tokens)
    if n_typed > cap:
        tokens = tokens[:cap]
        notices.append(f"The model reads the first {cap} of the {n_typed:,} words and punctuation marks in the box.")
    enc = sm.vocab.encode(tokens)
    if all(enc.oov):
        notices.append("None of these words is in the model's 10,000-word vocabulary, so it reads <unk> at every "
                       "step: what you see is only the model's default opinion, and how it drifts with length.")
    elif enc.n_oov:
        notices.append(f"{enc.n_oov} of {len(tokens)} tokens are not in the vocabulary (marked); the model "
                       "reads them all as the same word, <unk>.")
    return Prepared(tokens, enc.ids, enc.oov, n_typed, notices)


@torch.no_grad()
def read(sm: Sentiment, text: str, cap: int = CAP) -> Reading:
    """Run the readable path (model.trace) over the review and keep every h_t, y_t, gate and cell state."""
    p = prepare(text, sm, cap)
    model = sm.model
    tr = model.trace(torch.tensor([p.ids]))  # batch of one: (1, T)
    cfg = model.config
    h_range = cfg.h_range
    return Reading(
        model=sm.name, cell=cfg.cell, tokens=[shown(t) for t in p.tokens], oov=p.oov,
        h=tr.h[0].numpy().copy(), logits=tr.logits[0, :, 0].numpy().copy(), y=tr.y[0, :, 0].numpy().copy(),
        W_hy=model.W_hy[0].numpy().copy(), b_y=float(model.b_y[0]), h_range=h_range,
        gates={k: v[0].numpy().copy() for k, v in tr.gates.items()},
        c=tr.c[0].numpy().copy() if tr.c is not None else None, notices=p.notices,
    )


def clamp_step(step: int, T: int) -> int:
    """A step in 1..T; 0 or anything out of range means the last word."""
    return step if 1 <= step <= T else T


def contributions(r: Reading, t: int) -> np.ndarray:
    """W_hy[j] * h_t[j] for every unit j: (H,). Their sum plus b_y is the logit z_t."""
    return r.W_hy * r.h[t]


def unit_order(r: Reading) -> np.ndarray:
    """Units sorted by their contribution to the final output, W_hy * h_T: most positive first."""
    return np.argsort(-contributions(r, r.T), kind="stable")


@dataclass(frozen=True)
class LogitSplit:
    units: np.ndarray  # unit indices, largest contribution first
    values: np.ndarray  # W_hy[j] h_t[j] in that order
    bias: float
    logit: float
    p: float


def logit_split(r: Reading, t: int) -> LogitSplit:
    """z_t = sum_j W_hy[j] h_t[j] + b_y, unit by unit."""
    contrib = contributions(r, t)
    order = np.argsort(-contrib, kind="stable")
    logit = float(contrib.sum() + r.b_y)
    return LogitSplit(order, contrib[order], r.b_y, logit, float(r.y[t - 1]))  # y_t = sigmoid(z_t)


def top_changed(r: Reading, t: int, k: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The k units whose value moved most at word t: (units, h_{t-1}[units], h_t[units]), largest |change| first."""
    delta = r.h[t] - r.h[t - 1]
    units = np.argsort(-np.abs(delta), kind="stable")[: min(k, r.H)]
    return units, r.h[t - 1][units], r.h[t][units]


# ---- the shipped RNN at one word (Inside one step) ----------------------------------------------------------

@dataclass(frozen=True)
class ReviewStep:
    """Word t of a review as the shipped RNN reads it: x_t is the word's embedding (32 numbers), h_{t-1} the state
    Read a review shows after word t-1."""

    tokens: list[str]
    t: int  # 1-based
    weights: Weights
    step: Step
    notices: list[str]

    @property
    def word(self) -> str:
        return self.tokens[self.t - 1]


@torch.no_grad()
def review_step(sm: Sentiment, text: str, word: int) -> ReviewStep:
    """The shipped model `sm` (the Elman RNN) at word `word` of `text` (0 or past the end: the last word). Its
    tokens and h_{t-1} come from review.read, the same trace Read a review draws."""
    model = sm.model
    if model.config.cell != "rnn":
        raise ConfigError("The calculator shows the Elman RNN's step; the LSTM and GRU have other equations.")
    p = prepare(text, sm)
    r = read(sm, text)
    t = clamp_step(word, r.T)
    x = model.embedding.weight[p.ids[t - 1]].double().numpy()
    w = Weights(*(getattr(model, n).detach().double().numpy().copy() for n in ("W_xh", "W_hh", "b_h", "W_hy", "b_y")))
    s = step(w, x, r.h[t - 1].astype(float), model.config.f, model.config.g)
    return ReviewStep(r.tokens, t, w, s, r.notices)

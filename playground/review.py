"""The "Read a review" page's computations: clean and cap the text, trace a shipped model over it, and the
reading aids (units ordered by their pull on the output, units that changed most, the logit split).

Word t (1-based) is the t-th token; h[t] is h_t, the state after reading it, and y[t-1] = y_t.
Every `*_view` function returns what the page shows for one view (a figure or safe HTML).
"""
from __future__ import annotations

import dataclasses
import json
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import torch

from playground import review_figures as rf
from playground.errors import InputError
from playground.sentiment import ASSETS, MODELS, Sentiment
from playground import state
from playground.style import value_scale
from playground.text import shown, tokenize

CAP = 200  # tokens read; longer text is cut here, with a notice
MAX_CHARS = 3000  # the text area's limit (also bounds the URL)
PREFIX = "review"


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


def example_note(text: str, r: Reading) -> str | None:
    """When `text` is one of the example reviews and the model's verdict after the last word is not the
    example's label, a notice that says so and why the example is hard; None otherwise."""
    e = next((e for e in EXAMPLES.values() if e.text == text), None)
    if e is None or e.label is None or int(r.y[-1] > 0.5) == e.label:
        return None
    said, meant = ("positive", "negative") if e.label == 0 else ("negative", "positive")
    why = f" What makes it hard: {e.why_hard}" if e.why_hard else ""
    return (f"This {MODELS[r.model].label} model gets the example “{e.title}” wrong: it ends on "
            f"P(positive) = {r.y[-1]:.2f}, {said}, but a reader calls the review {meant}.{why}")


ALL = "all"  # the model picker's "all three": the same review through every shipped model
MODEL_CHOICES = {**{n: m.label for n, m in MODELS.items()}, ALL: "All three, stacked"}
COLOUR_BY = {"sentiment": "running sentiment y_t", "unit": "one unit of h_t"}
COMPARE_LABELS = 8  # word labels per review in the side-by-side comparison (half the page wide)
EMPTY_HINT = "Type a review above (or pick an example) and the model will read it word by word."
UNITS = min(m.config.hidden_size for m in MODELS.values())  # units every shipped model has


@dataclass(frozen=True)
class ReviewConfig:
    """The page's settings (all in the URL). step 0 means the last word."""

    text: str = state.text(next(iter(EXAMPLES.values())).text, max_len=MAX_CHARS)
    model: str = state.choice("rnn", list(MODEL_CHOICES))
    step: int = state.number(0, 0, CAP)
    order: bool = state.flag(True)
    colour_by: str = state.choice("sentiment", list(COLOUR_BY))
    unit: int = state.number(0, 0, UNITS - 1)
    compare: bool = state.flag(False)
    text_b: str = state.text("This movie is not good.", max_len=MAX_CHARS)

    def link_omits(self) -> tuple[str, ...]:
        """A shared link leaves out the second review unless the comparison is on."""
        return () if self.compare else ("text_b",)


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
        notices.append(f"The review has {n_typed} words and punctuation marks; the model reads the first {cap}.")
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


# ---- views: one function per thing on the page -------------------------------------------------------------

def tokens_view(r: Reading) -> str:
    return rf.token_chips_html(r.tokens, r.oov)


def reading_view(r: Reading, step: int, order: np.ndarray | None = None, title: str | None = None,
                 width_words: int | None = None, play: bool = True,
                 most_labels: int = rf.MAX_WORD_LABELS) -> go.Figure:
    """Heatmap of h_t (units x words) over the running sentiment y_t, with playback up to `step`."""
    order = np.arange(r.H) if order is None else order
    z = r.h[1:, order].T  # (H, T) in display order
    labels = [f"h[{j}]" for j in order]
    return rf.reading_figure(r.tokens, r.oov, z, labels, r.h_range, r.y, clamp_step(step, r.T), r.cell,
                             contrib=contributions(r, r.T)[order], title=title, width_words=width_words, play=play,
                             most_labels=most_labels)


def compare_view(a: Reading, b: Reading, order: np.ndarray | None = None) -> tuple[go.Figure, go.Figure]:
    """Two reviews on identical scales: same unit order (review A's), same colours, same word-axis length."""
    width = max(a.T, b.T)
    return tuple(reading_view(r, r.T, order, title=f"{name}: P(positive) = {r.y[-1]:.2f}", width_words=width,
                              play=False, most_labels=COMPARE_LABELS)
                 for name, r in (("Review A", a), ("Review B", b)))


def models_shown(choice: str) -> list[str]:
    """The shipped models the picker's choice reads the review with."""
    return list(MODELS) if choice == ALL else [choice]


def all_models_view(readings: list[Reading], step: int, sort: bool) -> list[go.Figure]:
    """The same review through several models, one reading figure each, on identical scales: h_t on one colour
    range (the widest of their h ranges: -1..1 for all three), y_t on 0..1, the same word axis and word t.
    Their units are not the same units, so each model keeps its own order (its own W_hy·h_T when sorted)."""
    lo = min(r.h_range[0] for r in readings)
    hi = max(r.h_range[1] for r in readings)
    width = max(r.T for r in readings)
    return [reading_view(dataclasses.replace(r, h_range=(lo, hi)), step, unit_order(r) if sort else None,
                         title=f"{MODELS[r.model].label}: P(positive) = {r.y[-1]:.2f} after the last word",
                         width_words=width, play=False) for r in readings]  # one slider reveals all three


def hidden_table(readings: list[Reading], names: list[str] | None = None) -> pd.DataFrame:
    """h_t and y_t for download: one row per word and reading, a column per unit (h[0] .. h[H-1]), plus the
    review's name (when several), the model, t (1-based), the token, whether it is out of the vocabulary, y_t."""
    parts = []
    for i, r in enumerate(readings):
        part = pd.DataFrame(r.h[1:], columns=[f"h[{j}]" for j in range(r.H)])
        part.insert(0, "y_t", r.y)
        part.insert(0, "oov", r.oov)
        part.insert(0, "token", r.tokens)
        part.insert(0, "t", range(1, r.T + 1))
        part.insert(0, "model", r.model)
        if names:
            part.insert(0, "review", names[i])
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def changes_view(r: Reading, step: int, k: int = 8) -> go.Figure:
    t = clamp_step(step, r.T)
    units, before, after = top_changed(r, t, k)
    return rf.changes_figure([f"h[{j}]" for j in units], before, after, r.tokens[t - 1], t, r.h_range)


def logit_view(r: Reading, step: int) -> go.Figure:
    t = clamp_step(step, r.T)
    s = logit_split(r, t)
    return rf.logit_figure([f"h[{j}]" for j in s.units], s.values, s.bias, s.logit, s.p, r.tokens[t - 1], t)


def text_view(r: Reading, by: str, unit: int) -> str:
    """Karpathy's view: the words coloured by the running sentiment y_t or by one unit's h_t."""
    if by == "unit":
        j = min(max(unit, 0), r.H - 1)
        return rf.coloured_text_html(r.tokens, r.h[1:, j], value_scale(r.h_range), f"h[{j}]")
    return rf.coloured_text_html(r.tokens, r.y, rf.SENTIMENT, "P(positive)")


def gates_view(r: Reading, step: int, order: np.ndarray | None = None) -> go.Figure | None:
    """LSTM: gates i, f, g, o and cell state c per word; GRU: gates r, z, n. None for the plain RNN."""
    if not r.gates:
        return None
    order = np.arange(r.H) if order is None else order
    panels = {name: g[:, order].T for name, g in r.gates.items()}
    if r.c is not None:
        panels["c"] = r.c[1:, order].T
    return rf.gates_figure(r.tokens, panels, [f"h[{j}]" for j in order], r.cell, clamp_step(step, r.T))


def page_views(r: Reading, step: int, order: np.ndarray | None, by: str, unit: int) -> dict:
    """Everything the page draws for one review (used by the bench to time the whole page's figures)."""
    return {"tokens": tokens_view(r), "reading": reading_view(r, step, order), "changes": changes_view(r, step),
            "logit": logit_view(r, step), "text": text_view(r, by, unit), "gates": gates_view(r, step, order)}

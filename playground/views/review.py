"""The "Read a review" page: its settings (all in the URL) and one function per view, built on
playground.sentiment.reading (which reads the review) and playground.figures.review (which draws it).

Every `*_view` function returns what the page shows for one view (a figure or safe HTML).
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from playground import state
from playground.figures import review as rf
from playground.figures.style import value_scale
from playground.sentiment.models import ASSETS, MODELS, info, load_metrics
from playground.sentiment.reading import (CAP, EMPTY_HINT, EXAMPLES, MAX_CHARS, Reading, clamp_step, contributions,  # noqa: F401
                                          logit_split, n_tokens, read, top_changed, trim, unit_order)

if TYPE_CHECKING:  # pandas only when a table is downloaded (a server that never makes one never loads it)
    import pandas as pd

PREFIX = "review"
COMPARE_ANCHOR = "compare"  # the comparison of two reviews (its header's anchor)
# The page's sections top to bottom (a lecture scene may draw some first): the review box, the word slider, the
# reading (tokens, h_t and y_t), the aids, the coloured text, the gates, the comparison's controls and its charts.
SECTIONS = ("inputs", "main", "slider", "explain", "aids", "text", "gates", "compare", "compare_charts")  # the chart, then its
# word slider (a scrubber under it) and what explains the chosen word


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
SHORT_CHOICES = {**{n: n.upper() for n in MODELS}, ALL: "All three"}  # the picker's (a narrow column at 1024 px)
MODEL_HELP = ("RNN: the lesson's model, Embedding → SimpleRNN(32) → Dense(1, sigmoid). LSTM and GRU: the same with "
              "a gated cell. All three: their charts stacked, on the same words.")


COLOUR_BY = {"sentiment": "running sentiment y_t", "unit": "one unit of h_t"}


COMPARE_LABELS = 8  # word labels per review in the side-by-side comparison (half the page wide)




UNITS = min(m.config.hidden_size for m in MODELS.values())  # units every shipped model has


@dataclass(frozen=True)
class ReviewConfig:
    """The page's settings (all in the URL). step 0 means the last word."""

    text: str = state.text(next(iter(EXAMPLES.values())).text, max_len=MAX_CHARS, cut=True)
    model: str = state.choice("rnn", list(MODEL_CHOICES))
    step: int = state.number(0, 0, CAP, means=f"a word from 1 to {CAP}, or 0 for the last word")
    order: bool = state.flag(True)
    colour_by: str = state.choice("sentiment", list(COLOUR_BY))
    unit: int = state.number(0, 0, UNITS - 1)
    compare: bool = state.flag(False)
    text_b: str = state.text("This movie is not good.", max_len=MAX_CHARS, cut=True)

    def link_omits(self) -> tuple[str, ...]:
        """A shared link leaves out the second review unless the comparison is on."""
        return () if self.compare else ("text_b",)


def tokens_view(r: Reading) -> str:
    return rf.token_chips_html(r.tokens, r.oov)


def reading_view(r: Reading, step: int, order: np.ndarray | None = None, title: str | None = None,
                 width_words: int | None = None, play: bool = True,
                 most_labels: int = rf.MAX_WORD_LABELS, compact: bool = False,
                 words_beside: tuple[str, ...] = ()) -> go.Figure:
    """Heatmap of h_t (units x words) over the running sentiment y_t, with playback up to `step`; `compact`: the
    lower height of a lecture scene, where the chart shares the first screen with the scene's bar."""
    order = np.arange(r.H) if order is None else order
    z = r.h[1:, order].T  # (H, T) in display order
    labels = [f"h[{j}]" for j in order]
    return rf.reading_figure(r.tokens, r.oov, z, labels, r.h_range, r.y, clamp_step(step, r.T), r.cell,
                             contrib=contributions(r, r.T)[order], title=title, width_words=width_words, play=play,
                             most_labels=most_labels, height=rf.COMPACT_HEIGHT if compact else rf.READING_HEIGHT,
                             words_beside=words_beside)


def compare_view(a: Reading, b: Reading, order: np.ndarray | None = None,
                 compact: bool = False) -> tuple[go.Figure, go.Figure]:
    """Two reviews on identical scales: same unit order (review A's), same colours, same word-axis length, and the
    same room for the word labels, so the two charts line up side by side."""
    width = max(a.T, b.T)
    return tuple(reading_view(r, r.T, order, title=f"{name}: P(positive) = {r.y[-1]:.2f}", width_words=width,
                              play=False, most_labels=COMPARE_LABELS, compact=compact, words_beside=other.tokens)
                 for name, r, other in (("Review A", a, b), ("Review B", b, a)))


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


def running_view(readings: list[Reading], step: int) -> go.Figure:
    """Every model's y_t after each word of the same review on one chart (the models' own words: the same text is
    cut into the same tokens by each)."""
    r = readings[0]
    return rf.running_figure(r.tokens, r.oov, [(MODELS[x.model].label, x.cell, x.y) for x in readings],
                             clamp_step(step, r.T))


def hidden_table(readings: list[Reading], names: list[str] | None = None) -> pd.DataFrame:
    """h_t and y_t for download: one row per word and reading, a column per unit (h[0] .. h[H-1]), plus the
    review's name (when several), the model, t (1-based), the token, whether it is out of the vocabulary, y_t."""
    import pandas as pd

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


# ---- "How good is this model?": every figure on the card comes from metrics.json, which the training script writes
# next to the weights (held-out accuracies, naive-Bayes references, size, data) ----

# the contrast suite's kinds of sentence (tests/data/contrast.tsv's kind column), as the card names them
KINDS = {"negation": "negations", "but": "“but” turns", "never dull": "negated negatives",
         "comparative": "comparisons", "intensifier": "intensified words", "word flip": "one-word flips"}


@dataclass(frozen=True)
class Card:
    title: str
    rows: list[tuple[str, str, str]]  # (measured on, this model, naive Bayes trained on the same rows)
    size: str
    trained_on: str
    still_wrong: str


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def card(name: str, assets: str | Path = ASSETS) -> Card | None:
    """The card of one shipped model, or None when metrics.json does not describe it."""
    label = info(name).label
    metrics = load_metrics(assets)
    m = metrics.get("models", {}).get(name)
    if not m:
        return None
    nb = metrics.get("naive_bayes", {})
    imdb, split, contrast = metrics.get("imdb") or {}, metrics.get("split", {}), metrics.get("contrast", {})
    rows = []
    if "imdb_test_accuracy" in m:
        rows.append((f"IMDB test, all {imdb.get('test', 0):,} reviews", _pct(m["imdb_test_accuracy"]),
                     _pct(nb.get("imdb_test_accuracy"))))
    if "cad_dev" in m:
        rows.append((f"{m['cad_dev']['pairs']:,} IMDB reviews edited to flip their verdict (CAD dev)",
                     _pct(m["cad_dev"]["revised"]), _pct(nb.get("cad_dev", {}).get("revised"))))
    rows.append((f"{split.get('test', 0):,} held-out review sentences", _pct(m["test_accuracy"]),
                 _pct(nb.get("test_accuracy", metrics.get("naive_bayes_uni_bigram_test_accuracy")))))
    if "contrast_accuracy" in m:
        rows.append((f"our {contrast.get('n', 0)} negation / contrast sentences", _pct(m["contrast_accuracy"]),
                     _pct(nb.get("contrast_accuracy"))))
    # a model kept from an earlier run records its own rows
    n_reviews = m.get("imdb_train_reviews", imdb.get("train_reviews", 0))
    trained_on = f"{m.get('train_rows', split.get('train_rows', 0)) - n_reviews:,} SST-2 phrases and sentences"
    if imdb:
        trained_on += f" and {n_reviews:,} IMDB reviews (each cut to its last {imdb['train_tokens']} tokens)"
    cad, repeat = metrics.get("cad") or {}, m.get("settings", {}).get("cad_repeat", 0)
    if cad and repeat:
        trained_on += f", {cad['train_rows']:,} CAD reviews and their edits that flip them (each seen {repeat}x)"
    n_lm = min(m.get("settings", {}).get("lm_reviews", 0), imdb.get("unlabelled_reviews", 0))
    if n_lm:
        trained_on += f", after learning to predict the next word of {n_lm:,} reviews (labels unused)"
    donor = m.get("settings", {}).get("embed_from")
    if donor in MODELS:
        kept = ", kept fixed" if m["settings"].get("embed_freeze") else ""
        trained_on += f"; its word vectors are the {MODELS[donor].label}'s (trained first){kept}"
    wrong = m.get("contrast_wrong")
    if wrong is None:
        still_wrong = ""
    elif wrong:
        kinds = Counter(e.get("kind") for e in wrong)
        kind = kinds.most_common(1)[0][0]
        e = next(e for e in wrong if e.get("kind") == kind)
        what = f", {kinds[kind]} of them {KINDS.get(kind, kind)}" if kind else ""
        still_wrong = (f"It still misreads {len(wrong)} of the {contrast.get('n', 0)} negation / contrast sentences"
                       f"{what}: “{e['text']}” comes out {'negative' if e['label'] else 'positive'}.")
    else:
        still_wrong = (f"It reads all {contrast.get('n', 0)} negation / contrast sentences right, yet still "
                       f"misjudges {_pct(1 - m.get('imdb_test_accuracy', m['test_accuracy']))} of unseen reviews.")
    size = f"{m['params']:,} parameters, {m['file_bytes'] / 1e6:.1f} MB"
    return Card(f"How good is this model? ({label})", rows, size, trained_on, still_wrong)


def card_markdown(c: Card) -> str:
    """The card as Markdown, narrow enough for the page's side column: one line per held-out set."""
    lines = [f"- {what}: **{ours}** (naive Bayes {nb})" for what, ours, nb in c.rows]
    return "\n".join([f"**{c.title}**", "", *lines, "", f"{c.size}. Trained on {c.trained_on}.", "",
                      c.still_wrong]).strip()

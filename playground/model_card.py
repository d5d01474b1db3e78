"""The "How good is this model?" card of the Read a review page: every figure on it comes from metrics.json,
which the training script writes next to the weights (held-out accuracies, naive-Bayes references, size, data)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playground.sentiment import ASSETS, info, load_metrics


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
    rows.append((f"{split.get('test', 0):,} held-out review sentences", _pct(m["test_accuracy"]),
                 _pct(nb.get("test_accuracy", metrics.get("naive_bayes_uni_bigram_test_accuracy")))))
    if "contrast_accuracy" in m:
        rows.append((f"our {contrast.get('n', 0)} negation / contrast sentences", _pct(m["contrast_accuracy"]),
                     _pct(nb.get("contrast_accuracy"))))
    n_reviews = imdb.get("train_reviews", 0)
    trained_on = f"{split.get('train_rows', 0) - n_reviews:,} SST-2 phrases and sentences"
    if imdb:
        trained_on += f" and {n_reviews:,} IMDB reviews (each cut to its last {imdb['train_tokens']} tokens)"
    n_lm = min(m.get("settings", {}).get("lm_reviews", 0), imdb.get("unlabelled_reviews", 0))
    if n_lm:
        trained_on += f", after learning to predict the next word of {n_lm:,} unlabelled reviews"
    wrong = m.get("contrast_wrong")
    if wrong is None:
        still_wrong = ""
    elif wrong:
        e = wrong[0]
        still_wrong = (f"It still misreads {len(wrong)} of the {contrast.get('n', 0)} negation / contrast sentences, "
                       f"e.g. “{e['text']}” comes out {'negative' if e['label'] else 'positive'}.")
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

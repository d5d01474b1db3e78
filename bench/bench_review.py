"""Read-a-review page, one 50-word review: trace + every figure of the page serialised to JSON, per shipped
model, next to the bare model forward (the baseline, same run). Targets: the whole page <= 50 ms; for a
200-token review (an IMDB-length paste, the page's cap) <= 150 ms.

Runs with one torch thread: on a busy 2-core machine a second intra-op thread makes even this batch-of-one
forward stall (LSTM 0.7 ms -> 50 ms measured), so one thread is what a shared server should use.
"""
from __future__ import annotations

import torch

from playground.views import review
from playground.sentiment import models as sentiment
from playground.sentiment.text import tokenize
from timing import interleaved_medians

REVIEW = ("I went in expecting another tired sequel , and for the first twenty minutes that is exactly what I got : "
          "loud chases , flat jokes and a villain with nothing to do . Then the film slows down , lets its two "
          "leads talk , and something remarkable happens . By the end I cared .")


def _page(sm: sentiment.Sentiment, text: str, compare: bool):
    def go():
        r = review.read(sm, text)
        order = review.unit_order(r)
        for view in review.page_views(r, r.T // 2, order, "unit", 3).values():
            if hasattr(view, "to_json"):
                view.to_json()
        if compare:
            for fig in review.compare_view(r, r, order):
                fig.to_json()
    return go


def _forward(sm: sentiment.Sentiment, text: str):
    ids = torch.tensor([sm.vocab.encode(tokenize(text)).ids])

    def go():
        with torch.no_grad():
            sm.model(ids)
    return go


def run(quick: bool) -> dict[str, float]:
    text = " ".join(REVIEW.split()[:50])
    assert len(tokenize(text)) == 50
    long = " ".join((REVIEW.split() * 5)[:review.CAP])
    assert len(tokenize(long)) == review.CAP == 200
    out: dict[str, float] = {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for name in sentiment.MODELS:
            out.update(_one(name, text, quick))
            out.update(_long(name, long, quick))
    finally:
        torch.set_num_threads(threads)
    return out


def _one(name: str, text: str, quick: bool) -> dict[str, float]:
    """Forward alone, the page, and the page with a second review to compare, timed in alternation."""
    sm = sentiment.load(name)
    med = interleaved_medians({"forward": _forward(sm, text), "page": _page(sm, text, False),
                               "compare": _page(sm, text, True)}, reps=5 if quick else 30)
    return {f"review.forward_ms.{name}.T50": med["forward"] * 1e3,
            f"review.page_ms.{name}.T50": med["page"] * 1e3,
            f"review.page_with_compare_ms.{name}.T50": med["compare"] * 1e3,
            f"review.page_vs_forward.{name}.T50": med["page"] / med["forward"]}


def _long(name: str, text: str, quick: bool) -> dict[str, float]:
    """A review as long as the page reads (200 tokens): forward alone and the page, in alternation."""
    sm = sentiment.load(name)
    med = interleaved_medians({"forward": _forward(sm, text), "page": _page(sm, text, False)}, reps=3 if quick else 15)
    return {f"review.forward_ms.{name}.T200": med["forward"] * 1e3, f"review.page_ms.{name}.T200": med["page"] * 1e3,
            f"review.page_vs_forward.{name}.T200": med["page"] / med["forward"]}

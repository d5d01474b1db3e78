"""Links between pages: the query parameters that open one page on what another shows (the web layer knows every
page's settings; a page's views module knows only its own)."""
from __future__ import annotations

from playground import state
from playground.views.onestep import OneStepConfig
from playground.views.review import ReviewConfig


def calculator_params(text: str, word: int) -> dict[str, str]:
    """Inside one step on word `word` of `text`, read by the shipped RNN (Read a review's "Open word t")."""
    return state.to_params(OneStepConfig(source="review", text=text, word=word))


def review_params(text: str, word: int) -> dict[str, str]:
    """Read a review on word `word` of `text` read by the RNN (the way back from the calculator)."""
    return state.to_params(ReviewConfig(text=text, model="rnn", step=word))
